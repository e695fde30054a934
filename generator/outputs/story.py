"""A business's story: Markdown written by its owner, rendered and then sanitized.

Python-Markdown passes raw HTML, event handlers and `javascript:` links straight through, so
its output is only trusted after nh3 has kept what the allow-list below names.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path

import markdown
import nh3

from generator.core.files import write_atomic
from generator.core.fingerprint import code_fingerprint

# Deliberately small: no attr_list (it would let `{onclick=...}` through), no md_in_html.
_EXTENSIONS = ["sane_lists"]

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote",
    "h2", "h3", "h4", "code", "pre", "hr",
}  # fmt: skip
# "*" empty: ammonia otherwise allows `lang` and `title` on every tag.
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href", "title"}}
# Removed with their content, not just unwrapped: their text is code or foreign markup.
_DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "svg", "math", "textarea"}
_LINK_SCHEMES = ("https://", "http://", "mailto:")
LINK_REL = "noopener nofollow ugc"

# The page's h1 is the business name and the story sits under an h2 section heading.
_HEADING_LEVELS = {"1": "3", "2": "3", "3": "4", "4": "4", "5": "4", "6": "4"}
_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s/>])", re.IGNORECASE)

_local = threading.local()
# Rendered stories by content hash, shared by the rebuilds of one process (`umkm serve`) and
# saved between builds under the fingerprint of this module's code and its libraries: a change to
# the allow-list or to Markdown's version is a new cache by itself.
_memo: dict[str, str] = {}


def render_story(markdown_text: str) -> str:
    """Safe HTML for an owner's Markdown story (headings demoted to h3/h4), memoised by content."""
    if not markdown_text.strip():
        return ""
    key = _story_key(markdown_text)
    html = _memo.get(key)
    if html is None:
        html = _memo[key] = _render(markdown_text)
    return html


def remember_story(markdown_text: str, html: str) -> None:
    """Keep a story rendered elsewhere (in a worker process) as `render_story` would have."""
    if markdown_text.strip():
        _memo[_story_key(markdown_text)] = html


def load_story_cache(path: Path) -> None:
    """Reuse stories rendered by earlier builds (Markdown is the slowest step per business)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("code") == _code() and isinstance(data.get("stories"), dict):
        _memo.update({k: v for k, v in data["stories"].items() if isinstance(v, str)})


def save_story_cache(path: Path, keep: Iterable[str]) -> None:
    """Write the stories of this build (only those: the cache never outgrows the catalog)."""
    keys = {_story_key(text) for text in keep if text.strip()}
    data = {"code": _code(), "stories": {k: _memo[k] for k in sorted(keys) if k in _memo}}
    write_atomic(path, json.dumps(data, ensure_ascii=False))


def _code() -> str:
    return code_fingerprint(__name__)


def _story_key(markdown_text: str) -> str:
    return hashlib.sha256(markdown_text.encode()).hexdigest()[:32]


def _render(markdown_text: str) -> str:
    try:
        html = _markdown().reset().convert(markdown_text)
    except RecursionError:
        # The validator refuses deep nesting; should anything slip through, the story is shown as
        # plain paragraphs rather than failing the build.
        _local.markdown = None
        paragraphs = (p.strip() for p in markdown_text.split("\n\n"))
        return "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)
    html = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{_HEADING_LEVELS[m.group(2)]}", html)
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    """Keep only the story allow-list: no script, event handler, iframe, or non-web link."""
    return _cleaner().clean(html).replace("<p></p>", "").strip()


# The Dinas' own pages (`halaman/*.md`, rendered by MkDocs): the story allow-list, plus what a page
# of text needs (every heading level with its anchor id, tables, images from the site itself, links
# within the site). Raw HTML passes Python-Markdown, so SVG (SMIL `<animate>`/`<set>` can turn a
# link into `javascript:`), `style` (CSS `image-set()`/`url()` to other hosts), forms and scripts
# are dropped here, before the page is written.
_PAGE_TAGS = _ALLOWED_TAGS | {"h1", "h2", "h5", "h6", "img", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "sup", "sub"}
_PAGE_ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
    "th": {"scope"},
}


def sanitize_page_html(html: str) -> str:
    """Keep only the page allow-list in a Dinas page rendered by the engine (halaman/*.md)."""
    # The Dinas wrote these links (not user-generated content, so no nofollow/ugc); noopener still.
    return _cleaner("page_cleaner", _PAGE_TAGS, _PAGE_ATTRIBUTES, _filter_page_attribute, "pass_through", "noopener").clean(html)


def _filter_page_attribute(tag: str, name: str, value: str) -> str | None:
    # Images come from the site itself: a third-party image is a request the audit refuses anyway.
    if tag == "img" and name == "src" and (value.strip().startswith("//") or ":" in value.split("/", 1)[0]):
        return None
    return value


def _markdown() -> markdown.Markdown:
    # Building a Markdown instance costs more than converting a story; reuse one per thread.
    md = getattr(_local, "markdown", None)
    if md is None:
        md = _local.markdown = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
    return md


def _cleaner(
    name: str = "cleaner",
    tags: set[str] = _ALLOWED_TAGS,
    attributes: dict[str, set[str]] = _ALLOWED_ATTRIBUTES,
    attribute_filter: Callable[[str, str, str], str | None] | None = None,
    url_relative: str = "deny",
    link_rel: str = LINK_REL,
) -> nh3.Cleaner:
    """One cleaner per allow-list and thread (building one costs more than cleaning a story)."""
    cleaner = getattr(_local, name, None)
    if cleaner is None:
        cleaner = nh3.Cleaner(
            tags=tags,
            clean_content_tags=_DROPPED_WITH_CONTENT,
            attributes=attributes,
            attribute_filter=attribute_filter or _filter_attribute,
            url_schemes={"https", "http", "mailto"},
            url_relative=url_relative,
            link_rel=link_rel,
            strip_comments=True,
        )
        setattr(_local, name, cleaner)
    return cleaner


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    # url_schemes already refuses javascript: and data:; this also drops "#x" and "//host" links.
    if tag == "a" and name == "href" and not value.strip().lower().startswith(_LINK_SCHEMES):
        return None
    return value
