"""Search: one record per business, its products as sections, and the "Cari Produk" page.

Why records built from the enriched catalog, not the built HTML pages:
- A product must be findable on its own and link to `usaha/<slug>/#produk-<n>`. Each record
  holds the business's products as headings with those anchors, so Pagefind returns the
  matching product as a sub-result of its business ("keripik balado" finds that product first,
  with its business around it).
- One record per business, not one per product: Pagefind downloads a metadata file listing
  every record before the first result, so 10,000 businesses cost a quarter of 40,000 records
  (see the README's search figures). Filter counts are then businesses, as on the browse pages.
- Filter values (valid certificates only, procurement readiness, price bands) come from
  `core.business.Business`, computed once, not scraped back out of rendered pages.
- `SearchRecord` knows no engine: `outputs/pagefind.py` is the only code that speaks Pagefind, so a
  move to another engine (or another static site generator) replaces that module, not the records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nh3

from generator.core.business import Business
from generator.core.formatting import format_rupiah, format_tanggal
from generator.core.models import Entry, ProcessedPhoto, Region
from generator.outputs.generated import TEMPLATES_DIR as PAGES_TEMPLATES_DIR
from generator.outputs.generated import GeneratedPage, find_photo, listing_uri, make_environment, url_to
from generator.outputs.story import render_story

SEARCH_URI = "cari/index.md"  # served at cari/
PAGE_TEMPLATE = "search_page.html"

# Sort values are compared as text: zero-padded so text order is numeric order, and a record
# without a price sorts after every priced one (so the result count never changes with the
# order). Each sort key becomes a file of one rank per record that the search page fetches only
# when the buyer sorts by it (outputs/pagefind.py, `write_record_files`): cheapest first and
# newest first.
_PRICE_DIGITS = 12
_NO_PRICE = "9" * _PRICE_DIGITS
_NO_DATE = "0000-00-00"


@dataclass(frozen=True)
class PriceBand:
    key: str  # the filter value and URL parameter value, e.g. "25000-100000"
    label: str
    low: int  # inclusive
    high: int | None  # exclusive; None: no upper bound

    def holds(self, price: int) -> bool:
        return price >= self.low and (self.high is None or price < self.high)


PRICE_BANDS = (
    PriceBand("0-25000", f"Di bawah {format_rupiah(25_000)}", 0, 25_000),
    PriceBand("25000-100000", f"{format_rupiah(25_000)}–{format_rupiah(100_000)}", 25_000, 100_000),
    PriceBand("100000-500000", f"{format_rupiah(100_000)}–{format_rupiah(500_000)}", 100_000, 500_000),
    PriceBand("500000-", f"{format_rupiah(500_000)} ke atas", 500_000, None),
)


@dataclass(frozen=True)
class FilterOption:
    value: str  # as in the index and the URL, e.g. "kuliner", "Setu", "halal"
    label: str


@dataclass(frozen=True)
class FilterGroup:
    """One facet of the search page; `key` is both the index's filter name and the URL parameter."""

    key: str
    label: str
    options: tuple[FilterOption, ...]


@dataclass(frozen=True)
class SearchSection:
    """A product inside a business record, found on its own and linked by its anchor."""

    anchor: str  # "produk-1"
    title: str
    text: str
    price: str  # formatted, e.g. "Rp18.000 / bungkus"; "" without a price
    image: str  # site-relative URI of a small thumbnail; "" without a photo


@dataclass(frozen=True)
class SearchRecord:
    """Everything a search engine needs to know about one business."""

    url: str  # site-relative page URL, e.g. "usaha/telaga-batik/"
    title: str
    summary: str
    keywords: str  # sector, kecamatan, desa, certificates, platforms: found, but weighed low
    story: str  # plain text, HTML-escaped
    sections: tuple[SearchSection, ...]
    meta: tuple[tuple[str, str], ...]  # shown on a result card
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    sort: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Spelling:
    """Words search treats as one (the region's `ejaan`): a variant or common typo is read as its
    standard form, both in the indexed text and in the buyer's query, so "kripik" finds "Keripik
    Singkong" and "keripik" finds an entry written "Kripik". Pagefind has no synonyms; rewriting
    both sides costs the index nothing and the search page a small map (see the README)."""

    standard: Mapping[str, str] = field(default_factory=dict)  # variant -> standard form

    @classmethod
    def of(cls, region: Region) -> Spelling:
        return cls({variant: group[0] for group in region.spelling for variant in group[1:]})

    def holds_variant(self, *texts: str) -> bool:
        """Whether any of `texts` holds a variant word (one pass over their words)."""
        return bool(self.standard) and not self.standard.keys().isdisjoint(_WORDS.findall(" ".join(texts).lower()))

    def normalise(self, text: str) -> str:
        """`text` with every variant word replaced by its standard form, keeping its capitals."""

        def standard_word(match: re.Match[str]) -> str:
            word = match.group()
            standard = self.standard.get(word.lower())
            # Never the name of an HTML entity (`&amp;`) in escaped text.
            if standard is None or text[match.start() - 1 : match.start()] == "&":
                return word
            return _same_case(word, standard)

        return _WORDS.sub(standard_word, text)

    def client_json(self) -> str:
        """The variant -> standard map as compact JSON, for the search page's script."""
        return json.dumps(dict(sorted(self.standard.items())), ensure_ascii=False, separators=(",", ":"))


NO_SPELLING = Spelling()


_WORDS = re.compile(r"[^\W\d_]+")  # runs of letters: the words of a text


def _as_written(text: str) -> str:
    return text


def _same_case(word: str, standard: str) -> str:
    if len(word) > 1 and word.isupper():
        return standard.upper()
    return standard[:1].upper() + standard[1:] if word[:1].isupper() else standard


# --- records ---------------------------------------------------------------------------------


def search_records(
    businesses: Sequence[Business], photos: dict[Path, ProcessedPhoto], spelling: Spelling = NO_SPELLING
) -> list[SearchRecord]:
    """One record per business, in name order (the order of a filter-only browse)."""
    return [search_record(b, photos, spelling) for b in sorted(businesses, key=record_order)]


def record_order(business: Business) -> tuple[str, str]:
    return (business.entry.nama.casefold(), business.slug)


def search_record(business: Business, photos: dict[Path, ProcessedPhoto], spelling: Spelling = NO_SPELLING) -> SearchRecord:
    """The record of one business: indexed text in standard spelling, shown values (meta) as written."""
    entry = business.entry
    story = _plain_text(render_story(entry.cerita))
    texts = (
        entry.nama,
        entry.ringkasan,
        entry.desa,
        story,
        business.sector.label,
        *(s.label for s in business.shops),
        *(f"{p.nama} {p.deskripsi}" for p in business.products),
    )
    # Most businesses hold no variant spelling: their texts are indexed as they are.
    norm = spelling.normalise if spelling.holds_variant(*texts) else _as_written
    sections = tuple(
        SearchSection(
            anchor=p.anchor,
            title=norm(p.nama),
            text=norm(p.deskripsi),
            price=_price_text(p.harga, p.satuan),
            image=_thumbnail(photos, entry, p.foto[:1]),
        )
        for p in business.products
    )
    cert_labels = sorted({c.label for c in business.valid_certificates})
    # One badge a kind, with its term: "P-IRT s.d. 2027" reads apart from "Halal tanpa batas waktu".
    cert_badges = sorted({c.jenis: f"{c.label} {c.validity_note}".strip() for c in reversed(business.valid_certificates)}.values())
    shops = sorted({s.platform: s.label for s in business.shops}.items())
    cover = _thumbnail(photos, entry, entry.foto[:1]) or next((s.image for s in sections if s.image), "")
    bands = sorted({band.key for p in business.priced_products for band in PRICE_BANDS if band.holds(p.harga or 0)})
    meta = {
        "title": entry.nama,
        "image": cover,
        "ringkasan": entry.ringkasan,
        "sektor": business.sector.label,
        "kecamatan": business.kecamatan.nama,
        "harga": _price_range(business.price_min, business.price_max),
        "sertifikat": " · ".join(cert_badges),
        "pengadaan": "ya" if business.siap_pengadaan else "",
        "diperbarui": format_tanggal(entry.diperbarui) if entry.diperbarui else "",
        "kontak": "" if business.reachable else "Belum ada kontak",
        "verifikasi": format_tanggal(entry.diverifikasi) if entry.diverifikasi else "",
        # Per product: a result shows every product that matched, with its name, price and photo,
        # and orders by the price it shows (theme/assets/cari.js).
        "produk": json.dumps(
            {s.anchor: [p.nama, s.price, p.harga, s.image] for p, s in zip(business.products, sections, strict=True)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if sections
        else "",
    }
    filters = {
        "sektor": (business.sector.key,),
        "kecamatan": (business.kecamatan.nama,),
        "sertifikasi": tuple(sorted(business.valid_cert_kinds)),
        "platform": tuple(key for key, _ in shops),
        "pengadaan": ("ya",) if business.siap_pengadaan else (),
        "verifikasi": ("ya",) if entry.diverifikasi else (),
        "harga": tuple(bands),
    }
    sort = {
        "harga": _padded(business.price_min) if business.price_min is not None else _NO_PRICE,
        "diperbarui": entry.diperbarui.isoformat() if entry.diperbarui else _NO_DATE,
    }
    keywords = [
        business.sector.label,
        f"Kecamatan {business.kecamatan.nama}",
        entry.desa,
        *(f"sertifikat {label}" for label in cert_labels),
        *(label for _, label in shops),
        "siap pengadaan" if business.siap_pengadaan else "",
    ]
    return SearchRecord(
        url=f"usaha/{entry.slug}/",
        title=norm(entry.nama),
        summary=norm(entry.ringkasan),
        keywords=norm(" · ".join(k for k in keywords if k)),
        story=norm(story),
        sections=sections,
        meta=tuple((k, v) for k, v in meta.items() if v),
        filters=tuple((k, v) for k, v in filters.items() if v),
        sort=tuple(sort.items()),
    )


def filter_groups(region: Region, businesses: Sequence[Business]) -> tuple[FilterGroup, ...]:
    """The facets of the search page, in the region's order, with only values some business has."""
    sectors = {b.sector.key for b in businesses}
    kecamatan = {b.kecamatan.nama for b in businesses}
    kinds = {k for b in businesses for k in b.valid_cert_kinds}
    platforms = {s.platform for b in businesses for s in b.shops}
    bands = {band.key for b in businesses for p in b.priced_products for band in PRICE_BANDS if band.holds(p.harga or 0)}
    groups = (
        FilterGroup("sektor", "Sektor", tuple(FilterOption(s.key, s.label) for s in region.sectors if s.key in sectors)),
        FilterGroup(
            "kecamatan",
            "Kecamatan",
            tuple(FilterOption(k.nama, k.nama) for k in sorted(region.kecamatan, key=lambda k: k.nama.casefold()) if k.nama in kecamatan),
        ),
        FilterGroup("sertifikasi", "Sertifikat berlaku", tuple(FilterOption(c.key, c.label) for c in region.cert_kinds if c.key in kinds)),
        FilterGroup("platform", "Toko daring", tuple(FilterOption(p.key, p.label) for p in region.platforms if p.key in platforms)),
        FilterGroup("pengadaan", "Pengadaan", (FilterOption("ya", "Siap pengadaan"),) if any(b.siap_pengadaan for b in businesses) else ()),
        FilterGroup("verifikasi", "Verifikasi Dinas", (FilterOption("ya", "Terverifikasi"),) if any(b.entry.diverifikasi for b in businesses) else ()),
        FilterGroup("harga", "Harga produk", tuple(FilterOption(b.key, b.label) for b in PRICE_BANDS if b.key in bands)),
    )
    return tuple(g for g in groups if g.options)


def render_search_page(
    businesses: Sequence[Business],
    region: Region,
    *,
    templates_dir: Path | None = None,
) -> GeneratedPage:
    """The "Cari Produk" page: a form the script brings to life, and browse links without it."""
    src = SEARCH_URI

    def link(target: str) -> str:
        return url_to(src, target)

    env = make_environment(templates_dir or PAGES_TEMPLATES_DIR)
    html_text = env.get_template("search.html").render(
        root=link("index.md"),
        here=link(src),
        groups=filter_groups(region, businesses),
        sectors=[(s.label, link(listing_uri(f"sektor/{s.key}", 1))) for s in region.sectors],
        browse=[
            ("Sektor usaha", link("sektor/index.md")),
            ("Kecamatan", link("kecamatan/index.md")),
            ("Sertifikasi", link("sertifikasi/index.md")),
        ],
        business_count=len(businesses),
        spelling=Spelling.of(region).client_json(),
    )
    return GeneratedPage(
        src_uri=src,
        title="Cari Produk",
        description=f"Cari produk dan usaha UMKM {region.nama} menurut sektor, kecamatan, sertifikat, toko daring dan harga.",
        html=html_text,
        template=PAGE_TEMPLATE,
    )


# Pagefind (1.5) writes its filter index from a hash map, so the order of filter values, and with
# it the file names of the filter and metadata files, change from one run to the next (upstream
# issue 638). We sort what it left unsorted and rename those files by their content, so the same
# catalog builds the same site. Only these files are touched; their format is Pagefind's own.


# --- small helpers -----------------------------------------------------------------------------


def _price_text(price: int | None, unit: str) -> str:
    if price is None:
        return ""
    return f"{format_rupiah(price)} / {unit}" if unit else format_rupiah(price)


def _price_range(low: int | None, high: int | None) -> str:
    if low is None or high is None:
        return ""
    return format_rupiah(low) if low == high else f"{format_rupiah(low)} – {format_rupiah(high)}"


def _padded(number: int) -> str:
    return f"{max(0, number):0{_PRICE_DIGITS}d}"


def _plain_text(story_html: str) -> str:
    # nh3 with no allowed tag keeps the text, still HTML-escaped, ready to embed.
    return nh3.clean(story_html, tags=set()).strip() if story_html else ""


def _thumbnail(photos: dict[Path, ProcessedPhoto], entry: Entry, rels: Sequence[str]) -> str:
    for rel in rels:
        photo = find_photo(photos, entry, rel)
        variants = photo.thumb_webp if photo else ()
        if variants:
            return variants[0].uri
    return ""
