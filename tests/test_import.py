"""`umkm import`: CSV and XLSX sheets with good and bad rows, re-import, dry run, photos."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from PIL import Image

from generator import cli
from generator.builder.load import load_entry
from generator.intake.importer import load_mapping, parse_target
from generator.intake.write import dump_entry
from tests.conftest import ROOT, MakeEntry, write_image

DINAS = str(ROOT / "impor" / "dinas.yml")
GOOGLE = str(ROOT / "impor" / "google-forms.yml")
HEADER = (ROOT / "impor" / "templat-dinas.csv").read_text(encoding="utf-8").strip().split(",")


@pytest.fixture(autouse=True)
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    return project


def row(**cells: Any) -> list[Any]:
    """A row of the Dinas sheet, cells named by their header."""
    values = {h: "" for h in HEADER}
    values["Persetujuan Tayang"] = "Ya"  # the owner agreed, unless a test says otherwise
    for name, value in cells.items():
        header = _HEADERS[name]
        values[header] = value
    return [values[h] for h in HEADER]


_HEADERS = {
    "slug": "Slug", "nama": "Nama Usaha", "pemilik": "Nama Pemilik", "sektor": "Sektor", "kecamatan": "Kecamatan",
    "desa": "Desa/Kelurahan", "ringkasan": "Deskripsi Singkat", "berdiri": "Tahun Berdiri", "nib": "NIB",
    "wa": "No. HP/WA", "halal": "No. Sertifikat Halal", "pirt": "No. P-IRT", "tokopedia": "Link Tokopedia",
    "produk": "Produk Unggulan", "harga": "Harga (Rp)", "satuan": "Satuan", "foto": "Foto Usaha", "cerita": "Cerita",
    "persetujuan": "Persetujuan Tayang",
}  # fmt: skip

GOOD = {
    "nama": "Tahu Susu Setu", "pemilik": "Pak Darto", "sektor": "Makanan dan Minuman", "kecamatan": "Setu",
    "ringkasan": "Tahu susu lembut tanpa pengawet.", "berdiri": "2015", "nib": "9120301745877", "wa": "0812-3344-5566",
    "produk": "Tahu Susu", "harga": "Rp12.000", "satuan": "bungkus", "cerita": "Dimulai dari dapur rumah.",
}  # fmt: skip
BAD = {"nama": "Bengkel Salah", "sektor": "Otomotif", "kecamatan": "Setu", "ringkasan": "Las.", "wa": "021-8995-1234", "nib": "123"}


def write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run_import(*args: str) -> int:
    return cli.main(["import", *args])


def shown(out: str) -> list[str]:
    """Printed problems without what was found (logs mask numbers, that is another stage's business)."""
    return [line.split(" (ditemukan")[0] for line in out.splitlines()]


def test_csv_good_rows_imported_bad_rows_reported(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = write_csv(in_project / "pendataan.csv", [row(**GOOD), row(**BAD)], delimiter=";")
    assert run_import(str(sheet), "--pemetaan", DINAS) == 1
    out = capsys.readouterr()
    assert shown(out.out) == [
        "pendataan.csv:3:Sektor: sektor usaha tidak dikenal 'Otomotif' (pilihan: kuliner, fesyen, kriya, pertanian, kesehatan-kecantikan, jasa, teknologi-digital, lainnya)",
        "pendataan.csv:3:NIB: NIB harus 13 angka",
        "pendataan.csv:3:No. HP/WA: bukan nomor HP, tidak dapat dipakai untuk WhatsApp",
    ]
    assert "Diimpor: 1 baru, 0 diperbarui, 0 tidak berubah; 1 baris bermasalah tidak ditulis (baris 3)." in out.err
    assert sorted(p.name for p in (in_project / "catalog").iterdir()) == ["tahu-susu-setu"]  # nothing half-written
    raw, _ = load_entry(in_project / "catalog" / "tahu-susu-setu")
    assert raw is not None
    assert raw.doc.data["sektor"] == "kuliner"  # translated by the mapping's `nilai`
    assert raw.doc.data["produk"] == [{"nama": "Tahu Susu", "harga": "12000", "satuan": "bungkus"}]
    assert raw.doc.data["diperbarui"] == "2026-11-28"
    assert raw.body == "Dimulai dari dapur rumah.\n"
    assert cli.main(["check", "catalog/tahu-susu-setu"]) == 0


def test_an_nib_excel_turned_into_a_float_gets_the_text_column_hint(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Excel in an Indonesian locale shows 9120301745877 as 9,12030E+12 and saves the CSV that way.
    sheet = write_csv(in_project / "pendataan.csv", [row(**{**GOOD, "nib": "9,12030E+12"})])
    assert run_import(str(sheet), "--pemetaan", DINAS) == 1
    out = capsys.readouterr().out
    assert "pendataan.csv:2:NIB: NIB terbaca sebagai angka ilmiah '9,12030E+12'" in out
    assert "Format kolom NIB sebagai Teks" in out
    assert not (in_project / "catalog" / "tahu-susu-setu").exists()


def test_spreadsheets_in_the_project_root_are_ignored_by_git() -> None:
    import subprocess

    names = ["pendataan-2026.xlsx", "Pendaftaran UMKM (Jawaban).csv", "data.xls", "lembar.ods", "impor/templat-dinas.csv"]
    result = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True)
    # They hold owners' phone numbers; the project's own template under impor/ stays tracked.
    assert result.stdout.splitlines() == names[:-1]


def test_xlsx_cells_keep_their_meaning(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data UMKM"
    sheet.append(HEADER)
    # What Excel stores: the phone number as a number (its 0 lost), the price as a float, NIB as an int.
    sheet.append(row(**{**GOOD, "wa": 81233445566, "harga": 12000.0, "nib": 9120301745877, "berdiri": 2015, "pirt": "2063216010123-29"}))
    sheet.append(row(**BAD))
    workbook.save(in_project / "pendataan.xlsx")
    assert run_import("pendataan.xlsx", "--pemetaan", DINAS, "--lembar", "Data UMKM") == 1
    out = capsys.readouterr().out
    assert "pendataan.xlsx:3:No. HP/WA: bukan nomor HP" in out
    raw, _ = load_entry(in_project / "catalog" / "tahu-susu-setu")
    assert raw is not None
    data = raw.doc.data
    assert (data["nib"], data["berdiri"], data["kontak"]["whatsapp"]) == ("9120301745877", "2015", "081233445566")
    assert data["produk"][0]["harga"] == "12000"
    assert data["sertifikasi"] == [{"jenis": "pirt", "nomor": "2063216010123-29"}]
    assert cli.main(["check", "catalog/tahu-susu-setu"]) == 0


def test_xlsx_dates_and_a_missing_sheet(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nama usaha", "Sektor usaha", "Kecamatan", "Ringkasan usaha (satu kalimat)", "Nomor sertifikat halal", "Berlaku", "Setuju"])
    sheet.append(["Madu Hutan", "Pertanian", "Cibarusah", "Madu murni.", "ID32110000145680999", datetime(2027, 8, 30), "Ya"])
    workbook.save(in_project / "jawaban.xlsx")
    mapping = in_project / "peta.yml"
    mapping.write_text(
        "kolom:\n  Nama usaha: nama\n  Sektor usaha: sektor\n  Kecamatan: kecamatan\n"
        "  Ringkasan usaha (satu kalimat): ringkasan\n  Nomor sertifikat halal: sertifikasi[jenis=halal].nomor\n"
        "  Berlaku: sertifikasi[jenis=halal].berlaku_sampai\n  Setuju: persetujuan\n",
        encoding="utf-8",
    )
    assert run_import("jawaban.xlsx", "--pemetaan", str(mapping)) == 0
    raw, _ = load_entry(in_project / "catalog" / "madu-hutan")
    assert raw is not None
    assert raw.doc.data["sertifikasi"] == [{"jenis": "halal", "nomor": "ID32110000145680999", "berlaku_sampai": "2027-08-30"}]
    assert run_import("jawaban.xlsx", "--pemetaan", str(mapping), "--lembar", "Tidak Ada") == 1
    assert "lembar 'Tidak Ada' tidak ada; yang ada: Sheet" in capsys.readouterr().out


def test_reimport_updates_sheet_fields_and_keeps_the_rest(
    in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]
) -> None:
    story = "## Sejarah\n\nCerita yang ditulis **tangan** oleh pemiliknya.\n"
    index = make_entry(
        "tahu-susu-setu",
        {**{k: v for k, v in GOOD.items() if k in ("nama", "kecamatan", "ringkasan")}, "sektor": "kuliner", "nib": "9120301745877",
         "foto": ["foto/sampul.jpg"], "pembinaan": [{"program": "Pelatihan keamanan pangan", "tahun": "2021"}],
         "produk": [{"nama": "Tahu Susu", "harga": "10000", "deskripsi": "Ditulis tangan."}]},
        body=story,
        photos={"foto/sampul.jpg": (800, 600)},
    )  # fmt: skip
    write_image(in_project / "foto-baru.jpg")
    sheet = write_csv(in_project / "pendataan.csv", [row(**{**GOOD, "foto": "foto-baru.jpg", "cerita": "Cerita dari lembar."})])
    assert run_import(str(sheet), "--pemetaan", DINAS) == 0
    raw, _ = load_entry(index.parent)
    assert raw is not None
    data = raw.doc.data
    assert raw.body == story  # the hand-written story is kept
    assert data["foto"] == ["foto/sampul.jpg"] and not (index.parent / "foto").glob("*.jpg").__next__().name.startswith("foto-baru")
    assert sorted(p.name for p in (index.parent / "foto").iterdir()) == ["sampul.jpg"]
    assert data["pembinaan"] == [{"program": "Pelatihan keamanan pangan", "tahun": "2021"}]
    assert data["produk"] == [{"nama": "Tahu Susu", "harga": "12000", "satuan": "bungkus", "deskripsi": "Ditulis tangan."}]
    assert data["kontak"]["whatsapp"] == "0812-3344-5566" and data["pemilik"] == "Pak Darto"
    first = index.read_bytes()
    capsys.readouterr()
    assert run_import(str(sheet), "--pemetaan", DINAS) == 0  # the same sheet again changes nothing
    assert "Diimpor: 0 baru, 0 diperbarui, 1 tidak berubah." in capsys.readouterr().err
    assert index.read_bytes() == first


def test_rows_match_entries_by_nib(in_project: Path, make_entry: MakeEntry) -> None:
    index = make_entry("tahu-pak-darto", {"nama": "Tahu Susu Setu", "nib": "9120301745877"})
    sheet = write_csv(in_project / "pendataan.csv", [row(**{**GOOD, "wa": "0812-3344-9999"})])
    assert run_import(str(sheet), "--pemetaan", DINAS) == 0
    assert sorted(p.name for p in (in_project / "catalog").iterdir()) == ["tahu-pak-darto"]
    raw, _ = load_entry(index.parent)
    assert raw is not None and raw.doc.data["kontak"]["whatsapp"] == "0812-3344-9999"


def test_a_nib_that_belongs_to_a_business_of_another_name_is_held(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    index = make_entry("keripik-sari-rasa", {"nib": "9120301745877", "kontak": {"whatsapp": "0812-1934-5521"}})
    before = index.read_bytes()
    sheet = write_csv(in_project / "pendataan.csv", [row(**GOOD), row(**{**GOOD, "nama": "Kerupuk Baru", "nib": "9120301745999"})])
    # Dry run: shown, with the diff and the sensitive changes, but counted as held.
    assert run_import(str(sheet), "--pemetaan", DINAS, "--dry-run") == 0
    out = capsys.readouterr()
    assert (
        "pendataan.csv:2:NIB: peringatan: NIB 9120301745877 cocok dengan usaha 'Keripik Sari Rasa' (keripik-sari-rasa), "
        "tetapi nama di lembar 'Tahu Susu Setu' berbeda" in out.out
    )
    assert "  keripik-sari-rasa: Nomor WhatsApp: +6281*****5521 → +6281*****5566" in out.out
    assert "1 baru, 0 diperbarui, 0 tidak berubah; 1 ditahan karena NIB-nya milik usaha bernama lain (keripik-sari-rasa; --izinkan-nama-beda)" in out.err
    # Without the flag the row is not applied; the other rows are.
    assert run_import(str(sheet), "--pemetaan", DINAS) == 1
    assert "pendataan.csv:2:NIB: NIB 9120301745877 cocok dengan usaha 'Keripik Sari Rasa'" in capsys.readouterr().out
    assert index.read_bytes() == before and (in_project / "catalog" / "kerupuk-baru").is_dir()
    # With it, the entry takes the sheet's name.
    assert run_import(str(sheet), "--pemetaan", DINAS, "--izinkan-nama-beda") == 0
    raw, _ = load_entry(index.parent)
    assert raw is not None and raw.doc.data["nama"] == "Tahu Susu Setu"


def test_dry_run_shows_a_diff_and_writes_nothing(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    meta = {
        "nama": "Tahu Susu Setu",
        "sektor": "kuliner",
        "kecamatan": "Setu",
        "ringkasan": "Tahu susu.",
        "produk": [{"nama": "Tahu Susu", "harga": "10000"}],
    }
    index = make_entry("tahu-susu-setu", text=dump_entry(meta, "Cerita.\n"))  # as the tools write it
    before = index.read_bytes()
    sheet = write_csv(
        in_project / "pendataan.csv",
        [row(slug="tahu-susu-setu", produk="Tahu Susu", harga="12000"), row(**{**GOOD, "nama": "Kerupuk Baru"})],
    )
    assert run_import(str(sheet), "--pemetaan", DINAS, "--dry-run") == 0
    out = capsys.readouterr()
    assert "--- a/catalog/tahu-susu-setu/index.md\n+++ b/catalog/tahu-susu-setu/index.md\n" in out.out
    assert "-    harga: 10000\n+    harga: 12000\n" in out.out
    assert "--- /dev/null\n+++ b/catalog/kerupuk-baru/index.md\n" in out.out and "+nama: Kerupuk Baru\n" in out.out
    assert "Akan ditulis (coba, tidak ada yang diubah): 1 baru, 1 diperbarui, 0 tidak berubah." in out.err
    assert index.read_bytes() == before
    assert sorted(p.name for p in (in_project / "catalog").iterdir()) == ["tahu-susu-setu"]
    assert [p.name for p in (in_project / "catalog").iterdir() if p.name.startswith(".")] == []


def test_photo_columns_take_urls_and_refuse_what_is_not_a_photo(
    in_project: Path, photo_server: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    host, served = photo_server
    write_image(served / "sampul.jpg", (900, 600))
    (served / "halaman.jpg").write_text("<html>Google Drive: minta akses</html>")
    sheet = write_csv(
        in_project / "pendataan.csv",
        [row(**{**GOOD, "foto": f"{host}sampul.jpg"}), row(**{**GOOD, "nama": "Kerupuk Baru", "nib": "", "foto": f"{host}halaman.jpg"})],
    )
    assert run_import(str(sheet), "--pemetaan", DINAS, "--sumber-foto", host) == 1
    assert (
        f"pendataan.csv:3:Foto Usaha: '{host}halaman.jpg' bukan foto yang didukung (JPEG, PNG, WebP, GIF atau HEIC)"
        in capsys.readouterr().out
    )
    raw, _ = load_entry(in_project / "catalog" / "tahu-susu-setu")
    assert raw is not None
    (photo,) = raw.doc.data["foto"]
    assert photo.startswith("foto/") and photo.endswith(".jpg")
    with Image.open(in_project / "catalog" / "tahu-susu-setu" / photo) as image:
        assert image.size == (900, 600)
    assert not (in_project / "catalog" / "kerupuk-baru").exists()


def test_google_forms_rows_without_consent_are_skipped(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = [
        "Timestamp",
        "Nama usaha",
        "Sektor usaha",
        "Kecamatan",
        "Ringkasan usaha (satu kalimat)",
        "Saya setuju data usaha ini ditampilkan di katalog publik",
    ]
    rows = [
        header,
        ["2026/11/20 10:00:00", "Sambal Bu Ani", "Kuliner", "Cibitung", "Sambal bawang botolan.", "Ya, saya setuju"],
        ["2026/11/20 11:00:00", "Rahasia", "Kuliner", "Cibitung", "Belum mau tampil.", "Tidak setuju"],
    ]
    with (in_project / "jawaban.csv").open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    assert run_import("jawaban.csv", "--pemetaan", GOOGLE) == 1
    out = capsys.readouterr().out
    assert (
        "jawaban.csv:3:Saya setuju data usaha ini ditampilkan di katalog publik: pemilik belum menyetujui data ditampilkan untuk umum; baris dilewati"
        in out
    )
    assert "jawaban.csv:1:Foto usaha: peringatan: kolom tidak ada di lembar" in out
    assert sorted(p.name for p in (in_project / "catalog").iterdir()) == ["sambal-bu-ani"]


def test_mapping_files_are_checked_against_the_schema(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for shipped in (DINAS, GOOGLE):
        mapping, problems = load_mapping(Path(shipped))
        assert mapping is not None and problems == []
    bad = in_project / "peta.yml"
    bad.write_text(
        "kolom:\n  Nama: nama\n  WA: kontak.wa\n  Produk: produk.nama\n  Halal: sertifikasi[warna=hijau].nomor\n", encoding="utf-8"
    )
    sheet = write_csv(in_project / "data.csv", [row(**GOOD)])
    assert run_import(str(sheet), "--pemetaan", str(bad)) == 1
    assert capsys.readouterr().out.splitlines() == [
        "peta.yml:1: kolom: tidak ada kolom persetujuan: setiap baris harus mencatat bahwa pemilik setuju datanya ditampilkan untuk umum; "
        "tambahkan misalnya 'Persetujuan Tayang: persetujuan'",
        "peta.yml:3: kolom.WA: kolom entri 'kontak.wa' tidak ada di skema",
        "peta.yml:4: kolom.Produk: 'produk' adalah daftar; pilih butirnya, misalnya produk[0].nama",
        "peta.yml:5: kolom.Halal: 'warna' bukan kolom dari sertifikasi",
    ]
    assert parse_target("X", "produk[1].foto")[0] is not None


# --- consent to publish (issue 14): every row records it, a row without it is refused -----------------


@pytest.mark.parametrize("answer", ["", "Tidak", "belum"])
def test_a_dinas_row_without_consent_is_refused(in_project: Path, capsys: pytest.CaptureFixture[str], answer: str) -> None:
    sheet = write_csv(in_project / "pendataan.csv", [row(**GOOD, persetujuan=answer), row(**{**GOOD, "nama": "Tahu Kedua"})])
    assert run_import(str(sheet), "--pemetaan", DINAS) == 1
    out = capsys.readouterr().out
    assert "pendataan.csv:2:Persetujuan Tayang: pemilik belum menyetujui data ditampilkan untuk umum; baris dilewati" in out
    assert sorted(p.name for p in (in_project / "catalog").iterdir()) == ["tahu-kedua"]
    raw, _ = load_entry(in_project / "catalog" / "tahu-kedua")
    assert raw is not None and raw.doc.data["persetujuan"] == "2026-11-28"  # recorded, dated


def test_a_blank_google_forms_consent_cell_is_refused(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["Nama usaha", "Sektor usaha", "Kecamatan", "Ringkasan usaha (satu kalimat)", "Saya setuju data usaha ini ditampilkan di katalog publik"]
    with (in_project / "jawaban.csv").open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([header, ["Sambal Bu Ani", "Kuliner", "Cibitung", "Sambal bawang botolan.", ""]])
    assert run_import("jawaban.csv", "--pemetaan", GOOGLE) == 1
    assert "jawaban.csv:2:Saya setuju data usaha ini ditampilkan di katalog publik: pemilik belum menyetujui" in capsys.readouterr().out
    assert list((in_project / "catalog").iterdir()) == []


def test_a_sheet_without_its_consent_column_imports_nothing(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    buffer = io.StringIO()
    header = [h for h in HEADER if h != "Persetujuan Tayang"]
    csv.writer(buffer).writerows([header, [v for h, v in zip(HEADER, row(**GOOD), strict=True) if h != "Persetujuan Tayang"]])
    (in_project / "lama.csv").write_text(buffer.getvalue(), encoding="utf-8")
    assert run_import("lama.csv", "--pemetaan", DINAS) == 1
    assert "lama.csv:1:Persetujuan Tayang: kolom persetujuan tidak ada di lembar" in capsys.readouterr().out
    assert list((in_project / "catalog").iterdir()) == []
