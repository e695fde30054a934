"""Links that several parts write: the GitHub issue forms' addresses and WhatsApp click-to-chat."""

from __future__ import annotations

from urllib.parse import quote, urlencode

# The issue forms (their file names under .github/ISSUE_TEMPLATE/ without ".yml").
NEW = "daftar-usaha"
UPDATE = "perbarui-usaha"
REPORT = "laporkan-kesalahan"
SLUG_ID = "slug"  # the form field that names the entry to update or report


def issue_form_url(repo_url: str, kind: str, *, slug: str = "", title: str = "") -> str:
    """A link that opens a form with fields filled in (GitHub reads field ids from the query)."""
    if not repo_url.startswith("https://"):
        return ""
    query = {"template": f"{kind}.yml"}
    if title:
        query["title"] = title
    if slug:
        query[SLUG_ID] = slug
    return f"{repo_url.rstrip('/')}/issues/new?{urlencode(query)}"


def whatsapp_url(digits: str, message: str = "") -> str:
    """WhatsApp click-to-chat link for international digits, with an optional prefilled message."""
    url = f"https://wa.me/{digits}"
    return f"{url}?text={quote(message, safe='')}" if message else url
