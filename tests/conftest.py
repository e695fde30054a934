"""Shared fixtures: tiny catalogs written into a temp folder, tiny images made with Pillow."""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import material
import pytest
import yaml
from PIL import Image

from generator import cli
from generator.builder.enrich import enrich_catalog
from generator.core.business import Business
from generator.core.models import (
    Catalog,
    Certificate,
    CertKind,
    Contact,
    Entry,
    ImageVariant,
    Kecamatan,
    Platform,
    ProcessedPhoto,
    Product,
    Region,
    Sector,
    ShopLink,
    Training,
)
from generator.core.quality import DEFAULT_RULES, QualityRules
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
def photo_server(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A local HTTP server standing in for a photo host: (base URL, folder it serves).

    Photos are fetched from public https addresses only (generator/intake/fetch.py); this one origin is
    trusted for the test, as a public host would be."""
    from generator.intake import fetch

    root = tmp_path_factory.mktemp("foto-host")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    monkeypatch.setattr(fetch, "TRUSTED_ORIGINS", fetch.TRUSTED_ORIGINS | {f"http://127.0.0.1:{server.server_port}"})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", root
    finally:
        server.shutdown()
        server.server_close()


# --- real builds of tiny catalogs (the `umkm` command in a subprocess) ---------------------------


FULL = {
    "nama": "Telaga Batik",
    "sektor": "fesyen",
    "kecamatan": "Karang Bahagia",
    "desa": "Wanasari",
    "ringkasan": "Batik tulis dan cap khas Bekasi.",
    "nib": "9120301745821",
    "kontak": {"whatsapp": "0812-1934-5521", "email": "telaga@example.id"},
    "toko_online": [{"platform": "tokopedia", "url": "https://www.tokopedia.com/telagabatik"}],
    "sertifikasi": [
        {"jenis": "halal", "nomor": "ID32110000145680323"},
        {"jenis": "pirt", "nomor": "2063216010123-24"},
    ],
    "produk": [{"nama": "Batik Tulis Tanjung Pura", "harga": "385000", "satuan": "lembar", "foto": ["foto/batik.jpg"]}],
    "foto": ["foto/sampul.jpg", "foto/galeri.jpg"],
    "diperbarui": "2026-10-02",
}


def run_umkm(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat(), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300)


def build(project: Path) -> subprocess.CompletedProcess[str]:
    return run_umkm(project, "build")


def read(site: Path, uri: str) -> str:
    return (site / uri).read_text(encoding="utf-8")


def full_photos() -> dict[str, tuple[int, int]]:
    """A photo for every path that FULL references (the cover first, 900×600)."""
    paths = [*FULL.get("foto", []), *(f for p in FULL.get("produk", []) for f in p.get("foto", []))]
    return {path: (900, 600) for path in paths}


class PageParts(HTMLParser):
    """Inline scripts and styles, style and event-handler attributes, and every URL a page loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[tuple[dict[str, str], str]] = []  # (attributes, text)
        self.styles: list[str] = []
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []
        self.loads: list[tuple[str, str]] = []  # (tag, url) fetched when the page opens
        self.links: list[str] = []  # <a href>
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._open: tuple[str, dict[str, str]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        self.handlers += [k for k in a if k.startswith("on")]
        if "style" in a:
            self.style_attributes.append(a["style"])
        if tag in ("script", "style"):
            self._open, self._text = (tag, a), []
        if tag == "script" and a.get("src"):
            self.loads.append((tag, a["src"]))
        if tag == "link" and a.get("href"):
            self.loads.append((tag, a["href"]))
        if tag in ("img", "source", "video", "audio", "iframe", "embed"):
            for key in ("src", "poster"):
                if a.get(key):
                    self.loads.append((tag, a[key]))
            for candidate in (a.get("srcset") or "").split(","):
                if candidate.strip():
                    self.loads.append((tag, candidate.split()[0]))
        if tag == "a" and "href" in a:
            self.links.append(a["href"])

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[0]:
            text = "".join(self._text)
            if tag == "script":
                self.scripts.append((self._open[1], text))
            else:
                self.styles.append(text)
            self._open = None


def parse_page(path: Path) -> PageParts:
    parts = PageParts()
    parts.feed(path.read_text(encoding="utf-8"))
    return parts


def copy_sample(target: Path) -> Path:
    target.mkdir()
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, target / name)
    for folder in ("theme", "halaman", "catalog"):
        shutil.copytree(ROOT / folder, target / folder)
    return target



# --- recorded issue forms ---------------------------------------------------------------------


DATA = Path(__file__).parent / "data"


GITHUB_ASSETS = "https://github.com/user-attachments/assets/"


def recorded(name: str, photo_host: str = "") -> str:
    """A recorded issue body; photos dropped on GitHub are fetched from `photo_host` instead."""
    body = (DATA / name).read_text(encoding="utf-8")
    return body.replace(GITHUB_ASSETS, photo_host) if photo_host else body


def serve_recorded_photos(body: str, folder: Path) -> None:
    for name in re.findall(r"127\.0\.0\.1:[0-9]+/([0-9a-f-]{36})", body):
        write_image(folder / name, (800, 600))



# --- git ------------------------------------------------------------------------------------


def git(project: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "uji",
        "GIT_AUTHOR_EMAIL": "uji@example.id",
        "GIT_COMMITTER_NAME": "uji",
        "GIT_COMMITTER_EMAIL": "uji@example.id",
    }
    return subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True, text=True).stdout



# --- entries and businesses in memory (no folder) ---------------------------------------------


STORY = "Usaha keluarga sejak 2015. Keripik singkong dibuat setiap pagi dari singkong petani Cibitung, tanpa pengawet."


# Everything the rule and the score ask for: a food business that is ready and 100 complete.
COMPLETE: dict[str, Any] = {
    "nama": "Keripik Sari Rasa",
    "sektor": "kuliner",
    "kecamatan": "Cibitung",
    "ringkasan": "Keripik singkong balado renyah.",
    "nib": "9120301745821",
    "kontak": Contact(whatsapp="6281219345521"),
    "toko_online": (ShopLink("padi-umkm", "https://padiumkm.id/toko/sari-rasa"),),
    "sertifikasi": (Certificate("halal", "ID32110000145680323", None),),
    "produk": (Product("Keripik Balado", 15000, "bungkus"),),
    "foto": ("foto/sampul.jpg",),
    "diperbarui": TODAY - timedelta(days=30),
    "cerita": STORY,
}


def sample_region() -> Region:
    """The real region data file, as a build reads it."""
    loaded, problems = load_region(ROOT / "wilayah.yml")
    assert loaded is not None, problems
    return loaded


def entry_record(slug: str = "sari-rasa", **fields: Any) -> Entry:
    """An `Entry` (no folder on disk) that meets every quality rule, with `fields` changed."""
    return Entry(slug=slug, source=Path("catalog") / slug / "index.md", **{**COMPLETE, **fields})


def enrich(region: Region, *entries: Entry, today: date = TODAY, rules: QualityRules = DEFAULT_RULES) -> list[Business]:
    return enrich_catalog(Catalog(region, tuple(entries)), today=today, rules=rules)


# --- a whole build in this process ------------------------------------------------------------


def build_site(project: Path, monkeypatch: pytest.MonkeyPatch, day: date = TODAY) -> dict[str, bytes]:
    """A real `mkdocs build` of the project; every file of the site by path."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("UMKM_TANGGAL", day.isoformat())
    build(load_config(str(project / "mkdocs.yml")))
    site = project / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def rich_catalog(make_entry: MakeEntry) -> None:
    make_entry(
        "telaga-batik",
        {
            "nama": "Telaga Batik",
            "sertifikasi": [{"jenis": "halal", "nomor": "ID32110000123450224", "berlaku_sampai": "2027-03-01"}],
            "produk": [{"nama": "Batik Tulis", "harga": "385000", "foto": ["foto/batik.jpg"]}],
            "foto": ["foto/sampul.jpg", "foto/galeri.jpg"],
        },
        body="## Sejarah\n\nSejak 2005 kami *membatik*.\n",
        photos={"foto/sampul.jpg": (900, 600), "foto/galeri.jpg": (600, 900), "foto/batik.jpg": (800, 800)},
    )
    make_entry("keripik-sari-rasa", {"kecamatan": "Cibitung"})
    make_entry("sambal-ceu-enok", {"nama": "Sambal Ceu Enok", "kecamatan": "Cibitung", "produk": [{"nama": "Sambal", "harga": "18000"}]})


# --- the sample catalog, built once -----------------------------------------------------------

SAMPLE_SITE_URL = "https://umkm.bekasikab.go.id/katalog/"
MATERIAL_TEMPLATES = Path(material.__file__).resolve().parent / "templates"  # Material's own, not our overrides


def run_build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`umkm build` of `project` at the sample site's address (tests/test_audit.py, test_site_policy.py)."""
    env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat(), "UMKM_SITE_URL": SAMPLE_SITE_URL, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator.cli", "build", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300)


def inject(site: Path, uri: str, markup: str) -> int:
    """Put `markup` on a line of its own before `</body>` of a built page; return that line."""
    path = site / uri
    text = path.read_text(encoding="utf-8")
    at = text.rindex("</body>")
    path.write_text(f"{text[:at]}\n{markup}\n{text[at:]}", encoding="utf-8")
    return text[:at].count("\n") + 2


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's sample catalog, built once per test run (`site/` inside).

    Shared by every test that only reads the built sample, and by the xdist workers of one run:
    the first to get here builds, the others wait for it. Never change the files it holds."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one folder per run either way
    project = shared / "sample"
    with open(shared / "sample.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "sample.built"
        if not done.is_file():
            shutil.rmtree(project, ignore_errors=True)
            copy_sample(project)
            env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat(), "UMKM_SITE_URL": SAMPLE_SITE_URL, "PYTHONPATH": str(ROOT)}
            result = subprocess.run([sys.executable, "-m", "generator.cli", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=900)
            assert result.returncode == 0, result.stderr
            done.write_text("ok")
    return project


@pytest.fixture(scope="session")
def sample_site(sample_project: Path) -> Path:
    """The built sample site (read only)."""
    return sample_project / "site"


# --- markers: `slow` and `browser` (registered in pyproject.toml) -------------------------------

# A test that builds a real site (the `umkm` command, MkDocs' build) or drives Chromium is slow;
# the quick set while developing is `pytest -m "not slow and not browser"`.
_SLOW_FIXTURES = frozenset({"sample_project", "sample_site", "built", "sample"})
_BROWSER_FIXTURES = frozenset({"browser", "page"})
_SLOW_CALLS = re.compile(r"\b(?:build|build_site|build_in_process|run_umkm|_start_slow_build|build_preview)\(|mkdocs\.commands\.build|\"generator\.cli\"|sync_playwright")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    import inspect

    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            source = ""
        if fixtures & _BROWSER_FIXTURES or "sync_playwright" in source:
            item.add_marker(pytest.mark.browser)
        if fixtures & (_SLOW_FIXTURES | _BROWSER_FIXTURES) or _SLOW_CALLS.search(source):
            item.add_marker(pytest.mark.slow)


# --- helpers shared by several test modules ------------------------------------------------------


def parse_tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag with its attributes, as a browser would see them."""

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, attrs))

    collector = Collector()
    collector.feed(page)
    return collector.tags


def from_issue(project: Path, body: str, *args: str) -> int:
    path = project / "issue.md"
    path.write_text(body, encoding="utf-8")
    return cli.main(["from-issue", str(path), *args])


SITE_NAME = "Katalog UMKM Kabupaten Bekasi"  # the site name of page tests


def page_region() -> Region:
    """A small region: three kecamatan, three sectors, two certificate kinds, two platforms."""
    return Region(
        nama="Kabupaten Bekasi",
        provinsi="Jawa Barat",
        negara="ID",
        kode_wilayah="3216",
        dinas="Dinas Koperasi dan UKM Kabupaten Bekasi",
        kecamatan=(
            Kecamatan("32.16.07", "Cibitung", "cibitung"),
            Kecamatan("32.16.18", "Setu", "setu"),
            Kecamatan("32.16.20", "Cikarang Pusat", "cikarang-pusat"),
        ),
        sectors=(
            Sector("kuliner", "Kuliner", "Food and drink", True),
            Sector("fesyen", "Fesyen", "Fashion"),
            Sector("kesehatan-kecantikan", "Kesehatan & Kecantikan", "Health and beauty"),
        ),
        cert_kinds=(
            CertKind("halal", "Halal", "Halal", "BPJPH", "https://bpjph.halal.go.id/search/sertifikat", dated=False),
            CertKind("pirt", "P-IRT", "Home industry food permit", "Dinas Kesehatan"),
        ),
        platforms=(
            Platform("tokopedia", "Tokopedia", ("tokopedia.com",)),
            Platform("padi-umkm", "PaDi UMKM", ("padiumkm.id",), procurement=True),
        ),
    )


def page_entry(tmp_path: Path, slug: str = "telaga-batik", **fields: Any) -> Entry:
    """An `Entry` whose folder is under `tmp_path/catalog` (not written), as page tests need one."""
    values: dict[str, Any] = {
        "nama": "Telaga Batik",
        "sektor": "fesyen",
        "kecamatan": "Cibitung",
        "ringkasan": "Batik tulis dan cap khas Bekasi.",
        "diperbarui": date(2026, 9, 1),
    }
    values.update(fields)
    return Entry(slug=slug, source=tmp_path / "catalog" / slug / "index.md", **values)


def full_entry(tmp_path: Path, **fields: Any) -> Entry:
    values: dict[str, Any] = {
        "desa": "Wanasari",
        "alamat": "Kp. Telaga RT 02/05",
        "berdiri": 2017,
        "nib": "9120301745821",
        "kapasitas": "3.000 potong per bulan",
        "kontak": Contact(whatsapp="6281219345521", telepon="622189951234", email="telagabatik@example.id", instagram="telagabatik"),
        "toko_online": (ShopLink("tokopedia", "https://www.tokopedia.com/telagabatik"),),
        "sertifikasi": (
            Certificate("halal", "ID32110000145680323", date(2026, 11, 28)),
            Certificate("pirt", "2063216010123-25", date(2025, 12, 31)),
        ),
        "produk": (
            Product(
                "Batik Tulis Tanjung Pura",
                385000,
                "lembar",
                "Kain katun 2 meter.",
                ("foto/tanjung.jpg",),
                "https://www.tokopedia.com/telagabatik/tulis",
            ),
            Product("Batik Cap", None, "", "", ("foto/hilang.jpg",)),
        ),
        "foto": ("foto/galeri.jpg", "foto/proses.jpg"),
        "pembinaan": (Training("Pelatihan membatik", "Dinas Perindustrian dan Perdagangan", 2017),),
        "cerita": "# Sejarah\n\nBerawal dari **dapur** kecil.",
    }
    values.update(fields)
    return page_entry(tmp_path, **values)


def make_photo(entry: Entry, rel: str, placeholder: str = "#a17f5c") -> tuple[Path, ProcessedPhoto]:
    stem = Path(rel).stem
    base = f"foto/{entry.slug}/{stem}"

    def variants(widths: tuple[int, ...], mime: str, kind: str, ratio: float) -> tuple[ImageVariant, ...]:
        ext = "webp" if mime == "image/webp" else "jpg"
        return tuple(ImageVariant(f"{base}{kind}-{w}w.{ext}", w, round(w * ratio), mime) for w in widths)

    source = (entry.folder / rel).resolve()
    return source, ProcessedPhoto(
        source=source,
        width=1280,
        height=853,
        placeholder=placeholder,
        webp=variants((320, 640, 1280), "image/webp", "", 853 / 1280),
        jpeg=variants((1280,), "image/jpeg", "", 853 / 1280)[0],
        thumb_webp=variants((320, 640), "image/webp", "-thumb", 0.75),
    )


def whatsapp(text: str, width: int = 23) -> str:
    """What a phone-form message can meet between the owner's phone and the clerk's paste, all at once."""
    lines = []
    for line in text.splitlines():
        if line.strip():
            line = f"*{line}*" if len(lines) % 3 == 0 else f"_{line}_" if len(lines) % 3 == 1 else f"~{line}~"  # markers added
        lines.append(line)
    text = "\n".join(lines).replace('"', "\u201c").replace("'", "\u2019")  # curly quotes
    text = re.sub(r"\n{2,}", "\n", text)  # blank lines collapsed
    wrapped = "\n".join(text[i : i + width] for i in range(0, len(text), width))  # wrapped anywhere, mid-word too
    quoted = "\n".join(f"> {line}" if i % 5 == 0 else f"- {line}" if i % 5 == 1 else f"1. {line}" if i % 5 == 2 else line for i, line in enumerate(wrapped.splitlines()))
    return f"Diteruskan\n[28/11 09.12] +62 812-0000-0000: {quoted}\n"  # forwarded, with the copy header of WhatsApp Web
