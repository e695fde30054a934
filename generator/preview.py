"""`umkm serve`: MkDocs' live-reload preview, which shows a failed build's problems instead of stalling.

MkDocs' own server holds every request while a rebuild is pending and, when the rebuild fails,
never releases them: the browser spins until the entry is fixed, and the owner sees nothing of
why. Here a failed build still completes the server's rebuild cycle, and every page request gets
an Indonesian error page listing the problems (`berkas:baris: kolom: pesan`), with MkDocs' reload
script in it, so the page turns back into the site as soon as the entry is saved fixed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError, ConfigurationError
from mkdocs.livereload import LiveReloadServer, _serve_url

from generator.outputs.pages import TEMPLATES_DIR, make_environment

log = logging.getLogger("mkdocs.plugins.umkm")
ERROR_TEMPLATE = "preview_error.html"


class PreviewServer(LiveReloadServer):
    """The live-reload server, answering page requests with the last build's problems while it failed."""

    error_page: bytes | None = None

    def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes] | None:
        path = environ["PATH_INFO"]
        if self.error_page is None or path.startswith("/livereload/") or not _is_page(path):
            return super()._serve_request(environ, start_response)
        with self._epoch_cond:  # a rebuild under way may fix it: wait for it, as MkDocs does
            self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
            epoch = self._visible_epoch
            page = self.error_page
        if page is None:
            return super()._serve_request(environ, start_response)
        content: bytes = self._inject_js_into_html(page, epoch)
        start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(content)))])
        return [content]


def _is_page(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return not name or name.endswith(".html") or "." not in name


def render_error_page(message: str) -> bytes:
    """The page shown while the catalog does not build: the problems, one per line."""
    lines = [line for line in message.splitlines() if line.strip()]
    html = make_environment(TEMPLATES_DIR).get_template(ERROR_TEMPLATE).render(lines=lines)
    return html.encode("utf-8")


def serve_preview(config_file: str, dev_addr: str, *, dirty: bool) -> None:
    """Build into a temporary folder and serve it with live reload until interrupted (mirrors `mkdocs serve`)."""
    site_dir = tempfile.mkdtemp(prefix="umkm-pratinjau-")

    def get_config() -> MkDocsConfig:
        # Not strict: MkDocs warns about every dirty build, and a preview should show the site
        # while the owner still has warnings to fix (`umkm check` and `umkm build` stay strict).
        return load_config(config_file=config_file, site_dir=site_dir, dev_addr=dev_addr, strict=False)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=dirty)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)

    def builder(config: MkDocsConfig | None = None) -> None:
        if config is None:
            config = get_config()
            config.site_url = serve_url
        try:
            build(config, serve_url=serve_url, dirty=dirty)
        except (Abort, BuildError, ConfigurationError) as exc:
            # MkDocs logs a plugin's error and raises a bare Abort from it: the problems are in its context.
            cause = exc.__context__ if isinstance(exc, Abort) and isinstance(exc.__context__, BuildError) else exc
            server.error_page = render_error_page(str(cause))
            log.error("Build gagal: halaman pratinjau menampilkan masalahnya dan dimuat ulang setelah diperbaiki.")
        else:
            server.error_page = None

    server = PreviewServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        watched = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            watched.watch(item)
        try:
            watched.serve()
        except KeyboardInterrupt:
            log.info("Selesai. (shutting down)")
        finally:
            watched.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(Path(site_dir), ignore_errors=True)
