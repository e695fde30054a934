"""Issue forms: generated from the schema, and submitted forms (recorded bodies) turned into entries."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli
from generator.builder.load import load_entry
from generator.core.links import NEW, REPORT, UPDATE, issue_form_url
from generator.core.models import Region
from generator.core.schema import ENTRY_FIELDS
from generator.intake.forms import FORMS, form_fields, issue_form, render_form
from generator.intake.issues import detect_kind, parse_issue
from generator.intake.write import Match
from tests.conftest import GITHUB_ASSETS, ROOT, from_issue, recorded, serve_recorded_photos


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    return project


# --- the forms ---------------------------------------------------------------------------------------


def test_committed_forms_equal_the_generated_ones(region: Region, monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in FORMS:
        committed = (ROOT / ".github" / "ISSUE_TEMPLATE" / f"{kind}.yml").read_text(encoding="utf-8")
        assert committed == render_form(kind, region), f"jalankan 'umkm formulir' ({kind})"
    monkeypatch.chdir(ROOT)
    assert cli.main(["formulir", "--periksa"]) == 0


def test_forms_follow_githubs_form_schema(region: Region) -> None:
    for kind in FORMS:
        form = yaml.safe_load(render_form(kind, region))
        assert set(form) == {"name", "description", "title", "labels", "body"}
        ids = [e["id"] for e in form["body"] if e["type"] != "markdown"]
        labels = [e["attributes"]["label"] for e in form["body"] if e["type"] != "markdown"]
        assert len(ids) == len(set(ids)) and len(labels) == len(set(labels))
        assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
        for element in form["body"]:
            assert element["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
            if element["type"] == "dropdown":
                options = element["attributes"]["options"]
                assert options and len(options) == len(set(options)) and "None" not in options


def test_every_schema_field_is_asked(region: Region) -> None:
    asked = {f.path[0] for f in form_fields(NEW, region) if f.path}
    # `diperbarui` is set by the tools, `persetujuan` by the consent boxes; the Dinas' own fields are never asked (integrity.py).
    assert {f.name for f in ENTRY_FIELDS} - asked == {"diperbarui", "diverifikasi", "diturunkan", "pengelola", "persetujuan"}
    fields = {f.id: f for f in form_fields(NEW, region)}
    assert fields["sektor"].kind == "dropdown" and "Kuliner" in fields["sektor"].options
    assert fields["kecamatan"].options == tuple(k.nama for k in region.kecamatan)
    assert fields["sertifikasi-1-jenis"].kind == "dropdown" and "P-IRT" in fields["sertifikasi-1-jenis"].options
    assert fields["toko_online-1-platform"].kind == "dropdown"
    assert fields["foto"].role == "photos" and fields["produk"].role == "lines"
    assert fields["nama"].required and not fields["desa"].required


def test_update_form_asks_for_the_slug_and_requires_nothing_else(region: Region) -> None:
    form = issue_form(UPDATE, region)
    required = [e["id"] for e in form["body"] if e.get("validations", {}).get("required")]
    assert required == ["slug"]
    assert form["labels"] == ["perbarui-usaha"]
    report = issue_form(REPORT, region)
    assert [e["id"] for e in report["body"] if e["type"] != "markdown"] == ["slug", "masalah", "data-benar"]


def test_form_links_fill_in_the_slug() -> None:
    url = issue_form_url(
        "https://github.com/dinas-kukm-bekasi/katalog-umkm/", UPDATE, slug="keripik-sari-rasa", title="Perbarui data: Keripik & Co"
    )
    assert url == (
        "https://github.com/dinas-kukm-bekasi/katalog-umkm/issues/new?template=perbarui-usaha.yml"
        "&title=Perbarui+data%3A+Keripik+%26+Co&slug=keripik-sari-rasa"
    )
    assert issue_form_url("", UPDATE, slug="x") == ""
    assert issue_form_url("javascript:alert(1)", UPDATE, slug="x") == ""


# --- reading recorded bodies ---------------------------------------------------------------------


def test_recorded_new_body_is_read_by_label(region: Region) -> None:
    body = recorded("issue-daftar-usaha.md").replace("\n", "\r\n")  # GitHub's API sends CRLF
    assert detect_kind(body) == NEW
    sub = parse_issue(body, NEW, region)
    assert sub.messages == []
    values = {c.path: c.value for c in sub.changes}
    assert values[("sektor",)] == "kuliner"  # the dropdown label, stored as its key
    assert values[("kecamatan",)] == "Tambun Selatan"
    assert values[("toko_online", Match("platform", "shopee"), "url")] == "https://shopee.co.id/dapurmpoksiti"
    # No platform chosen for the second shop: taken from the address.
    assert values[("toko_online", Match("platform", "tokopedia"), "url")] == "https://www.tokopedia.com/dapurmpoksiti"
    assert values[("sertifikasi", Match("jenis", "pirt"), "nomor")] == "2063216010456-29"
    assert values[("produk", Match("nama", "Pepes Ikan Mas"), "harga")] == "18000"
    photos = {p.path: p.urls for p in sub.photos}
    assert photos[("produk", Match("nama", "Nasi Uduk Komplit"), "foto")] == (f"{GITHUB_ASSETS}4c1d8a52-7b0e-4f4e-9a55-2a3c7c1f0a11",)
    assert photos[("produk", Match("nama", "Pepes Ikan Mas"), "foto")] == (f"{GITHUB_ASSETS}9e2b6f30-1d4a-4c47-8d2e-0f5b3a6c7d22",)
    assert len(photos[("foto",)]) == 2  # a Markdown image and an <img> tag
    assert sub.story is not None and "### Menu andalan" in sub.story  # a heading in the story stays story


def test_recorded_update_body(region: Region) -> None:
    sub = parse_issue(recorded("issue-perbarui-usaha.md"), UPDATE, region)
    assert sub.slug == "keripik-sari-rasa"  # pasted as the page address
    values = {c.path: c.value for c in sub.changes}
    assert values[("desa",)] is None  # "-" empties the field
    assert ("nama",) not in values  # "_No response_" changes nothing


# --- from-issue, end to end ----------------------------------------------------------------------


def test_new_business_from_a_recorded_issue(in_project: Path, photo_server: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    host, served = photo_server
    body = recorded("issue-daftar-usaha.md", host)
    serve_recorded_photos(body, served)
    laporan = in_project / "laporan.md"
    assert from_issue(in_project, body, "--sumber-foto", host, "--laporan", str(laporan)) == 0
    folder = in_project / "catalog" / "dapur-mpok-siti"
    raw, problems = load_entry(folder)
    assert raw is not None and problems == []
    data: dict[str, Any] = raw.doc.data
    assert data["nama"] == "Dapur Mpok Siti" and data["sektor"] == "kuliner" and data["diperbarui"] == "2026-11-28"
    assert data["persetujuan"] == "2026-11-28"  # the ticked consent, dated (issue 14)
    assert data["kontak"] == {"whatsapp": "0813-8877-6655", "instagram": "@dapurmpoksiti"}
    assert [p["nama"] for p in data["produk"]] == ["Nasi Uduk Komplit", "Pepes Ikan Mas"]
    assert all((folder / photo).is_file() for photo in [*data["foto"], *data["produk"][0]["foto"], *data["produk"][1]["foto"]])
    assert "### Menu andalan" in raw.body
    assert (folder / "index.md").read_text().startswith("---\n# yaml-language-server: $schema=../../schema/entri.schema.json\n")
    assert "lolos pemeriksaan otomatis" in laporan.read_text()
    capsys.readouterr()
    assert cli.main(["check", "catalog/dapur-mpok-siti"]) == 0


def test_update_changes_only_the_fields_filled_in(in_project: Path) -> None:
    shutil.copytree(ROOT / "catalog" / "keripik-sari-rasa", in_project / "catalog" / "keripik-sari-rasa")
    before, _ = load_entry(in_project / "catalog" / "keripik-sari-rasa")
    assert before is not None
    # Nobody named as the sender: an update by someone not known to manage the entry.
    assert from_issue(in_project, recorded("issue-perbarui-usaha.md")) == cli.EXIT_NEEDS_VERIFICATION
    after, _ = load_entry(in_project / "catalog" / "keripik-sari-rasa")
    assert after is not None
    old, new = before.doc.data, after.doc.data
    assert "desa" not in new
    assert new["kapasitas"] == "4.000 bungkus per bulan"
    assert new["kontak"] == {**old["kontak"], "whatsapp": "+62 812-9000-1122"}
    shops = {s["platform"]: s["url"] for s in new["toko_online"]}
    assert shops == {**{s["platform"]: s["url"] for s in old["toko_online"]}, "shopee": "https://shopee.co.id/keripiksarirasa-baru"}
    assert new["produk"][0] == {**old["produk"][0], "harga": "20000"}
    assert new["produk"][-1] == {"nama": "Keripik Tempe", "harga": "15000", "satuan": "bungkus 200 g", "deskripsi": "Tempe tipis renyah."}
    assert new["produk"][1:-1] == old["produk"][1:]
    untouched = set(old) - {"desa", "kapasitas", "kontak", "toko_online", "produk", "diperbarui"}
    assert {k: new[k] for k in untouched} == {k: old[k] for k in untouched}
    assert after.body == before.body  # the story is kept
    assert cli.main(["check", "catalog/keripik-sari-rasa"]) == 0


def test_bad_input_gets_every_message_and_writes_nothing(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    laporan = in_project / "laporan.md"
    assert from_issue(in_project, recorded("issue-daftar-salah.md"), "--laporan", str(laporan)) == 1
    out = capsys.readouterr().out.splitlines()
    # Every problem at once, in the order of the form (what was found is left out: logs mask numbers).
    assert [line.split(" (ditemukan")[0] for line in out] == [
        "Kecamatan: kecamatan tidak dikenal 'Bekasi Barat' di Kabupaten Bekasi (lihat daftar kecamatan di wilayah.yml)",
        "NIB (Nomor Induk Berusaha): NIB harus 13 angka",
        "Nomor WhatsApp: bukan nomor HP, tidak dapat dipakai untuk WhatsApp",
        "Toko online 1: Alamat toko: alamat bukan halaman Tokopedia",
        "Produk, baris 1: tulis angka bulat tanpa titik, koma atau 'Rp'",
        "Foto: foto hanya boleh berasal dari lampiran GitHub (foto yang diseret ke formulir)",
        "Pernyataan: pernyataan belum dicentang: Saya setuju data ini ditampilkan untuk umum, dan saya tidak menulis NIK atau nomor KTP.",
    ]
    assert list((in_project / "catalog").iterdir()) == []
    text = laporan.read_text()
    assert text.startswith("Terima kasih! Data belum dapat diproses karena hal berikut:\n\n- **Kecamatan**: ")
    assert "- **Nomor WhatsApp**: bukan nomor HP" in text and "ubah issue ini" in text


def test_refused_photos_are_reported(in_project: Path, photo_server: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    host, served = photo_server
    body = recorded("issue-daftar-usaha.md", host)
    serve_recorded_photos(body, served)
    (served / "0a7f3c11-55e2-4b8f-b1d0-6e4f2a9c8b33").write_text("<html>bukan foto</html>")
    assert from_issue(in_project, body, "--sumber-foto", host) == 1
    out = capsys.readouterr().out
    assert f"Foto: '{host}0a7f3c11-55e2-4b8f-b1d0-6e4f2a9c8b33' bukan foto yang didukung (JPEG, PNG, WebP, GIF atau HEIC)" in out
    assert not (in_project / "catalog" / "dapur-mpok-siti").exists()


def test_an_existing_name_is_not_overwritten(in_project: Path, region: Region, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "catalog" / "keripik-sari-rasa", in_project / "catalog" / "keripik-sari-rasa")
    body = recorded("issue-daftar-salah.md").replace("Bengkel Las Maju", "Keripik Sari Rasa").replace("Bekasi Barat", "Cibitung")
    before = (in_project / "catalog" / "keripik-sari-rasa" / "index.md").read_text()
    assert from_issue(in_project, body) == 1
    assert "Nama usaha: usaha bernama 'Keripik Sari Rasa' sudah ada di katalog (/usaha/keripik-sari-rasa/)" in capsys.readouterr().out
    assert (in_project / "catalog" / "keripik-sari-rasa" / "index.md").read_text() == before
    assert sorted(p.name for p in (in_project / "catalog").iterdir()) == ["keripik-sari-rasa"]


def test_update_of_an_unknown_business(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert from_issue(in_project, recorded("issue-perbarui-usaha.md")) == 1
    assert "usaha 'keripik-sari-rasa' belum ada di katalog; untuk usaha baru gunakan formulir Daftarkan usaha" in capsys.readouterr().out
