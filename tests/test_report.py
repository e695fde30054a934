"""`umkm laporan`: which businesses each follow-up report lists, the files, and what is printed."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from generator import cli
from generator.core.models import Certificate, Contact, Region, ShopLink
from generator.core.quality import DEFAULT_RULES
from generator.outputs.report import Report, build_reports, months_between, report_csv, report_markdown
from tests.conftest import TODAY, MakeEntry, enrich, entry_record, sample_region


@pytest.fixture(scope="module")
def region() -> Region:
    return sample_region()


def reports_by_key(region: Region) -> dict[str, Report]:
    businesses = enrich(
        region,
        entry_record("aman"),
        entry_record("halal-kemarin", sertifikasi=(Certificate("halal", "ID1", TODAY - timedelta(days=1)),)),
        entry_record("pirt-hari-ini", sertifikasi=(Certificate("pirt", "2063216010123-26", TODAY),)),
        entry_record(
            "bpom-90",
            sertifikasi=(
                Certificate("bpom", "MD224510001234", TODAY + timedelta(days=90)),
                Certificate("halal", "ID2", TODAY - timedelta(days=400)),
            ),
        ),
        entry_record("halal-91", sertifikasi=(Certificate("halal", "ID3", TODAY + timedelta(days=91)),)),
        entry_record("lama", diperbarui=date(2025, 11, 27)),
        entry_record("pas-setahun", diperbarui=date(2025, 11, 28)),
        entry_record("tanpa-tanggal-data", diperbarui=None),
        entry_record("minim", foto=(), produk=(), sertifikasi=(), kontak=Contact(), toko_online=(), cerita=""),
        entry_record("hampir-nib", nib=""),
        entry_record("hampir-saluran", toko_online=(ShopLink("tokopedia", "https://www.tokopedia.com/x"),)),
        entry_record("kurang-dua", nib="", produk=()),
        entry_record("skor-60", foto=(), kontak=Contact(), toko_online=()),
        entry_record("skor-50", foto=(), kontak=Contact(), toko_online=(), cerita="Singkat."),
    )
    reports = build_reports(businesses, region, today=TODAY, rules=DEFAULT_RULES, catalog_name="Katalog UMKM Kabupaten Bekasi")
    return {r.key: r for r in reports}


def test_certificate_report_lists_expired_and_expiring_only(region: Region) -> None:
    report = reports_by_key(region)["sertifikat"]
    assert [(f.business.slug, f.extra[0], f.extra[3], f.extra[4]) for f in report.findings] == [
        ("bpom-90", "Halal", "Kedaluwarsa", -400),
        ("halal-kemarin", "Halal", "Kedaluwarsa", -1),
        ("pirt-hari-ini", "P-IRT", "Segera kedaluwarsa", 0),  # valid through its last day
        ("bpom-90", "BPOM", "Segera kedaluwarsa", 90),
    ]


def test_certificate_report_asks_for_the_date_a_dated_kind_lacks(region: Region) -> None:
    undated = enrich(region, entry_record("bpom-tanpa-tanggal", sertifikasi=(Certificate("bpom", "MD224510001234"), Certificate("halal", "ID9"))))
    report = build_reports(undated, region, today=TODAY, rules=DEFAULT_RULES, catalog_name="K")[0]
    assert report.key == "sertifikat"
    [finding] = report.findings  # the undated halal certificate is valid: nothing to ask
    assert finding.extra == ("BPOM", "MD224510001234", "", "Tanggal berlaku tidak dicantumkan", "")
    assert "belum mencantumkan tanggal berlakunya" in finding.message


def test_stale_report_lists_undated_and_older_than_12_months(region: Region) -> None:
    report = reports_by_key(region)["belum-diperbarui"]
    assert [(f.business.slug, f.extra) for f in report.findings] == [("tanpa-tanggal-data", ("", "")), ("lama", ("2025-11-27", 12))]


def test_completeness_report_lists_entries_below_the_threshold_with_hints(region: Region) -> None:
    report = reports_by_key(region)["kelengkapan"]
    assert [(f.business.slug, f.extra[0]) for f in report.findings] == [("minim", 10), ("skor-50", 50)]  # skor-60 is at the threshold
    minim = report.findings[0]
    assert minim.extra[1] == "Foto; Harga produk; Sertifikat; Kontak; Toko online; Cerita usaha"
    assert minim.detail.startswith("Tambahkan foto usaha (kolom foto)")


def test_near_ready_report_names_the_one_missing_requirement(region: Region) -> None:
    report = reports_by_key(region)["hampir-siap-pengadaan"]
    assert [(f.business.slug, f.extra[0]) for f in report.findings] == [
        ("hampir-nib", "nib"),
        ("halal-kemarin", "sertifikat"),
        ("hampir-saluran", "saluran"),
        ("skor-50", "saluran"),
        ("skor-60", "saluran"),
    ]


def test_reminder_is_a_prefilled_whatsapp_link(region: Region) -> None:
    finding = reports_by_key(region)["sertifikat"].findings[1]
    parts = urlsplit(finding.whatsapp_url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281219345521")
    [text] = parse_qs(parts.query)["text"]
    assert (
        text
        == finding.message
        == (
            "Halo Bapak/Ibu pengelola Keripik Sari Rasa, kami dari Dinas Koperasi dan UKM Kabupaten Bekasi. "
            "Sertifikat Halal nomor ID1 milik Keripik Sari Rasa yang tercantum di Katalog UMKM Kabupaten Bekasi berlaku sampai "
            "27 November 2026 dan kini sudah kedaluwarsa. Mohon segera diperpanjang, lalu kirimkan nomor dan tanggal berlaku yang baru "
            "agar data di katalog tetap benar. Terima kasih."
        )
    )


def test_csv_cells_cannot_become_formulas(region: Region) -> None:
    [business] = enrich(region, entry_record("rumus", nama='=HYPERLINK("https://evil.example")', pemilik="@budi", diperbarui=None))
    report = build_reports([business], region, today=TODAY, rules=DEFAULT_RULES, catalog_name="K")[1]
    [header, row] = list(csv.reader(report_csv(report).splitlines()))
    assert header[:4] == ["usaha", "slug", "kecamatan", "pemilik"]
    assert (row[0], row[3]) == ('\'=HYPERLINK("https://evil.example")', "'@budi")


def test_markdown_shows_owner_text_literally(region: Region) -> None:
    [business] = enrich(region, entry_record("jahat", nama="Warung [klik](javascript:alert(1)) | <b>tebal</b>", diperbarui=None))
    reports = build_reports([business], region, today=TODAY, rules=DEFAULT_RULES, catalog_name="K")
    text = report_markdown(reports, today=TODAY, title="Katalog")
    assert "](javascript" not in text and "<b>" not in text
    assert r"Warung \[klik\]\(javascript:alert\(1\)\) \| \<b\>tebal\</b\>" in text
    assert "## Sertifikat kedaluwarsa atau segera kedaluwarsa (0)\n\nSertifikat yang sudah berakhir" in text
    assert "Tidak ada." in text


def test_months_between() -> None:
    assert months_between(date(2025, 11, 27), TODAY) == 12
    assert months_between(date(2025, 11, 29), TODAY) == 11
    assert months_between(date(2026, 11, 28), TODAY) == 0


# --- the command --------------------------------------------------------------------------------


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    monkeypatch.delenv("UMKM_TANGGAL", raising=False)
    return project


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_laporan_writes_csv_and_markdown(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry(
        "sari-rasa",
        {
            "kontak": {"whatsapp": "0812-1934-5521"},
            "sertifikasi": [{"jenis": "pirt", "nomor": "2063216010123-24"}],  # expired end of 2024
            "diperbarui": "2026-10-02",
        },
    )
    make_entry("tanpa-kontak", {"diperbarui": "2025-01-05"})
    assert cli.main(["laporan", "--tanggal", "2026-11-28", "--keluaran", "hasil"]) == 0
    out = in_project / "hasil"
    assert sorted(p.name for p in out.iterdir()) == [
        "belum-diperbarui.csv",
        "diturunkan.csv",
        "hampir-siap-pengadaan.csv",
        "kelengkapan.csv",
        "laporan.md",
        "sertifikat.csv",
        "verifikasi.csv",
    ]
    [cert] = read_csv(out / "sertifikat.csv")
    assert (cert["slug"], cert["sertifikat"], cert["berlaku_sampai"], cert["status"], cert["sisa_hari"]) == (
        "sari-rasa",
        "P-IRT",
        "2024-12-31",
        "Kedaluwarsa",
        "-697",
    )
    assert cert["whatsapp"].startswith("https://wa.me/6281219345521?text=Halo%20")
    assert cert["berkas"] == "catalog/sari-rasa/index.md"
    assert [r["slug"] for r in read_csv(out / "belum-diperbarui.csv")] == ["tanpa-kontak"]
    assert [r["slug"] for r in read_csv(out / "kelengkapan.csv")] == ["tanpa-kontak", "sari-rasa"]
    assert read_csv(out / "hampir-siap-pengadaan.csv") == []
    markdown = (out / "laporan.md").read_text()
    assert "[WhatsApp](https://wa.me/6281219345521?text=" in markdown
    assert "Per 28 November 2026" in markdown

    printed = capsys.readouterr().out
    assert "6281219345521" not in printed and "0812-1934-5521" not in printed and "1934" not in printed
    assert "Keripik Sari Rasa: P-IRT 2063216010123-24: Kedaluwarsa · WA +6281*****5521" in printed
    assert "hasil/sertifikat.csv: 1 — Sertifikat kedaluwarsa atau segera kedaluwarsa" in printed


def test_laporan_refuses_a_broken_catalog(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("baik")
    make_entry("rusak", {"sektor": "kulinerr"})
    assert cli.main(["laporan", "--tanggal", "2026-11-28"]) == 1
    assert not (in_project / "laporan").exists()
    captured = capsys.readouterr()
    assert "catalog/rusak/index.md:3: sektor: sektor usaha tidak dikenal 'kulinerr'" in captured.out
    assert "Laporan tidak dibuat" in captured.err


def test_laporan_lists_verifications_due_and_hidden_listings(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("baru-diverifikasi", {"nama": "Baru Diverifikasi", "diverifikasi": "2026-06-01"})
    make_entry("lama-diverifikasi", {"nama": "Lama Diverifikasi", "diverifikasi": "2025-10-01", "kontak": {"whatsapp": "0812-1934-5521"}})
    make_entry("belum-diverifikasi", {"nama": "Belum Diverifikasi"})
    make_entry(
        "diturunkan",
        {
            "nama": "Toko Diturunkan",
            "kontak": {"whatsapp": "0857-7000-4321"},
            "diturunkan": {"alasan": "Nomor WhatsApp dilaporkan dipakai penipu", "tanggal": "2026-11-20"},
        },
    )
    assert cli.main(["laporan", "--tanggal", "2026-11-28", "--keluaran", "hasil"]) == 0
    out = in_project / "hasil"
    rows = read_csv(out / "verifikasi.csv")
    assert [(r["slug"], r["diverifikasi"], r["bulan_sejak"]) for r in rows] == [
        ("belum-diverifikasi", "", ""),
        ("lama-diverifikasi", "2025-10-01", "13"),
    ]
    assert rows[1]["whatsapp"].startswith("https://wa.me/6281219345521?text=Halo%20")
    [hidden] = read_csv(out / "diturunkan.csv")
    assert (hidden["slug"], hidden["tanggal"], hidden["alasan"]) == ("diturunkan", "2026-11-20", "Nomor WhatsApp dilaporkan dipakai penipu")
    assert hidden["whatsapp"] == ""  # no reminder to a number that may be the reason for the takedown
    # A hidden listing is followed up as a takedown only.
    for name in ("verifikasi.csv", "kelengkapan.csv", "belum-diperbarui.csv"):
        assert "diturunkan" not in [r["slug"] for r in read_csv(out / name)]
    markdown = (out / "laporan.md").read_text()
    assert "| Toko Diturunkan (`diturunkan`) | Cibitung | diturunkan 20 November 2026 | Nomor WhatsApp dilaporkan dipakai penipu | – |" in markdown
    printed = capsys.readouterr().out
    assert "Toko Diturunkan: diturunkan 20 November 2026" in printed
    assert "penipu" not in printed  # the reason stays in the Dinas' files
