"""The stages in order: load → validate → enrich → images → pages. No engine knowledge here."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from generator import cache, images
from generator.cache import RecordStore
from generator.enrich import Business, enrich_catalog
from generator.export import DEFAULT_LICENSE, DEFAULT_LICENSE_URL, DataSettings, export_open_data, redact_catalog
from generator.load import entry_folders, load_entry
from generator.models import Catalog, Entry, Region
from generator.pages import GeneratedPage, render_pages, render_register_page
from generator.problems import Problem, errors_in
from generator.quality import DEFAULT_RULES, QualityRules, rule_problems
from generator.region import load_region
from generator.schema import json_schema
from generator.search import SearchRecord, render_search_page, search_records
from generator.seo import render_heads
from generator.stats import render_statistics_page
from generator.story import load_story_cache, save_story_cache
from generator.validate import validate_entry

SCHEMA_URI = "schema/entri.schema.json"


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
    search_records: list[SearchRecord] = field(default_factory=list)  # indexed after the pages are written (search.py)


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
    base = cache.fingerprint(cache.code_fingerprint(), settings.region_file.read_bytes(), settings.today)
    entries = []
    for folder in folders:
        key = cache.fingerprint(base, cache.folder_fingerprint(folder))
        entry, entry_problems = cache.validated_entry(store, folder, key, lambda f: _validate_folder(f, region, settings.today))
        problems += entry_problems
        entries += [entry] if entry else []
    if not only:
        store.keep_only(folder.name for folder in folders)
    catalog = Catalog(region, tuple(sorted(entries, key=lambda e: e.slug)))
    if photos:
        problems += images.check_photos(catalog.entries)
    return catalog, problems


def _validate_folder(folder: Path, region: Region, today: date) -> tuple[Entry | None, list[Problem]]:
    raw, problems = load_entry(folder)
    if raw is None:
        return None, problems
    entry, entry_problems = validate_entry(raw, region, today=today)
    return entry, problems + entry_problems


def enrich_businesses(settings: Settings, catalog: Catalog) -> list[Business]:
    """The enrich stage with the build's settings (date, expiry window, readiness rule)."""
    return enrich_catalog(
        catalog, today=settings.today, expiring_days=settings.expiring_days, catalog_name=settings.site_name, rules=settings.rules
    )


def build_content(settings: Settings, catalog: Catalog) -> tuple[SiteContent | None, list[Problem]]:
    """Process photos and render every page of a validated catalog."""
    catalog = redact_catalog(catalog)  # private fields never reach a page, an index or an export
    processed, problems = images.process_photos(catalog.entries, settings.cache_dir)
    if errors_in(problems):
        return None, problems
    businesses = enrich_businesses(settings, catalog)
    story_cache = settings.cache_dir / "cerita.json"
    load_story_cache(story_cache)
    templates = settings.templates_dir
    pages = render_pages(
        businesses,
        catalog.region,
        processed,
        today=settings.today,
        site_name=settings.site_name,
        repo_url=settings.repo_url,
        templates_dir=templates,
    )
    pages.append(render_register_page(catalog.region, site_name=settings.site_name, repo_url=settings.repo_url, templates_dir=templates))
    save_story_cache(story_cache, (entry.cerita for entry in catalog.entries))
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
    data = DataSettings(settings.site_url, settings.site_name, settings.today, settings.data_license, settings.data_license_url)
    data_page, data_texts = export_open_data(businesses, catalog.region, processed, data, templates_dir=templates)
    pages = sorted([*pages, data_page, render_search_page(businesses, catalog.region, templates_dir=templates)], key=lambda p: p.src_uri)
    heads = render_heads(
        pages, businesses, catalog.region, processed, site_url=settings.site_url, site_name=settings.site_name, templates_dir=templates
    )
    records = search_records(businesses, processed)
    return SiteContent(catalog, pages, files, [(SCHEMA_URI, schema_text), *data_texts], heads, records), problems
