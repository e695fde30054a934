"""The phone form: made from the schema, its prefill, and `umkm dari-pesan` reading its messages back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import cli
from generator.builder.load import load_entry
from generator.core.models import Region
from generator.core.phoneform import WebGroup, WebInput, prefill_data, web_form
from generator.core.privacy import mask_phone
from generator.core.schema import CONSENT, ENTRY_FIELDS, FORMATS, TOOL_FIELDS
from generator.intake.message import encode_block
from tests.conftest import ROOT, MakeEntry, write_image

WHATSAPP_ON_FILE = "0812-1934-5521"
# Every page-only field (schema visibility "halaman"): shown on the business page, in no data file.
PAGE_ONLY: dict[str, Any] = {
    "kontak": {"whatsapp": WHATSAPP_ON_FILE, "telepon": "021-8995-1234", "email": "sari.rasa@example.id"},
    "alamat": "Kp. Pulo Sirih RT 03/RW 07",
    "pemilik": "Ibu Rohimah",
    "lokasi": "-6.2712, 107.0851",
}


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    return project


def pesan(changes: list[list[Any]], *, kind: str = "daftar", slug: str = "", story: str | None = None, photos: list[Any] | None = None, consent: list[int] | None = None) -> str:
    payload: dict[str, Any] = {"v": 1, "jenis": kind}
    if slug:
        payload["slug"] = slug
    payload["ubah"] = changes
    if story is not None:
        payload["cerita"] = story
    if photos:
        payload["foto"] = photos
    payload["setuju"] = [1, 2, 3] if consent is None else consent
    return f"Halo Dinas, saya ingin mendaftarkan usaha.\n\n{encode_block(payload)}\n"


NEW_BUSINESS = [
    [["nama"], "Dapur Mpok Siti"],
    [["sektor"], "kuliner"],
    [["kecamatan"], "Tambun Selatan"],
    [["ringkasan"], "Nasi uduk dan kue basah Betawi."],
    [["kontak", "whatsapp"], "0813-1111-2222"],
    [["produk", ["nama", "Nasi Uduk"]], {"nama": "Nasi Uduk", "harga": "15000"}],  # an item's fields together, as the form sends them
]


def from_pesan(project: Path, text: str, *args: str) -> int:
    path = project / "pesan.txt"
    path.write_text(text, encoding="utf-8")
    return cli.main(["dari-pesan", str(path), *args])


# --- the form -----------------------------------------------------------------------------------------


def test_every_field_the_owner_can_give_is_on_the_form_with_the_schemas_words(region: Region) -> None:
    form = web_form(region, site_name="Katalog UMKM")
    top = {p.path: p for p in form.parts if isinstance(p, WebInput)}
    groups = {p.name: p for p in form.parts if isinstance(p, WebGroup)}
    asked = {path[0] for path in top} | set(groups)
    # Not asked: the date the tools set, and what only Dinas staff may set (listing integrity).
    assert {f.name for f in ENTRY_FIELDS} - asked == {f.name for f in ENTRY_FIELDS if f.name in TOOL_FIELDS or f.staff_only}
    nama = top[("nama",)]
    assert (nama.label, nama.required, nama.maxlength) == ("Nama usaha", True, 100)
    assert ("wajib", "Nama usaha wajib diisi.") in nama.messages
    kecamatan = top[("kecamatan",)]
    assert "Karang Bahagia" in kecamatan.suggestions and "Karangbahagia" in kecamatan.suggestions
    assert top[("sektor",)].options[0] == ("Kuliner", "kuliner")
    whatsapp = top[("kontak", "whatsapp")]
    assert (whatsapp.type, whatsapp.inputmode, whatsapp.pattern) == ("tel", "tel", FORMATS["mobile"].pattern)
    produk = groups["produk"]
    assert produk.key == "nama" and produk.max_items == 50
    assert [i.control for i in produk.inputs] == ["input", "input", "input", "textarea", "photos", "input"]
    assert groups["sertifikasi"].inputs[3].control == "lines"  # the products a certificate covers
    assert [i.label for i in form.report] == ["Apa yang salah?", "Data yang benar (bila tahu)"]


def test_patterns_accept_what_the_validator_accepts_in_every_sample_entry(region: Region) -> None:
    """An owner opening "Perbarui data" must be able to send the form as it is: every published
    value of every sample entry fits its field's pattern (HTML patterns match the whole value)."""
    from generator.builder.pipeline import check_catalog
    from generator.cli import load_settings

    settings = load_settings(str(ROOT / "mkdocs.yml"), "2026-11-28")
    catalog, _ = check_catalog(settings, photos=False)
    assert catalog is not None and catalog.entries
    form = web_form(region, site_name="")
    top = {p.path: p for p in form.parts if isinstance(p, WebInput)}
    groups = {p.name: p for p in form.parts if isinstance(p, WebGroup)}
    checked = 0
    for entry in catalog.entries:
        data = prefill_data(entry)
        for path, control in top.items():
            value = data.get(path[0]) if len(path) == 1 else (data.get(path[0]) or {}).get(path[1])
            if control.pattern and value:
                assert re.fullmatch(f"(?:{control.pattern})", value), (entry.slug, path, value)
                checked += 1
        for name, group in groups.items():
            for item in data.get(name, []):
                for control in group.inputs:
                    value = item.get(control.path[0])
                    if control.pattern and value:
                        assert re.fullmatch(f"(?:{control.pattern})", value), (entry.slug, name, control.path, value)
                        checked += 1
    assert checked > 20


@pytest.mark.parametrize(("kind", "good", "bad"), [("nib", "0220 0098 61929", "12"), ("mobile", "+62 812-1934-5521", "021-8995-1234"), ("year", "2017", "17"), ("integer", "385000", "Rp385.000"), ("koordinat", "-6.2871, 107.0873", "Cibitung")])
def test_patterns_tell_good_from_bad(kind: str, good: str, bad: str) -> None:
    pattern = FORMATS[kind].pattern
    assert re.fullmatch(f"(?:{pattern})", good) and not re.fullmatch(f"(?:{pattern})", bad)


# --- dari-pesan ---------------------------------------------------------------------------------------


def test_a_new_business_is_written_through_the_checked_writer(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert from_pesan(in_project, pesan(NEW_BUSINESS, story="Sejak 2010.")) == 0
    raw, problems = load_entry(in_project / "catalog" / "dapur-mpok-siti")
    assert raw is not None and not problems
    assert raw.doc.data["produk"] == [{"nama": "Nasi Uduk", "harga": "15000"}]
    assert raw.doc.data["kontak"] == {"whatsapp": "0813-1111-2222"}
    assert raw.body == "Sejak 2010.\n"
    err = capsys.readouterr().err
    assert "Jenis perubahan: usaha baru" in err and "Ditulis: catalog/dapur-mpok-siti/index.md" in err


def test_problems_are_named_by_the_forms_own_labels(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changes = [*NEW_BUSINESS, [["kontak", "whatsapp"], "021-8995-1234"], [["produk", ["nama", "Nasi Uduk"], "harga"], "15.000"]]  # one field alone
    assert from_pesan(in_project, pesan(changes)) == 1
    out = capsys.readouterr().out
    assert "Nomor WhatsApp: bukan nomor HP, tidak dapat dipakai untuk WhatsApp" in out
    assert "Produk «Nasi Uduk»: Harga (rupiah): tulis angka bulat tanpa titik, koma atau 'Rp' (ditemukan '15.000', maksud Anda 15000?)" in out
    assert not (in_project / "catalog" / "dapur-mpok-siti").exists()


def test_a_message_without_consent_is_refused_and_nothing_is_checked_or_written(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert from_pesan(in_project, pesan(NEW_BUSINESS, consent=[1, 2])) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"Pernyataan: pengirim belum mencentang pernyataan: {CONSENT[2]}")
    assert not (in_project / "catalog" / "dapur-mpok-siti").exists()


def test_a_field_the_form_does_not_offer_is_refused(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert from_pesan(in_project, pesan([*NEW_BUSINESS, [["diperbarui"], "2030-01-01"]])) == 1
    assert "pesan mengubah kolom yang tidak ada di formulir (diperbarui)" in capsys.readouterr().out


def test_a_damaged_message_is_refused_with_the_reason(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = pesan(NEW_BUSINESS)
    lines = text.splitlines()
    lines[4] = lines[4][:-1]
    assert from_pesan(in_project, "\n".join(lines)) == 1
    assert "blok data rusak (" in capsys.readouterr().out


@pytest.fixture
def on_file(make_entry: MakeEntry) -> Path:
    return make_entry("keripik-sari-rasa", {"kontak": {"whatsapp": WHATSAPP_ON_FILE}, "produk": [{"nama": "Keripik Balado", "harga": "18000"}]})


UPDATE = [[["produk", ["nama", "Keripik Balado"], "harga"], "20000"], [["kontak", "whatsapp"], "0813-9999-8888"]]


def test_an_update_from_the_number_on_file_is_the_manager_asking(in_project: Path, on_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert from_pesan(in_project, pesan(UPDATE, kind="perbarui", slug="keripik-sari-rasa"), "--dari", "+62 812-1934-5521") == 0
    raw, _ = load_entry(on_file.parent)
    assert raw is not None and raw.doc.data["produk"][0]["harga"] == "20000" and raw.doc.data["kontak"]["whatsapp"] == "0813-9999-8888"
    captured = capsys.readouterr()
    assert f"Jenis perubahan: pembaruan oleh pengelola usaha (nomor {mask_phone('+6281219345521')})" in captured.err
    assert "+    harga: 20000" in captured.out  # the diff is shown


def test_an_update_from_another_number_needs_verification_and_is_not_written(in_project: Path, on_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = on_file.read_text()
    assert from_pesan(in_project, pesan(UPDATE, kind="perbarui", slug="keripik-sari-rasa"), "--dari", "0857-1234-0000") == 3
    assert on_file.read_text() == before
    captured = capsys.readouterr()
    assert f"PERLU VERIFIKASI: nomor {mask_phone('+6285712340000')} bukan nomor WhatsApp yang tercatat untuk 'keripik-sari-rasa'" in captured.err
    assert f"Nomor yang tercatat: {mask_phone('+6281219345521')}. Pesan konfirmasi: https://wa.me/6281219345521?text=Halo%20Keripik%20Sari%20Rasa" in captured.err
    assert "lolos" not in captured.out + captured.err
    # Confirmed with the owner through the number on file: the clerk writes it.
    assert from_pesan(in_project, pesan(UPDATE, kind="perbarui", slug="keripik-sari-rasa"), "--dari", "0857-1234-0000", "--terverifikasi") == 0
    raw, _ = load_entry(on_file.parent)
    assert raw is not None and raw.doc.data["kontak"]["whatsapp"] == "0813-9999-8888"


def test_an_update_without_a_sender_needs_verification(in_project: Path, on_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert from_pesan(in_project, pesan(UPDATE, kind="perbarui", slug="keripik-sari-rasa")) == 3
    assert "PERLU VERIFIKASI: pengirim yang tidak diketahui" in capsys.readouterr().err


def test_removed_items_and_emptied_fields_are_removed(in_project: Path, on_file: Path) -> None:
    changes = [[["produk", ["nama", "Keripik Balado"]], None], [["kontak", "whatsapp"], None], [["desa"], "Wanasari"]]
    assert from_pesan(in_project, pesan(changes, kind="perbarui", slug="keripik-sari-rasa"), "--dari", WHATSAPP_ON_FILE) == 0
    raw, _ = load_entry(on_file.parent)
    assert raw is not None
    assert "produk" not in raw.doc.data and "kontak" not in raw.doc.data and raw.doc.data["desa"] == "Wanasari"


def test_photos_are_taken_by_name_or_in_the_order_listed(in_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photos = [{"ke": ["foto"], "nama": ["sampul.jpg"]}, {"ke": ["produk", ["nama", "Nasi Uduk"], "foto"], "nama": ["uduk.jpg", "uduk2.jpg"]}]
    chat = tmp_path / "chat"
    for name, colour in (("IMG-20261128-WA0001.jpg", (200, 0, 0)), ("IMG-20261128-WA0002.jpg", (0, 200, 0)), ("IMG-20261128-WA0003.jpg", (0, 0, 200))):
        write_image(chat / name, (800, 600), colour)
    # WhatsApp renamed them: taken in the order the owner listed them.
    assert from_pesan(in_project, pesan(NEW_BUSINESS, photos=photos), "--foto", str(chat)) == 0
    raw, _ = load_entry(in_project / "catalog" / "dapur-mpok-siti")
    assert raw is not None
    cover = raw.doc.data["foto"]
    product = raw.doc.data["produk"][0]["foto"]
    assert len(cover) == 1 and len(product) == 2
    assert all((in_project / "catalog" / "dapur-mpok-siti" / name).is_file() for name in [*cover, *product])
    # One photo too few: nothing is guessed.
    shutil.rmtree(in_project / "catalog" / "dapur-mpok-siti")
    (chat / "IMG-20261128-WA0003.jpg").unlink()
    assert from_pesan(in_project, pesan(NEW_BUSINESS, photos=photos), "--foto", str(chat)) == 1
    assert "Foto: pesan menyebut 3 foto, tetapi folder foto berisi 2" in capsys.readouterr().out


def test_a_symlink_in_the_photo_folder_is_never_read(in_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A link planted among the saved photos could carry any file of the clerk's machine into a
    public entry: links are not photos, so the count no longer matches and nothing is written."""
    photos = [{"ke": ["foto"], "nama": ["sampul.jpg"]}, {"ke": ["produk", ["nama", "Nasi Uduk"], "foto"], "nama": ["uduk.jpg", "uduk2.jpg"]}]
    chat = tmp_path / "chat"
    write_image(chat / "IMG-20261128-WA0001.jpg", (800, 600), (200, 0, 0))
    write_image(chat / "IMG-20261128-WA0002.jpg", (800, 600), (0, 200, 0))
    write_image(tmp_path / "pribadi" / "ktp.jpg", (800, 600), (0, 0, 200))
    (chat / "IMG-20261128-WA0003.jpg").symlink_to(tmp_path / "pribadi" / "ktp.jpg")
    assert from_pesan(in_project, pesan(NEW_BUSINESS, photos=photos), "--foto", str(chat)) == 1
    assert "Foto: pesan menyebut 3 foto, tetapi folder foto berisi 2" in capsys.readouterr().out
    assert not (in_project / "catalog" / "dapur-mpok-siti").exists()


def test_dari_pesan_reads_stdin_and_keeps_its_first_spelling(in_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pesan(NEW_BUSINESS).encode())))
    assert cli.main(["from-pesan", "-"]) == 0
    assert (in_project / "catalog" / "dapur-mpok-siti" / "index.md").is_file()


def test_the_form_adds_at_most_30_kb_gzipped_to_its_page(region: Region) -> None:
    """The form's markup, its script and its styles, each gzipped as a static host sends them."""
    import gzip

    from generator.outputs.pages import TEMPLATES_DIR, make_environment

    form = web_form(region, site_name="Katalog UMKM Kabupaten Bekasi")
    markup = str(make_environment(TEMPLATES_DIR).get_template("phone_form.html").module.phone_form(form, "../usaha/__SLUG__/formulir.json", "../usaha/__SLUG__/"))  # type: ignore[attr-defined]
    assert markup.count("data-jalur=") > 30
    script = (ROOT / "theme" / "assets" / "formulir.js").read_text(encoding="utf-8")
    css = (ROOT / "theme" / "assets" / "umkm.css").read_text(encoding="utf-8")
    styles = css[css.index("/* The phone form") :]
    sizes = {name: len(gzip.compress(text.encode("utf-8"), 9)) for name, text in {"markup": markup, "script": script, "styles": styles}.items()}
    assert sum(sizes.values()) <= 30 * 1024, sizes


def test_each_published_business_gets_its_prefill_and_nothing_unpublished(project: Path, make_entry: MakeEntry) -> None:
    import json

    from tests.conftest import build

    make_entry(
        "keripik-sari-rasa",
        {
            **PAGE_ONLY,
            "pengelola": ["pemilik-keripik"],
            "produk": [{"nama": "Keripik Balado", "harga": "18000", "foto": ["foto/balado.jpg"]}],
            "foto": ["foto/sampul.jpg"],
        },
        photos={"foto/balado.jpg": (800, 600), "foto/sampul.jpg": (800, 600)},
    )
    make_entry("sudah-turun", {"nama": "Sudah Turun", "diturunkan": {"alasan": "Nomor dipakai penipu", "tanggal": "2026-11-01"}})
    result = build(project)
    assert result.returncode == 0, result.stderr
    data = json.loads((project / "site" / "usaha" / "keripik-sari-rasa" / "formulir.json").read_text(encoding="utf-8"))
    assert data == {
        "slug": "keripik-sari-rasa",
        "nama": "Keripik Sari Rasa",
        "sektor": "kuliner",
        "kecamatan": "Cibitung",
        "ringkasan": "Keripik singkong balado renyah.",
        "produk": [{"nama": "Keripik Balado", "harga": "18000"}],
        "cerita": "Cerita usaha.",
    }
    # Phone numbers only where contact buttons need them: the page, never a data file anyone can fetch
    # for every business. Nor the email, owner, address or map point (the form reads them from the page).
    text = (project / "site" / "usaha" / "keripik-sari-rasa" / "formulir.json").read_text(encoding="utf-8")
    assert not any(value in text for value in ("19345521", "8995", "sari.rasa@", "Rohimah", "Pulo Sirih", "6.2712", "107.08"))
    page = (project / "site" / "usaha" / "keripik-sari-rasa" / "index.html").read_text(encoding="utf-8")
    assert "wa.me/6281219345521" in page
    assert not (project / "site" / "usaha" / "sudah-turun").exists()  # a listing taken down publishes nothing


def test_the_business_page_marks_every_page_only_field_where_the_form_reads_it(project: Path, make_entry: MakeEntry, region: Region) -> None:
    """"Perbarui data" fills the fields no data file holds from the business page: the form names them
    (the schema's page-only fields), the page marks the element showing each one (`data-formulir`),
    once, on what it shows anyway: no second copy of a number. A map point the page does not show
    (only an address search) is not marked, so the form leaves it empty."""
    from tests.conftest import PageParts, build

    page_only = web_form(region, site_name="").from_page
    assert set(page_only) == {"alamat", "lokasi", "pemilik", "kontak.whatsapp", "kontak.telepon", "kontak.email"}
    make_entry("keripik-sari-rasa", PAGE_ONLY)
    make_entry("tanpa-titik", {"nama": "Tanpa Titik", "alamat": "Jl. Raya Cibitung No. 5"})
    result = build(project)
    assert result.returncode == 0, result.stderr

    def marks(slug: str) -> dict[str, dict[str, str]]:
        parts = PageParts()
        parts.feed((project / "site" / "usaha" / slug / "index.html").read_text(encoding="utf-8"))
        found = [(attrs["data-formulir"], attrs) for _, attrs in parts.tags if "data-formulir" in attrs]
        assert len(found) == len(dict(found)), found  # each field marked once
        return dict(found)

    full = marks("keripik-sari-rasa")
    assert set(full) == set(page_only)
    assert full["kontak.whatsapp"]["href"].startswith("https://wa.me/6281219345521?text=")
    assert full["kontak.telepon"]["href"] == "tel:+622189951234"
    assert full["kontak.email"]["href"] == "mailto:sari.rasa@example.id"
    assert full["lokasi"]["href"].startswith("geo:-6.2712,107.0851?")
    page = (project / "site" / "usaha" / "keripik-sari-rasa" / "index.html").read_text(encoding="utf-8")
    assert '<dd data-formulir="alamat">Kp. Pulo Sirih RT 03/RW 07</dd>' in page
    assert '<dd data-formulir="pemilik">Ibu Rohimah</dd>' in page
    assert set(marks("tanpa-titik")) == {"alamat"}  # its map link searches the address: no point to read
    # The form names the same fields, and where to read them: the business page, not a data file.
    register = (project / "site" / "daftar" / "index.html").read_text(encoding="utf-8")
    assert f'data-dari-halaman="{" ".join(page_only)}"' in register
    assert 'data-halaman-url="../usaha/__SLUG__/"' in register


def _documented_runs(document: str) -> list[tuple[list[str], int]]:
    """Every `umkm dari-pesan` line of a document's ```sh blocks, with the exit code its comment promises."""
    import shlex

    blocks = re.findall(r"^```sh\n(.*?)^```", (ROOT / document).read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    runs = []
    for line in (line for block in blocks for line in block.splitlines()):
        command, _, comment = line.partition("  # ")
        words = shlex.split(command)
        if words[:2] == [".venv/bin/umkm", "dari-pesan"]:
            promised = re.match(r"keluar (\d)", comment)
            assert promised, f"{document}: '{line}' says which exit code to expect ('# keluar N: ...')"
            runs.append((words[1:], int(promised.group(1))))
    return runs


@pytest.mark.parametrize("document", ["README.md", "CONTRIBUTING.md"])
def test_the_documented_example_messages_read_back_as_promised(document: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clerk's examples run as written on a fresh clone: the sample messages (made with the form)
    and photos in docs/contoh/ against the sample catalog, each giving the exit code the document
    says, and `--coba` writing nothing."""
    runs = _documented_runs(document)
    assert runs
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("theme", "halaman", "catalog", "docs/contoh"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-12-03")
    before = sorted((p.relative_to(tmp_path), p.read_bytes()) for p in (tmp_path / "catalog").rglob("*") if p.is_file())
    for args, code in runs:
        assert cli.main(args) == code, args
    assert sorted((p.relative_to(tmp_path), p.read_bytes()) for p in (tmp_path / "catalog").rglob("*") if p.is_file()) == before
    # Without --coba the registration is written with both photos, taken in the order the message lists them.
    assert cli.main(["dari-pesan", "docs/contoh/pesan-daftar.txt", "--foto", "docs/contoh/foto-chat/"]) == 0
    raw, problems = load_entry(tmp_path / "catalog" / "contoh-dapur-bu-ani")
    assert raw is not None and not problems
    assert len(raw.doc.data["foto"]) == 1 and len(raw.doc.data["produk"][0]["foto"]) == 1


def test_coba_checks_and_shows_the_diff_without_writing(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert from_pesan(in_project, pesan(NEW_BUSINESS), "--coba") == 0
    captured = capsys.readouterr()
    assert "+++ b/catalog/dapur-mpok-siti/index.md" in captured.out and "tidak ada yang ditulis" in captured.err
    assert not (in_project / "catalog" / "dapur-mpok-siti").exists()
