"""After the build: prove the site as written holds nothing a government domain must not publish.

The last line of defence behind validation, escaping, sanitizing and the photo pipeline: every
file of the built site is read once, in one pass, and the build fails when it finds live script
that is not the theme's or ours, an event-handler attribute, a `javascript:`/`data:` URL, a
resource loaded from a third-party host, an image that still carries EXIF/GPS or XMP, a file type
outside the allow-list, a symlink, or a NIK-shaped number. Engine independent: it reads a folder;
the MkDocs adapter calls `audit_site` from `on_post_build`.
"""

from __future__ import annotations

import gzip
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

from generator.core.privacy import find_niks, line_of, normalize_text
from generator.core.problems import Problem
from generator.core.workers import map_items

# Anywhere in the site. Pagefind's own files only under pagefind/, SVG only under the theme's
# assets/ and the businesses' QR codes in qr/ (an SVG is a document that can hold script: it is
# audited like a page as well).
SUFFIXES = frozenset({
    ".html", ".css", ".js", ".map", ".json", ".xml", ".gz", ".txt", ".csv", ".webmanifest",
    ".webp", ".jpg", ".jpeg", ".png", ".ico", ".woff", ".woff2",
})  # fmt: skip
SUFFIXES_UNDER: dict[str, tuple[str, ...]] = {
    ".svg": ("assets/", "qr/"),
    ".wasm": ("pagefind/",),
    ".pagefind": ("pagefind/",),
    ".pf_meta": ("pagefind/",),
    ".pf_index": ("pagefind/",),
    ".pf_fragment": ("pagefind/",),
    ".pf_filter": ("pagefind/",),
}
NAMES = frozenset({"_headers", "_headers.nginx", ".nojekyll", "CNAME"})  # hosting files
# Site paths (regular expressions) a `<script src>` may load: Material's bundle, search worker and
# lunr languages; our theme's own scripts (theme/assets/*.js); Pagefind's scripts.
SCRIPT_PATHS = (r"assets/javascripts/[A-Za-z0-9_./-]+\.js", r"assets/[A-Za-z0-9_.-]+\.js", r"pagefind/[A-Za-z0-9_.-]+\.js")
# Material's inline scripts, by template: scope and storage helpers, palette, content tabs,
# announcement bar, cookie consent, version warning. Analytics and redirect pages are left out
# on purpose: they load or navigate elsewhere.
THEME_SCRIPT_TEMPLATES = tuple(
    f"partials/javascripts/{name}.html" for name in ("base", "palette", "content", "announce", "consent", "outdated")
)
# Inline <script> types that are data, never run: Material's config and our JSON-LD.
DATA_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json"})
MAX_GZIP_BYTES = 64 * 1024 * 1024  # decompressed, for the NIK scan of sitemap.xml.gz

_IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
_TEXT_SUFFIXES = frozenset({".js", ".map", ".json", ".xml", ".txt", ".csv", ".webmanifest", ""})  # "" : NAMES
_URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "data", "background",
    "cite", "ping", "manifest", "icon", "longdesc", "lowsrc", "dynsrc", "imagesrcset",
})  # fmt: skip
# Elements that load something into the page, and where: a third-party host there is a problem.
# Links in <a> (the businesses' own sites, marketplaces, verification portals) are not loads.
_LOADS = {
    "script": ("src",),
    "link": ("href", "imagesrcset"),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "base": ("href",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
_SMIL = frozenset({"animate", "set", "animatemotion", "animatetransform", "animatecolor"})
_SMIL_TARGETS = frozenset({"href", "xlink:href"})
# Quoted URLs of CSS image-set() (and -webkit-image-set()), which need no url().
_CSS_IMAGE_SET = re.compile(r"image-set\(([^)]*)\)", re.IGNORECASE)
_CSS_STRING = re.compile(r"""(?<![\w(])["']([^"']+)["']""")
_ACTIVE_ELEMENTS = frozenset({"object", "embed", "applet", "frame", "frameset", "foreignobject"})
_BAD_SCHEMES = frozenset({"javascript", "vbscript", "data"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these inside a URL's scheme
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CSS_DATA_OK = re.compile(r"^data:(?:image|font)/", re.IGNORECASE)  # theme icons and fonts in CSS
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def audit_site(
    site_dir: Path,
    *,
    site_url: str = "",
    allowed_hosts: Iterable[str] = (),
    inline_scripts: Iterable[re.Pattern[str]] = (),
    script_paths: Iterable[str] = SCRIPT_PATHS,
) -> list[Problem]:
    """Every problem in the built site, each naming its file (relative to `site_dir`) and line.

    `site_url` gives our own host and base path; `allowed_hosts` are further hosts a page may load
    resources from (none by default); `inline_scripts` are the theme's known inline scripts
    (`theme_inline_scripts`); `script_paths` are the site paths a `<script src>` may load.
    """
    parts = urlsplit(site_url)
    rules = _Rules(
        hosts=frozenset(h.lower() for h in (*allowed_hosts, parts.hostname or "") if h),
        base=parts.path if parts.path.endswith("/") else parts.path + "/",
        inline_scripts=tuple(inline_scripts),
        script_paths=tuple(re.compile(p) for p in script_paths),
    )
    problems: list[Problem] = []
    # One pass over the files: the cost grows with the site, never with its square. Every file is
    # audited on every build: a verdict kept from an earlier build is never trusted (it would be a
    # security decision read from a cache folder that comes back from CI). Many files are parsed
    # in worker processes.
    todo = list(_walk(Path(site_dir), problems))
    for found in map_items(lambda item: _audit_file(Path(item[1]), item[0], rules), todo):
        problems += found
    return sorted(problems, key=Problem.sort_key)


def theme_inline_scripts(template_dirs: Iterable[str | Path], names: Iterable[str] = THEME_SCRIPT_TEMPLATES) -> tuple[re.Pattern[str], ...]:
    """The theme's inline scripts as exact patterns, read from its own templates.

    Each `{{ … }}` in a script becomes a wildcard that cannot leave a string literal (no quote,
    backslash, angle bracket or space), so `new URL("../..",location)` matches on every page
    while anything else added to the script does not. The first directory holding a template wins.
    """
    dirs = [Path(d) for d in template_dirs]
    patterns = []
    for name in names:
        template = next((d / name for d in dirs if (d / name).is_file()), None)
        if template is None:
            continue
        for body in _TEMPLATE_SCRIPT.findall(template.read_text(encoding="utf-8")):
            pieces = _JINJA.split(body)
            patterns.append(re.compile(r"[^\"'`\\<>\s]*".join(re.escape(piece) for piece in pieces)))
    return tuple(patterns)


@dataclass(frozen=True)
class _Rules:
    hosts: frozenset[str]  # our own host and allowed third parties
    base: str  # the site's base path, "/" or "/katalog/"
    inline_scripts: tuple[re.Pattern[str], ...]
    script_paths: tuple[re.Pattern[str], ...]


def _walk(site_dir: Path, problems: list[Problem]) -> Iterator[tuple[str, str]]:
    """Every regular file under `site_dir` as (site path, file path); symlinks are reported, never followed."""
    stack = [(site_dir, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_symlink():
                problems.append(Problem(Path(rel), None, "", "tautan simbolik (symlink) tidak boleh ada di situs (symlink in site)"))
            elif entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), rel + "/"))
            elif entry.is_file(follow_symlinks=False):
                yield rel, entry.path
            else:
                problems.append(Problem(Path(rel), None, "", "bukan berkas biasa (not a regular file)"))


def _audit_file(path: Path, rel: str, rules: _Rules) -> list[Problem]:
    name = posixpath.basename(rel)
    suffix = "" if name in NAMES else posixpath.splitext(name)[1].lower()
    if name not in NAMES and suffix not in SUFFIXES:
        under = SUFFIXES_UNDER.get(suffix)
        if under is None:
            shown = suffix or name
            return [Problem(Path(rel), None, "", f"jenis berkas '{shown}' tidak ada di daftar yang boleh diterbitkan (file type not allowed)")]
        if not rel.startswith(under):
            return [Problem(Path(rel), None, "", f"berkas '{suffix}' hanya boleh ada di {' atau '.join(under)} (file type not allowed here)")]
    if suffix in _IMAGE_FORMATS:
        return _audit_image(path, rel, _IMAGE_FORMATS[suffix])
    if suffix in (".html", ".svg"):
        text = path.read_text(encoding="utf-8", errors="replace")
        problems = _audit_markup(text, rel, rules, document=suffix == ".svg")
        return problems + _nik_problems(text, rel, markup=True)
    if suffix == ".css":
        text = path.read_text(encoding="utf-8", errors="replace")
        return _css_problems(text, rel, 1, "url()", rules, data_images=True) + _nik_problems(text, rel, markup=True)
    if suffix == ".gz":
        unpacked = _gunzip(path)
        if unpacked is None:
            return [Problem(Path(rel), None, "", "berkas gzip rusak atau terlalu besar setelah dibuka (damaged or oversized gzip file)")]
        return _nik_problems(unpacked, rel)
    if suffix in _TEXT_SUFFIXES:
        return _nik_problems(path.read_text(encoding="utf-8", errors="replace"), rel)
    return []  # fonts, icons and Pagefind's binary index: nothing a page runs or shows as text


# -- markup -----------------------------------------------------------------------------------


def _audit_markup(text: str, rel: str, rules: _Rules, *, document: bool) -> list[Problem]:
    auditor = _MarkupAudit(rel, rules, svg=document)
    auditor.feed(text)
    auditor.close()
    return auditor.problems


class _MarkupAudit(HTMLParser):
    """One HTML page (or SVG file) read as a browser would: tags, attributes, script bodies."""

    def __init__(self, rel: str, rules: _Rules, *, svg: bool = False):
        super().__init__(convert_charrefs=True)
        self.rel = rel
        self.rules = rules
        self.svg = svg  # an SVG file may hold no script at all
        self.problems: list[Problem] = []
        self._body: list[str] | None = None  # text of the open <script> or <style>
        self._opened: tuple[str, int, dict[str, str]] = ("", 0, {})

    def problem(self, line: int | None, field: str, message: str) -> None:
        self.problems.append(Problem(Path(self.rel), line, field, message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values: dict[str, str] = {}
        for name, raw in attrs:
            value = raw or ""
            values.setdefault(name, value)  # a browser keeps the first of repeated attributes
            if name.startswith("on") and len(name) > 2:
                self.problem(line, f"{tag}[{name}]", f"atribut penangan peristiwa '{name}' tidak diizinkan (event handler attribute)")
            elif name == "srcdoc":
                self.problem(line, f"{tag}[{name}]", "atribut srcdoc tidak diizinkan: isinya halaman yang dapat menjalankan skrip (inline frame document)")
            elif name == "style" and value:
                self.problems += _css_problems(value, self.rel, line, f"{tag}[style]", self.rules, data_images=False)
            elif name in _URL_ATTRIBUTES and value:
                for url in _urls(name, value):
                    self.check_scheme(line, f"{tag}[{name}]", url)
        if tag in _SMIL and values.get("attributename", "").strip().lower() in _SMIL_TARGETS:
            # <animate attributeName="href" values="javascript:..."> turns a harmless link into script.
            self.problem(line, f"<{tag}>", f"animasi SVG <{tag}> yang mengubah alamat tautan tidak diizinkan (SMIL on href)")
        if tag in _ACTIVE_ELEMENTS:
            self.problem(line, f"<{tag}>", f"elemen <{tag}> tidak diizinkan (embedded active content)")
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.problem(line, "<meta>", 'pengalihan otomatis <meta http-equiv="refresh"> tidak diizinkan (automatic redirect)')
        loads = _LOADS.get(tag, ())
        for name, raw in attrs:
            if name in loads:
                for url in _urls(name, raw or ""):
                    self.check_host(line, f"{tag}[{name}]", url)
        if tag in ("script", "style"):
            self._body = []
            self._opened = (tag, line, values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            # `<script/>` is no void element to a browser: what follows, up to </script>, runs.
            self.set_cdata_mode(tag)

    def handle_data(self, data: str) -> None:
        if self._body is not None:
            self._body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._body is not None and tag == self._opened[0]:
            self.finish_element()

    def close(self) -> None:
        super().close()
        if self._body is not None:  # an unclosed <script> still runs
            self.finish_element()

    def finish_element(self) -> None:
        tag, line, values = self._opened
        body = "".join(self._body or [])
        self._body = None
        if tag == "style":
            self.problems += _css_problems(body, self.rel, line, "<style>", self.rules, data_images=True)
        else:
            self.check_script(line, values, body)

    def check_script(self, line: int, values: dict[str, str], body: str) -> None:
        kind = values.get("type", "").split(";")[0].strip().lower()
        src = values.get("src", "").strip()
        if self.svg:
            self.problem(line, "<script>", "skrip di dalam berkas SVG tidak diizinkan (script in SVG)")
        elif src:
            path = _site_path(self.rel, src, self.rules)
            if path is None:
                return  # a third-party host: already reported by check_host
            if not any(p.fullmatch(path) for p in self.rules.script_paths):
                self.problem(line, "<script>", f"skrip dari berkas yang tidak dikenal '{_shown(src)}'; hanya skrip tema dan katalog yang boleh dimuat (unknown script)")
        elif kind in DATA_SCRIPT_TYPES:
            return  # a data block (Material's config, JSON-LD): never run
        elif not any(p.fullmatch(body) for p in self.rules.inline_scripts):
            self.problem(line, "<script>", f"skrip sisipan yang tidak dikenal ('{_shown(body)}'); hanya skrip bawaan tema yang boleh ada (unknown inline script)")

    def check_scheme(self, line: int, field: str, url: str) -> None:
        scheme = _scheme(url)
        if scheme in _BAD_SCHEMES:
            self.problem(line, field, _msg_scheme(scheme, url))

    def check_host(self, line: int, field: str, url: str) -> None:
        host = _external_host(url, self.rules)
        if host:
            self.problem(line, field, _msg_third_party(host))


def _urls(name: str, value: str) -> list[str]:
    """The URLs in an attribute: one, or each candidate of a srcset."""
    if not value.strip():
        return []
    if name.endswith("srcset"):
        return [candidate.split()[0] for candidate in re.split(r",\s+", value.strip()) if candidate.split()]
    return [value]


def _scheme(url: str) -> str:
    match = _SCHEME.match(_CONTROL.sub("", url).lower())
    return match.group(1) if match else ""


def _external_host(url: str, rules: _Rules) -> str:
    """The host of a URL that points off the site (and not at an allowed host), else ""."""
    cleaned = _CONTROL.sub("", url)
    if not (cleaned.startswith("//") or _scheme(cleaned) in ("http", "https")):
        return ""
    try:
        host = (urlsplit(cleaned).hostname or "").lower()
    except ValueError:
        return cleaned[:40]
    return "" if host in rules.hosts else host or cleaned[:40]


def _site_path(page: str, url: str, rules: _Rules) -> str | None:
    """Where a same-site URL points, as a path in the site; None for another host."""
    parts = urlsplit(_CONTROL.sub("", url))
    if parts.scheme or parts.netloc:
        if (parts.hostname or "").lower() not in rules.hosts:
            return None
        path = parts.path
    else:
        path = parts.path
    if path.startswith("/"):
        if not path.startswith(rules.base):
            return ""
        return posixpath.normpath(path[len(rules.base) :])
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))


# -- CSS ---------------------------------------------------------------------------------------


def _css_problems(css: str, rel: str, first_line: int, field: str, rules: _Rules, *, data_images: bool) -> list[Problem]:
    problems = []
    line, at = first_line, 0
    found = [(m.start(), next((g for g in m.groups() if g is not None), ""), "@import" if m.group(0).startswith("@") else field) for m in _CSS_URL.finditer(css)]
    for block in _CSS_IMAGE_SET.finditer(css):
        found += [(block.start(1) + q.start(), q.group(1), field) for q in _CSS_STRING.finditer(block.group(1))]
    for start, url, where in sorted(found):
        line += css.count("\n", at, start)
        at = start
        scheme = _scheme(url)
        if scheme in _BAD_SCHEMES and not (data_images and scheme == "data" and _CSS_DATA_OK.match(url.strip())):
            problems.append(Problem(Path(rel), line, where, _msg_scheme(scheme, url)))
        host = _external_host(url, rules)
        if host:
            problems.append(Problem(Path(rel), line, where, _msg_third_party(host)))
    return problems


# -- images -------------------------------------------------------------------------------------


def _audit_image(path: Path, rel: str, fmt: str) -> list[Problem]:
    """A published image carries no EXIF (GPS, camera, owner) and no XMP; its content is its type."""
    try:
        with Image.open(path, formats=[fmt]) as image:
            exif = image.getexif()
            gps = bool(exif.get_ifd(0x8825)) if exif else False
            xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    except Exception:  # Pillow reports a wrong or damaged file as many different errors
        return [Problem(Path(rel), None, "", f"isi berkas bukan gambar {fmt} yang sah (file content is not a valid image)")]
    if gps:
        return [Problem(Path(rel), None, "EXIF", _msg_metadata("lokasi GPS dalam metadata EXIF", "GPS location"))]
    if exif:
        return [Problem(Path(rel), None, "EXIF", _msg_metadata("metadata EXIF", "EXIF metadata"))]
    if xmp:
        return [Problem(Path(rel), None, "XMP", _msg_metadata("metadata XMP", "XMP metadata"))]
    return []


# -- personal data --------------------------------------------------------------------------------


# Drawing data of SVG (icons, charts): numbers no one reads as a number, which would otherwise be
# read as grouped digits. Blanked before the NIK scan, keeping line breaks so lines still count.
_GEOMETRY = re.compile(r"""\s(?:d|points|viewbox|transform)\s*=\s*(?:"[^"]*"|'[^']*')""", re.IGNORECASE)


def _nik_problems(text: str, rel: str, *, markup: bool = False) -> list[Problem]:
    if markup:
        text = _GEOMETRY.sub(lambda m: "\n" * m.group().count("\n"), text)
    matches = find_niks(text)
    if not matches:
        return []
    normalized = normalize_text(text)
    return [
        Problem(
            Path(rel),
            line_of(normalized, m.start),
            "NIK",
            f"nomor 16 angka seperti NIK (nomor KTP) tidak boleh diterbitkan (ditemukan {m.masked}) (NIK-shaped number)",
        )
        for m in matches
    ]


def _gunzip(path: Path) -> str | None:
    try:
        with gzip.open(path, "rb") as file:
            data = file.read(MAX_GZIP_BYTES + 1)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    return data.decode("utf-8", errors="replace") if len(data) <= MAX_GZIP_BYTES else None


def _msg_scheme(scheme: str, url: str) -> str:
    return f"alamat '{scheme}:' tidak diizinkan (ditemukan '{_shown(url)}') ({scheme}: URL)"


def _msg_third_party(host: str) -> str:
    return f"memuat sumber dari host pihak ketiga '{host}' tidak diizinkan; terbitkan berkasnya di situs sendiri (third-party resource)"


def _msg_metadata(what: str, english: str) -> str:
    return f"gambar memuat {what}; hanya foto hasil pengolahan foto (tanpa metadata) yang boleh diterbitkan (image has {english})"


def _shown(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "..."
