"""`umkm cetak`: real PDFs from Debian's Chromium, read back with pdfium (text, page sizes, pixels)
and zxing-cpp (the QR code as a phone would scan it)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from generator.outputs import pdf
from tests.conftest import ROOT, MakeEntry, run_umkm


def _renderer_or_none() -> pdf.Renderer | None:
    try:
        return pdf.find_renderer()
    except pdf.PrintError:
        return None


pytestmark = pytest.mark.skipif(_renderer_or_none() is None, reason="no Chromium to print with (run `make browser`)")

SITE_URL = "https://umkm.bekasikab.go.id/katalog/"
PRINTED_ON = "2026-12-03"
MM = 72 / 25.4  # PDF points per millimetre


def cetak(project: Path, *targets: str) -> str:
    result = run_umkm(project, "cetak", *targets, "--tanggal-cetak", PRINTED_ON)
    assert result.returncode == 0, result.stderr
    return result.stdout


def page_texts(path: Path) -> list[str]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [" ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document))]
    finally:
        document.close()


def page_sizes_mm(path: Path) -> list[tuple[int, int]]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [(round(w / MM), round(h / MM)) for w, h in (document[i].get_size() for i in range(len(document)))]
    finally:
        document.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample catalog in a project folder of its own."""
    project = tmp_path_factory.mktemp("contoh")
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("theme", "halaman", "catalog"):
        shutil.copytree(ROOT / folder, project / folder)
    yield project


def test_sticker_qr_code_scans_to_the_business_page(sample: Path) -> None:
    out = cetak(sample, "stiker/keripik-sari-rasa")
    sticker = sample / "cetak" / "stiker" / "keripik-sari-rasa.pdf"
    assert "Ditulis: 1 stiker di cetak/stiker/" in out
    assert page_sizes_mm(sticker) == [(105, 148)]  # A6
    document = pdfium.PdfDocument(str(sticker))
    image = document[0].render(scale=2).to_pil()  # about 144 dpi, as a phone camera would see a print
    document.close()
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [f"{SITE_URL}usaha/keripik-sari-rasa/?dari=qr"]
    text = page_texts(sticker)[0]
    assert "Temukan kami di Katalog UMKM Kabupaten Bekasi" in text and "Keripik Sari Rasa" in text


def test_flyer_is_one_a5_page_with_products_certificates_and_whatsapp(sample: Path) -> None:
    cetak(sample, "flyer/keripik-sari-rasa")
    flyer = sample / "cetak" / "flyer" / "keripik-sari-rasa.pdf"
    assert page_sizes_mm(flyer) == [(148, 210)]  # A5
    text = page_texts(flyer)[0]
    assert "Keripik Singkong Balado" in text and "Rp18.000" in text
    assert "Halal" in text and "Berlaku" in text and "+62 812-1934-5521" in text
    assert "Data per 28 November 2026" in text and "Dicetak 3 Desember 2026" in text


def check_catalog_pdf(path: Path, names: dict[str, str], *, front_pages: int = 2) -> list[str]:
    """Every page carries the dates and its number; each business is one block on one page, and the
    table of contents gives that page."""
    pages = page_texts(path)
    assert page_sizes_mm(path) == [(210, 297)] * len(pages)  # A4
    for number, text in enumerate(pages, start=1):
        assert "Data per 28 November 2026" in text, number
        assert "Dicetak 3 Desember 2026" in text, number
        assert re.search(rf"\bHalaman {number}\b", text), number
    # pdfium's text drops some spaces between words ("KueAkar"): compare without any.
    contents = squash(" ".join(pages[:front_pages]))
    assert "Daftarisi" in contents
    for slug, name in names.items():
        url = f"usaha/{slug}/"
        holding = [n for n, text in enumerate(pages, start=1) if n > front_pages and url in text]
        assert len(holding) == 1, f"{slug}: the end of its block is on pages {holding}"
        assert squash(name) in squash(pages[holding[0] - 1]), f"{slug}: its block is split (name and address on different pages)"
        assert re.search(rf"{re.escape(squash(name))}·\D*?{holding[0]}(?!\d)", contents), (
            f"{slug}: the contents do not say page {holding[0]}"
        )
    return pages


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_sector_catalog_of_the_sample(sample: Path) -> None:
    out = cetak(sample, "sektor/kuliner")
    catalog = sample / "cetak" / "katalog-kuliner.pdf"
    names = {
        "dapur-bu-yati": "Dapur Bu Yati",
        "keripik-sari-rasa": "Keripik Sari Rasa",
        "kue-akar-mpok-nah": "Kue Akar Kelapa Mpok Nah",
        "sambal-ceu-enok": "Sambal Ceu Enok",
    }
    pages = check_catalog_pdf(catalog, names)
    # Cover, contents, and the four kuliner businesses, which fit on one page.
    assert len(pages) == 3 and "Ditulis: cetak/katalog-kuliner.pdf (3 halaman)" in out
    assert "Sektor Kuliner" in pages[0] and "Jumlah usaha 4" in pages[0]
    assert not any(name in pages[2] for name in ("Telaga", "Batik Lumbung", "Las Teralis"))


def test_long_catalog_is_printed_in_parts_numbered_on(project: Path, make_entry: MakeEntry) -> None:
    # More businesses than one part holds: the parts' pages are numbered on, no block splits.
    names = {}
    for i in range(pdf.PART_SIZE + 5):
        slug = f"usaha-{i:02d}"
        names[slug] = f"Warung Contoh {i:02d}"
        products = [
            {"nama": f"Produk {j} dengan nama yang cukup panjang", "harga": str(1000 * (j + 1)), "satuan": "bungkus"} for j in range(3)
        ]
        make_entry(slug, {"nama": names[slug], "produk": products, "kontak": {"whatsapp": "0812-1934-5521"}})
    out = cetak(project, "sektor/kuliner")
    pages = check_catalog_pdf(project / "cetak" / "katalog-kuliner.pdf", names)
    assert len(pages) > 8 and f"({len(pages)} halaman)" in out


def test_renderer_missing_is_a_clear_message(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    make_entry("keripik-sari-rasa")
    monkeypatch.setenv("UMKM_CHROMIUM", "tidak-ada-chromium")
    result = run_umkm(project, "cetak")
    assert result.returncode == 2
    assert result.stderr.strip() == "umkm: cetak: UMKM_CHROMIUM=tidak-ada-chromium: program tidak ditemukan atau tidak dapat dijalankan"
    monkeypatch.setenv("UMKM_CHROMIUM", "")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(pdf, "CHROMIUM_PROGRAMS", ("tidak-ada",))
    with pytest.raises(pdf.PrintError, match=r"^Chromium untuk membuat PDF tidak ditemukan; jalankan `make cetak`"):
        pdf.find_renderer()


def test_unknown_target_is_refused_with_the_choices(project: Path, make_entry: MakeEntry) -> None:
    make_entry("keripik-sari-rasa")
    result = run_umkm(project, "cetak", "sektor/sepatu")
    assert result.returncode == 2
    assert "sektor 'sepatu' tidak ada di wilayah; pilih salah satu: fesyen, jasa" in result.stderr
    assert not (project / "cetak").exists()
    # A listing taken down is not printed, as it is not published.
    make_entry("usaha-turun", {"nama": "Usaha Diturunkan", "diturunkan": {"alasan": "Dilaporkan penipu", "tanggal": "2026-11-20"}})
    result = run_umkm(project, "cetak", "usaha/usaha-turun")
    assert result.returncode == 2 and "usaha 'usaha-turun' tidak ada di katalog" in result.stderr
