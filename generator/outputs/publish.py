"""After the build: security headers with a Content Security Policy the built site satisfies,
robots.txt and the web app manifest.

The policy allows the site's own files and exactly its known inline code: an inline `<script>`
is hashed (sha256) into it only when it is one of the theme's known scripts (`known_scripts`, the
same patterns the audit holds them to, read from Material's own templates), never because it was
found in the output: a page poisoned through a restored cache cannot get its script allowed.
Inline `<style>` elements are hashed as found (a style runs no script, and img-src/font-src keep
it from loading anything from elsewhere). No `'unsafe-inline'` for scripts or style elements.

It is written from one table of headers to `_headers` (Netlify, Cloudflare Pages) and
`_headers.nginx` (`add_header` lines that `docs/nginx.conf` includes), and, for hosts that ignore
`_headers` (GitHub Pages, a plain bucket), as a `<meta http-equiv="Content-Security-Policy">` at the
top of every page's `<head>` with the same directives and that page's own hashes. A `<meta>` policy
cannot hold `frame-ancestors`: only the header files can. Engine independent: it reads and writes files in a folder.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.workers import map_items

HEADERS_FILE = "_headers"
NGINX_HEADERS_FILE = "_headers.nginx"
ROBOTS_FILE = "robots.txt"
MANIFEST_FILE = "manifest.webmanifest"
THEME_COLOR = "#4caf50"  # Material's "green" primary colour (mkdocs.yml theme.palette)
ICONS = (
    ("assets/ikon-192.png", "192x192", "image/png"),
    ("assets/ikon-512.png", "512x512", "image/png"),
    ("assets/ikon.svg", "any", "image/svg+xml"),
)

# Types a browser executes as script; anything else (application/json, application/ld+json)
# is a data block that CSP does not govern.
_SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"})
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTR = re.compile(r"<[a-zA-Z][^>]*?\sstyle\s*=", re.DOTALL)
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_FORM_ACTION = re.compile(r"""<form\b[^>]*\saction\s*=\s*["']?(https://[^/"'\s>]+)""", re.IGNORECASE)

# Cloudflare Pages refuses a _headers line longer than this.
MAX_HEADER_LINE = 2000
# Directives a policy delivered in a <meta> element cannot carry (CSP Level 3, section 3.3).
META_IGNORED = frozenset({"frame-ancestors", "report-uri", "sandbox"})
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
_CHARSET = re.compile(r"<meta charset=[\"']?[\w-]+[\"']?\s*/?>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


@dataclass
class InlineCode:
    """What the pages of a site run or style inline, gathered over every HTML file."""

    scripts: set[str] = field(default_factory=set)  # 'sha256-…' sources of known inline scripts
    styles: set[str] = field(default_factory=set)
    style_attributes: bool = False
    form_origins: set[str] = field(default_factory=set)  # external form targets (https origins)
    wasm: bool = False  # WebAssembly in the site (a search index such as Pagefind)

    def merge(self, other: InlineCode) -> None:
        self.scripts |= other.scripts
        self.styles |= other.styles
        self.style_attributes = self.style_attributes or other.style_attributes
        self.form_origins |= other.form_origins
        self.wasm = self.wasm or other.wasm

    def add_page(self, html: str, known_scripts: Sequence[re.Pattern[str]] | None = None) -> None:
        """What one page runs and styles inline; with `known_scripts`, only scripts matching one of
        them are allowed (the rest stay forbidden, and the audit reports them)."""
        for match in _SCRIPT.finditer(html):
            attrs = _attributes(match.group(1))
            if "src" not in attrs and attrs.get("type", "").strip().lower() in _SCRIPT_TYPES:
                body = match.group(2)
                if known_scripts is None or any(p.fullmatch(body) for p in known_scripts):
                    self.scripts.add(csp_hash(body))
        self.styles.update(csp_hash(m.group(1)) for m in _STYLE.finditer(html))
        self.style_attributes = self.style_attributes or bool(_STYLE_ATTR.search(html))
        self.form_origins.update(m.group(1) for m in _FORM_ACTION.finditer(html))


def publish_site(
    site_dir: Path,
    *,
    site_url: str,
    site_name: str,
    description: str = "",
    data_license_url: str = "",
    known_scripts: Sequence[re.Pattern[str]] | None = None,
) -> None:
    """Write robots.txt, the manifest and the security headers of the built site in `site_dir`,
    and put the policy in a <meta> element of every page."""
    (site_dir / ROBOTS_FILE).write_text(robots_txt(site_url), encoding="utf-8")
    (site_dir / MANIFEST_FILE).write_text(web_manifest(site_name, description), encoding="utf-8")
    pages = sorted(site_dir.rglob("*.html"))
    wasm = _has_wasm(site_dir)
    scripts = tuple(known_scripts) if known_scripts is not None else None
    # One pass over the pages: each is read, gets its <meta> and is written; what it holds inline
    # comes back for the header policy, which is the union of all pages.
    code = _site_code(map_items(lambda path: _publish_page(path, scripts, wasm), pages), wasm)
    headers = site_headers(code, data_license_url=data_license_url)
    (site_dir / HEADERS_FILE).write_text(headers_file(headers), encoding="utf-8")
    (site_dir / NGINX_HEADERS_FILE).write_text(nginx_headers(headers[0][1]), encoding="utf-8")


def scan_site(site_dir: Path, *, known_scripts: Sequence[re.Pattern[str]] | None = None) -> InlineCode:
    """Every known inline script and every style of every page, in one pass over the HTML files
    (spread over worker processes for a large site)."""
    scripts = tuple(known_scripts) if known_scripts is not None else None
    found = map_items(lambda path: _scan_text(path.read_text(encoding="utf-8", errors="replace"), scripts), sorted(site_dir.rglob("*.html")))
    return _site_code(found, _has_wasm(site_dir))


def _has_wasm(site_dir: Path) -> bool:
    """WebAssembly in the site: *.wasm, or Pagefind's compressed wasm.<language>.pagefind."""
    return any(True for pattern in ("*.wasm", "wasm.*.pagefind") for _ in site_dir.rglob(pattern))


def _site_code(found: Iterable[InlineCode], wasm: bool) -> InlineCode:
    code = InlineCode(wasm=wasm)
    for page in found:
        code.merge(page)
    return code


def _scan_text(text: str, known_scripts: Sequence[re.Pattern[str]] | None) -> InlineCode:
    code = InlineCode()
    code.add_page(_META_CSP.sub("", text), known_scripts)
    return code


def _publish_page(path: Path, known_scripts: Sequence[re.Pattern[str]] | None, wasm: bool) -> InlineCode:
    """Put the page's own policy first in its <head> (right after its charset, replacing an older
    one) and return what it holds inline. Its <meta> allows that page's inline code only: one list
    for the whole site would put every page's hashes (Material's base script differs with the
    page's depth) in every page, and pages would grow with the catalog."""
    text = _META_CSP.sub("", path.read_text(encoding="utf-8"), count=1)
    own = _scan_text(text, known_scripts)
    at = _CHARSET.search(text) or _HEAD.search(text)
    if at is not None:  # else not a page (a fragment): nothing runs there that a policy would govern
        policy = content_security_policy(InlineCode(own.scripts, own.styles, own.style_attributes, own.form_origins, wasm))
        path.write_text(text[: at.end()] + policy_meta(policy) + text[at.end() :], encoding="utf-8")
    return own


def policy_meta(policy: str) -> str:
    """The policy as a <meta> element: every directive but those a <meta> policy cannot carry."""
    kept = "; ".join(part for part in policy.split("; ") if part.split(" ", 1)[0] not in META_IGNORED)
    return f'<meta http-equiv="Content-Security-Policy" content="{html.escape(kept)}">'


def csp_hash(source: str) -> str:
    """The CSP source expression of an inline script or style: its exact text, hashed."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(code: InlineCode) -> str:
    """A policy that allows the site's own files and exactly its inline code, nothing else."""
    script = ["'self'", *sorted(code.scripts)]
    if code.wasm:
        script.append("'wasm-unsafe-eval'")  # compiling WebAssembly; still no eval of strings
    directives = [
        ("default-src", ["'none'"]),
        ("script-src", script),
        ("style-src", ["'self'", *sorted(code.styles)]),
        # Style attributes only carry photo placeholder colours; they cannot run script, and
        # img-src/font-src keep them from loading anything from elsewhere.
        ("style-src-attr", ["'unsafe-inline'" if code.style_attributes else "'none'"]),
        ("img-src", ["'self'", "data:"]),  # Material's CSS draws icons as data: SVG
        ("font-src", ["'self'"]),
        ("connect-src", ["'self'"]),  # search index, Material's instant loading, the phone form's one business (its formulir.json and page)
        ("worker-src", ["'self'"]),
        ("manifest-src", ["'self'"]),
        ("base-uri", ["'self'"]),
        ("form-action", ["'self'", *sorted(code.form_origins)]),
        ("frame-ancestors", ["'none'"]),
        ("object-src", ["'none'"]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def site_headers(code: InlineCode, *, data_license_url: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """(path pattern, [(header, value)]) rules; the first rule applies to every path."""
    every = [
        ("Content-Security-Policy", content_security_policy(code)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Strict-Transport-Security", "max-age=31536000"),
    ]
    data = [("Access-Control-Allow-Origin", "*")]
    if data_license_url:
        data.append(("Link", f'<{data_license_url}>; rel="license"'))
    return [
        ("/*", every),
        # Photo file names carry a hash of their content, so they never change.
        ("/foto/*", [("Cache-Control", "public, max-age=31536000, immutable")]),
        ("/data/*", data),
    ]


def headers_file(rules: Iterable[tuple[str, list[tuple[str, str]]]]) -> str:
    """The `_headers` file of Netlify and Cloudflare Pages."""
    lines = []
    for path, headers in rules:
        lines.append(path)
        for name, value in headers:
            line = f"  {name}: {value}"
            if len(line) > MAX_HEADER_LINE:
                raise ValueError(f"{HEADERS_FILE}: {name} lebih dari {MAX_HEADER_LINE} karakter (Cloudflare Pages menolaknya)")
            lines.append(line)
    return "\n".join(lines) + "\n"


def nginx_headers(headers: Iterable[tuple[str, str]]) -> str:
    """`add_header` lines for nginx (docs/nginx.conf includes this file)."""
    out = ["# Dibuat oleh umkm bangun: jangan diubah tangan (generated; included by docs/nginx.conf)."]
    for name, value in headers:
        out.append(f"add_header {name} {json.dumps(value)} always;")
    return "\n".join(out) + "\n"


def robots_txt(site_url: str) -> str:
    """Every page may be crawled; the sitemap is named when the site has a URL."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"


def web_manifest(site_name: str, description: str = "") -> str:
    """The web app manifest; its URLs are relative to it, so it works under any sub-path."""
    manifest = {
        "name": site_name,
        "short_name": "Katalog UMKM",
        "description": description,
        "lang": "id",
        "start_url": "./",
        "scope": "./",
        "display": "minimal-ui",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [{"src": src, "sizes": sizes, "type": mime} for src, sizes, mime in ICONS],
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


def _attributes(text: str) -> dict[str, str]:
    attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR.finditer(text)}
    for bare in re.findall(r"(?:^|\s)([a-zA-Z][-a-zA-Z0-9]*)(?=\s|$)", _ATTR.sub(" ", text)):
        attrs.setdefault(bare.lower(), "")
    return attrs
