"""Properties that must hold for any input: loader and validator, story sanitizer, photo pipeline, slugs.

Fast by default (a few dozen examples each). For a long run:

    HYPOTHESIS_PROFILE=panjang pytest tests/test_properties.py

and for an open-ended fuzzing session, `python benchmarks/fuzz_entry.py` (see SECURITY.md).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from generator.builder import images
from generator.builder.load import SLUG, load_entry
from generator.builder.validate import validate_entry
from generator.core.models import Entry, Region
from generator.core.problems import ERROR, INFO, WARNING, Problem, errors_in
from generator.core.region import load_region, slugify
from generator.core.schema import ENTRY, Field
from generator.outputs.story import render_story, sanitize_html
from tests.conftest import ROOT, TODAY

settings.register_profile("cepat", deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("panjang", deadline=timedelta(seconds=30), suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "cepat")
SCALE = 100 if PROFILE == "panjang" else 1
HANG_SECONDS = 20  # far above any honest input: a loop that never ends fails instead of stalling CI


def examples(count: int) -> settings:
    """The profile's settings with `count` examples (times 100 in the long profile)."""
    return settings(settings.get_profile(PROFILE), max_examples=count * SCALE)


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail with TimeoutError when the body runs longer than `seconds` (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise TimeoutError(f"lebih dari {seconds} detik: kemungkinan macet (hang)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _region() -> Region:
    region, problems = load_region(ROOT / "wilayah.yml")
    assert region is not None, problems
    return region


REGION = _region()


# -- loader and validator -------------------------------------------------------------------------


def field_names(spec: Field) -> set[str]:
    names = {spec.name}
    for child in (*spec.fields, *([spec.item] if spec.item else [])):
        names |= field_names(child)
    return names


FIELDS = sorted(field_names(ENTRY) - {"entri"})
MAPPING_KEYS = ("template", "title", "hide", "search", "nik", "Nama", "<<")  # keys MkDocs would act on, look-alikes
BASE = {"nama": "Keripik Sari Rasa", "sektor": "kuliner", "kecamatan": "Cibitung", "ringkasan": "Keripik singkong balado."}
TRICKY_TEXT = st.sampled_from([
    "0274512345", "NO", "yes", "15.000", "10:30", "0812-1934-5521", "+62 812 1934 5521", "3216014508900001",
    "javascript:alert(1)", "data:text/html,x", "https://www.tokopedia.com/x", "https://tokopedla.com/x",
    "<script>alert(1)</script>", "\u202eevil", "\u200b", "2026-02-30", "30-08-2027", "MD 224510001234",
    "2063216010123-27", "-5", "Rp 15.000", "foto/../../etc/passwd", "/etc/passwd", "foto/sampul.jpg", "",
    "kuliner", "Karang Bahagia", "halal", "tokopedia", "~", "null", "[]", "{}",
])  # fmt: skip
SCALARS = st.one_of(
    TRICKY_TEXT,
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=date(1, 1, 1)),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
MAPPINGS = st.builds(
    lambda base, extra: {**base, **extra},
    st.fixed_dictionaries({}, optional={k: st.just(v) for k, v in BASE.items()}),  # any subset of the required fields, valid
    st.dictionaries(st.sampled_from(FIELDS) | st.sampled_from(MAPPING_KEYS) | st.text(max_size=10), VALUES, max_size=8),
)
YAML_BITS = st.sampled_from([
    "nama: ", "sektor: kuliner\n", "kecamatan: Cibitung\n", "ringkasan: x\n", "produk:\n", "  - nama: A\n", "    harga: ",
    "kontak:\n  whatsapp: ", "&a ", "*a", "!!python/object:os.system ", "!!binary ", "<<: *a\n", "? ", "- ", ": ", "{", "}",
    "[", "]", "'", '"', "\n", "  ", "\t", "#", "---\n", "...\n", "|\n", ">-\n", "%YAML 1.1\n", "\\", "\u202e", "\ufeff", "\x00",
])  # fmt: skip
YAMLISH = st.lists(YAML_BITS | st.text(max_size=6), max_size=40).map("".join)


def entry_files(front: str, body: str = "Cerita usaha.\n") -> bytes:
    return f"---\n{front}\n---\n{body}".encode()


FRONT_MATTER = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda prefix, data: prefix + data, st.sampled_from([b"---\n", b"\xef\xbb\xbf---\n", b"---\r\n"]), st.binary(max_size=2000)),
    st.builds(entry_files, st.text(max_size=500), st.text(max_size=300)),
    st.builds(entry_files, YAMLISH, st.text(max_size=100)),
    st.builds(lambda m, body: entry_files(yaml.safe_dump(m, allow_unicode=True), body), MAPPINGS, st.text(max_size=200)),
)


def check_entry_bytes(data: bytes) -> None:
    """Any index.md gives a valid Entry or clean problems: never another exception, never a hang."""
    with tempfile.TemporaryDirectory() as temp, no_hang():
        folder = Path(temp) / "catalog" / "contoh"
        folder.mkdir(parents=True)
        (folder / "index.md").write_bytes(data)
        raw, problems = load_entry(folder)
        entry = None
        if raw is not None:
            entry, more = validate_entry(raw, REGION, today=TODAY)
            problems += more
        else:
            assert errors_in(problems), "an entry that could not be read must say why"
        for problem in problems:
            assert_clean_problem(problem, folder)
        if entry is not None:
            assert_valid_entry(entry)
        elif raw is not None:
            assert errors_in(problems), "a refused entry must have an error"


def assert_clean_problem(problem: Problem, folder: Path) -> None:
    assert isinstance(problem, Problem)
    assert problem.path.is_relative_to(folder)
    assert problem.level in (ERROR, WARNING, INFO)
    assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1)
    assert isinstance(problem.message, str) and problem.message.strip()
    assert problem.format()


def assert_valid_entry(entry: Entry) -> None:
    assert entry.nama.strip() and entry.ringkasan.strip()
    assert entry.sektor in {s.key for s in REGION.sectors}
    assert entry.kecamatan in {k.nama for k in REGION.kecamatan}
    links = [entry.kontak.situs, *(s.url for s in entry.toko_online), *(p.tautan for p in entry.produk)]
    assert all(link.startswith(("https://", "http://")) for link in links if link)
    assert all(p.harga is None or p.harga >= 0 for p in entry.produk)
    for text in (entry.nama, entry.ringkasan, entry.cerita):
        assert "\u202e" not in text and "\x00" not in text


@examples(150)
@given(FRONT_MATTER)
def test_any_index_md_gives_an_entry_or_clean_problems(data: bytes) -> None:
    check_entry_bytes(data)


@examples(100)
@given(MAPPINGS, st.text(max_size=300))
def test_any_mapping_gives_an_entry_or_clean_problems(mapping: dict[str, Any], body: str) -> None:
    check_entry_bytes(entry_files(yaml.safe_dump(mapping, allow_unicode=True), body))


# -- story sanitizer ---------------------------------------------------------------------------------

HTML_BITS = st.sampled_from([
    "<script>", "</script>", "<script/>", "<SCRIPT SRC=//evil.example/x.js>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">', "<a href=javascript&colon;alert(1)>", '<a href="jav&#x09;ascript:alert(1)">',
    '<a href=" &#14;javascript:alert(1)">', "<a href='data:text/html,<script>'>", "<a href=vbscript:msgbox(1)>",
    "</a>", "<svg onload=alert(1)>", "<svg><script>alert(1)</script></svg>", "<math><mi xlink:href=javascript:alert(1)>",
    "<iframe src=//evil.example>", "<iframe srcdoc='<script>alert(1)</script>'>", "<object data=x>", "<embed src=x>",
    "<style>*{background:url(javascript:alert(1))}</style>", "<form action=javascript:alert(1)><button>",
    "<button formaction=javascript:alert(1)>", "<details open ontoggle=alert(1)>", "<body onload=alert(1)>",
    "<template><script>alert(1)</script></template>", "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
    "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<p>", "</p>", "<b>", "<em>", "<h1>", "<h6>",
    "{onclick=alert(1)}", "{: onclick=alert(1) }", "[klik](javascript:alert(1))", "[x](data:text/html,x)",
    "![x](javascript:alert(1))", "<https://ok.example>", "<javascript:alert(1)>", "[x]: javascript:alert(1)\n",
    "[x][x]", "`<script>`", "```\n<script>\n```\n", "    <script>\n", "> ", "* ", "1. ", "- ", "# ", "\n\n", "\n",
    " on", "onmouseover=", "=", '"', "'", "<", ">", "&", "&#", "&#x3c;", "&lt;", "\\", "\x00", "\u202e", "\ufeff",
])  # fmt: skip
HTMLISH = st.lists(HTML_BITS | st.text(max_size=8), max_size=40).map("".join)
_URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
_LIVE_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "style", "svg", "math", "template", "form", "base", "meta", "link"}


class _LiveScriptFinder(HTMLParser):
    """What a browser would run in a piece of HTML: script tags, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _LIVE_TAGS:
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"{tag}[{name}]")
            scheme = "".join(c for c in (value or "") if c > " " and c != "\x7f").lower()
            if (name in _URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:", "data:"))) or name == "srcdoc":
                self.live.append(f"{tag}[{name}]={value}")

    handle_startendtag = handle_starttag


def live_script(html: str) -> list[str]:
    finder = _LiveScriptFinder()
    finder.feed(html)
    finder.close()
    if "<script" in html.lower():
        finder.live.append("<script (teks)")
    return finder.live


@examples(300)
@given(HTMLISH)
def test_sanitized_story_never_holds_live_script(text: str) -> None:
    with no_hang():
        assert live_script(sanitize_html(text)) == []
        assert live_script(render_story(text)) == []


# -- photo pipeline --------------------------------------------------------------------------------

SAVE_MODES = {"JPEG": ("L", "RGB", "CMYK"), "PNG": ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"), "WEBP": ("RGB", "RGBA"), "GIF": ("L", "P", "RGB")}
EXIF_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
DEGREES = st.tuples(st.integers(0, 89), st.integers(0, 59), st.integers(0, 59)).map(lambda t: tuple(float(x) for x in t))


@st.composite
def exif_blocks(draw: st.DrawFn) -> Image.Exif:
    exif = Image.Exif()
    if draw(st.booleans()):
        exif[ExifTags.Base.Orientation] = draw(st.integers(0, 9))
    for tag in draw(st.sets(st.sampled_from([ExifTags.Base.Make, ExifTags.Base.Model, ExifTags.Base.Artist, ExifTags.Base.ImageDescription]))):
        exif[tag] = draw(EXIF_TEXT)
    if draw(st.booleans()):
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = draw(st.sampled_from(["S", "N"]))
        gps[ExifTags.GPS.GPSLatitude] = draw(DEGREES)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps[ExifTags.GPS.GPSLongitude] = draw(DEGREES)
    return exif


@st.composite
def photo_files(draw: st.DrawFn) -> tuple[str, bytes]:
    fmt = draw(st.sampled_from(sorted(SAVE_MODES)))
    mode = draw(st.sampled_from(SAVE_MODES[fmt]))
    size = (draw(st.integers(1, 48)), draw(st.integers(1, 48)))
    image = Image.new("RGB", size, draw(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)))).convert(mode)
    options: dict[str, Any] = {}
    if fmt != "GIF":
        options["exif"] = draw(exif_blocks())
    if fmt in ("JPEG", "WEBP") and draw(st.booleans()):
        options["xmp"] = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>6,17S</exif:GPSLatitude></x:xmpmeta>'
    buffer = io.BytesIO()
    try:
        image.save(buffer, fmt, **options)
    except (OSError, ValueError, KeyError, TypeError):
        assume(False)  # a combination Pillow cannot write: not an input an owner can send
    return {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}[fmt], buffer.getvalue()


def process_one(suffix: str, data: bytes) -> None:
    """Run one photo through the pipeline: a clean photo or a clean error, never anything else."""
    with tempfile.TemporaryDirectory() as temp, no_hang():
        folder = Path(temp) / "catalog" / "contoh"
        (folder / "foto").mkdir(parents=True)
        (folder / "index.md").write_text("---\nnama: Contoh\n---\n", encoding="utf-8")
        rel = f"foto/sampul{suffix}"
        (folder / rel).write_bytes(data)
        entry = Entry(slug="contoh", source=folder / "index.md", nama="Contoh", sektor="kuliner", kecamatan="Cibitung", ringkasan="x", foto=(rel,))
        checked = images.check_photos([entry], workers=1)
        photos, problems = images.process_photos([entry], Path(temp) / "cache", workers=1)
        for problem in (*checked, *problems):
            assert_clean_problem(problem, folder)
        assert bool(photos) != bool(errors_in(problems)), "a photo is published or refused with an error, never both or neither"
        # The check also refuses personal metadata in the original (it would enter git history);
        # the build strips it, so only the other errors must agree.
        refused = [p for p in errors_in(checked) if "(photo holds personal metadata)" not in p.message]
        assert bool(refused) == bool(errors_in(problems)), "check and build must agree"
        for photo in photos.values():
            for _, path in photo.cache_files:
                with Image.open(path) as output:
                    assert not output.getexif(), f"{path.name} keeps EXIF"
                    assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile"} & set(output.info), f"{path.name} keeps metadata"
                assert b"Exif\x00\x00" not in path.read_bytes()


@examples(60)
@given(photo_files())
def test_processed_photos_never_keep_exif(photo: tuple[str, bytes]) -> None:
    process_one(*photo)


MAGIC = [b"", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"GIF89a", b"\x00\x00\x00\x18ftypheic"]


@examples(80)
@given(st.sampled_from(MAGIC), st.binary(max_size=1024), st.sampled_from([".jpg", ".png", ".webp", ".gif", ".heic"]))
def test_any_bytes_as_a_photo_give_a_photo_or_a_problem(magic: bytes, body: bytes, suffix: str) -> None:
    process_one(suffix, magic + body)


# -- slugs -----------------------------------------------------------------------------------------


@examples(300)
@given(st.text())
def test_slugify_is_idempotent(text: str) -> None:
    slug = slugify(text)
    assert slugify(slug) == slug
    assert slug == "" or SLUG.match(slug)
