"""The MkDocs adapter: hands MkDocs the pages and files our stages produced. Kept thin."""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator.builder.pipeline import Settings, SiteContent, build_content, build_date, check_catalog
from generator.core.privacy import open_data_problems
from generator.core.problems import WARNING, errors_in, format_problems
from generator.core.quality import REQUIREMENTS, make_rules
from generator.outputs.audit import audit_site, theme_inline_scripts
from generator.outputs.export import DEFAULT_LICENSE, DEFAULT_LICENSE_URL
from generator.outputs.pagefind import SEARCH_DIR, SearchIndexError, index_site
from generator.outputs.publish import publish_site
from generator.outputs.story import sanitize_page_html

log = logging.getLogger("mkdocs.plugins.umkm")


class UmkmConfig(Config):
    catalog_dir = opt.Type(str, default="catalog")
    region_file = opt.Type(str, default="wilayah.yml")
    cache_dir = opt.Type(str, default=".cache/umkm")
    today = opt.Optional(opt.Type(str))  # YYYY-MM-DD; default: UMKM_TANGGAL or the clock
    expiring_days = opt.Type(int, default=90)
    # Data quality (generator/core/quality.py; README "Untuk Dinas").
    stale_months = opt.Type(int, default=12)
    completeness_threshold = opt.Type(int, default=60)
    readiness_requires = opt.ListOfItems(opt.Choice(REQUIREMENTS), default=list(REQUIREMENTS))
    readiness_food_certificates = opt.ListOfItems(opt.Type(str), default=["halal", "pirt", "bpom"])
    readiness_capacity = opt.Type(bool, default=True)
    # Open data (generator/outputs/export.py): licence of data/umkm.json and the CSV files.
    data_license = opt.Type(str, default=DEFAULT_LICENSE)
    data_license_url = opt.Type(str, default=DEFAULT_LICENSE_URL)
    # Page-only fields (owner's name, phone numbers, e-mail, address) the Dinas adds to the open
    # data, e.g. [pemilik]; the schema says which fields are page-only (README "Data terbuka").
    open_data_fields = opt.ListOfItems(opt.Type(str), default=[])


class UmkmPlugin(BasePlugin[UmkmConfig]):
    """Validate the catalog before MkDocs touches `site_dir`, then add our generated pages."""

    def __init__(self) -> None:
        self.content: SiteContent | None = None
        self.html_by_uri: dict[str, str] = {}
        self.updated_by_uri: dict[str, str] = {}
        self.today = ""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not config.use_directory_urls:
            raise PluginError("umkm: use_directory_urls harus true (halaman katalog memakai alamat berbentuk folder)")
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # Runs before MkDocs cleans site_dir: a bad catalog leaves the last built site untouched.
        settings = self.settings(config)
        only = [settings.catalog_dir / slug for slug in _preview_slugs()]
        catalog, problems = check_catalog(settings, only=only or None, photos=False)
        content = None
        if catalog is not None and not errors_in(problems):
            content, image_problems = build_content(settings, catalog, complete=not only)
            problems += image_problems
        for problem in problems:
            if problem.level == WARNING:
                log.warning(problem.format())
        if errors_in(problems) or content is None:
            raise PluginError("Katalog tidak valid (the catalog has errors):\n" + format_problems(errors_in(problems)))
        self.content = content
        self.html_by_uri = {page.src_uri: page.html for page in content.pages}
        self.updated_by_uri = {page.src_uri: page.updated.isoformat() for page in content.pages if page.updated}
        self.today = settings.today.isoformat()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.content is not None
        for page in self.content.pages:
            # Only the browse entry points belong in the navigation: a nav of 10,000 pages
            # would be embedded in every page (issue: scale).
            in_nav = page.src_uri == "index.md" or (page.src_uri.endswith("/index.md") and page.src_uri.count("/") == 1)
            inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
            front_matter = _front_matter(page)
            file = _PageFile.generated(config, page.src_uri, content=front_matter, inclusion=inclusion)
            file.changed = _remember(config.site_dir, page.src_uri, page.html + front_matter + self.content.heads.get(page.src_uri, ""))
            files.append(file)
        for uri, path in self.content.files:
            files.append(File.generated(config, uri, abs_src_path=str(path)))
        for uri, text in self.content.texts:
            files.append(File.generated(config, uri, content=text))
        return files

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        ours = self.html_by_uri.get(page.file.src_uri)
        if ours is not None or page.file.generated_by:
            return ours if ours is not None else html
        # A page of the Dinas' own (halaman/*.md): Python-Markdown passes raw HTML, so it is sanitized.
        return sanitize_page_html(html)

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
        assert self.content is not None
        context["umkm_head"] = self.content.heads.get(page.file.src_uri, "")
        return context

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        # The sitemap's lastmod (written before the pages): when a business's data was checked,
        # else the build date, never the clock.
        page.update_date = self.updated_by_uri.get(page.file.src_uri, self.today)
        return page

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # First: the search index is part of the site that the policy and the audit below check.
        assert self.content is not None
        try:
            # A preview of some entries indexes them in a temporary folder: the kept one is the whole catalog's.
            work_dir = None if _preview_slugs() else self.settings(config).cache_dir / SEARCH_DIR
            stats = index_site(Path(config.site_dir), self.content.search_records, work_dir=work_dir)
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from None
        log.info(f"Indeks pencarian: {stats.records} usaha dalam {stats.seconds:.1f} detik")
        # Last: the policy hashes the inline code of the pages as written.
        # The policy allows the theme's known inline scripts only (never one because it was found in the output).
        publish_site(
            Path(config.site_dir),
            site_url=config.site_url or "",
            site_name=config.site_name,
            description=config.site_description or "",
            data_license_url=self.config.data_license_url,
            known_scripts=_known_scripts(config),
        )
        _audit(config)  # after everything is written: a site that fails the audit fails the build

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        settings = self.settings(config)
        server.watch(str(settings.catalog_dir))
        server.watch(str(settings.region_file))
        if config.theme.custom_dir:  # our page templates: an edit re-renders the pages (cache keys hold their contents)
            server.watch(str(config.theme.custom_dir))
        return server

    def settings(self, config: MkDocsConfig) -> Settings:
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            today = build_date(self.config.today)
        except ValueError:
            raise PluginError(f"umkm: today harus berbentuk TAHUN-BULAN-HARI (ditemukan '{self.config.today}')") from None
        try:
            rules = make_rules(
                stale_months=self.config.stale_months,
                completeness_threshold=self.config.completeness_threshold,
                requires=self.config.readiness_requires,
                food_certificates=self.config.readiness_food_certificates,
                capacity_counts=self.config.readiness_capacity,
            )
        except ValueError as exc:
            raise PluginError(f"umkm: {exc}") from None
        wrong = open_data_problems(self.config.open_data_fields)
        if wrong:
            raise PluginError("umkm: " + "; ".join(wrong))
        return Settings(
            catalog_dir=root / self.config.catalog_dir,
            region_file=root / self.config.region_file,
            cache_dir=root / self.config.cache_dir,
            today=today,
            expiring_days=self.config.expiring_days,
            site_name=config.site_name,
            rules=rules,
            config_file=Path(config.config_file_path or "mkdocs.yml"),
            site_url=config.site_url or "",
            repo_url=config.repo_url or "",
            templates_dir=_catalog_templates(config),
            data_license=self.config.data_license,
            data_license_url=self.config.data_license_url,
            open_data_fields=tuple(self.config.open_data_fields),
        )


def _catalog_templates(config: MkDocsConfig) -> Path | None:
    """`<custom_dir>/partials/catalog`: the project's own page templates, wherever the package lives."""
    custom_dir = config.theme.custom_dir
    folder = Path(custom_dir) / "partials" / "catalog" if custom_dir else None
    return folder if folder is not None and folder.is_dir() else None


class _PageFile(File):
    """A generated page that tells MkDocs' dirty builds (`umkm serve`) whether it changed.

    MkDocs treats every in-memory file as modified, so `--dirty` would re-render all 10,000
    pages after one entry is edited. Pages whose HTML is the same as in the previous build of
    this process are skipped instead.
    """

    changed = True

    def is_modified(self) -> bool:
        return self.changed or not os.path.isfile(self.abs_dest_path)


# Content hash of every page in the previous build, per site folder, for `_PageFile`.
_built: dict[str, dict[str, str]] = {}


def _remember(site_dir: str, src_uri: str, html: str) -> bool:
    digest = hashlib.sha256(html.encode()).hexdigest()
    previous = _built.setdefault(site_dir, {}).get(src_uri)
    _built[site_dir][src_uri] = digest
    return previous != digest


def _preview_slugs() -> list[str]:
    """`umkm serve --only SLUG` previews those entries alone (UMKM_HANYA=slug,slug)."""
    return [slug for slug in os.environ.get("UMKM_HANYA", "").split(",") if slug.strip()]


def _front_matter(page: Any) -> str:
    # MkDocs renders Jinja without autoescaping and Material prints title/description raw.
    title = _yaml_quote(html.escape(page.title))
    description = _yaml_quote(html.escape(page.description))
    return f"---\ndescription: {description}\nhide: [navigation, toc]\ntemplate: {_yaml_quote(page.template)}\ntitle: {title}\n---\n"


_YAML_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


def _yaml_quote(text: str) -> str:
    """A YAML double-quoted scalar, written directly: yaml.dump costs more than rendering a page."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _YAML_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + '"'


def _known_scripts(config: MkDocsConfig) -> tuple[re.Pattern[str], ...]:
    """Material's own inline scripts, read from its templates; an override in custom_dir is not trusted."""
    return theme_inline_scripts([d for d in config.theme.dirs if d != config.theme.custom_dir])


def _audit(config: MkDocsConfig) -> None:
    """Fail the build when the written site holds what must not be published (generator/outputs/audit.py)."""
    problems = audit_site(Path(config.site_dir), site_url=config.site_url or "", inline_scripts=_known_scripts(config))
    if problems:
        raise PluginError("Audit keamanan situs gagal; situs ini tidak boleh diterbitkan (site security audit failed):\n" + format_problems(problems))
