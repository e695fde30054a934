"""Search: one record per business, its products as sections, and the static index built from them.

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
- `SearchRecord` knows no engine: `index_site` is the only code that speaks Pagefind, so a move
  to another engine (or another static site generator) replaces that function, not the records.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nh3

from generator.core.business import Business
from generator.core.models import Entry, ProcessedPhoto, Region
from generator.outputs.pages import TEMPLATES_DIR as PAGES_TEMPLATES_DIR
from generator.outputs.pages import GeneratedPage, find_photo, format_rupiah, format_tanggal, listing_uri, make_environment, url_to
from generator.outputs.story import render_story

SEARCH_URI = "cari/index.md"  # served at cari/
PAGE_TEMPLATE = "search_page.html"
BUNDLE_DIR = "pagefind"
LANGUAGE = "id"

# Sort values are compared as text: zero-padded so text order is numeric order, and a record
# without a price sorts after every priced one (Pagefind drops a record that lacks the sort key,
# which would make the result count change with the sort order). Each sort key adds a list of
# every record to the metadata downloaded before the first result, so there are two: cheapest
# first and newest first.
_PRICE_DIGITS = 12
_NO_PRICE = "9" * _PRICE_DIGITS
_NO_DATE = "0000-00-00"
_EXIT_TIMEOUT_S = 120  # for the service to finish writing and exit

# Pagefind's prebuilt UI bundles: we ship our own small script (theme/assets/cari.js).
_UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


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
class IndexedPage:
    """A record as Pagefind reads it: the page's URL and `record_html` (kept in the entry cache)."""

    url: str
    html: str

    @classmethod
    def of(cls, record: SearchRecord) -> IndexedPage:
        return cls(record.url, record_html(record))


@dataclass(frozen=True)
class IndexStats:
    records: int
    files: int
    bytes: int
    seconds: float


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


class SearchIndexError(Exception):
    """The search index could not be built (a broken or missing Pagefind binary)."""


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
        "sertifikat": " · ".join(cert_labels),
        "pengadaan": "ya" if business.siap_pengadaan else "",
        "diperbarui": format_tanggal(entry.diperbarui) if entry.diperbarui else "",
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


# --- the Pagefind index ----------------------------------------------------------------------


def index_site(
    site_dir: Path, records: Sequence[SearchRecord | IndexedPage], *, bundle_dir: str = BUNDLE_DIR, work_dir: Path | None = None
) -> IndexStats:
    """Write the Pagefind bundle for `records` into `site_dir/pagefind/`, byte-identical per input.

    `work_dir` keeps the record pages Pagefind reads between builds (the entry cache's folder), so a
    rebuild rewrites only the records that changed; without it they go to a temporary folder."""
    start = time.perf_counter()
    output = site_dir / bundle_dir
    indexed = [r if isinstance(r, IndexedPage) else IndexedPage.of(r) for r in records]
    marker = work_dir.with_name(work_dir.name + ".json") if work_dir else None
    digest = _records_digest(indexed)
    if marker is not None and records and _bundle_is_current(marker, output, digest):
        # A rebuild (umkm serve) whose records did not change keeps the bundle it already has.
        files = [p for p in output.rglob("*") if p.is_file()]
        return IndexStats(len(records), len(files), sum(p.stat().st_size for p in files), time.perf_counter() - start)
    if marker is not None:
        marker.unlink(missing_ok=True)
    if output.exists():
        shutil.rmtree(output)
    if not records:
        # A new catalog with no entry yet still builds; the search page says it cannot search.
        return IndexStats(records=0, files=0, bytes=0, seconds=time.perf_counter() - start)
    try:
        _write_index(indexed, output, work_dir)
    except (FileNotFoundError, PermissionError) as exc:
        raise SearchIndexError(f"Pagefind tidak ditemukan ({exc}); pasang dependensi proyek: pip install -e .") from exc
    except subprocess.TimeoutExpired as exc:
        raise SearchIndexError(f"Pagefind tidak selesai dalam {exc.timeout:.0f} detik") from exc
    for name in _UNUSED_BUNDLE_FILES:
        (output / name).unlink(missing_ok=True)
    try:
        _canonicalize_bundle(output)
    except (OSError, ValueError, LookupError) as exc:
        raise SearchIndexError(f"indeks pencarian Pagefind tidak lengkap ({exc})") from exc
    files = [p for p in output.rglob("*") if p.is_file()]
    if marker is not None:
        _remember_bundle(marker, output, digest, files)
    return IndexStats(
        records=len(records),
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        seconds=time.perf_counter() - start,
    )


def _records_digest(records: Sequence[IndexedPage]) -> str:
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r.url):
        digest.update(record.url.encode() + b"\0" + record.html.encode() + b"\0")
    return digest.hexdigest()


def _bundle_is_current(marker: Path, output: Path, digest: str) -> bool:
    """Whether `output` is still the bundle made from records with this digest (every file as written)."""
    try:
        known = json.loads(marker.read_text(encoding="utf-8"))
        if known.get("catatan") != digest or known.get("bundel") != str(output):
            return False
        files = known["berkas"]
        return (
            bool(files)
            and all((output / name).stat().st_size == size for name, size in files.items())
            and sum(1 for p in output.rglob("*") if p.is_file()) == len(files)
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False


def _remember_bundle(marker: Path, output: Path, digest: str, files: Sequence[Path]) -> None:
    sizes = {p.relative_to(output).as_posix(): p.stat().st_size for p in files}
    with contextlib.suppress(OSError):
        marker.write_text(json.dumps({"catatan": digest, "bundel": str(output), "berkas": sizes}), encoding="utf-8")


def record_html(record: SearchRecord) -> str:
    """The record as the small HTML document Pagefind indexes (every value escaped)."""
    e = html.escape
    parts = [
        f'<!doctype html><html lang="{LANGUAGE}"><head><title>{e(record.title)}</title></head>',
        "<body><main data-pagefind-body>",
        f"<h1>{e(record.title)}</h1>",
        f'<p data-pagefind-weight="2">{e(record.summary)}</p>',
        f"<p>{e(record.keywords)}</p>",
    ]
    if record.story:
        parts.append(f'<div data-pagefind-weight="0.5">{record.story}</div>')
    for section in record.sections:
        parts.append(f'<h2 id="{e(section.anchor)}">{e(section.title)}</h2>')
        if section.text:
            parts.append(f"<p>{e(section.text)}</p>")
    parts.append('<div data-pagefind-ignore="index">')
    parts += [f'<span data-pagefind-meta="{e(key)}">{e(value)}</span>' for key, value in record.meta]
    parts += [f'<span data-pagefind-filter="{e(key)}">{e(value)}</span>' for key, values in record.filters for value in values]
    parts += [f'<span data-pagefind-sort="{e(key)}">{e(value)}</span>' for key, value in record.sort]
    parts.append("</div></main></body></html>")
    return "".join(parts)


def _write_index(records: Sequence[IndexedPage], output: Path, work_dir: Path | None = None) -> None:
    """Run Pagefind's own command line over one small page per record.

    Not its Python service: that replies "files written" while the writes are still queued on
    background threads, and its process may end before they land (an empty
    `pagefind-entry.json`, seen under load). The command finishes its writes before it exits.
    Pagefind orders the records itself when it writes, so the bundle does not depend on the
    order of the files.
    """
    from pagefind.service import get_executable

    executable = get_executable()
    if executable is None:
        raise FileNotFoundError("pagefind")
    with tempfile.TemporaryDirectory(prefix="umkm-cari-") as tmp:
        pages = work_dir or Path(tmp) / "halaman"
        _sync_record_pages(records, pages)
        command = [str(executable), "--site", str(pages), "--output-path", str(output), "--force-language", LANGUAGE, "--silent"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=_EXIT_TIMEOUT_S * 10, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind gagal membangun indeks pencarian: {(result.stderr or result.stdout).strip()[-500:]}")


def _sync_record_pages(records: Sequence[IndexedPage], pages: Path) -> None:
    """Make `pages` hold exactly one page per record: unchanged files are left alone."""
    pages.mkdir(parents=True, exist_ok=True)
    wanted = {pages / record.url / "index.html": record.html.encode() for record in records}
    for path in pages.rglob("*"):
        if path.is_file() and path not in wanted:
            path.unlink()
    for path, data in wanted.items():
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# --- reproducible bundle -----------------------------------------------------------------------
# Pagefind (1.5) writes its filter index from a hash map, so the order of filter values, and with
# it the file names of the filter and metadata files, change from one run to the next (upstream
# issue 638). We sort what it left unsorted and rename those files by their content, so the same
# catalog builds the same site. Only these files are touched; their format is Pagefind's own.

_SIGNATURE = b"pagefind_dcd"


def _canonicalize_bundle(output: Path) -> None:
    import cbor2

    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = cbor2.loads(_unpack(meta_path.read_bytes()))
        renamed = []
        for name, old_hash in meta[3]:
            filter_path = output / "filter" / f"{old_hash}.pf_filter"
            data = cbor2.loads(_unpack(filter_path.read_bytes()))
            data[1] = sorted(data[1], key=lambda item: item[0])
            body = cbor2.dumps(data)
            new_hash = f"{language}_{hashlib.sha256(body).hexdigest()[:7]}"
            filter_path.unlink()
            (output / "filter" / f"{new_hash}.pf_filter").write_bytes(_pack(body))
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed)
        meta[4] = sorted(meta[4], key=lambda item: item[0])  # sort keys, each with its record order
        body = cbor2.dumps(meta)
        new_hash = f"{language}_{hashlib.sha256(body).hexdigest()[:10]}"
        meta_path.unlink()
        (output / f"pagefind.{new_hash}.pf_meta").write_bytes(_pack(body))
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(_SIGNATURE):
        raise SearchIndexError("berkas indeks Pagefind tidak dikenal (versi Pagefind berubah?)")
    return raw[len(_SIGNATURE) :]


def _pack(body: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + body, compresslevel=9, mtime=0)


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
