"""Listing integrity: who may change a business (generator/core/integrity.py), through the real ways in."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from generator import cli
from generator.builder.load import load_entry
from generator.core.integrity import (
    DINAS,
    MANAGER,
    NEW,
    OTHER,
    Requester,
    change_report,
    classify_change,
    codeowners_problems,
    phone_digits,
)
from generator.core.models import Region
from generator.core.region import load_region
from tests.conftest import ROOT, MakeEntry, build, recorded, serve_recorded_photos

DATA = Path(__file__).parent / "data"
OWNER = "pemilik-sarirasa"  # manages keripik-sari-rasa in these tests
STAFF = "petugas-katalog-bekasi"  # listed in wilayah.yml dinas.petugas
OLD_WA = "6281219345521"  # 0812-1934-5521, the sample entry's WhatsApp
NEW_WA = "6285770004321"  # 0857-7000-4321, the number the takeover asks for


@pytest.fixture
def sample(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample Keripik Sari Rasa, managed by OWNER, in a project folder that is the working folder."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    folder = project / "catalog" / "keripik-sari-rasa"
    shutil.copytree(ROOT / "catalog" / "keripik-sari-rasa", folder)
    index = folder / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("\ndiperbarui:", f"\npengelola: [{OWNER}]\ndiperbarui:", 1), encoding="utf-8")
    entry, problems = load_entry(folder)
    assert entry is not None and entry.doc.data["pengelola"] == [OWNER], problems
    return project


def from_issue(project: Path, body_name: str, *args: str) -> tuple[int, str]:
    body = project / "issue.md"
    body.write_text((DATA / body_name).read_text(encoding="utf-8"), encoding="utf-8")
    reply = project / "balasan.md"
    code = cli.main(["from-issue", str(body), "--laporan", str(reply), "--rujukan", "issue #41", *args])
    return code, reply.read_text(encoding="utf-8")


def visible(markdown: str) -> str:
    """What a reader sees of a comment: link targets dropped."""
    return re.sub(r"\]\([^)]*\)", "]", markdown)


def wa_links(markdown: str) -> list[str]:
    return re.findall(r"\((https://wa\.me/[^)\s]+)\)", markdown)


# --- end to end: the takeover of the issue ---------------------------------------------------------------


def test_takeover_by_someone_else_needs_verification_and_offers_the_old_number(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, reply = from_issue(sample, "issue-ambil-alih.md", "--pengirim", "akun-asing")
    log = capsys.readouterr()
    # Written, so the pull request can be reviewed, but never "passed".
    assert code == cli.EXIT_NEEDS_VERIFICATION != 0
    assert "lolos" not in reply.lower()
    assert "perlu verifikasi" in reply and "akun GitHub @\u200bakun-asing" in reply
    assert "PERLU VERIFIKASI" in log.err
    # The changes that make a takeover, before → after, the new number masked.
    assert "| Nomor WhatsApp | +6281\\*\\*\\*\\*\\*5521 | +6285\\*\\*\\*\\*\\*4321 |" in reply
    assert "| Toko online lainnya: Alamat toko | — | https://tokopedia-keripiksarirasa.shop/promo |" in reply
    assert "Cerita usaha | — | diubah" in reply
    assert "https://wa.me/6285\\*\\*\\*\\*\\*4321" in reply  # a chat link in the story is a phone number too
    # The clerk is sent to the number on file, with a prefilled confirmation message.
    (link,) = wa_links(reply)
    parts = urlsplit(link)
    assert parts.path == f"/{OLD_WA}"
    message = parse_qs(parts.query)["text"][0]
    assert message.startswith("Halo Keripik Sari Rasa, kami dari Dinas Koperasi dan UKM Kabupaten Bekasi.")
    assert "issue #41" in message and "akun GitHub @akun-asing" in message and "balas YA atau TIDAK" in message
    assert NEW_WA not in message and "+6285*****4321" in message
    # Public text: no full number, no manager; the new number nowhere at all.
    for text in (visible(reply), log.out, log.err):
        assert OLD_WA not in text and "1934-5521" not in text
        assert NEW_WA not in text and "7000-4321" not in text
        assert OWNER not in text
    assert NEW_WA not in reply
    # The entry was written with the new data and its manager kept.
    entry, _ = load_entry(sample / "catalog" / "keripik-sari-rasa")
    assert entry is not None and entry.doc.data["pengelola"] == [OWNER]
    assert entry.doc.data["kontak"]["whatsapp"] == "0857-7000-4321"


def test_update_by_the_manager_passes_and_still_shows_the_changes(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, reply = from_issue(sample, "issue-ambil-alih.md", "--pengirim", OWNER)
    assert code == 0
    assert "lolos pemeriksaan otomatis" in reply and "perlu verifikasi" not in reply
    assert "pembaruan oleh pengelola usaha" in reply
    assert "| Nomor WhatsApp | +6281\\*\\*\\*\\*\\*5521 | +6285\\*\\*\\*\\*\\*4321 |" in reply
    assert not wa_links(reply)
    assert OWNER not in capsys.readouterr().out


def test_update_by_dinas_staff_passes(sample: Path) -> None:
    code, reply = from_issue(sample, "issue-ambil-alih.md", "--pengirim", STAFF.upper())
    assert code == 0 and "perubahan oleh petugas Dinas" in reply


def test_new_registration_makes_its_author_the_manager(sample: Path, photo_server: tuple[str, Path]) -> None:
    host, served = photo_server
    body = recorded("issue-daftar-usaha.md", host)
    serve_recorded_photos(body, served)
    (DATA_COPY := sample / "daftar.md").write_text(body, encoding="utf-8")
    reply_file = sample / "balasan.md"
    code = cli.main(["from-issue", str(DATA_COPY), "--pengirim", "@ibu-siti", "--sumber-foto", host, "--laporan", str(reply_file)])
    reply = reply_file.read_text(encoding="utf-8")
    assert code == 0 and "lolos pemeriksaan otomatis" in reply
    assert "usaha baru, diminta oleh akun GitHub @\u200bibu-siti" in reply
    entry, _ = load_entry(sample / "catalog" / "dapur-mpok-siti")
    assert entry is not None and entry.doc.data["pengelola"] == ["ibu-siti"]
    # Her next update is a manager's; somebody else's is not.
    update = sample / "perbarui.md"
    update.write_text(
        (DATA / "issue-ambil-alih.md").read_text(encoding="utf-8").replace("usaha/keripik-sari-rasa/", "usaha/dapur-mpok-siti/"), encoding="utf-8"
    )
    assert cli.main(["from-issue", str(update), "--pengirim", "ibu-siti"]) == 0
    assert cli.main(["from-issue", str(update), "--pengirim", "tetangga"]) == cli.EXIT_NEEDS_VERIFICATION


def test_an_update_without_a_known_sender_needs_verification(sample: Path) -> None:
    code, reply = from_issue(sample, "issue-ambil-alih.md")
    assert code == cli.EXIT_NEEDS_VERIFICATION
    assert "perlu verifikasi" in reply and "pengirim yang tidak diketahui" in reply


# --- who the Dinas is -------------------------------------------------------------------------------------


def test_staff_are_listed_once_and_codeowners_agrees(region: Region, tmp_path: Path) -> None:
    assert region.petugas == ("petugas-katalog-bekasi", "admin-kukm-bekasi")
    assert codeowners_problems((ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8"), region) == []
    assert codeowners_problems("/catalog/ @petugas-katalog-bekasi @orang-lain\n", region) == [
        "/catalog/: @orang-lain bukan petugas di wilayah.yml (dinas.petugas)",
        "/catalog/: petugas @admin-kukm-bekasi tidak disebut di CODEOWNERS",
    ]
    assert codeowners_problems("* @a\n", region)[0].startswith("tidak ada aturan '/catalog/'")


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("dinas: Dinas Contoh\n", ()),  # a plain name, as older region files wrote it
        ("dinas:\n  nama: Dinas Contoh\n  petugas: ['@Petugas-1', budi]\n", ("Petugas-1", "budi")),
    ],
)
def test_the_dinas_block(tmp_path: Path, block: str, expected: tuple[str, ...]) -> None:
    text = (ROOT / "wilayah.yml").read_text(encoding="utf-8")
    start = text.index("\ndinas:")
    end = text.index("\nkecamatan:")
    path = tmp_path / "wilayah.yml"
    path.write_text(text[:start] + "\n" + block + text[end:], encoding="utf-8")
    loaded, problems = load_region(path)
    assert problems == [] and loaded is not None
    assert loaded.dinas == "Dinas Contoh" and loaded.petugas == expected


@pytest.mark.parametrize(
    ("petugas", "message"),
    [
        ("[bukan login!]", "dinas.petugas: bukan nama akun GitHub (ditemukan 'bukan login!'); tulis nama akunnya saja, misalnya petugas-dinas"),
        ("[budi, BUDI]", "dinas.petugas: akun ganda 'BUDI'"),
        ("budi", "dinas.petugas: harus berupa daftar teks"),
    ],
)
def test_bad_staff_lists_are_reported_with_their_line(tmp_path: Path, petugas: str, message: str) -> None:
    text = (ROOT / "wilayah.yml").read_text(encoding="utf-8").replace("petugas: [petugas-katalog-bekasi, admin-kukm-bekasi]", f"petugas: {petugas}")
    path = tmp_path / "wilayah.yml"
    path.write_text(text, encoding="utf-8")
    loaded, problems = load_region(path)
    assert loaded is None
    line = text.splitlines().index(f"  petugas: {petugas}") + 1
    assert [p.format(base=tmp_path) for p in problems] == [f"wilayah.yml:{line}: {message}"]


# --- the rule itself -------------------------------------------------------------------------------------


BEFORE: dict[str, Any] = {
    "nama": "Keripik Sari Rasa",
    "kontak": {"whatsapp": "0812-1934-5521", "email": "sari@example.id"},
    "toko_online": [{"platform": "tokopedia", "url": "https://www.tokopedia.com/sarirasa"}],
    "sertifikasi": [{"jenis": "halal", "nomor": "ID32110000145680323"}],
    "produk": [{"nama": "Keripik", "harga": "15000", "tautan": "https://www.tokopedia.com/sarirasa/keripik"}],
    "nib": "9120301745821",
    "pengelola": [OWNER],
}


def changed(**values: Any) -> dict[str, Any]:
    return {**BEFORE, **values}


def test_the_four_kinds(region: Region) -> None:
    after = changed(kapasitas="3.000 bungkus")
    assert classify_change(None, after, Requester.github("siapa-saja"), region).kind == NEW
    assert classify_change(BEFORE, after, Requester.github(OWNER.upper()), region).kind == MANAGER
    assert classify_change(BEFORE, after, Requester.github("siapa-saja"), region).kind == OTHER
    assert classify_change(BEFORE, after, Requester.github(STAFF), region).kind == DINAS
    assert classify_change(BEFORE, after, Requester.staff("umkm import"), region).kind == DINAS
    assert classify_change(BEFORE, after, Requester.unknown(), region).kind == OTHER
    other = classify_change(BEFORE, after, Requester.github("siapa-saja"), region)
    assert other.needs_verification and not other.passed


def test_the_phone_of_record_is_the_whatsapp_on_file(region: Region) -> None:
    # The phone path (`--dari NOMOR`): the same number in any spelling is the manager asking.
    after = changed(kapasitas="3.000 bungkus")
    assert classify_change(BEFORE, after, Requester.phone("+62 812 1934 5521"), region).kind == MANAGER
    assert classify_change(BEFORE, after, Requester.phone("6281219345521"), region).kind == MANAGER
    assert classify_change(BEFORE, after, Requester.phone("0857-7000-4321"), region).kind == OTHER
    assert Requester.phone("bukan nomor").kind == "tidak-diketahui"
    assert classify_change(BEFORE, after, Requester.phone("0857-7000-4321"), region).requester.public_name() == "nomor +6285*****4321"
    # A new number asked for by the old one: still the manager (it is their number that asks).
    moved = changed(kontak={"whatsapp": "0857-7000-4321"})
    assert classify_change(BEFORE, moved, Requester.phone("0812-1934-5521"), region).kind == MANAGER
    assert phone_digits("021-8995-1234") == "622189951234" and phone_digits("12") == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [("diverifikasi", "2026-12-01"), ("pengelola", [OWNER, "teman"]), ("diturunkan", {"alasan": "x"})],
)
def test_dinas_only_fields_are_refused_for_anyone_else(region: Region, field: str, value: Any) -> None:
    after = changed(**{field: value})
    for who in (Requester.github(OWNER), Requester.github("siapa-saja"), Requester.phone("0812-1934-5521")):
        result = classify_change(BEFORE, after, who, region)
        assert result.refused and not result.passed, who
        assert "hanya petugas Dinas" in result.refused[0]
    assert not classify_change(BEFORE, after, Requester.github(STAFF), region).refused


def test_a_new_business_is_managed_by_its_author_only(region: Region) -> None:
    entry = {"nama": "Warung Baru", "pengelola": ["ibu-siti"]}
    assert not classify_change(None, entry, Requester.github("ibu-siti"), region).refused
    assert classify_change(None, entry, Requester.github("orang-lain"), region).refused
    assert classify_change(None, {"nama": "Warung Baru"}, Requester.github("ibu-siti"), region).refused  # say who manages it
    assert not classify_change(None, {"nama": "Warung Baru"}, Requester.phone("0812-1934-5521"), region).refused
    assert classify_change(None, {**entry, "diverifikasi": "2026-12-01"}, Requester.github("ibu-siti"), region).refused


def test_every_sensitive_field_is_shown_before_and_after(region: Region) -> None:
    after = changed(
        kontak={"whatsapp": "0857-7000-4321", "email": "sari.baru@example.id", "telepon": "021-8995-1234", "instagram": "sari_baru"},
        toko_online=[{"platform": "tokopedia", "url": "https://www.tokopedia.com/sari-rasa-official"}, {"platform": "lainnya", "url": "https://toko.example/"}],
        sertifikasi=[{"jenis": "halal", "nomor": "ID32110000999999999"}],
        produk=[{"nama": "Keripik", "harga": "15000", "tautan": "https://tokopedia-sarirasa.shop/keripik"}],
        nib="9120301745999",
        pemilik="Orang Lain",
    )
    result = classify_change(BEFORE, after, Requester.github(OWNER), region)
    rows = {c.label: (c.before, c.after) for c in result.changes}
    assert rows == {
        "Nomor WhatsApp": ("+6281*****5521", "+6285*****4321"),
        "Nomor telepon": ("", "+6221****1234"),
        "Email": ("sari@example.id", "sari.baru@example.id"),
        "Instagram": ("", "sari_baru"),
        "Nama pemilik": ("", "Orang Lain"),
        "NIB (Nomor Induk Berusaha)": ("9120301745821", "9120301745999"),
        "Toko online tokopedia: Alamat toko": ("https://www.tokopedia.com/sarirasa", "https://www.tokopedia.com/sari-rasa-official"),
        "Toko online lainnya: Alamat toko": ("", "https://toko.example/"),
        "Sertifikasi halal: Nomor sertifikat": ("ID32110000145680323", "ID32110000999999999"),
        "Produk Keripik: Tautan produk": ("https://www.tokopedia.com/sarirasa/keripik", "https://tokopedia-sarirasa.shop/keripik"),
    }
    # The same values written differently are no change.
    same = changed(kontak={"whatsapp": "+62 812-1934-5521", "email": "SARI@example.id"}, nib="9120 3017 45821")
    assert classify_change(BEFORE, same, Requester.github(OWNER), region).changes == ()


def test_a_verified_entry_warns_that_its_stamp_stays(region: Region) -> None:
    verified = changed(diverifikasi="2026-10-05")
    after = {**verified, "kontak": {"whatsapp": "0857-7000-4321"}}
    report = change_report(classify_change(verified, after, Requester.github(OWNER), region), region=region)
    assert "bercap *Diverifikasi Dinas* (2026-10-05); cap itu tetap tampil" in report
    unchanged = change_report(classify_change(verified, {**verified, "kapasitas": "x"}, Requester.github(OWNER), region), region=region)
    assert "bercap" not in unchanged


def test_the_report_never_names_the_managers(region: Region) -> None:
    after = changed(pengelola=[OWNER, "teman-baru"], kapasitas="x")
    report = change_report(classify_change(BEFORE, after, Requester.github(STAFF), region), region=region)
    assert "Pengelola (akun GitHub) | — | diubah (hanya petugas Dinas)" in report
    assert OWNER not in report and "teman-baru" not in report


def test_a_hidden_listing_gets_no_public_link_to_its_number(region: Region) -> None:
    hidden = changed(diturunkan={"alasan": "dilaporkan"})
    result = classify_change(hidden, {**hidden, "kapasitas": "x"}, Requester.github("siapa-saja"), region)
    report = change_report(result, region=region)
    assert "perlu verifikasi" in report and not wa_links(report)
    assert OLD_WA not in report and "+6281\\*\\*\\*\\*\\*5521" in report


# --- what the site publishes ---------------------------------------------------------------------------


def site_texts(site: Path) -> dict[str, str]:
    """Every file of a built site as text, gzip (sitemap, Pagefind's index) decompressed."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts[path.relative_to(site).as_posix()] = data.decode("utf-8", errors="replace")
    return texts


def test_hidden_listing_and_managers_reach_no_output(project: Path, make_entry: MakeEntry) -> None:
    make_entry(
        "tampil",
        {"nama": "Warung Tampil", "pengelola": ["rahasia-pengelola-xyz"], "diverifikasi": "2026-11-01", "kontak": {"whatsapp": "0812-1934-5521"}},
        photos={"foto/sampul.jpg": (800, 600)},
        body="Cerita warung yang tampil.\n",
    )
    (project / "catalog" / "tampil" / "index.md").write_text(
        (project / "catalog" / "tampil" / "index.md").read_text().replace("---\nCerita", "foto: [foto/sampul.jpg]\n---\nCerita"), encoding="utf-8"
    )
    make_entry("belum", {"nama": "Warung Belum"})
    hidden: dict[str, Any] = {
        "nama": "Toko Tersembunyi Zqx",
        "ringkasan": "Ringkasan rahasia qwv.",
        "kontak": {"whatsapp": "0857-7000-4321"},
        "foto": ["foto/gudang.jpg"],
        "produk": [{"nama": "Produk Hilang Jkq", "harga": "5000"}],
        "pengelola": ["pengelola-tersembunyi"],
    }
    make_entry("toko-tersembunyi", hidden, photos={"foto/gudang.jpg": (800, 600)}, body="Cerita tersembunyi vbn.\n")
    # First published, so the next build must take it out of every cache-fed output too.
    assert build(project).returncode == 0
    shown = site_texts(project / "site")
    assert "Tersembunyi Zqx" in shown["usaha/toko-tersembunyi/index.html"] and "Tersembunyi Zqx" in shown["data/umkm.json"]
    assert any(name.startswith("foto/toko-tersembunyi/") for name in shown)
    # The Dinas takes it down: one block in the entry.
    takedown = {"alasan": "Alasan rahasia dilaporkan penipu", "tanggal": "2026-11-20"}
    make_entry("toko-tersembunyi", {**hidden, "diturunkan": takedown}, body="Cerita tersembunyi vbn.\n")
    result = build(project)
    assert result.returncode == 0, result.stderr
    texts = site_texts(project / "site")
    # Every output file: pages, cards, listings, search index, open data, sitemap, statistics, photos.
    for secret in ("toko-tersembunyi", "Tersembunyi Zqx", "rahasia qwv", "Hilang Jkq", "tersembunyi vbn", "Alasan rahasia", "gudang", NEW_WA, "7000-4321"):
        assert not [name for name, text in texts.items() if secret in text or secret in name], secret
    for secret in ("rahasia-pengelola-xyz", "pengelola-tersembunyi"):
        assert not [name for name, text in texts.items() if secret in text], secret
    # ... and nothing in the build's log either (CI logs are public).
    assert "rahasia-pengelola-xyz" not in result.stdout + result.stderr and "Alasan rahasia" not in result.stdout + result.stderr
    assert texts["usaha/tampil/index.html"].count("Diverifikasi Dinas, 1 November 2026") == 1
    assert "Belum diverifikasi" in texts["usaha/belum/index.html"]
    assert '"jumlah":2' in texts["data/umkm.json"]
    assert any(name.startswith("pagefind/") for name in texts)
    search_page = texts["cari/index.html"]
    assert 'name="verifikasi" value="ya"' in search_page and "Terverifikasi" in search_page
    # The listing comes back by removing the block; its data was kept.
    index = project / "catalog" / "toko-tersembunyi" / "index.md"
    kept = index.read_text(encoding="utf-8")
    assert "Alasan rahasia" in kept


def test_umkm_new_names_the_manager_for_a_pull_request(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    args = ["new", "dapur-baru", "--nama", "Dapur Baru", "--sektor", "kuliner", "--kecamatan", "Setu", "--ringkasan", "Masakan rumahan."]
    assert cli.main([*args, "--pengelola", "@ibu-siti"]) == 0
    entry, problems = load_entry(project / "catalog" / "dapur-baru")
    assert entry is not None and entry.doc.data["pengelola"] == ["ibu-siti"], problems
    assert cli.main(["new", "dapur-lain", *args[2:]]) == 0
    assert "# pengelola: [akun-github-anda]" in (project / "catalog" / "dapur-lain" / "index.md").read_text(encoding="utf-8")


def test_check_says_whether_an_entry_is_verified_or_hidden(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project)
    make_entry("diverifikasi", {"diverifikasi": "2026-11-01", "pengelola": ["rahasia-xyz"]})
    make_entry("turun", {"diturunkan": {"alasan": "Alasan rahasia", "tanggal": "2026-11-20"}})
    make_entry("kosong", {"diturunkan": ""})
    assert cli.main(["check", "catalog/diverifikasi", "catalog/turun"]) == 0
    out = capsys.readouterr().out
    assert "catalog/diverifikasi/index.md: info: diverifikasi: ya, 2026-11-01" in out
    assert "catalog/turun/index.md: info: diturunkan: usaha ini diturunkan: tidak tampil di situs" in out
    assert "catalog/turun/index.md: info: diverifikasi: belum diverifikasi petugas Dinas" in out
    assert "rahasia" not in out.lower()
    # An empty block is not "shown": the clerk meant to hide it and forgot the reason.
    assert cli.main(["check", "catalog/kosong"]) == 1
    assert "diturunkan: tulis alasannya" in capsys.readouterr().out


def test_search_records_carry_the_verified_filter(project: Path, make_entry: MakeEntry, region: Region) -> None:
    from generator.builder.enrich import enrich_catalog
    from generator.builder.load import load_entries
    from generator.builder.validate import validate_entries
    from generator.outputs.search import filter_groups, search_record
    from tests.conftest import TODAY

    make_entry("stempel", {"diverifikasi": "2026-11-01"})
    make_entry("tanpa")
    raw, _ = load_entries(project / "catalog")
    catalog, problems = validate_entries(raw, region, today=TODAY)
    assert problems == []
    businesses = {b.slug: b for b in enrich_catalog(catalog, today=TODAY)}
    assert dict(search_record(businesses["stempel"], {}).filters)["verifikasi"] == ("ya",)
    assert dict(search_record(businesses["stempel"], {}).meta)["verifikasi"] == "1 November 2026"
    assert "verifikasi" not in dict(search_record(businesses["tanpa"], {}).filters)
    (group,) = [g for g in filter_groups(region, list(businesses.values())) if g.key == "verifikasi"]
    assert [o.label for o in group.options] == ["Terverifikasi"]
