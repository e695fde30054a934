"""The stages in order: load → validate → enrich → images → pages. No engine knowledge here."""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from generator.builder import cache, images
from generator.builder.cache import RecordStore
from generator.builder.enrich import enrich_catalog, enrich_entry
from generator.builder.load import entry_folders, load_entry
from generator.builder.validate import duplicate_nib_problems, validate_folder
from generator.core.business import Business, RegionLookup
from generator.core.fingerprint import code_fingerprint, fingerprint, tree_fingerprint
from generator.core.integrity import published_catalog
from generator.core.models import Catalog, Entry, ProcessedPhoto
from generator.core.phoneform import PREFILL_NAME, prefill_json
from generator.core.privacy import redact_catalog
from generator.core.problems import WARNING, Problem, errors_in
from generator.core.quality import DEFAULT_RULES, STORY_PLACEHOLDER, QualityRules, attention_items, rule_problems
from generator.core.region import load_region
from generator.core.schema import json_schema
from generator.core.workers import map_items
from generator.outputs.export import DEFAULT_LICENSE, DEFAULT_LICENSE_URL, DataRow, DataSettings, data_row, export_open_data
from generator.outputs.generated import TEMPLATES_DIR, GeneratedPage, business_uri, make_environment
from generator.outputs.pagefind import IndexedPage
from generator.outputs.pages import RenderedBusiness, Site, make_site, render_business, render_pages, render_register_page
from generator.outputs.printing import PrintedBusiness, qr_inputs, render_print_outputs, render_printed
from generator.outputs.search import Spelling, record_order, render_search_page, search_record
from generator.outputs.seo import render_business_head, render_heads
from generator.outputs.stats import render_statistics_page
from generator.outputs.story import load_story_cache, remember_story, render_story, save_story_cache

SCHEMA_URI = "schema/entri.schema.json"
# What validating a folder runs: the key of a validated entry holds their code (core/fingerprint.py).
VALIDATION_CODE = ("generator.builder.validate", "generator.builder.cache")
STORY_CACHE = "stories.json"  # rendered stories, in the cache folder (outputs/story.py)
QR_DIR = "qr"  # every business's QR code file (outputs/printing.py), in the cache folder
# What makes a QR code file from its inputs (segno's version comes with printing.py's imports).
QR_CODE = ("generator.outputs.printing",)


@dataclass(frozen=True)
class Settings:
    """Where the catalog lives and the facts a build depends on."""

    catalog_dir: Path
    region_file: Path
    cache_dir: Path
    today: date
    expiring_days: int = 90
    site_name: str = "Katalog UMKM"
    rules: QualityRules = DEFAULT_RULES  # siap pengadaan rule and report thresholds (quality.py)
    config_file: Path = Path("mkdocs.yml")  # named in problems with the rule settings
    site_url: str = ""  # absolute URLs for link previews, JSON-LD and open data ("" if none)
    data_license: str = DEFAULT_LICENSE  # of the open data (export.py)
    data_license_url: str = DEFAULT_LICENSE_URL
    open_data_fields: tuple[str, ...] = ()  # page-only fields the Dinas opted into the open data (privacy.in_open_data)
    repo_url: str = ""  # mkdocs.yml `repo_url`: the GitHub repository whose issue forms the pages link to
    # The project's own page templates (`<custom_dir>/partials/catalog`), so an installed package
    # (`pip install .`, as the workflows do) renders with the project's theme, not its own path.
    templates_dir: Path | None = None


@dataclass(frozen=True)
class SiteContent:
    """Everything a build publishes besides the engine's own theme files."""

    catalog: Catalog
    pages: list[GeneratedPage]
    files: list[tuple[str, Path]]  # (site uri, file on disk): processed photos
    texts: list[tuple[str, str]]  # (site uri, content): the JSON Schema and other data files
    heads: dict[str, str] = field(default_factory=dict)  # src_uri -> <head> HTML (seo.py)
    search_records: list[IndexedPage] = field(default_factory=list)  # indexed after the pages are written (search.py)


def build_date(value: str | date | None = None) -> date:
    """The build date: given explicitly, or UMKM_TANGGAL, or SOURCE_DATE_EPOCH (UTC), or today."""
    if isinstance(value, date):
        return value
    value = value or os.environ.get("UMKM_TANGGAL") or ""
    if value:
        return date.fromisoformat(value)
    # The reproducible-builds convention (https://reproducible-builds.org/specs/source-date-epoch/),
    # which MkDocs honours as well: `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)` rebuilds a commit as it was.
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), UTC).date() if epoch else date.today()


@contextlib.contextmanager
def _without_collector_pauses() -> Iterator[None]:
    """Our stages make hundreds of thousands of small acyclic objects (entries, records, views);
    the cyclic garbage collector's repeated passes over them cost a quarter of a cached build at
    10,000 businesses. Reference counting still frees everything; the collector resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_without_collector_pauses()
def check_catalog(settings: Settings, *, only: list[Path] | None = None, photos: bool = True) -> tuple[Catalog | None, list[Problem]]:
    """Load and validate every entry (or only some folders), photos included; write nothing but the cache."""
    region, problems = load_region(settings.region_file)
    if region is None:
        return None, problems
    problems += rule_problems(settings.rules, region, settings.config_file)
    if only:
        folders = list(only)
    else:
        folders, folder_problems = entry_folders(settings.catalog_dir)
        problems += folder_problems
    # Unchanged folders are not parsed again: their entry and problems come from the entry cache.
    store = RecordStore(settings.cache_dir / cache.VALIDATION_DIR)
    # Validation reads only the year of the build date (`berdiri` may not lie in the future), so
    # a record made yesterday still serves today.
    base = fingerprint(code_fingerprint(*VALIDATION_CODE), settings.region_file.read_bytes(), settings.today.year)
    keys = {folder: fingerprint(base, cache.folder_fingerprint(folder)) for folder in folders}
    results = {folder: cache.cached_validation(store, folder, key) for folder, key in keys.items()}
    missing = [folder for folder, result in results.items() if result is None]
    for folder, result in zip(missing, map_items(lambda f: validate_folder(f, region, today=settings.today), missing), strict=True):
        cache.store_validation(store, folder, keys[folder], *result)
        results[folder] = result
    entries = []
    for found in results.values():
        assert found is not None
        entry, entry_problems = found
        problems += entry_problems
        entries += [entry] if entry else []
    if not only:
        store.keep_only(folder.name for folder in folders)
        problems += duplicate_nib_problems(entries)  # across entries: only the whole catalog can tell
    store.save()
    catalog = Catalog(region, tuple(sorted(entries, key=lambda e: e.slug)))
    if photos:
        problems += images.check_photos(catalog.entries)
    return catalog, problems


def enrich_businesses(settings: Settings, catalog: Catalog) -> list[Business]:
    """The enrich stage with the build's settings (date, expiry window, readiness rule)."""
    return enrich_catalog(
        catalog, today=settings.today, expiring_days=settings.expiring_days, catalog_name=settings.site_name, rules=settings.rules
    )


def attention_problems(businesses: list[Business]) -> list[Problem]:
    """Line-numbered warnings for what valid entries still need fixed (`quality.attention_items`).

    Not build warnings: a certificate that expires must not stop the Dinas' build, whose pages show it
    as expired; `umkm check` and the pull-request check show them to the owner."""
    problems = []
    for business in businesses:
        items = attention_items(business)
        if not items:
            continue
        raw, _ = load_entry(business.entry.folder)  # for the lines: only entries that need it
        for path, message in items:
            line = None
            if raw is not None and path == ("cerita",):
                offset = next((i for i, text in enumerate(raw.body.splitlines()) if STORY_PLACEHOLDER in text), 0)
                line = raw.body_line + offset
            elif raw is not None:
                line = raw.doc.line(path)  # the closest parent with a line: a P-IRT's year is in its number
            field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
            problems.append(Problem(business.entry.source, line, field, message, WARNING))
    return problems


# The page templates' fingerprint when their Jinja environment was made, per templates folder.
_templates_seen: dict[Path | None, str] = {}


@dataclass(frozen=True)
class BusinessParts:
    """Everything one business contributes to the site, made from it alone."""

    business: Business
    rendered: RenderedBusiness  # its page and its card
    head: str  # its page's link preview and JSON-LD (seo.py)
    search: IndexedPage  # its search record
    data: DataRow  # its part of the open data files
    printed: PrintedBusiness  # its QR code, sticker, flyer and printed-catalog block (printing.py)
    prefill: str  # what "Perbarui data" opens the phone form with (core/phoneform.py)


@_without_collector_pauses()
def build_content(settings: Settings, catalog: Catalog, *, complete: bool = True) -> tuple[SiteContent | None, list[Problem]]:
    """Process photos and render every page of a validated catalog.

    `complete` is False for a preview of some entries: the cache then keeps the other entries' photos."""
    # Hidden listings (`diturunkan`) and fields published nowhere never reach a page, an index or an export.
    catalog = redact_catalog(published_catalog(catalog))
    templates_key = tree_fingerprint(settings.templates_dir or TEMPLATES_DIR)
    if _templates_seen.get(settings.templates_dir) != templates_key:
        make_environment.cache_clear()  # templates are compiled once, again only after an edit (`umkm serve`)
        _templates_seen[settings.templates_dir] = templates_key
    processed, problems = images.process_photos(catalog.entries, settings.cache_dir, prune=complete)
    if errors_in(problems):
        return None, problems
    templates = settings.templates_dir
    data = DataSettings(
        settings.site_url, settings.site_name, settings.today, settings.data_license, settings.data_license_url, settings.open_data_fields
    )
    parts = business_parts(settings, catalog, processed, data, complete=complete)
    businesses = [p.business for p in parts]
    pages = render_pages(
        businesses,
        catalog.region,
        processed,
        today=settings.today,
        site_name=settings.site_name,
        repo_url=settings.repo_url,
        templates_dir=templates,
        rendered={p.business.slug: p.rendered for p in parts},
    )
    pages.append(render_register_page(catalog.region, site_name=settings.site_name, repo_url=settings.repo_url, templates_dir=templates))
    statistik = render_statistics_page(
        businesses,
        catalog.region,
        rule=settings.rules.readiness,
        today=settings.today,
        site_name=settings.site_name,
        templates_dir=templates,
    )
    pages = sorted([*pages, statistik], key=lambda p: p.src_uri)
    files = sorted({uri: path for photo in processed.values() for uri, path in photo.cache_files}.items())
    schema_text = json.dumps(json_schema(catalog.region), ensure_ascii=False, indent=2) + "\n"
    data_page, data_texts = export_open_data(
        businesses, catalog.region, processed, data, templates_dir=templates, known={p.business.slug: p.data for p in parts}
    )
    pages = sorted([*pages, data_page, render_search_page(businesses, catalog.region, templates_dir=templates)], key=lambda p: p.src_uri)
    heads = render_heads(
        pages,
        businesses,
        catalog.region,
        processed,
        site_url=settings.site_url,
        site_name=settings.site_name,
        templates_dir=templates,
        known={p.rendered.page.src_uri: p.head for p in parts},
    )
    records = [p.search for p in sorted(parts, key=lambda p: record_order(p.business))]
    print_site = make_site(
        catalog.region, processed, today=settings.today, site_name=settings.site_name, templates_dir=templates, site_url=settings.site_url
    )
    print_page, print_texts = render_print_outputs(print_site, businesses, {p.business.slug: p.printed for p in parts})
    pages = sorted([*pages, print_page], key=lambda p: p.src_uri)
    # "Perbarui data" opens the phone form with what the business page publishes (from the redacted catalog).
    prefill = [(business_uri(p.business.slug).removesuffix(".md") + f"/{PREFILL_NAME}", p.prefill) for p in parts]
    texts = [(SCHEMA_URI, schema_text), *data_texts, *print_texts, *prefill]
    return SiteContent(catalog, pages, files, texts, heads, records), problems


@dataclass(frozen=True)
class PrintContent:
    """What the print documents are made of (`umkm cetak`, generator/outputs/pdf.py)."""

    site: Site
    businesses: list[Business]
    printed: dict[str, PrintedBusiness]  # slug -> its QR code, sticker, flyer and catalog block
    files: list[tuple[str, Path]]  # (site uri, file on disk): processed photos


@_without_collector_pauses()
def print_content(settings: Settings, catalog: Catalog) -> tuple[PrintContent | None, list[Problem]]:
    """The print stage's inputs for a validated catalog: photos processed, businesses enriched and
    rendered, without rendering the rest of the site.
    Listings taken down (`diturunkan`) are not printed, as they are not published."""
    catalog = redact_catalog(published_catalog(catalog))
    processed, problems = images.process_photos(catalog.entries, settings.cache_dir)
    if errors_in(problems):
        return None, problems
    data = DataSettings(settings.site_url, settings.site_name, settings.today, settings.data_license, settings.data_license_url)
    parts = business_parts(settings, catalog, processed, data)
    site = make_site(
        catalog.region, processed, today=settings.today, site_name=settings.site_name, templates_dir=settings.templates_dir, site_url=settings.site_url
    )
    files = sorted({uri: path for photo in processed.values() for uri, path in photo.cache_files}.items())
    return PrintContent(site, [p.business for p in parts], {p.business.slug: p.printed for p in parts}, files), problems


def business_parts(
    settings: Settings,
    catalog: Catalog,
    photos: dict[Path, ProcessedPhoto],
    data: DataSettings,
    *,
    complete: bool = True,
) -> list[BusinessParts]:
    """Enrich and render every business, in slug order, spread over the cores when there are many.

    No rendered page is kept between builds: rendering a business costs a fraction of what MkDocs
    then spends on its page (README, Skala), and a rendered page depends on more (templates,
    settings, photos, the build date) than a key can safely name. Kept are only the two slowest
    parts, each a function of a few values: its story's Markdown (`stories.json`, keyed by the story
    and the code that renders it) and its QR code file (`qr/`, keyed by `printing.qr_inputs` and
    the code that draws it). `complete` is False when `catalog` is a part of the catalog (a preview):
    the other businesses' QR files are then kept."""
    region = catalog.region
    site = make_site(
        region,
        photos,
        today=settings.today,
        site_name=settings.site_name,
        repo_url=settings.repo_url,
        templates_dir=settings.templates_dir,
        site_url=settings.site_url,
    )
    lookup = RegionLookup.of(region)
    spelling = Spelling.of(region)
    entries = sorted(catalog.entries, key=lambda e: e.slug)
    story_cache = settings.cache_dir / STORY_CACHE
    load_story_cache(story_cache)
    qr_store = RecordStore(settings.cache_dir / QR_DIR)
    qr_code = code_fingerprint(*QR_CODE)
    # A business's slug and name are its entry's (`Business.slug`, `.nama`): the key is known before enrich.
    qr_keys = {e.slug: fingerprint(qr_code, *inputs) for e in entries if (inputs := qr_inputs(site, e.slug, e.nama))[0]}
    kept_qr = {slug: _qr_file(found) for slug, found in qr_store.get_many(qr_keys).items()}

    def make(entry: Entry) -> tuple[BusinessParts, str]:
        business = enrich_entry(
            entry,
            lookup,
            today=settings.today,
            expiring_days=settings.expiring_days,
            catalog_name=settings.site_name or f"Katalog UMKM {region.nama}",
            rules=settings.rules,
        )
        rendered = render_business(site, business)
        head = render_business_head(
            rendered.page, business, region, photos, site_url=settings.site_url, site_name=settings.site_name, templates_dir=settings.templates_dir
        )
        made = BusinessParts(
            business,
            rendered,
            head,
            IndexedPage.of(search_record(business, photos, spelling)),
            data_row(business, region, photos, data),
            render_printed(site, business, qr_file=kept_qr.get(entry.slug)),
            prefill_json(entry),
        )
        return made, render_story(entry.cerita)

    parts = []
    for entry, (made, story_html) in zip(entries, map_items(make, entries), strict=True):
        remember_story(entry.cerita, story_html)  # rendered in a worker: kept for the next build
        parts.append(made)
        if entry.slug in qr_keys and kept_qr.get(entry.slug) is None:
            qr_store.put(entry.slug, qr_keys[entry.slug], None, [made.printed.qr_svg])
    save_story_cache(story_cache, (entry.cerita for entry in catalog.entries))
    if complete:
        qr_store.keep_only(qr_keys)
    qr_store.save()
    return parts


def _qr_file(found: tuple[object, list[str]] | None) -> str | None:
    """A kept QR code file; None when there is none or the record is not one file of SVG."""
    if found is None or len(found[1]) != 1 or not found[1][0].startswith("<svg "):
        return None
    return found[1][0]
