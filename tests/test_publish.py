"""Publishing: atomic builds, security headers the site satisfies, no third-party requests,
sub-path and root hosting, sitemap, robots, 404, manifest, page weight, deploy workflow."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from generator.outputs.publish import InlineCode, content_security_policy, csp_hash, headers_file, site_headers
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, FULL, ROOT, TODAY, MakeEntry, build, full_photos, parse_page, run_umkm

# --- helpers: an HTML reader independent of generator/outputs/publish.py's regular expressions ---------


def policy_of(site: Path) -> dict[str, list[str]]:
    """The Content-Security-Policy of `/*` in the site's _headers, as directive -> sources."""
    text = (site / "_headers").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("Content-Security-Policy:"))
    policy = line.split(":", 1)[1].strip()
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


OWN_HOST = "umkm.bekasikab.go.id"  # site_url's host in mkdocs.yml


def external(url: str) -> bool:
    return bool(re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//", url.strip()))


def third_party(url: str) -> bool:
    return external(url) and urlsplit(url.strip()).netloc != OWN_HOST


CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+['"]([^'"]+)['"]""")


# --- atomic builds ----------------------------------------------------------------------------

SLOW_HOOK = """
import os, time
from pathlib import Path
from typing import Any, ClassVar

def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith("usaha/"):
        Path(os.environ["UMKM_TANDA"]).write_text("sedang membangun")
        time.sleep(120)
    return html
"""


def _start_slow_build(project: Path) -> tuple[subprocess.Popen[str], Path]:
    (project / "lambat.py").write_text(SLOW_HOOK)
    with (project / "mkdocs.yml").open("a") as config:
        config.write("\nhooks:\n  - lambat.py\n")
    marker = project / "tanda.txt"
    env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat(), "PYTHONPATH": str(ROOT), "UMKM_TANDA": str(marker)}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "build"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell starts background jobs (`make test &`) with SIGINT ignored, and children inherit
        # that: Python then installs no KeyboardInterrupt handler and Ctrl-C would never arrive.
        # The build gets the disposition a terminal gives it, however the suite was started.
        preexec_fn=_interruptible,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never reached a business page"
        time.sleep(0.1)
    return process, marker


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _site_files(site: Path) -> dict[Path, bytes]:
    return {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}


# SIGKILL cannot be ignored: only Ctrl-C depends on how the suite was started.
@pytest.mark.parametrize(("how", "started"), [("ctrl-c", "terminal"), ("ctrl-c", "background"), ("kill", "terminal")])
def test_interrupted_build_leaves_the_old_site(project: Path, make_entry: MakeEntry, how: str, started: str) -> None:
    make_entry("baik")
    assert build(project).returncode == 0
    site = project / "site"
    before = _site_files(site)
    make_entry("baru", {"nama": "Usaha Baru"})
    # "background": the suite itself runs with SIGINT ignored, as in `make test &` from a shell.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if started == "background" else None
    try:
        process, _ = _start_slow_build(project)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    staging = [p for p in project.iterdir() if p.name.startswith(".site.baru-")]
    assert staging, "the build writes beside the site, not into it"
    process.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode != 0
    assert _site_files(site) == before
    assert not (site / "usaha" / "baru").exists()
    if how == "ctrl-c":  # KeyboardInterrupt: the half-built folder is removed too
        assert not [p for p in project.iterdir() if p.name.startswith(".site.")]
    else:  # a killed build cannot clean up: the next build removes what it left
        (project / "mkdocs.yml").write_text((project / "mkdocs.yml").read_text().replace("\nhooks:\n  - lambat.py\n", "\n"))
        assert build(project).returncode == 0
        assert not [p for p in project.iterdir() if p.name.startswith(".site.")]
        assert (site / "usaha" / "baru").is_dir()


# --- Content Security Policy --------------------------------------------------------------------


def test_policy_allows_every_inline_script_and_style_of_every_page(sample_site: Path) -> None:
    policy = policy_of(sample_site)
    assert policy["default-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 40
    executed = 0
    for path in pages:
        parts = parse_page(path)
        where = path.relative_to(sample_site)
        for attrs, text in parts.scripts:
            if "src" in attrs:
                assert not external(attrs["src"]), where
                continue
            if attrs.get("type") in ("application/json", "application/ld+json"):
                continue  # a data block: never executed, so CSP does not apply
            assert attrs.get("type", "") in ("", "text/javascript", "module"), (where, attrs)
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["script-src"], (where, text[:80])
            executed += 1
        for text in parts.styles:
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["style-src"], (where, text[:80])
        if parts.style_attributes:
            assert policy["style-src-attr"] == ["'unsafe-inline'"], where
        assert parts.handlers == [], (where, parts.handlers)  # blocked by any policy without 'unsafe-hashes'
        assert not [h for h in parts.links if h.strip().lower().startswith("javascript:")], where
    assert executed > 0  # Material's inline scripts were found and checked
    if [*sample_site.rglob("*.wasm"), *sample_site.rglob("wasm.*.pagefind")]:
        assert "'wasm-unsafe-eval'" in policy["script-src"]  # the search index compiles WebAssembly


def test_nginx_headers_match_the_headers_file(sample_site: Path) -> None:
    nginx = (sample_site / "_headers.nginx").read_text(encoding="utf-8")
    csp = " ".join(f"{k} {' '.join(v)};" for k, v in policy_of(sample_site).items()).rstrip(";")
    assert f'add_header Content-Security-Policy "{csp}" always;' in nginx
    for name in ("X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert f"add_header {name} " in nginx
    conf = (ROOT / "docs" / "nginx.conf").read_text(encoding="utf-8")
    assert "_headers.nginx" in conf and "include" in conf


def test_policy_follows_what_the_site_holds() -> None:
    code = InlineCode()
    code.add_page('<script>a()</script><script type="application/ld+json">{"x":1}</script><script src="b.js"></script><style>p{}</style>')
    assert code.scripts == {csp_hash("a()")}
    assert code.styles == {csp_hash("p{}")}
    assert not code.style_attributes
    policy = content_security_policy(code)
    assert "'wasm-unsafe-eval'" not in policy and "style-src-attr 'none'" in policy
    code.wasm = True
    code.add_page('<img style="background-color:#abc"><form action="https://github.com/x/issues/new">')
    policy = content_security_policy(code)
    assert "'wasm-unsafe-eval'" in policy and "style-src-attr 'unsafe-inline'" in policy
    assert "form-action 'self' https://github.com" in policy
    with pytest.raises(ValueError, match="Cloudflare"):
        headers_file([("/*", [("Content-Security-Policy", "x" * 2100)])])
    assert headers_file(site_headers(InlineCode())).startswith("/*\n  Content-Security-Policy: default-src 'none';")


# --- privacy: no third-party requests -----------------------------------------------------------


def test_no_page_loads_anything_from_another_host(sample_site: Path) -> None:
    offenders = []
    for path in sorted(sample_site.rglob("*.html")):
        parts = parse_page(path)
        where = path.relative_to(sample_site)
        offenders += [(where, tag, url) for tag, url in parts.loads if third_party(url)]
        for css in [*parts.styles, *parts.style_attributes]:
            offenders += [
                (where, "style", m.group(2) or m.group(3)) for m in CSS_URL.finditer(css) if third_party(m.group(2) or m.group(3))
            ]
        # <link rel=preconnect/dns-prefetch> would contact a host too; <a> links to the
        # businesses' own shops and the verification pages are the only external URLs.
        offenders += [(where, "link", a.get("href", "")) for tag, a in parts.tags if tag == "link" and third_party(a.get("href", ""))]
    for css in sorted(sample_site.rglob("*.css")):
        text = css.read_text(encoding="utf-8")
        offenders += [
            (css.relative_to(sample_site), "css", m.group(2) or m.group(3))
            for m in CSS_URL.finditer(text)
            if third_party(m.group(2) or m.group(3))
        ]
    assert offenders == []


def test_external_links_are_only_in_anchors(sample_site: Path) -> None:
    page = parse_page(sample_site / "usaha" / "griya-batik-lumbung-padi" / "index.html")
    assert [h for h in page.links if external(h)]  # the business's own links are there
    assert not [u for _, u in page.loads if third_party(u)]


# --- hosting at a sub-path and at the domain root ------------------------------------------------


def _check_local_links(site: Path, prefix: str) -> list[str]:
    """Every local href/src of every page resolves to a file of the site served at `prefix`."""
    broken = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel == "404.html":
            page_url = f"https://contoh.go.id{prefix}halaman-yang-hilang/lagi/"  # served at any missing path
        else:
            page_url = f"https://contoh.go.id{prefix}{rel[: -len('index.html')] if rel.endswith('index.html') else rel}"
        parts = parse_page(path)
        for url in [u for _, u in parts.loads] + parts.links:
            if not url or url.startswith(("#", "mailto:", "tel:", "geo:", "data:")) or (external(url) and "contoh.go.id" not in url):
                continue
            target = urlsplit(urljoin(page_url, url))
            if target.netloc != "contoh.go.id" or not target.path.startswith(prefix):
                broken.append(f"{rel}: {url}")
                continue
            local = site / target.path[len(prefix) :]
            if target.path.endswith("/"):
                local = local / "index.html"
            if not local.is_file():
                broken.append(f"{rel}: {url}")
    return broken


@pytest.mark.parametrize("site_url", ["https://contoh.go.id/katalog/", "https://contoh.go.id/"])
def test_site_works_under_a_sub_path_and_at_the_root(project: Path, make_entry: MakeEntry, site_url: str) -> None:
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {site_url}", config.read_text()))
    make_entry("telaga-batik", FULL, photos=full_photos())
    make_entry("keripik-sari-rasa", {"diperbarui": "2026-01-05"})
    result = build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    prefix = urlsplit(site_url).path
    assert _check_local_links(site, prefix) == []
    page = parse_page(site / "usaha" / "telaga-batik" / "index.html")
    canonical = next(a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "canonical")
    og = {a["property"]: a["content"] for t, a in page.tags if t == "meta" and "property" in a}
    assert canonical == og["og:url"] == f"{site_url}usaha/telaga-batik/"
    assert og["og:image"].startswith(f"{site_url}foto/telaga-batik/") and og["og:image"].endswith(".jpg")
    assert (site / og["og:image"][len(site_url) :]).is_file()
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(site_url) for loc in locs)
    assert f"Sitemap: {site_url}sitemap.xml" in (site / "robots.txt").read_text()
    not_found = parse_page(site / "404.html")
    assert all(u.startswith(prefix) for t, u in not_found.loads if t in ("script", "link"))


# --- findability files --------------------------------------------------------------------------


def test_sitemap_lists_every_business_with_its_lastmod(sample_site: Path) -> None:
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in ET.parse(sample_site / "sitemap.xml").getroot().iter(f"{ns}url")}
    slugs = sorted(p.name for p in (ROOT / "catalog").iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    for slug in slugs:
        meta = yaml.safe_load((ROOT / "catalog" / slug / "index.md").read_text(encoding="utf-8").split("---")[1])
        assert urls[f"https://umkm.bekasikab.go.id/katalog/usaha/{slug}/"] == str(meta.get("diperbarui", TODAY)), slug
    assert urls["https://umkm.bekasikab.go.id/katalog/"] == TODAY.isoformat()  # the build date, not the clock
    assert urls["https://umkm.bekasikab.go.id/katalog/data/"] == TODAY.isoformat()


def test_robots_manifest_favicon_and_404(sample_site: Path) -> None:
    assert (sample_site / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\nSitemap: https://umkm.bekasikab.go.id/katalog/sitemap.xml\n"
    )
    import json

    manifest = json.loads((sample_site / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["lang"] == "id" and manifest["start_url"] == "./"
    for icon in manifest["icons"]:
        assert not external(icon["src"]) and (sample_site / icon["src"]).is_file()
        assert (sample_site / icon["src"]).stat().st_size < 16_000
    home = parse_page(sample_site / "index.html")
    rels = {a.get("rel"): a.get("href") for t, a in home.tags if t == "link"}
    assert rels["manifest"] == "manifest.webmanifest"
    assert rels["icon"] and (sample_site / rels["icon"]).is_file()
    assert "<title>Katalog UMKM Kabupaten Bekasi</title>" in (sample_site / "index.html").read_text(encoding="utf-8")
    not_found = (sample_site / "404.html").read_text(encoding="utf-8")
    assert "Halaman tidak ditemukan" in not_found and "Not found" not in not_found
    assert '<a href="/katalog/">' in not_found


def test_sample_exports_list_every_business(sample_site: Path) -> None:
    import json

    project = sample_site.parent
    slugs = sorted(p.name for p in (ROOT / "catalog").iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    data = json.loads((project / "site/data/umkm.json").read_text(encoding="utf-8"))
    assert [b["slug"] for b in data["usaha"]] == slugs
    assert [r["slug"] for r in _read_csv((project / "site/data/umkm.csv").read_text(encoding="utf-8"))] == slugs
    products = _read_csv((project / "site/data/produk.csv").read_text(encoding="utf-8"))
    assert len(products) == sum(len(b.get("produk", [])) for b in data["usaha"])
    assert not re.search(r"\b\d{16}\b", (project / "site/data/umkm.json").read_text(encoding="utf-8"))  # no NIK-like numbers


def _read_csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- light pages ----------------------------------------------------------------------------------


def test_business_page_first_view_is_under_500_kb(sample_site: Path) -> None:
    path = sample_site / "usaha" / "griya-batik-lumbung-padi" / "index.html"
    page = parse_page(path)
    total = path.stat().st_size
    for tag, url in page.loads:
        if tag in ("script", "link") and url.endswith((".css", ".js")):
            total += (path.parent / url).resolve().stat().st_size
    images = [(t, a) for t, a in page.tags if t == "img"]
    assert len(images) > 3
    eager = [a for _, a in images if a.get("loading") != "lazy"]
    assert len(eager) == 1 and eager[0].get("fetchpriority") == "high"  # only the cover loads at once
    # The largest candidate of the eager photo, in both formats, as a pessimistic bound.
    for candidate in [c.split()[0] for c in eager[0]["srcset"].split(",")][-1:]:
        total += (path.parent / candidate).resolve().stat().st_size
    assert total < 500_000, total


# --- deploy workflow and docs ---------------------------------------------------------------------


def test_deploy_workflow_uses_the_official_actions() -> None:
    workflow = yaml.load((ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert workflow["on"]["push"]["branches"] == ["main"]
    # Per job (issue 14): the build reads only; only the deploy job holds pages and id-token.
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    for action in (
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert action in uses, action
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == ".cache/umkm"
    assert "hashFiles(" in cache["with"]["key"] and "catalog/**" in cache["with"]["key"]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert any("umkm bangun" in step.get("run", "") for step in steps)


def test_readme_explains_publishing_in_five_steps_or_fewer() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for heading in ("GitHub Pages", "Netlify", "Cloudflare Pages", "server web"):
        match = re.search(rf"^#+ [^\n]*{heading}[^\n]*\n(.*?)(?=^#)", readme, re.MULTILINE | re.DOTALL | re.IGNORECASE)
        assert match, heading
        steps = re.findall(r"^\d+\. ", match.group(1), re.MULTILINE)
        assert 1 <= len(steps) <= 5, (heading, len(steps))


def test_build_without_site_url_still_publishes(project: Path, make_entry: MakeEntry) -> None:
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*\n", "", config.read_text()))
    make_entry("telaga-batik", FULL, photos=full_photos())
    result = run_umkm(project, "build")
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert (site / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    page = parse_page(site / "usaha" / "telaga-batik" / "index.html")
    og = {a["property"]: a["content"] for t, a in page.tags if t == "meta" and "property" in a}
    assert "og:url" not in og and "og:image" not in og  # never a relative URL where an absolute one is due


# --- in a real browser, with the headers applied ----------------------------------------------------


def serve_with_headers(site: Path, prefix: str, *, use_headers: bool = True) -> tuple[Any, str]:
    """Serve `site` at http://127.0.0.1:PORT{prefix} with the rules of its _headers, like a static host
    (without them, with `use_headers=False`, like GitHub Pages)."""
    import fnmatch
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines() if use_headers else []:
        if line and not line.startswith(" "):
            rules.append((line.strip(), []))
        elif line.strip():
            name, value = line.strip().split(":", 1)
            rules[-1][1].append((name, value.strip()))

    class Handler(SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {
            **SimpleHTTPRequestHandler.extensions_map,
            ".webmanifest": "application/manifest+json",
            ".js": "text/javascript",
        }

        def translate_path(self, path: str) -> str:
            path = path.split("?", 1)[0]
            return super().translate_path("/" + path[len(prefix) :] if path.startswith(prefix) else "/__tidak_ada__")

        def end_headers(self) -> None:
            local = "/" + self.path.split("?", 1)[0][len(prefix) :]
            for pattern, headers in rules:
                if fnmatch.fnmatch(local, pattern):
                    for name, value in headers:
                        self.send_header(name, value)
            super().end_headers()

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            if code != 404:
                return super().send_error(code, message, explain)
            body = (site / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (make browser)")
def test_browser_reports_no_policy_violation_and_no_third_party_request(sample_site: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    server, base = serve_with_headers(sample_site, "/katalog/")
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 360, "height": 740})
            requests: list[str] = []
            problems: list[str] = []
            failed: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "tidak-ada" not in r.url else None)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation', "
                "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"
            )
            for uri in ("", "usaha/griya-batik-lumbung-padi/", "sektor/kuliner/", "data/", "cari/?q=batik", "tidak-ada/sama-sekali/"):
                response = page.goto(base + uri, wait_until="load")
                assert response is not None and response.status == (404 if uri.startswith("tidak-ada") else 200), uri
                assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()} or response.headers.get(
                    "content-security-policy"
                ), uri
                page.wait_for_timeout(1500 if uri.startswith("cari") else 300)  # the search runs its index (WebAssembly)
                assert page.evaluate("window.__csp") == [], uri
                assert page.evaluate("document.documentElement.classList.contains('no-js')") is False, uri  # Material's bundle ran
            browser.close()
    finally:
        server.shutdown()
    hosts = {urlsplit(u).netloc for u in requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(base).netloc}
    assert failed == []
    assert [m for m in problems if not m.startswith("Failed to load resource")] == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (make browser)")
def test_the_meta_policy_alone_runs_the_site_and_stops_an_injected_script(sample_site: Path, tmp_path: Path) -> None:
    """GitHub Pages ignores _headers (issue 14): served without them, each page's <meta> policy
    lets the site run (search and its WebAssembly included) and blocks a script injected into a page."""
    import shutil

    playwright = pytest.importorskip("playwright.sync_api")
    site = Path(shutil.copytree(sample_site, tmp_path / "site"))
    poisoned = site / "usaha" / "griya-batik-lumbung-padi" / "index.html"
    text = poisoned.read_text(encoding="utf-8")
    at = text.rindex("</body>")
    poisoned.write_text(text[:at] + "<script>window.__ran = true</script>" + text[at:], encoding="utf-8")
    server, base = serve_with_headers(site, "/katalog/", use_headers=False)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation', "
                "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            for uri in ("", "sektor/kuliner/", "data/", "cari/?q=batik", "usaha/griya-batik-lumbung-padi/"):
                response = page.goto(base + uri, wait_until="load")
                assert response is not None and response.status == 200, uri
                assert "content-security-policy" not in {k.lower() for k in response.headers}, uri  # as on GitHub Pages
                page.wait_for_timeout(1500 if uri.startswith("cari") else 300)
                assert page.evaluate("document.documentElement.classList.contains('no-js')") is False, uri  # Material's bundle ran
                violations = page.evaluate("window.__csp")
                if uri.startswith("usaha/"):
                    assert page.evaluate("window.__ran === true") is False
                    assert any(v.startswith("script-src") for v in violations), violations
                else:
                    assert violations == [], uri
            browser.close()
    finally:
        server.shutdown()
