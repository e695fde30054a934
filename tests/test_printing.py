"""Print stage: QR codes, stickers, flyers and printed catalogs as documents of the built site."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from generator.builder.enrich import enrich_catalog
from generator.core.business import Business
from generator.core.models import Catalog
from generator.outputs.pages import make_site, render_business
from generator.outputs.printing import (
    PrintOptions,
    _qr,
    data_css,
    pdf_css,
    printed_catalogs,
    qr_target,
    render_catalog,
    render_printed,
    render_sheets,
)
from tests.conftest import FULL, SITE_NAME, MakeEntry, build, full_entry, make_photo, page_entry, page_region, parse_tags, read

TODAY = date(2026, 10, 2)  # the date the page tests use

SITE_URL = "https://umkm.bekasikab.go.id/katalog/"


def businesses(tmp_path: Path) -> tuple[list[Business], dict[Path, object]]:
    telaga = full_entry(tmp_path)
    keripik = page_entry(
        tmp_path, "keripik-sari-rasa", nama="Keripik Sari Rasa", sektor="kuliner", kecamatan="Setu", ringkasan="Keripik singkong."
    )
    photos = dict(make_photo(telaga, rel) for rel in ("foto/galeri.jpg", "foto/tanjung.jpg"))
    catalog = Catalog(page_region(), (keripik, telaga))
    return enrich_catalog(catalog, today=TODAY, catalog_name=SITE_NAME), photos


def site_for(tmp_path: Path, photos: dict[Path, object], site_url: str = SITE_URL):  # type: ignore[no-untyped-def]
    return make_site(page_region(), photos, today=TODAY, site_name=SITE_NAME, site_url=site_url)  # type: ignore[arg-type]


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_qr_target_is_the_canonical_page_url_with_the_campaign_parameter() -> None:
    assert qr_target(SITE_URL, "telaga-batik") == "https://umkm.bekasikab.go.id/katalog/usaha/telaga-batik/?dari=qr"
    assert qr_target("https://umkm.example.go.id", "a-b") == "https://umkm.example.go.id/usaha/a-b/?dari=qr"
    assert qr_target("", "telaga-batik") == ""


@pytest.mark.parametrize("slug", ["kue-akar-mpok-nah", "a", "x" * 60, "batik-tulis-cibitung-2", "0-9-" * 12])
def test_qr_code_decodes_to_its_target(slug: str) -> None:
    """With the one fixed mask pattern (generator/outputs/printing.py QR_MASK) short and long slugs
    alike decode, at the sizes segno picks for them."""
    target = qr_target(SITE_URL, slug)
    matrix = _qr(target).matrix
    size = len(matrix)
    image = Image.new("L", (size + 8, size + 8), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + 4, y + 4), 0)
    assert decode(image.resize(((size + 8) * 6,) * 2, Image.NEAREST)) == [target]


def test_printed_parts_of_a_business(tmp_path: Path) -> None:
    items, photos = businesses(tmp_path)
    site = site_for(tmp_path, photos)
    telaga = next(b for b in items if b.slug == "telaga-batik")
    printed = render_printed(site, telaga)
    # The QR file: an SVG with a white background and no script.
    assert printed.qr_svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<script" not in printed.qr_svg and 'fill="#fff"' in printed.qr_svg
    # The sticker: name, where to find it, the QR code and the URL it holds.
    assert "Temukan kami di" in printed.sticker and SITE_NAME in printed.sticker and "Telaga Batik" in printed.sticker
    assert 'class="umkm-qr" src="../../../qr/telaga-batik.svg"' in printed.sticker
    assert "https://umkm.bekasikab.go.id/katalog/usaha/telaga-batik/" in printed.sticker
    # Links from cetak/stiker/telaga-batik/index.html: the print stylesheet, the build date, the script.
    links = {dict(attrs).get("href") or dict(attrs).get("src") for tag, attrs in parse_tags(printed.sticker) if tag in ("link", "script")}
    assert links == {"../../../assets/cetak.css", "../../data.css", "../../../assets/cetak.js", "../../../assets/ikon-32.png"}
    # The flyer: products with prices and processed photos (never the original), certificates with status, WhatsApp.
    assert "Batik Tulis Tanjung Pura" in printed.flyer and "Rp385.000 / lembar" in printed.flyer
    assert 'src="../../../foto/telaga-batik/tanjung-thumb-320w.webp"' in printed.flyer
    assert "foto/tanjung.jpg" not in printed.flyer
    assert "Halal</strong> ID32110000145680323 — Segera kedaluwarsa" in printed.flyer
    assert "P-IRT</strong> 2063216010123-25 — Kedaluwarsa" in printed.flyer
    assert "+62 812-1934-5521" in printed.flyer
    # No style attribute or inline style in the site's documents: the policy allows neither.
    assert "<style" not in printed.flyer + printed.sticker and " style=" not in printed.flyer + printed.sticker


def test_flyer_shows_at_most_four_products(tmp_path: Path) -> None:
    from generator.core.models import Product

    entry = page_entry(tmp_path, produk=tuple(Product(f"Produk {i}", 1000 * i) for i in range(1, 8)))
    business = enrich_catalog(Catalog(page_region(), (entry,)), today=TODAY, catalog_name=SITE_NAME)[0]
    flyer = render_sheets(site_for(tmp_path, {}), "flyer", [business], src="cetak/flyer/telaga-batik/index.html")
    assert re.findall(r"Produk \d", flyer) == ["Produk 1", "Produk 2", "Produk 3", "Produk 4"]


def test_without_a_site_url_there_is_no_qr_code(tmp_path: Path) -> None:
    items, photos = businesses(tmp_path)
    site = site_for(tmp_path, photos, site_url="")
    telaga = next(b for b in items if b.slug == "telaga-batik")
    printed = render_printed(site, telaga)
    assert printed.qr_svg == "" and "umkm-qr" not in printed.sticker
    page = render_business(site, telaga).page.html
    assert "Unduh QR" not in page


def test_business_page_shows_a_small_qr_code_with_download_and_print_links(tmp_path: Path) -> None:
    items, photos = businesses(tmp_path)
    page = render_business(site_for(tmp_path, photos), next(b for b in items if b.slug == "telaga-batik")).page.html
    tags = [(tag, dict(attrs)) for tag, attrs in parse_tags(page)]
    img = next(attrs for tag, attrs in tags if tag == "img" and attrs.get("src") == "../../qr/telaga-batik.svg")
    assert (img["width"], img["height"]) == ("96", "96") and "Telaga Batik" in str(img["alt"])
    download = next(attrs for tag, attrs in tags if tag == "a" and "download" in attrs)
    assert download == {"href": "../../qr/telaga-batik.svg", "download": "qr-telaga-batik.svg"}
    assert ">Unduh QR</a>" in page
    hrefs = {attrs.get("href") for tag, attrs in tags if tag == "a"}
    assert {"../../cetak/stiker/telaga-batik/", "../../cetak/flyer/telaga-batik/"} <= hrefs


def test_printed_catalogs_whole_per_sector_and_per_kecamatan(tmp_path: Path) -> None:
    items, photos = businesses(tmp_path)
    site = site_for(tmp_path, photos)
    catalogs = {c.name: c for c in printed_catalogs(site, items)}
    # Only sectors and kecamatan with businesses; the whole catalog grouped by sector.
    assert set(catalogs) == {"katalog", "katalog-fesyen", "katalog-kuliner", "katalog-kecamatan-cibitung", "katalog-kecamatan-setu"}
    assert [(g.heading, g.slugs) for g in catalogs["katalog"].groups] == [
        ("Sektor Kuliner", ("keripik-sari-rasa",)),
        ("Sektor Fesyen", ("telaga-batik",)),
    ]
    assert catalogs["katalog-kuliner"].uri == "cetak/katalog/sektor/kuliner/index.html"
    blocks = {b.slug: render_printed(site, b).block for b in items}
    by_slug = {b.slug: b for b in items}
    html = render_catalog(site, catalogs["katalog"], by_slug, blocks)
    # Cover, table of contents linking each block, one block per business.
    assert "Jumlah usaha" in html and "Daftar isi" in html
    assert html.count('class="umkm-blok"') == 2
    assert 'href="#usaha-telaga-batik"' in html and 'id="usaha-telaga-batik"' in html
    # Links of the cached blocks are moved under the document's folder.
    assert 'src="../../foto/telaga-batik/galeri-thumb-320w.webp"' in html and "\x00" not in html
    sector = render_catalog(site, catalogs["katalog-fesyen"], by_slug, blocks)
    assert "Telaga Batik" in sector and "Keripik Sari Rasa" not in sector
    assert 'src="../../../../foto/telaga-batik/galeri-thumb-320w.webp"' in sector


def test_a_part_of_a_catalog_for_the_pdf(tmp_path: Path) -> None:
    items, photos = businesses(tmp_path)
    site = site_for(tmp_path, photos)
    whole = printed_catalogs(site, items)[0]
    blocks = {b.slug: render_printed(site, b).block for b in items}
    by_slug = {b.slug: b for b in items}
    none = (0, 0, 0, 0)
    cover = render_catalog(
        site, whole, by_slug, blocks, PrintOptions(cover=True, contents=(0, 0), group_range=none, pdf_css="x.css", script=False)
    )
    assert "Jumlah usaha" in cover and "Daftar isi" not in cover and 'class="umkm-blok"' not in cover
    assert '<link rel="stylesheet" href="x.css">' in cover and "<script" not in cover
    # The second entry of the contents on its own: its group, the page-number cell umkm cetak fills.
    contents = render_catalog(site, whole, by_slug, blocks, PrintOptions(cover=False, contents=(1, 2), group_range=none, script=False))
    assert "Jumlah usaha" not in contents and "<h2 id=\"daftar-isi\">" not in contents and "Sektor Fesyen" in contents
    assert 'id="halaman-telaga-batik"></span>' in contents and "halaman-keripik-sari-rasa" not in contents
    part = render_catalog(site, whole, by_slug, blocks, PrintOptions(cover=False, contents=(0, 0), group_range=(1, 0, 1, 1), script=False))
    assert "Daftar isi" not in part and "Telaga Batik" in part and "Keripik Sari Rasa" not in part


def test_pdf_css_states_the_print_date_first_page_and_contents_pages() -> None:
    css = pdf_css(print_date="3 Desember 2026", first_page=5, toc_pages={"telaga-batik": 7, "a": 12})
    assert ':root { --umkm-dicetak: "Dicetak 3 Desember 2026"; }' in css
    assert "@page :first { counter-increment: page 5; }" in css
    assert '#halaman-a::after { content: "12"; }\n#halaman-telaga-batik::after { content: "7"; }' in css
    assert "counter-increment" not in pdf_css(first_page=1)


def test_data_css_carries_the_build_date_and_escapes_the_name() -> None:
    css = data_css(TODAY, 'Katalog "UMKM" \\ <Bekasi>')
    assert '--umkm-data-per: "Data per 2 Oktober 2026";' in css
    assert '--umkm-katalog: "Katalog \\22 UMKM\\22  \\5c  \\3c Bekasi\\3e ";' in css


@pytest.fixture
def built(project: Path, make_entry: MakeEntry) -> Path:
    make_entry("telaga-batik", FULL, photos={"foto/sampul.jpg": (900, 600), "foto/galeri.jpg": (700, 500), "foto/batik.jpg": (800, 800)})
    make_entry("keripik-sari-rasa")
    make_entry("usaha-turun", {"nama": "Usaha Diturunkan", "diturunkan": {"alasan": "Dilaporkan penipu", "tanggal": "2026-11-20"}})
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_built_site_holds_the_print_documents(built: Path) -> None:
    for uri in (
        "qr/telaga-batik.svg",
        "qr/keripik-sari-rasa.svg",
        "cetak/stiker/telaga-batik/index.html",
        "cetak/flyer/keripik-sari-rasa/index.html",
        "cetak/katalog/index.html",
        "cetak/katalog/sektor/fesyen/index.html",
        "cetak/katalog/kecamatan/karangbahagia/index.html",
        "cetak/data.css",
        "assets/cetak.css",
        "assets/cetak.js",
    ):
        assert (built / uri).is_file(), uri
    assert "Data per 28 November 2026" in read(built, "cetak/data.css")
    page = read(built, "usaha/telaga-batik/index.html")
    assert 'src="../../qr/telaga-batik.svg"' in page and "Unduh QR" in page
    index = read(built, "cetak/index.html")
    assert 'href="../cetak/katalog/"' in index or 'href="katalog/"' in index
    assert "Sektor Fesyen" in index and "Kecamatan Cibitung" in index
    # Print documents are not search-engine pages.
    assert "cetak/stiker" not in read(built, "sitemap.xml")
    # A listing taken down (#13: `diturunkan`) is printed nowhere.
    assert not (built / "qr" / "usaha-turun.svg").exists() and not (built / "cetak" / "stiker" / "usaha-turun").exists()
    assert not any("Usaha Diturunkan" in path.read_text(encoding="utf-8") for path in (built / "cetak").rglob("*.html"))
