"""The catalog off the screen: a QR code per business, a shop-window sticker (A6) and a flyer (A5)
per business, and printed catalogs (whole, per sector, per kecamatan).

Every print output is a standalone HTML document in the built site (`cetak/...`) laid out by the
print stylesheet `assets/cetak.css` (`@page` size and margins, page-margin boxes for the page
number and dates, no site header or menu, black on white), so it prints from any browser with
"Simpan sebagai PDF", and `umkm cetak` (generator/outputs/pdf.py) turns the same documents into PDF files.
Documents are written as site files, not MkDocs pages: they carry no theme, no navigation and no
search, and cost MkDocs nothing per business.

The QR code points to the business page's canonical URL (`site_url` + path) with the campaign
parameter `?dari=qr`, so the Dinas can count scans in any server log without a tracker.

Engine independent and deterministic: the same catalog gives the same bytes. The build date reaches
the documents only through `cetak/data.css` (one small file per build), so a business's sticker and
flyer stay valid across build dates unless it has certificates (whose status they show).
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import segno
from markupsafe import Markup

from generator.core.business import Business
from generator.core.formatting import format_tanggal
from generator.outputs.generated import (
    Crumb,
    GeneratedPage,
    business_uri,
    flyer_uri,
    page_url,
    qr_uri,
    relative_path,
    sticker_uri,
    url_to,
)
from generator.outputs.pages import ROOT_MARK, Site

QR_CAMPAIGN = "dari=qr"
DATA_CSS_URI = "cetak/data.css"  # the build date, for the page-margin boxes of every print document
CSS_URI = "assets/cetak.css"
ICON_URI = "assets/ikon-32.png"  # mkdocs.yml's favicon: a document without one makes browsers ask for /favicon.ico
SCRIPT_URI = "assets/cetak.js"
INDEX_URI = "cetak/index.md"  # "Bahan cetak": where the Dinas finds the printed catalogs
CATALOG_DIR = "cetak/katalog"
FLYER_PRODUCTS = 4
BLOCK_PRODUCTS = 3
QR_FILE_SCALE = 10  # pixels per module of the downloadable SVG's nominal size
STICKER = "stiker"
FLYER = "flyer"
KIND_LABELS = {STICKER: "Stiker", FLYER: "Flyer"}


@dataclass(frozen=True)
class PrintedBusiness:
    """What one business contributes to the print outputs; cached with its other parts (pipeline.py)."""

    qr_svg: str  # the file qr/<slug>.svg ("" when the site has no URL)
    sticker: str  # whole HTML document at cetak/stiker/<slug>/index.html
    flyer: str  # whole HTML document at cetak/flyer/<slug>/index.html
    block: str  # its block in a printed catalog; links from the site root start with ROOT_MARK


@dataclass(frozen=True)
class CatalogGroup:
    heading: str  # "" for a catalog of one group
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class PrintedCatalog:
    """One printed catalog: the whole region, a sector or a kecamatan."""

    name: str  # PDF file name stem: "katalog", "katalog-kuliner", "katalog-kecamatan-cibitung"
    uri: str  # its HTML document in the site
    title: str  # "Sektor Kuliner"
    lead: str
    groups: tuple[CatalogGroup, ...]
    detail: str = "kecamatan"  # what the table of contents shows beside each name: "kecamatan" or "sektor"

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(slug for group in self.groups for slug in group.slugs)


@dataclass(frozen=True)
class TocEntry:
    nama: str
    detail: str  # kecamatan, or sector in a kecamatan catalog
    anchor: str  # the block's id
    page_id: str  # the id of its page-number cell, filled by umkm cetak's stylesheet (`pdf_css`)


@dataclass(frozen=True)
class TocGroup:
    heading: str
    entries: tuple[TocEntry, ...]


@dataclass(frozen=True)
class PrintOptions:
    """How a catalog document is rendered: whole for the site, in parts for `umkm cetak`."""

    cover: bool = True
    contents: tuple[int, int] | None = None  # (first, end) entries of the table of contents; None: all of it
    group_range: tuple[int, int, int, int] | None = None  # (first group, first index, last group, end index): a part of the blocks
    pdf_css: str = ""  # umkm cetak's stylesheet for one pass (`pdf_css`): print date, first page number, contents' page numbers
    script: bool = True  # assets/cetak.js: the print date and button in a browser


def business_url(site_url: str, slug: str) -> str:
    """The canonical URL of a business page ("" when the site has no URL)."""
    if not site_url:
        return ""
    return f"{site_url.rstrip('/')}/{page_url(business_uri(slug))}"


QR_MASK = 0  # see _qr


def qr_target(site_url: str, slug: str) -> str:
    """What a business's QR code encodes: its canonical page URL with the campaign parameter."""
    url = business_url(site_url, slug)
    return f"{url}?{QR_CAMPAIGN}" if url else ""


@functools.lru_cache(maxsize=1024)
def _qr(data: str) -> segno.QRCode:
    # Error correction M survives a scuffed sticker; segno raises it further when it costs no size.
    # One fixed mask pattern: every one of the eight is a valid code that scanners read, and scoring
    # all eight (segno's default) was three quarters of the cost, ±11 ms a business in every build.
    return segno.make(data, error="m", micro=False, mask=QR_MASK)


def qr_svg_file(data: str, title: str) -> str:
    """A standalone SVG of the QR code (white background, so it scans on any print)."""
    import io

    out = io.BytesIO()
    _qr(data).save(
        out, kind="svg", scale=QR_FILE_SCALE, border=4, xmldecl=False, title=title, dark="#000", light="#fff", svgclass=None, lineclass=None
    )
    return out.getvalue().decode("ascii") + "\n"


def qr_inputs(site: Site, slug: str, nama: str) -> tuple[str, str]:
    """All a business's QR file is made of besides this code: the URL it encodes and its title
    (the key of the file kept between builds, builder/pipeline.py); ("", "") when the site has no URL."""
    target = qr_target(site.site_url, slug)
    return (target, qr_label(site.site_name, nama)) if target else ("", "")


def render_printed(site: Site, business: Business, *, qr_file: str | None = None) -> PrintedBusiness:
    """A business's QR file, sticker, flyer and catalog block.

    `qr_file` is its QR file made earlier from the same `qr_inputs`; it is made here when None."""
    slug = business.slug
    if qr_file is None:
        target, title = qr_inputs(site, slug, business.nama)
        qr_file = qr_svg_file(target, title) if target else ""
    documents = {
        kind: render_sheets(site, kind, [business], src=uri) for kind, uri in ((STICKER, sticker_uri(slug)), (FLYER, flyer_uri(slug)))
    }

    def root_link(target: str) -> str:
        return ROOT_MARK + url_to("index.md", target)

    block = site.env.get_template("cetak/blok.html").module.block(  # type: ignore[attr-defined]
        make_sheet(site, business, root_link, BLOCK_PRODUCTS), _photo(site, business, root_link)
    )
    return PrintedBusiness(qr_file, documents[STICKER], documents[FLYER], str(block))


def render_sheets(site: Site, kind: str, businesses: Sequence[Business], *, src: str, options: PrintOptions = PrintOptions()) -> str:
    """One HTML document of stickers or flyers, one business per sheet (`umkm cetak` prints many at once)."""
    link = _file_linker(src)
    sheets = [make_sheet(site, b, link, FLYER_PRODUCTS if kind == FLYER else 0) for b in businesses]
    title = f"{KIND_LABELS[kind]} {businesses[0].nama}" if len(businesses) == 1 else f"{KIND_LABELS[kind]} {site.site_name}"
    return _render_document(
        site, f"cetak/{kind}.html", src, title=title, options=options, sheets=sheets, region=site.region, site_name=site.site_name
    )


@dataclass(frozen=True)
class Sheet:
    """One business as print shows it; every URL already relative to its document."""

    b: Business
    # Its QR code file (qr/<slug>.svg; "" when the site has no URL). An image, not inline SVG: a
    # catalog of 10,000 would repeat 2 KB of path per business in each document that holds it.
    qr_src: str
    qr_alt: str
    page_url: str  # canonical URL of its page, printed under the QR code
    products: tuple[PrintProduct, ...]


def make_sheet(site: Site, business: Business, link: Callable[[str], str], products: int) -> Sheet:
    has_qr = bool(qr_target(site.site_url, business.slug))
    return Sheet(
        b=business,
        qr_src=link(qr_uri(business.slug)) if has_qr else "",
        qr_alt=qr_label(site.site_name, business.nama),
        page_url=business_url(site.site_url, business.slug),
        products=_products(site, business, link, products),
    )


def qr_label(site_name: str, nama: str) -> str:
    """The QR code's title in its file and its alternative text on the page."""
    return f"Kode QR ke halaman {nama} di {site_name}"


def printed_catalogs(site: Site, businesses: Sequence[Business]) -> list[PrintedCatalog]:
    """The whole catalog (grouped by sector), then one per sector and one per kecamatan with businesses."""
    ordered = sorted(businesses, key=lambda b: (b.entry.nama.casefold(), b.slug))
    by_sector: dict[str, list[str]] = {}
    by_kecamatan: dict[str, list[str]] = {}
    for b in ordered:
        by_sector.setdefault(b.sector.key, []).append(b.slug)
        by_kecamatan.setdefault(b.kecamatan.slug, []).append(b.slug)
    place = site.region.nama
    sectors = [s for s in site.region.sectors if s.key in by_sector]
    whole = PrintedCatalog(
        name="katalog",
        uri=f"{CATALOG_DIR}/index.html",
        title=f"Katalog UMKM {place}",
        lead=f"Usaha mikro dan kecil di {place}, menurut sektor usaha.",
        groups=tuple(CatalogGroup(f"Sektor {s.label}", tuple(by_sector[s.key])) for s in sectors),
    )
    catalogs = [whole]
    catalogs += [
        PrintedCatalog(
            name=f"katalog-{s.key}",
            uri=f"{CATALOG_DIR}/sektor/{s.key}/index.html",
            title=f"Sektor {s.label}",
            lead=f"Usaha sektor {s.label} di {place}.",
            groups=(CatalogGroup("", tuple(by_sector[s.key])),),
        )
        for s in sectors
    ]
    kecamatan = sorted((k for k in site.region.kecamatan if k.slug in by_kecamatan), key=lambda k: (k.nama.casefold(), k.slug))
    catalogs += [
        PrintedCatalog(
            name=f"katalog-kecamatan-{k.slug}",
            uri=f"{CATALOG_DIR}/kecamatan/{k.slug}/index.html",
            title=f"Kecamatan {k.nama}",
            lead=f"Usaha di Kecamatan {k.nama}, {place}.",
            groups=(CatalogGroup("", tuple(by_kecamatan[k.slug])),),
            detail="sektor",
        )
        for k in kecamatan
    ]
    return catalogs


def render_catalog(
    site: Site,
    catalog: PrintedCatalog,
    businesses: Mapping[str, Business],
    blocks: Mapping[str, str],
    options: PrintOptions = PrintOptions(),
    *,
    uri: str = "",
) -> str:
    """A printed catalog as one HTML document: cover, table of contents, one block per business.

    `options` renders a part of it (`umkm cetak` prints a large catalog in parts); `uri` is where
    the document lives when it is not the catalog's own place in the site."""
    src = uri or catalog.uri
    here = posixpath.dirname(src)
    root = posixpath.relpath(".", here) + "/" if here else ""
    toc = _contents(catalog, businesses, options.contents)
    groups = []
    for index, group in enumerate(catalog.groups):
        slugs = _part(group.slugs, index, options.group_range)
        if not slugs:
            continue
        continued = (
            bool(group.heading) and options.group_range is not None and index == options.group_range[0] and options.group_range[1] > 0
        )
        heading = f"{group.heading} (lanjutan)" if continued else group.heading
        groups.append((heading, [Markup(blocks[slug].replace(ROOT_MARK, root)) for slug in slugs]))
    count = len(catalog.slugs)
    return _render_document(
        site,
        "cetak/katalog.html",
        src,
        title=catalog.title if catalog.name == "katalog" else f"{catalog.title} — Katalog UMKM {site.region.nama}",
        options=options,
        catalog=catalog,
        region=site.region,
        site_name=site.site_name,
        count=count,
        sectors=sorted({businesses[s].sector.label for s in catalog.slugs}),
        toc=toc,
        toc_heading=options.contents is None or options.contents[0] == 0,
        groups=groups,
        today=site.today,
        site_url=site.site_url,
        link=_file_linker(src),
    )


def data_css(today: date, site_name: str) -> str:
    """`cetak/data.css`: the build date every printed page carries ("data per ...") and the catalog's name."""
    values = {"--umkm-data-per": f"Data per {format_tanggal(today)}", "--umkm-katalog": site_name}
    return ":root {\n" + "".join(f"  {name}: {_css_string(value)};\n" for name, value in values.items()) + "}\n"


def _css_string(text: str) -> str:
    """A CSS string literal; quotes, backslashes and line breaks escaped."""
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def render_print_index(site: Site, catalogs: Sequence[PrintedCatalog]) -> GeneratedPage:
    """The "Bahan cetak" page: links to every printed catalog, and how to print them or get the PDFs."""
    link = functools.partial(url_to, INDEX_URI, directory_urls=site.directory_urls)
    html = site.env.get_template("cetak/indeks.html").render(
        region=site.region,
        catalogs=[(c, link(posixpath.dirname(c.uri) + "/"), len(c.slugs)) for c in catalogs],
        crumbs=[Crumb("Beranda", link("index.md"))],
    )
    return GeneratedPage(
        src_uri=INDEX_URI,
        title="Bahan cetak",
        description=f"Katalog UMKM {site.region.nama} untuk dicetak: seluruh katalog, per sektor dan per kecamatan; stiker dan flyer setiap usaha.",
        html=html,
    )


def pdf_css(*, print_date: str = "", first_page: int = 1, toc_pages: Mapping[str, int] | None = None) -> str:
    """The stylesheet `umkm cetak` adds to a document for one pass: the print date in the page
    margins, the number of the document's first page (a long catalog is printed in parts), and
    the page number of each business in the table of contents (browsers have no target-counter())."""
    lines = []
    if print_date:
        lines.append(f":root {{ --umkm-dicetak: {_css_string(f'Dicetak {print_date}')}; }}")
    if first_page != 1:
        # Chromium counts pages from the increments alone: 1 per page, first_page on the first.
        lines.append(f"@page {{ counter-increment: page 1; }} @page :first {{ counter-increment: page {first_page}; }}")
    for slug, page in sorted((toc_pages or {}).items()):
        lines.append(f'#{toc_page_id(slug)}::after {{ content: "{page}"; }}')
    return "\n".join(lines) + "\n"


def toc_page_id(slug: str) -> str:
    """The id of a business's page-number cell in a table of contents."""
    return f"halaman-{slug}"


def render_print_outputs(
    site: Site, businesses: Sequence[Business], printed: Mapping[str, PrintedBusiness]
) -> tuple[GeneratedPage, list[tuple[str, str]]]:
    """Everything print adds to the site: the "Bahan cetak" page, and as files (site URI, text) every
    business's QR code, sticker and flyer, the printed catalogs and `cetak/data.css`."""
    files = [(DATA_CSS_URI, data_css(site.today, site.site_name))]
    for business in sorted(businesses, key=lambda b: b.slug):
        parts = printed[business.slug]
        if parts.qr_svg:
            files.append((qr_uri(business.slug), parts.qr_svg))
        files += [(sticker_uri(business.slug), parts.sticker), (flyer_uri(business.slug), parts.flyer)]
    catalogs = printed_catalogs(site, businesses)
    by_slug = {b.slug: b for b in businesses}
    blocks = {slug: parts.block for slug, parts in printed.items()}
    files += [(c.uri, render_catalog(site, c, by_slug, blocks)) for c in catalogs]
    return render_print_index(site, catalogs), sorted(files)


def block_anchor(slug: str) -> str:
    return f"usaha-{slug}"


# --- helpers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintPhoto:
    src: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class PrintProduct:
    nama: str
    harga: int | None
    satuan: str
    photo: PrintPhoto | None


def _photo(site: Site, business: Business, link: Callable[[str], str]) -> PrintPhoto | None:
    entry = business.entry
    for rel in (*entry.foto[:1], *(p.foto[0] for p in business.products if p.foto)):
        photo = _print_photo(site, business, rel, entry.nama, link)
        if photo:
            return photo
    return None


def _print_photo(site: Site, business: Business, rel: str, alt: str, link: Callable[[str], str]) -> PrintPhoto | None:
    """The smallest processed thumbnail that prints sharp at its size (never the original)."""
    photo = site.photo(business.entry, rel)
    if photo is None or not photo.thumb_webp:
        return None
    # 320 px across 30 to 60 mm of paper is 135 to 270 dpi: sharp for a photo of this size.
    variant = next((v for v in photo.thumb_webp if v.width >= 320), photo.thumb_webp[-1])
    return PrintPhoto(link(variant.uri), variant.width, variant.height, alt)


def _products(site: Site, business: Business, link: Callable[[str], str], limit: int) -> tuple[PrintProduct, ...]:
    return tuple(
        PrintProduct(p.nama, p.harga, p.satuan, _print_photo(site, business, p.foto[0], p.nama, link) if p.foto else None)
        for p in business.products[:limit]
    )


def _contents(catalog: PrintedCatalog, businesses: Mapping[str, Business], part: tuple[int, int] | None) -> tuple[TocGroup, ...]:
    """The table of contents, or entries first..end of it (a group continued from the previous
    part says so)."""
    toc = []
    at = 0
    for group in catalog.groups:
        start, end = (0, len(group.slugs)) if part is None else (max(part[0] - at, 0), min(part[1] - at, len(group.slugs)))
        at += len(group.slugs)
        if start >= end:
            continue
        heading = f"{group.heading} (lanjutan)" if group.heading and start > 0 else group.heading
        entries = tuple(
            TocEntry(
                nama=businesses[slug].nama,
                detail=businesses[slug].sector.label if catalog.detail == "sektor" else businesses[slug].kecamatan.nama,
                anchor=block_anchor(slug),
                page_id=toc_page_id(slug),
            )
            for slug in group.slugs[start:end]
        )
        toc.append(TocGroup(heading, entries))
    return tuple(toc)


def _file_linker(src: str) -> Callable[[str], str]:
    """Links from a print document (a site file, not a page) to site files and pages."""
    here = posixpath.dirname(src)

    def link(target: str) -> str:
        there = page_url(target) if target.endswith(".md") else target
        rel = relative_path(there or ".", here or ".")
        return f"{rel}/" if there.endswith("/") or not there else rel

    return link


def _part(slugs: tuple[str, ...], index: int, group_range: tuple[int, int, int, int] | None) -> tuple[str, ...]:
    """The slugs of group `index` inside a part of the catalog (none when the group is outside it)."""
    if group_range is None:
        return slugs
    first_group, first, last_group, end = group_range
    if not first_group <= index <= last_group:
        return ()
    start = first if index == first_group else 0
    stop = end if index == last_group else len(slugs)
    return slugs[start:stop]


def _render_document(site: Site, template: str, src: str, *, title: str, options: PrintOptions, **context: object) -> str:
    link = _file_linker(src)
    return site.env.get_template(template).render(
        title=title,
        icon_url=link(ICON_URI),
        css_url=link(CSS_URI),
        data_css_url=link(DATA_CSS_URI),
        script_url=link(SCRIPT_URI) if options.script else "",
        options=options,
        **context,
    )
