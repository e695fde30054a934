"""The stages in order: load → validate → enrich → images → pages. No engine knowledge here."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator import images
from generator.enrich import enrich_catalog
from generator.load import load_entries, load_entry
from generator.models import Catalog
from generator.pages import GeneratedPage, render_pages
from generator.problems import Problem, errors_in
from generator.region import load_region
from generator.schema import json_schema
from generator.validate import validate_entries

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


@dataclass(frozen=True)
class SiteContent:
    """Everything a build publishes besides the engine's own theme files."""

    catalog: Catalog
    pages: list[GeneratedPage]
    files: list[tuple[str, Path]]  # (site uri, file on disk): processed photos
    texts: list[tuple[str, str]]  # (site uri, content): the JSON Schema and other data files


def build_date(value: str | date | None = None) -> date:
    """The build date: given explicitly, or from UMKM_TANGGAL, or today. Tests inject it."""
    if isinstance(value, date):
        return value
    value = value or os.environ.get("UMKM_TANGGAL") or ""
    return date.fromisoformat(value) if value else date.today()


def check_catalog(settings: Settings, *, only: list[Path] | None = None, photos: bool = True) -> tuple[Catalog | None, list[Problem]]:
    """Load and validate every entry (or only some folders), photos included; write nothing."""
    region, problems = load_region(settings.region_file)
    if region is None:
        return None, problems
    if only:
        raw = []
        for folder in only:
            entry, entry_problems = load_entry(folder)
            problems += entry_problems
            raw += [entry] if entry else []
    else:
        raw, load_problems = load_entries(settings.catalog_dir)
        problems += load_problems
    catalog, validation_problems = validate_entries(raw, region, today=settings.today)
    problems += validation_problems
    if photos:
        problems += images.check_photos(catalog.entries)
    return catalog, problems


def build_content(settings: Settings, catalog: Catalog) -> tuple[SiteContent | None, list[Problem]]:
    """Process photos and render every page of a validated catalog."""
    processed, problems = images.process_photos(catalog.entries, settings.cache_dir)
    if errors_in(problems):
        return None, problems
    businesses = enrich_catalog(catalog, today=settings.today, expiring_days=settings.expiring_days, catalog_name=settings.site_name)
    pages = render_pages(businesses, catalog.region, processed, today=settings.today, site_name=settings.site_name)
    files = sorted({uri: path for photo in processed.values() for uri, path in photo.cache_files}.items())
    schema_text = json.dumps(json_schema(catalog.region), ensure_ascii=False, indent=2) + "\n"
    return SiteContent(catalog, pages, files, [(SCHEMA_URI, schema_text)]), problems
