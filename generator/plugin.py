"""The MkDocs adapter: hands MkDocs the pages and files our stages produced. Kept thin."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator.pipeline import Settings, SiteContent, build_content, build_date, check_catalog
from generator.problems import WARNING, errors_in, format_problems

log = logging.getLogger("mkdocs.plugins.umkm")


class UmkmConfig(Config):
    catalog_dir = opt.Type(str, default="catalog")
    region_file = opt.Type(str, default="wilayah.yml")
    cache_dir = opt.Type(str, default=".cache/umkm")
    today = opt.Optional(opt.Type(str))  # YYYY-MM-DD; default: UMKM_TANGGAL or the clock
    expiring_days = opt.Type(int, default=90)


class UmkmPlugin(BasePlugin[UmkmConfig]):
    """Validate the catalog before MkDocs touches `site_dir`, then add our generated pages."""

    def __init__(self) -> None:
        self.content: SiteContent | None = None
        self.html_by_uri: dict[str, str] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not config.use_directory_urls:
            raise PluginError("umkm: use_directory_urls harus true (halaman katalog memakai alamat berbentuk folder)")
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # Runs before MkDocs cleans site_dir: a bad catalog leaves the last built site untouched.
        settings = self.settings(config)
        catalog, problems = check_catalog(settings, photos=False)
        content = None
        if catalog is not None and not errors_in(problems):
            content, image_problems = build_content(settings, catalog)
            problems += image_problems
        for problem in problems:
            if problem.level == WARNING:
                log.warning(problem.format())
        if errors_in(problems) or content is None:
            raise PluginError("Katalog tidak valid (the catalog has errors):\n" + format_problems(errors_in(problems)))
        self.content = content
        self.html_by_uri = {page.src_uri: page.html for page in content.pages}

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.content is not None
        for page in self.content.pages:
            # Only the browse entry points belong in the navigation: a nav of 10,000 pages
            # would be embedded in every page (issue: scale).
            in_nav = page.src_uri == "index.md" or (page.src_uri.endswith("/index.md") and page.src_uri.count("/") == 1)
            inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.src_uri, content=_front_matter(page), inclusion=inclusion))
        for uri, path in self.content.files:
            files.append(File.generated(config, uri, abs_src_path=str(path)))
        for uri, text in self.content.texts:
            files.append(File.generated(config, uri, content=text))
        return files

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        return self.html_by_uri.get(page.file.src_uri, html)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        settings = self.settings(config)
        server.watch(str(settings.catalog_dir))
        server.watch(str(settings.region_file))
        return server

    def settings(self, config: MkDocsConfig) -> Settings:
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            today = build_date(self.config.today)
        except ValueError:
            raise PluginError(f"umkm: today harus berbentuk TAHUN-BULAN-HARI (ditemukan '{self.config.today}')") from None
        return Settings(
            catalog_dir=root / self.config.catalog_dir,
            region_file=root / self.config.region_file,
            cache_dir=root / self.config.cache_dir,
            today=today,
            expiring_days=self.config.expiring_days,
            site_name=config.site_name,
        )


def _front_matter(page: Any) -> str:
    # MkDocs renders Jinja without autoescaping and Material prints title/description raw.
    meta = {
        "template": page.template,
        "title": html.escape(page.title),
        "description": html.escape(page.description),
        "hide": ["navigation", "toc"],
    }
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n"
