"""The HTML of every catalog page, rendered by our own Jinja environment, independent of MkDocs.

Each page is a `GeneratedPage`: a source URI (`usaha/telaga-batik.md`, served at
`usaha/telaga-batik/`), a plain-text title and description, and content HTML that is already
escaped and sanitized. An adapter (the MkDocs plugin today) decides how it reaches the site.
Links inside the HTML are relative to the page, so the site works under any sub-path.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from generator.core import links
from generator.core.business import Business, CertificateView, ProductView
from generator.core.formatting import format_rupiah
from generator.core.models import CertKind, Entry, ImageVariant, ProcessedPhoto, Region
from generator.core.phoneform import PREFILL_NAME, web_form
from generator.core.region import slugify
from generator.outputs.generated import (
    TEMPLATES_DIR,
    Crumb,
    GeneratedPage,
    business_uri,
    find_photo,
    flyer_uri,
    listing_uri,
    make_environment,
    page_url,
    qr_uri,
    sticker_uri,
    url_to,
)
from generator.outputs.story import render_story

REGISTER_URI = "daftar/index.md"  # "Daftarkan Usaha", in the navigation: the phone form and the other ways in
FORM_PAGE_TEMPLATE = "register_page.html"  # loads the form's script, on that page only
PREFILL_SLUG = "__SLUG__"  # replaced by the script with the business being updated
PAGE_SIZE = 48
HOME_PRODUCTS = 6  # products in each of the home page's product sections: three rows of two on a phone
BUSINESS_TEMPLATE = "business_page.html"  # catalog.html plus the photo lightbox's script

# `sizes` follow the card grid in umkm.css: 1 column, 2 from 30em, 3 from 60em, 4 from 76.25em.
CARD_SIZES = "(min-width: 76.25em) 280px, (min-width: 60em) 31vw, (min-width: 30em) 47vw, 100vw"
# The home page's product grid (umkm.css): 2 columns on a phone, 3 from 45em, 4 from 60em.
PRODUCT_CARD_SIZES = "(min-width: 76.25em) 260px, (min-width: 60em) 24vw, (min-width: 45em) 32vw, 50vw"
COVER_SIZES = "(min-width: 76.25em) 680px, (min-width: 60em) 56vw, 100vw"
# A business page's products: a grid like the cards from 30em; on a phone the photo sits beside
# the text at 38% of the width (umkm.css), so a small thumbnail serves it.
PRODUCT_SIZES = "(min-width: 76.25em) 280px, (min-width: 60em) 31vw, (min-width: 30em) 47vw, 38vw"
GALLERY_SIZES = "(min-width: 60em) 180px, 31vw"

_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


@dataclass(frozen=True)
class PictureView:
    """A responsive photo (WebP) with every URL already relative to the page it appears on."""

    src: str
    srcset: str
    sizes: str
    width: int
    height: int
    alt: str
    lazy: bool
    placeholder: str  # "" or a CSS colour
    full_url: str  # the full photo as JPEG, for the gallery link that works without JavaScript
    full_webp: str  # the largest WebP of the full photo, which the lightbox shows
    # On a phone (PHONE_MEDIA) the photo is shown cropped, from these 4:3 thumbnails: a business
    # page's cover is a short band there, and its first view keeps under 150 KB (README).
    phone_srcset: str = ""
    phone_width: int = 0
    phone_height: int = 0


@dataclass(frozen=True)
class CardView:
    url: str
    nama: str
    ringkasan: str
    sector: str
    kecamatan: str
    certificates: tuple[CertificateView, ...]  # valid ones only
    siap_pengadaan: bool
    price_min: int | None
    price_max: int | None
    picture: PictureView | None
    reachable: bool = True  # a contact or a shop; a card without says so


@dataclass(frozen=True)
class ProductCard:
    """One product as the home page shows it: photo, name, price and whose it is."""

    url: str  # the product on its business page (`#produk-<n>`)
    nama: str
    harga: int | None
    satuan: str
    business: str
    kecamatan: str
    certificates: tuple[CertificateView, ...]  # the business's valid ones, one per kind
    picture: PictureView | None


@dataclass(frozen=True)
class ProductBlock:
    product: ProductView
    picture: PictureView | None
    extra_photos: tuple[PictureView, ...]
    whatsapp_url: str = ""  # "Tanya di WhatsApp" about this product, its name and price in the message


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    links: tuple[PageLink | None, ...]  # None marks a gap ("…")
    previous_url: str
    next_url: str


@dataclass(frozen=True)
class BrowseLink:
    label: str
    url: str
    count: int
    note: str = ""
    verify_url: str = ""  # the certification kind's public verification page


@dataclass(frozen=True)
class _Listing:
    """A set of businesses with its own pages: a sector, a kecamatan or a certification kind."""

    base: str  # e.g. "sektor/kuliner", pages at sektor/kuliner.md, sektor/kuliner/2.md, ...
    section: str  # e.g. "sektor"
    section_label: str  # e.g. "Sektor usaha"
    title: str  # e.g. "Sektor Kuliner"
    heading: str  # e.g. "Kuliner"
    lead: str
    businesses: tuple[Business, ...]
    kind: CertKind | None = None
    neighbours: tuple[str, ...] = ()  # bases of the listings next to it (a kecamatan's `tetangga`)


@dataclass(frozen=True)
class RenderedBusiness:
    """What one business contributes to the catalog pages; cached with its content hash (cache.py)."""

    page: GeneratedPage  # usaha/<slug>.md
    card: str  # the card as listing pages show it: lazy photo, links from the site root marked ROOT_MARK


# Starts every link of a cached card; replaced by the path from a listing page to the site root.
# Never in user text: validation removes control characters.
ROOT_MARK = "\x00"


@dataclass(frozen=True)
class Site:
    """What every page shares: the region, the photos, the build date and URL style."""

    region: Region
    photos: dict[Path, ProcessedPhoto]
    today: date
    site_name: str
    directory_urls: bool
    page_size: int
    env: jinja2.Environment = field(repr=False)
    repo_url: str = ""  # mkdocs.yml `repo_url`: where the "Perbarui data" and registration forms live
    site_url: str = ""  # the site's canonical address: QR codes point there (printing.py); "" means no QR
    # (entry folder, photo path) -> photo; a business's photos are looked up on several pages.
    found: dict[tuple[Path, str], ProcessedPhoto | None] = field(default_factory=dict, repr=False)

    def photo(self, entry: Entry, rel: str) -> ProcessedPhoto | None:
        key = (entry.folder, rel)
        if key not in self.found:
            self.found[key] = find_photo(self.photos, entry, rel)
        return self.found[key]


def render_pages(
    businesses: Sequence[Business],
    region: Region,
    photos: dict[Path, ProcessedPhoto],
    *,
    today: date,
    site_name: str,
    templates_dir: Path | None = None,
    directory_urls: bool = True,
    page_size: int = PAGE_SIZE,
    repo_url: str = "",
    rendered: Mapping[str, RenderedBusiness] | None = None,
) -> list[GeneratedPage]:
    """Every catalog page (home, business pages, listings, index pages), sorted by source URI.

    `rendered` holds business pages and cards made earlier (by `render_business`, kept in the
    entry cache); the others are rendered here."""
    site = make_site(
        region, photos, today=today, site_name=site_name, templates_dir=templates_dir, directory_urls=directory_urls, page_size=page_size, repo_url=repo_url
    )
    done = dict(rendered or {})
    for business in businesses:
        if business.slug not in done:
            done[business.slug] = render_business(site, business)
    ordered = sorted(businesses, key=_name_key)
    listings = _listings(region, ordered)
    pages = [_render_home(site, ordered, listings)]
    pages += [done[b.slug].page for b in ordered]
    for section, items in listings.items():
        pages.append(_render_index(site, section, items))
        for listing in items:
            pages += _render_listing(site, listing, done, items)
    return sorted(pages, key=lambda p: p.src_uri)


def make_site(
    region: Region,
    photos: dict[Path, ProcessedPhoto],
    *,
    today: date,
    site_name: str,
    templates_dir: Path | None = None,
    directory_urls: bool = True,
    page_size: int = PAGE_SIZE,
    repo_url: str = "",
    site_url: str = "",
) -> Site:
    """What every page of one build shares."""
    env = make_environment(templates_dir or TEMPLATES_DIR)
    return Site(region, photos, today, site_name, directory_urls, page_size, env, repo_url, site_url)


def render_business(site: Site, business: Business) -> RenderedBusiness:
    """A business's own page and its card (as listing pages show it), rendered once per content."""
    return RenderedBusiness(_render_business(site, business), _render_card(site, business))


# The message a "Tanya di WhatsApp" button of a product starts, so the seller knows what is asked.
PRODUCT_MESSAGE = "Halo {usaha}, saya melihat {produk}{harga} di {katalog}. Apakah masih tersedia? Terima kasih."


def product_whatsapp_url(business: Business, product: ProductView, catalog_name: str) -> str:
    """A WhatsApp link about one product, its name and price in the prefilled message ("" without WhatsApp)."""
    whatsapp = business.contact.whatsapp
    if whatsapp is None:
        return ""
    price = ""
    if product.harga is not None:
        price = f" ({format_rupiah(product.harga)}" + (f" / {product.satuan})" if product.satuan else ")")
    message = PRODUCT_MESSAGE.format(usaha=business.nama, produk=product.nama, harga=price, katalog=catalog_name)
    return links.whatsapp_url(whatsapp.digits, message)


def render_register_page(
    region: Region, *, site_name: str, repo_url: str = "", templates_dir: Path | None = None, directory_urls: bool = True
) -> GeneratedPage:
    """"Daftarkan Usaha": the ways into the catalog in order of ease, the phone form first."""
    link = functools.partial(url_to, REGISTER_URI, directory_urls=directory_urls)
    html = make_environment(templates_dir or TEMPLATES_DIR).get_template("register.html").render(
        region=region,
        site_name=site_name,
        form=web_form(region, site_name=site_name),
        data_url=link(f"usaha/{PREFILL_SLUG}/{PREFILL_NAME}"),
        page_url=link(business_uri(PREFILL_SLUG)),
        new_url=links.issue_form_url(repo_url, links.NEW, title="Daftar usaha: "),
        contributing_url=f"{repo_url.rstrip('/')}/blob/HEAD/CONTRIBUTING.md" if repo_url.startswith("https://") else "",
        crumbs=[Crumb("Beranda", link("index.md"))],
    )
    description = f"Daftarkan usaha mikro dan kecil ke katalog UMKM {region.nama}, gratis: isi formulir di ponsel lalu kirim lewat WhatsApp, tanpa akun."
    return GeneratedPage(src_uri=REGISTER_URI, title="Daftarkan Usaha", description=description, html=html, template=FORM_PAGE_TEMPLATE)


def paginate(count: int, page_size: int) -> int:
    """How many pages a listing of `count` businesses needs (an empty listing still has one)."""
    return max(1, -(-count // page_size))


def page_window(number: int, count: int, *, radius: int = 2) -> list[int | None]:
    """Page numbers to link: first, last and those near the current one; None marks a gap."""
    if count <= 2 * radius + 5:
        return list(range(1, count + 1))
    shown = {1, count, *range(max(1, number - radius), min(count, number + radius) + 1)}
    window: list[int | None] = []
    for n in sorted(shown):
        if window and n - (window[-1] or 0) == 2:
            window.append(n - 1)  # a gap of one page is shown as that page
        elif window and n - (window[-1] or 0) > 2:
            window.append(None)
        window.append(n)
    return window


# --- pages -----------------------------------------------------------------------------------


def _render_home(site: Site, businesses: Sequence[Business], listings: dict[str, list[_Listing]]) -> GeneratedPage:
    src = "index.md"
    link = _linker(site, src)
    pictures = _Pictures(site, link)  # in page order: the first product photo is the one loaded eagerly
    by_recency = sorted(businesses, key=_recent_key)
    # Products first, as a buyer's first screen on a phone shows them: one product a business,
    # with a photo where there is one, the most recently updated businesses first; then products
    # of businesses with a valid certificate that the first section did not show.
    newest = _home_products(by_recency, HOME_PRODUCTS)
    certified = _home_products(
        [b for b in by_recency if b.valid_cert_kinds], HOME_PRODUCTS, skip={(b.slug, p.anchor) for b, p in newest}
    )
    html = site.env.get_template("home.html").render(
        newest=[_product_card(b, p, link, pictures) for b, p in newest],
        certified=[_product_card(b, p, link, pictures) for b, p in certified],
        site_name=site.site_name,
        region=site.region,
        business_count=len(businesses),
        product_count=sum(len(b.products) for b in businesses),
        certified_count=sum(1 for b in businesses if b.valid_cert_kinds),
        ready_count=sum(1 for b in businesses if b.siap_pengadaan),
        browse={
            section: [BrowseLink(x.heading, link(listing_uri(x.base, 1)), len(x.businesses)) for x in items]
            for section, items in listings.items()
        },
        certified_url=link("sertifikasi/index.md"),
        today=site.today,
    )
    return GeneratedPage(
        src_uri=src,
        title=site.site_name,
        description=(
            f"Katalog usaha mikro dan kecil (UMKM) {site.region.nama}: produk, harga, sertifikasi dan kontak langsung pelaku usaha."
        ),
        html=html,
    )


def _home_products(
    businesses: Sequence[Business], count: int, *, skip: set[tuple[str, str]] | None = None
) -> list[tuple[Business, ProductView]]:
    """Up to `count` products, one a business in the given order; those with a photo first."""
    chosen: list[tuple[Business, ProductView]] = []
    for needs_photo in (True, False):
        for b in businesses:
            if len(chosen) >= count:
                return chosen
            if any(owner is b for owner, _ in chosen):
                continue
            product = next((p for p in b.products if (p.foto or not needs_photo) and (b.slug, p.anchor) not in (skip or set())), None)
            if product is not None:
                chosen.append((b, product))
    return chosen


def _product_card(business: Business, product: ProductView, link: Callable[[str], str], pictures: _Pictures) -> ProductCard:
    entry = business.entry
    return ProductCard(
        url=link(f"{business_uri(entry.slug)}#{product.anchor}"),
        nama=product.nama,
        harga=product.harga,
        satuan=product.satuan,
        business=entry.nama,
        kecamatan=business.kecamatan.nama,
        certificates=_one_per_kind(business.valid_certificates),
        picture=pictures.make(entry, product.foto[0], alt=product.nama, sizes=PRODUCT_CARD_SIZES, thumb=True) if product.foto else None,
    )


def _render_business(site: Site, business: Business) -> GeneratedPage:
    entry = business.entry
    src = business_uri(entry.slug)
    link = _linker(site, src)
    pictures = _Pictures(site, link)
    # Built in document order, so the first photo on the page is the one loaded eagerly.
    cover = pictures.make(entry, entry.foto[0], alt=entry.nama, sizes=COVER_SIZES, phone_thumb=True) if entry.foto else None
    products = [
        ProductBlock(
            product=p,
            picture=pictures.make(entry, p.foto[0], alt=p.nama, sizes=PRODUCT_SIZES, thumb=True) if p.foto else None,
            extra_photos=pictures.make_all(entry, p.foto[1:], alt=p.nama, sizes=GALLERY_SIZES, thumb=True),
            whatsapp_url=product_whatsapp_url(business, p, site.site_name),
        )
        for p in business.products
    ]
    # The gallery holds every business photo (the cover too, to open it large) once there are two.
    gallery = pictures.make_all(entry, entry.foto if len(entry.foto) > 1 else (), alt=entry.nama, sizes=GALLERY_SIZES, thumb=True)
    html = site.env.get_template("business.html").render(
        b=business,
        entry=entry,
        region=site.region,
        cover=cover,
        gallery=gallery,
        products=products,
        story=Markup(render_story(entry.cerita)),
        sector_url=link(listing_uri(f"sektor/{business.sector.key}", 1)),
        kecamatan_url=link(listing_uri(f"kecamatan/{business.kecamatan.slug}", 1)),
        badge_certificates=_one_per_kind(business.valid_certificates),
        print_links=_print_links(site, entry.slug, link),
        # The phone form, prefilled with this business's public fields (usaha/<slug>/formulir.json)
        # and the page-only ones this page shows (marked `data-formulir` in the templates).
        update_url=f"{link(REGISTER_URI)}?perbarui={entry.slug}",
        report_url=f"{link(REGISTER_URI)}?laporkan={entry.slug}",
        crumbs=[
            Crumb("Beranda", link("index.md")),
            Crumb(business.sector.label, link(listing_uri(f"sektor/{business.sector.key}", 1))),
        ],
        # Only a page with certificates shows the build date; the others stay valid across dates
        # (the entry cache relies on it: pipeline.business_parts), so any other use of it fails.
        today=site.today,
    )
    cover_photo = site.photo(entry, entry.foto[0]) if entry.foto else None
    return GeneratedPage(
        src_uri=src,
        title=entry.nama,
        description=entry.ringkasan,
        html=html,
        template=BUSINESS_TEMPLATE,
        image=cover_photo.jpeg.uri if cover_photo else "",
        updated=entry.diperbarui,
    )


@dataclass(frozen=True)
class PrintLinks:
    """The business page's QR code and its print documents (printing.py)."""

    qr: str
    qr_download: str  # the file name a download gets
    sticker: str
    flyer: str


def _print_links(site: Site, slug: str, link: Callable[[str], str]) -> PrintLinks | None:
    # Without a site URL there is no address for a QR code to hold, so no QR and no print links.
    if not site.site_url:
        return None
    sticker, flyer = (posixpath.dirname(uri) + "/" for uri in (sticker_uri(slug), flyer_uri(slug)))
    return PrintLinks(link(qr_uri(slug)), f"qr-{slug}.svg", link(sticker), link(flyer))


def _render_listing(
    site: Site, listing: _Listing, rendered: Mapping[str, RenderedBusiness], siblings: Sequence[_Listing] = ()
) -> list[GeneratedPage]:
    count = paginate(len(listing.businesses), site.page_size)
    # An empty listing leads onward rather than ending the buyer's way: its neighbours first (a
    # kecamatan's `tetangga`), then the others that have businesses, most first.
    onward = _onward(listing, siblings) if not listing.businesses else []
    pages = []
    for number in range(1, count + 1):
        src = listing_uri(listing.base, number)
        link = _linker(site, src)
        chunk = listing.businesses[(number - 1) * site.page_size : number * site.page_size]
        pagination = _pagination(listing.base, number, count, link)
        suffix = f" (halaman {number} dari {count})" if count > 1 else ""
        html = site.env.get_template("listing.html").render(
            listing=listing,
            suffix=suffix,
            cards=_listing_cards(site, src, chunk, rendered),
            total=len(listing.businesses),
            pagination=pagination,
            crumbs=[Crumb("Beranda", link("index.md")), Crumb(listing.section_label, link(f"{listing.section}/index.md"))],
            onward=[
                BrowseLink(x.heading, link(listing_uri(x.base, 1)), len(x.businesses), "berbatasan" if x.base in listing.neighbours else "")
                for x in onward
            ],
            search_url=link("cari/index.md"),
            register_url=link(REGISTER_URI),
        )
        pages.append(GeneratedPage(src_uri=src, title=f"{listing.title}{suffix}", description=listing.lead, html=html))
    return pages


def _onward(listing: _Listing, siblings: Sequence[_Listing], limit: int = 8) -> list[_Listing]:
    others = [x for x in siblings if x.base != listing.base and x.businesses]
    near = [x for x in others if x.base in listing.neighbours]
    rest = sorted((x for x in others if x.base not in listing.neighbours), key=lambda x: (-len(x.businesses), x.heading.casefold()))
    return (near + rest)[: max(limit, len(near))]


def _listing_cards(site: Site, src: str, chunk: Sequence[Business], rendered: Mapping[str, RenderedBusiness]) -> list[Markup]:
    """The cards of one listing page: rendered ones with their links moved under this page,
    except the first card with a photo, whose photo is loaded eagerly (rendered here)."""
    here = posixpath.dirname(page_url(src, directory_urls=site.directory_urls)) or "."
    root = "" if here == "." else posixpath.relpath(".", here) + "/"
    link = _linker(site, src)
    pictures = _Pictures(site, link)
    cards = []
    for business in chunk:
        if pictures.eager and _card_picture(business.entry, business, _Pictures(site, link, eager=False)):
            cards.append(_card_html(site, _card(business, link, pictures)))
        else:
            cards.append(Markup(rendered[business.slug].card.replace(ROOT_MARK, root)))
    return cards


def _render_card(site: Site, business: Business) -> str:
    def link(target: str) -> str:
        return ROOT_MARK + url_to("index.md", target, directory_urls=site.directory_urls)

    return str(_card_html(site, _card(business, link, _Pictures(site, link, eager=False))))


def _card_html(site: Site, card: CardView) -> Markup:
    html: Markup = site.env.get_template("card.html").module.card(card)  # type: ignore[attr-defined]
    return html


def _render_index(site: Site, section: str, listings: Sequence[_Listing]) -> GeneratedPage:
    src = f"{section}/index.md"
    link = _linker(site, src)
    title, lead = _SECTION_INDEX[section]
    items = [
        BrowseLink(
            label=x.heading,
            url=link(listing_uri(x.base, 1)),
            count=len(x.businesses),
            note=f"Diterbitkan oleh {x.kind.issuer}" if x.kind and x.kind.issuer else "",
            verify_url=x.kind.verify_url if x.kind else "",
        )
        for x in listings
    ]
    html = site.env.get_template("browse.html").render(
        title=title,
        lead=lead.format(region=site.region.nama),
        section=section,
        items=items,
        crumbs=[Crumb("Beranda", link("index.md"))],
    )
    return GeneratedPage(src_uri=src, title=title, description=lead.format(region=site.region.nama), html=html)


_SECTION_INDEX = {
    "sektor": ("Sektor usaha", "Usaha mikro dan kecil di {region} menurut sektor usaha."),
    "kecamatan": ("Kecamatan", "Usaha mikro dan kecil di setiap kecamatan {region}."),
    "sertifikasi": (
        "Sertifikasi",
        "Usaha di {region} menurut jenis sertifikat yang masih berlaku.",
    ),
}


# --- building blocks --------------------------------------------------------------------------


def _listings(region: Region, businesses: Sequence[Business]) -> dict[str, list[_Listing]]:
    """Every sector, kecamatan and certification kind of the region, with its businesses."""
    place = region.nama
    # One pass over the catalog, not one per listing (a region has dozens of listings).
    by_sector: dict[str, list[Business]] = {}
    by_kecamatan: dict[str, list[Business]] = {}
    by_kind: dict[str, list[Business]] = {}
    for b in businesses:
        by_sector.setdefault(b.sector.key, []).append(b)
        by_kecamatan.setdefault(b.kecamatan.slug, []).append(b)
        for kind in b.valid_cert_kinds:
            by_kind.setdefault(kind, []).append(b)
    sectors = [
        _Listing(
            base=f"sektor/{s.key}",
            section="sektor",
            section_label="Sektor usaha",
            title=f"Sektor {s.label}",
            heading=s.label,
            lead=f"Usaha sektor {s.label} di {place}.",
            businesses=tuple(by_sector.get(s.key, ())),
        )
        for s in region.sectors
    ]
    kecamatan = [
        _Listing(
            base=f"kecamatan/{k.slug}",
            section="kecamatan",
            section_label="Kecamatan",
            title=f"Kecamatan {k.nama}",
            heading=k.nama,
            lead=f"Usaha di Kecamatan {k.nama}, {place}.",
            businesses=tuple(by_kecamatan.get(k.slug, ())),
            neighbours=tuple(f"kecamatan/{slugify(name)}" for name in k.tetangga),
        )
        for k in sorted(region.kecamatan, key=lambda k: (k.nama.casefold(), k.slug))
    ]
    kinds = [
        _Listing(
            base=f"sertifikasi/{c.key}",
            section="sertifikasi",
            section_label="Sertifikasi",
            title=f"Sertifikasi {c.label}",
            heading=c.label,
            lead=f"Usaha di {place} dengan sertifikat {c.label} yang masih berlaku.",
            businesses=tuple(by_kind.get(c.key, ())),
            kind=c,
        )
        for c in region.cert_kinds
    ]
    return {"sektor": sectors, "kecamatan": kecamatan, "sertifikasi": kinds}


def _card(business: Business, link: Callable[[str], str], pictures: _Pictures) -> CardView:
    entry = business.entry
    return CardView(
        url=link(business_uri(entry.slug)),
        nama=entry.nama,
        ringkasan=entry.ringkasan,
        sector=business.sector.label,
        kecamatan=business.kecamatan.nama,
        certificates=_one_per_kind(business.valid_certificates),
        siap_pengadaan=business.siap_pengadaan,
        price_min=business.price_min,
        price_max=business.price_max,
        picture=_card_picture(entry, business, pictures),
        reachable=business.reachable,
    )


def _card_picture(entry: Entry, business: Business, pictures: _Pictures) -> PictureView | None:
    # The cover, or else the first product photo: a card with a photo is found faster.
    for rel in (*entry.foto[:1], *(p.foto[0] for p in business.products if p.foto)):
        picture = pictures.make(entry, rel, alt=entry.nama, sizes=CARD_SIZES, thumb=True)
        if picture:
            return picture
    return None


def _one_per_kind(certificates: Iterable[CertificateView]) -> tuple[CertificateView, ...]:
    seen: dict[str, CertificateView] = {}
    for cert in certificates:
        seen.setdefault(cert.jenis, cert)
    return tuple(seen.values())


def _pagination(base: str, number: int, count: int, link: Callable[[str], str]) -> Pagination:
    return Pagination(
        number=number,
        count=count,
        links=tuple(PageLink(n, link(listing_uri(base, n)), n == number) if n else None for n in page_window(number, count)),
        previous_url=link(listing_uri(base, number - 1)) if number > 1 else "",
        next_url=link(listing_uri(base, number + 1)) if number < count else "",
    )


def _linker(site: Site, src_uri: str) -> Callable[[str], str]:
    return functools.partial(url_to, src_uri, directory_urls=site.directory_urls)


class _Pictures:
    """Makes the pictures of one page; only the first one is loaded eagerly."""

    def __init__(self, site: Site, link: Callable[[str], str], *, eager: bool = True):
        self._site = site
        self._link = link
        self._eager = eager

    @property
    def eager(self) -> bool:
        """Whether the next picture made is loaded eagerly (no picture made yet)."""
        return self._eager

    def make(self, entry: Entry, rel: str, *, alt: str, sizes: str, thumb: bool = False, phone_thumb: bool = False) -> PictureView | None:
        photo = self._site.photo(entry, rel)
        if photo is None:
            return None  # the images stage reported why; a page without the photo beats no page
        webp = photo.thumb_webp if thumb else photo.webp
        if not webp or not photo.webp:
            return None
        fallback = _fallback(webp, 320 if thumb else 640)
        largest = webp[-1]
        lazy, self._eager = not self._eager, False
        return PictureView(
            src=self._link(fallback.uri),
            srcset=self._srcset(webp),
            sizes=sizes,
            width=largest.width,
            height=largest.height,
            alt=alt,
            lazy=lazy,
            placeholder=photo.placeholder if _COLOUR.fullmatch(photo.placeholder) else "",
            full_url=self._link(photo.jpeg.uri),
            full_webp=self._link(photo.webp[-1].uri),
            phone_srcset=self._srcset(photo.thumb_webp) if phone_thumb and photo.thumb_webp else "",
            phone_width=photo.thumb_webp[-1].width if phone_thumb and photo.thumb_webp else 0,
            phone_height=photo.thumb_webp[-1].height if phone_thumb and photo.thumb_webp else 0,
        )

    def make_all(self, entry: Entry, rels: Iterable[str], *, alt: str, sizes: str, thumb: bool = False) -> tuple[PictureView, ...]:
        made = (self.make(entry, rel, alt=alt, sizes=sizes, thumb=thumb) for rel in rels)
        return tuple(p for p in made if p)

    def _srcset(self, variants: Sequence[ImageVariant]) -> str:
        return ", ".join(f"{self._link(v.uri)} {v.width}w" for v in variants)


def _fallback(variants: Sequence[ImageVariant], width: int) -> ImageVariant:
    """The `src` for browsers without srcset: the smallest variant at least `width` wide."""
    return next((v for v in variants if v.width >= width), variants[-1])


def _name_key(business: Business) -> tuple[str, str]:
    return (business.entry.nama.casefold(), business.entry.slug)


def _recent_key(business: Business) -> tuple[int, str, str]:
    updated = business.entry.diperbarui
    return (-updated.toordinal() if updated else 0, business.entry.nama.casefold(), business.entry.slug)
