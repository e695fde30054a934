"""What every generated page shares: its record, its Jinja environment, and links between pages.

A `GeneratedPage` is a source URI (`usaha/telaga-batik.md`, served at `usaha/telaga-batik/`), a
plain-text title and description, and content HTML that is already escaped and sanitized; an
adapter (the MkDocs plugin today) decides how it reaches the site. Links are relative to the page
they appear on (`url_to`), so the site works under any sub-path and from `file://`.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2

from generator.core.formatting import format_angka, format_rupiah, format_tanggal
from generator.core.models import Entry, ProcessedPhoto

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "theme" / "partials" / "catalog"


PAGE_TEMPLATE = "catalog.html"


@dataclass(frozen=True)
class GeneratedPage:
    """One page of the catalog, ready for an adapter to publish."""

    src_uri: str  # e.g. "usaha/telaga-batik.md", served at usaha/telaga-batik/
    title: str  # plain text; the adapter escapes it
    description: str  # plain text
    html: str  # content HTML, already escaped/sanitized
    template: str = PAGE_TEMPLATE
    image: str = ""  # site-relative URI of the page's main photo (largest JPEG), for link previews
    updated: date | None = None  # when the page's data was last checked (business pages)


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


@functools.cache
def make_environment(templates_dir: Path) -> jinja2.Environment:
    """Our own Jinja environment: autoescaped, strict, with Indonesian formatting filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one environment per build and templates folder: no stat per page
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["rupiah"] = format_rupiah
    env.filters["tanggal"] = format_tanggal
    env.filters["angka"] = format_angka
    return env


def page_url(src_uri: str, *, directory_urls: bool = True) -> str:
    """The site-relative URL MkDocs serves a source file at ("" for the home page)."""
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri[: -len(".md")]
    parent, name = posixpath.split(stem)
    if name in ("index", "README"):
        return f"{parent}/" if parent else ("" if directory_urls else "index.html")
    return f"{stem}/" if directory_urls else f"{stem}.html"


@functools.lru_cache(maxsize=65536)
def url_to(from_src_uri: str, target: str, *, directory_urls: bool = True) -> str:
    """A link from one page to a page (`x.md`, optionally with `#anchor`) or a site file."""
    path, hash_, fragment = target.partition("#")
    here = page_url(from_src_uri, directory_urls=directory_urls)
    there = page_url(path, directory_urls=directory_urls)
    if there == here and hash_:
        return f"#{fragment}"
    start = posixpath.dirname(here) or "."
    rel = relative_path(there or ".", start)
    if there.endswith("/") or not there:
        rel = "./" if rel == "." else f"{rel}/"
    return f"{rel}#{fragment}" if hash_ else rel


def relative_path(path: str, start: str) -> str:
    """`posixpath.relpath(path, start)` for paths inside the site, without its `os.getcwd()` and
    `abspath` calls: every page and print document makes thousands of links."""
    if path.startswith("/") or start.startswith("/") or ".." in path or ".." in start:
        return posixpath.relpath(path, start)
    there = [part for part in path.split("/") if part not in ("", ".")]
    here = [part for part in start.split("/") if part not in ("", ".")]
    common = 0
    for a, b in zip(there, here, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."


def listing_uri(base: str, number: int) -> str:
    """Source URI of page `number` of a listing: `sektor/kuliner.md`, `sektor/kuliner/2.md`."""
    return f"{base}.md" if number == 1 else f"{base}/{number}.md"


def business_uri(slug: str) -> str:
    return f"usaha/{slug}.md"


def qr_uri(slug: str) -> str:
    """The business's QR code (printing.py), an SVG file to download."""
    return f"qr/{slug}.svg"


def sticker_uri(slug: str) -> str:
    """The business's shop-window sticker, a print document (printing.py)."""
    return f"cetak/stiker/{slug}/index.html"


def flyer_uri(slug: str) -> str:
    """The business's flyer, a print document (printing.py)."""
    return f"cetak/flyer/{slug}/index.html"


def find_photo(photos: dict[Path, ProcessedPhoto], entry: Entry, rel: str) -> ProcessedPhoto | None:
    """The processed photo an entry's field names (None when the images stage refused it)."""
    # The images stage keys photos by resolved absolute path (images.photo_source).
    path = entry.folder / rel
    return photos.get(path) or photos.get(path.resolve())
