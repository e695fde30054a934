"""Real MkDocs builds of tiny catalogs, with assertions on the files they write."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FULL, ROOT, TODAY, MakeEntry, build, parse_tags, read


@pytest.fixture
def built(project: Path, make_entry: MakeEntry) -> Path:
    make_entry("telaga-batik", FULL, body="## Sejarah\n\nDimulai **2017**.\n", photos={"foto/sampul.jpg": (900, 600), "foto/galeri.jpg": (700, 500), "foto/batik.jpg": (800, 800)})
    make_entry("keripik-sari-rasa", {"sertifikasi": [{"jenis": "halal", "nomor": "ID32110000145680324"}]})
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_business_page_shows_the_entry(built: Path) -> None:
    page = read(built, "usaha/telaga-batik/index.html")
    assert '<html lang="id"' in page
    assert "<title>Telaga Batik" in page
    assert "Rp385.000" in page
    assert "https://wa.me/6281219345521?text=" in page
    assert "Karangbahagia" in page  # the canonical name, not the variant
    assert "Kedaluwarsa" in page  # the P-IRT of 2024
    assert "https://www.tokopedia.com/telagabatik" in page
    assert re.search(r'href="https://www\.tokopedia\.com/telagabatik"[^>]*rel="[^"]*nofollow', page) or re.search(
        r'rel="[^"]*nofollow[^"]*"[^>]*href="https://www\.tokopedia\.com/telagabatik"', page
    )


def test_listing_pages_link_to_every_business(built: Path) -> None:
    sector = read(built, "sektor/fesyen/index.html")
    assert "../../usaha/telaga-batik/" in sector
    kecamatan = read(built, "kecamatan/cibitung/index.html")
    assert "../../usaha/keripik-sari-rasa/" in kecamatan
    halal = read(built, "sertifikasi/halal/index.html")
    assert "telaga-batik" in halal and "keripik-sari-rasa" in halal
    home = read(built, "index.html")
    assert "usaha/telaga-batik/" in home


def test_only_processed_photos_are_published(built: Path) -> None:
    published = [p for p in built.rglob("*") if p.is_file()]
    names = {p.name for p in published}
    assert "sampul.jpg" not in names and "batik.jpg" not in names
    assert not any(p.name == "index.md" or p.suffix == ".md" for p in published)
    photos = list((built / "foto" / "telaga-batik").iterdir())
    assert any(p.suffix == ".webp" for p in photos) and any(p.suffix == ".jpg" for p in photos)


def test_schema_is_published(built: Path) -> None:
    schema = json.loads(read(built, "schema/entri.schema.json"))
    assert "nama" in schema["required"]


def test_values_are_escaped_and_story_sanitized(project: Path, make_entry: MakeEntry) -> None:
    make_entry(
        "jahat",
        {"nama": 'Warung <script>alert(1)</script>', "ringkasan": 'Enak "sekali" <img src=x onerror=alert(1)>'},
        body='Halo <script>alert(2)</script>\n\n[klik](javascript:alert(3))\n\n<iframe src="https://evil.example"></iframe>\n',
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    page = read(project / "site", "usaha/jahat/index.html")
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert not [name for _, attrs in parse_tags(page) for name, _ in attrs if name.startswith("on")]
    assert not [tag for tag, _ in parse_tags(page) if tag == "iframe"]
    assert "javascript:alert" not in page
    assert "<iframe" not in page
    assert "&lt;script&gt;" in page


def test_failed_build_leaves_the_site_untouched(project: Path, make_entry: MakeEntry) -> None:
    make_entry("baik")
    assert build(project).returncode == 0
    marker = project / "site" / "penanda.txt"
    marker.write_text("situs lama")
    before = sorted(p.relative_to(project / "site") for p in (project / "site").rglob("*"))
    make_entry("rusak-satu", {"sektor": "kulinerr"})
    make_entry("rusak-dua", text="tanpa front matter\n")
    result = build(project)
    assert result.returncode == 1
    assert "catalog/rusak-satu/index.md:3: sektor: sektor usaha tidak dikenal 'kulinerr' (maksud Anda 'kuliner'?)" in result.stderr
    assert "catalog/rusak-dua/index.md:1: blok front matter tidak ditemukan" in result.stderr
    assert "Traceback" not in result.stderr
    assert marker.read_text() == "situs lama"
    assert sorted(p.relative_to(project / "site") for p in (project / "site").rglob("*")) == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


def test_plain_mkdocs_build_validates_before_cleaning(project: Path, make_entry: MakeEntry) -> None:
    make_entry("baik")
    (project / "site").mkdir()
    (project / "site" / "penanda.txt").write_text("situs lama")
    make_entry("rusak", {"kecamatan": "Bekasi Barat"})
    env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat()}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "catalog/rusak/index.md:4: kecamatan: kecamatan tidak dikenal 'Bekasi Barat' di Kabupaten Bekasi" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project / "site" / "penanda.txt").read_text() == "situs lama"


def test_build_is_deterministic(project: Path, make_entry: MakeEntry) -> None:
    make_entry("telaga-batik", FULL, photos={"foto/sampul.jpg": (900, 600), "foto/galeri.jpg": (700, 500), "foto/batik.jpg": (800, 800)})
    assert build(project).returncode == 0
    first = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    shutil.rmtree(project / ".cache")
    assert build(project).returncode == 0
    second = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_sample_catalog_builds_strict(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("theme", "halaman", "catalog"):
        shutil.copytree(ROOT / folder, project / folder)
    result = build(project)
    assert result.returncode == 0, result.stderr
    pages = list((project / "site" / "usaha").glob("*/index.html"))
    assert len(pages) == len([p for p in (ROOT / "catalog").iterdir() if p.is_dir() and not p.name.startswith(("_", "."))])


def build_in_process(project: Path) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    mkdocs_build(load_config(str(project / "mkdocs.yml")))


def test_published_photos_are_clean_upright_and_bounded(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    from generator.builder import images

    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    folder = make_entry("telaga-batik", {**FULL, "produk": [], "foto": ["foto/miring.jpg", "foto/besar.png"]}).parent
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: a phone held upright
    exif[0x010F] = "Samsung"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 17.0, 24.0)
    (folder / "foto").mkdir()
    Image.new("RGB", (600, 800), (10, 120, 200)).save(folder / "foto" / "miring.jpg", exif=exif)
    Image.new("RGBA", (3000, 1000), (200, 10, 10, 128)).save(folder / "foto" / "besar.png")
    build_in_process(project)
    assert images.last_stats.processed == 2
    published = [p for p in (project / "site" / "foto").rglob("*") if p.is_file()]
    assert published
    for path in published:
        with Image.open(path) as img:
            assert img.width <= 2048 and img.height <= 2048
            assert not img.getexif() and "exif" not in img.info and "icc_profile" not in img.info
            if path.name.startswith("miring") and "thumb" not in path.name:
                assert img.width > img.height  # rotated upright
    assert b"Samsung" not in b"".join(p.read_bytes() for p in published)
    page = read(project / "site", "usaha/telaga-batik/index.html")
    # Photos, not the page's QR code (an SVG: one size fits all, tests/test_printing.py).
    imgs = [dict(attrs) for tag, attrs in parse_tags(page) if tag == "img" and not str(dict(attrs).get("src")).endswith(".svg")]
    assert imgs and all(i.get("width") and i.get("height") and i.get("srcset") and i.get("alt") for i in imgs)
    assert "loading" not in imgs[0] and all(i.get("loading") == "lazy" for i in imgs[1:])

    build_in_process(project)  # unchanged photos: no image work at all
    assert images.last_stats.processed == 0 and images.last_stats.cached == 2


def test_gallery_links_work_without_javascript(built: Path) -> None:
    page = read(built, "usaha/telaga-batik/index.html")
    links = [dict(attrs)["href"] for tag, attrs in parse_tags(page) if tag == "a" and "umkm-gallery__link" in (dict(attrs).get("class") or "")]
    assert links
    for href in links:
        assert (built / "usaha" / "telaga-batik" / href).resolve().is_file()
    assert '<script src="../../assets/galeri.js" defer>' in page
    assert (built / "assets" / "galeri.js").is_file()


def test_an_empty_catalog_builds(project: Path) -> None:
    result = build(project)
    assert result.returncode == 0, result.stderr
    home = read(project / "site", "index.html")
    assert "Katalog UMKM" in home
    assert (project / "site" / "cari" / "index.html").is_file()


def test_pages_use_the_project_theme_not_the_package_folder(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    # As after `pip install .` (the workflows): the package's own folder holds no theme, so every
    # template must come from the project's custom_dir.
    from generator.outputs import export, pages, search, seo, stats

    missing = project / "tidak-ada"
    for module, name in ((pages, "TEMPLATES_DIR"), (export, "TEMPLATES_DIR"), (seo, "TEMPLATES_DIR"), (stats, "TEMPLATES_DIR"), (search, "PAGES_TEMPLATES_DIR")):
        monkeypatch.setattr(module, name, missing)
    business = project / "theme" / "partials" / "catalog" / "business.html"
    business.write_text("<!-- tema proyek -->\n" + business.read_text())
    make_entry("telaga-batik", FULL, photos={"foto/sampul.jpg": (900, 600), "foto/galeri.jpg": (700, 500), "foto/batik.jpg": (800, 800)})
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    build_in_process(project)
    assert "<!-- tema proyek -->" in read(project / "site", "usaha/telaga-batik/index.html")
    assert (project / "site" / "statistik" / "index.html").is_file() and (project / "site" / "data" / "index.html").is_file()
