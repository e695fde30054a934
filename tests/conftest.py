"""Shared fixtures: tiny catalogs written into a temp folder, tiny images made with Pillow."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from generator.core.models import Region
from generator.core.region import load_region

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 28)
# Debian's Chromium, driven by Playwright; these flags keep it off this machine's closed network.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BASE_META: dict[str, Any] = {
    "nama": "Keripik Sari Rasa",
    "sektor": "kuliner",
    "kecamatan": "Cibitung",
    "ringkasan": "Keripik singkong balado renyah.",
}

MakeEntry = Callable[..., Path]


def write_image(path: Path, size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (200, 120, 40), fmt: str = "JPEG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, fmt)
    return path


def dump_entry(meta: dict[str, Any] | None, body: str = "Cerita usaha.\n") -> str:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) if meta else ""
    return f"---\n{front}---\n{body}"


@pytest.fixture(scope="module")
def region() -> Region:
    """The shipped region file (wilayah.yml), loaded."""
    loaded, problems = load_region(ROOT / "wilayah.yml")
    assert loaded is not None, problems
    return loaded


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: mkdocs.yml, wilayah.yml, theme/ and an empty catalog/."""
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    shutil.copytree(ROOT / "halaman", tmp_path / "halaman")
    (tmp_path / "catalog").mkdir()
    return tmp_path


@pytest.fixture
def make_entry(project: Path) -> MakeEntry:
    """Write `catalog/<slug>/index.md` (meta merged over a valid base, or raw `text`) and photos."""

    def make(
        slug: str = "keripik-sari-rasa",
        meta: dict[str, Any] | None = None,
        body: str = "Cerita usaha.\n",
        photos: dict[str, tuple[int, int]] | None = None,
        text: str | None = None,
        base: bool = True,
    ) -> Path:
        folder = project / "catalog" / slug
        folder.mkdir(parents=True, exist_ok=True)
        for name, size in (photos or {}).items():
            write_image(folder / name, size)
        if text is None:
            merged = {**BASE_META, **(meta or {})} if base else (meta or {})
            text = dump_entry({k: v for k, v in merged.items() if v is not None}, body)
        (folder / "index.md").write_text(text, encoding="utf-8")
        return folder / "index.md"

    return make


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


@pytest.fixture
def photo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A local HTTP server standing in for a photo host: (base URL, folder it serves)."""
    root = tmp_path_factory.mktemp("foto-host")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", root
    finally:
        server.shutdown()
        server.server_close()
