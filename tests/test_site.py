"""The built sample site as a whole: every internal link and image resolves, every page is well-formed HTML."""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import material

from generator.outputs.audit import audit_site, theme_inline_scripts
from tests.conftest import SAMPLE_SITE_URL

SITE_URL = SAMPLE_SITE_URL
# Elements without an end tag in HTML; everything else our templates open, they close.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
FOREIGN = frozenset({"svg", "math"})  # inside these, `<path/>` is a complete element
LINKS = {"a": ("href",), "link": ("href",), "img": ("src", "srcset"), "source": ("src", "srcset"), "script": ("src",), "form": ("action",)}


class PageReader(HTMLParser):
    """One page: its links, its ids, and every way its markup is not well-formed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str, str]] = []  # (line, tag[attr], url)
        self.ids: set[str] = set()
        self.errors: list[str] = []
        self.stack: list[tuple[str, int]] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.read_attributes(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.read_attributes(tag, attrs)
        if tag not in VOID and not any(open_tag in FOREIGN for open_tag, _ in self.stack) and tag not in FOREIGN:
            self.errors.append(f"{self.getpos()[0]}: <{tag}/> bukan elemen kosong")

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID:
            self.errors.append(f"{line}: </{tag}> untuk elemen kosong")
        elif self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
        elif any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack[-1][0] != tag:
                open_tag, opened = self.stack.pop()
                self.errors.append(f"{opened}: <{open_tag}> tidak ditutup sebelum </{tag}> di baris {line}")
            self.stack.pop()
        else:
            self.errors.append(f"{line}: </{tag}> tanpa pembuka")

    def read_attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.errors.append(f"{line}: <{tag}> dengan atribut ganda {sorted(n for n in set(names) if names.count(n) > 1)}")
        values = dict(attrs)
        if values.get("id"):
            if values["id"] in self.ids:
                self.errors.append(f"{line}: id ganda '{values['id']}'")
            self.ids.add(values["id"] or "")
        for name in LINKS.get(tag, ()):
            value = values.get(name)
            if not value:
                continue
            urls = [c.split()[0] for c in re.split(r",\s+", value.strip()) if c.split()] if name == "srcset" else [value]
            self.links += [(line, f"{tag}[{name}]", url) for url in urls]

    def finish(self) -> None:
        self.close()
        self.errors += [f"{line}: <{tag}> tidak ditutup" for tag, line in self.stack]
        if not self.doctype:
            self.errors.append("tidak diawali <!DOCTYPE html>")


def read_pages(site: Path) -> dict[str, PageReader]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        reader = PageReader()
        reader.feed(path.read_text(encoding="utf-8"))
        reader.finish()
        pages[path.relative_to(site).as_posix()] = reader
    return pages


def resolve(page: str, url: str) -> tuple[str, str] | None:
    """(site path, fragment) of an internal URL, or None for another site or scheme."""
    parts = urlsplit(url)
    own = urlsplit(SITE_URL)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None  # mailto:, tel:
    if parts.netloc and parts.netloc != own.netloc:
        return None
    path = unquote(parts.path)
    if parts.netloc or path.startswith("/"):
        assert path.startswith(own.path), f"{page}: {url} di luar {own.path}"
        target = path[len(own.path) :]
    else:
        target = posixpath.join(posixpath.dirname(page), path) if path else page
    target = posixpath.normpath(target) if target else "."
    if target == "." or path.endswith("/") or (not path and page.endswith("index.html") and target == page):
        target = posixpath.join(target, "index.html") if not target.endswith(".html") else target
    return target.removeprefix("./"), parts.fragment


def test_every_internal_link_and_image_resolves(sample_site: Path) -> None:
    pages = read_pages(sample_site)
    missing, anchors = [], []
    for page, reader in pages.items():
        for line, where, url in reader.links:
            resolved = resolve(page, url)
            if resolved is None:
                continue
            target, fragment = resolved
            if target.startswith("../") or not (sample_site / target).is_file():
                missing.append(f"{page}:{line}: {where} {url}")
            elif fragment and target in pages and fragment not in pages[target].ids:
                anchors.append(f"{page}:{line}: {where} {url}")
    assert missing == []
    assert anchors == []


def test_every_page_is_well_formed_html(sample_site: Path) -> None:
    errors = [f"{page}:{error}" for page, reader in read_pages(sample_site).items() for error in reader.errors]
    assert errors == []


def test_sitemap_lists_only_pages_that_exist(sample_site: Path) -> None:
    locations = re.findall(r"<loc>([^<]+)</loc>", (sample_site / "sitemap.xml").read_text(encoding="utf-8"))
    assert locations
    missing = []
    for url in locations:
        assert url.startswith(SITE_URL)
        rel = url[len(SITE_URL) :]
        if not (sample_site / rel / "index.html").is_file() and not (sample_site / rel).is_file():
            missing.append(url)
    assert missing == []


def test_every_business_page_is_linked_from_a_listing(sample_site: Path) -> None:
    pages = read_pages(sample_site)
    linked: dict[str, set[str]] = defaultdict(set)
    for page, reader in pages.items():
        for _, _, url in reader.links:
            resolved = resolve(page, url)
            if resolved:
                linked[resolved[0]].add(page)
    businesses = [p for p in pages if p.startswith("usaha/") and p.count("/") == 2]
    assert businesses
    assert [p for p in businesses if not linked[p] - {p}] == []


def test_sample_site_passes_the_audit(sample_site: Path) -> None:
    templates = Path(material.__file__).resolve().parent / "templates"
    assert audit_site(sample_site, site_url=SITE_URL, inline_scripts=theme_inline_scripts([templates])) == []
