"""Scale, cheaply: pages stay out of the navigation, page size stays flat, rebuilds redo little."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator import plugin
from generator.outputs import story
from tests.conftest import TODAY, MakeEntry


def build_in_process(project: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Path:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    build(load_config(str(project / "mkdocs.yml")))
    return project / "site"


def make_many(make_entry: MakeEntry, count: int) -> None:
    for i in range(count):
        make_entry(f"usaha-{i:03d}", {"nama": f"Usaha Nomor {i:03d}", "kecamatan": "Setu" if i % 2 else "Cibitung"})


def test_business_page_size_does_not_grow_with_the_catalog(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    make_many(make_entry, 3)
    small = (build_in_process(project, monkeypatch) / "usaha" / "usaha-000" / "index.html").read_bytes()
    make_many(make_entry, 60)
    site = build_in_process(project, monkeypatch)
    large = (site / "usaha" / "usaha-000" / "index.html").read_bytes()
    assert len(large) == len(small)
    # Listing pages are paginated: the kecamatan with 30 businesses fits one page of 48.
    assert (site / "kecamatan" / "setu" / "index.html").stat().st_size < 3 * len(large) + 48 * 2000


def test_catalog_pages_are_not_in_the_navigation(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    make_many(make_entry, 5)
    page = (build_in_process(project, monkeypatch) / "index.html").read_text()
    nav = page[page.index('<nav class="md-nav md-nav--primary') :]
    nav = nav[: nav.index("</nav>")]
    assert "usaha-00" not in nav and "kecamatan/setu" not in nav
    assert "Sektor" in nav and "Kecamatan" in nav


def test_preview_of_one_entry_ignores_the_rest(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    make_many(make_entry, 3)
    make_entry("rusak", {"sektor": "bukan-sektor"})
    site = build_in_process(project, monkeypatch, UMKM_HANYA="usaha-001")
    assert sorted(p.name for p in (site / "usaha").iterdir()) == ["usaha-001"]
    assert "usaha-001" in (site / "kecamatan" / "setu" / "index.html").read_text()


def test_dirty_builds_skip_unchanged_pages(tmp_path: Path) -> None:
    site = str(tmp_path)
    assert plugin._remember(site, "usaha/a.md", "<h1>A</h1>") is True
    assert plugin._remember(site, "usaha/a.md", "<h1>A</h1>") is False
    assert plugin._remember(site, "usaha/a.md", "<h1>A baru</h1>") is True
    assert plugin._remember(str(tmp_path / "lain"), "usaha/a.md", "<h1>A baru</h1>") is True


def test_story_cache_survives_between_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "stories.json"
    text = "Cerita **kami** dimulai 2017."
    first = story.render_story(text)
    story.save_story_cache(cache, [text])
    monkeypatch.setattr(story, "_memo", {})
    story.load_story_cache(cache)
    monkeypatch.setattr(story, "_render", lambda _: pytest.fail("the cached story was rendered again"))
    assert story.render_story(text) == first


def test_story_cache_ignores_another_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "stories.json"
    cache.write_text('{"code": "lama", "stories": {"x": "<script>"}}')
    monkeypatch.setattr(story, "_memo", {})
    story.load_story_cache(cache)
    assert story._memo == {}


@given(st.text())
def test_front_matter_strings_round_trip(text: str) -> None:
    quoted = plugin._yaml_quote(html.escape(text))
    assert yaml.safe_load(f"title: {quoted}")["title"] == html.escape(text)


def test_serve_watches_the_catalog_the_region_and_the_page_templates(project: Path) -> None:
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"))
    watched: list[str] = []

    class Server:
        def watch(self, path: str) -> None:
            watched.append(path)

    config.plugins["umkm"].on_serve(Server(), config=config, builder=None)
    assert {Path(p).resolve() for p in watched} >= {(project / name).resolve() for name in ("catalog", "wilayah.yml", "theme")}
