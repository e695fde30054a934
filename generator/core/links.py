"""Links that several parts write: the GitHub issue forms' addresses, WhatsApp click-to-chat and maps."""

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


def degrees(value: float) -> str:
    """Decimal degrees as written in a link: up to six decimals (about 10 cm), no trailing zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def geo_uri(lat: float, lon: float, label: str = "") -> str:
    """A `geo:` URI (RFC 5870) that opens the phone's own map app at a point; Android's map apps
    read a `q=` query with a label in parentheses and put a pin there."""
    point = f"{degrees(lat)},{degrees(lon)}"
    return f"geo:{point}?q={point}" + (f"({quote(label, safe='')})" if label else "")


def geo_search_uri(address: str) -> str:
    """A `geo:` URI that asks the phone's map app to search for an address."""
    return f"geo:0,0?q={quote(address, safe='')}"


def osm_url(lat: float, lon: float) -> str:
    """The point on openstreetmap.org (a plain link: no map is embedded, no script loaded)."""
    lat_text, lon_text = degrees(lat), degrees(lon)
    return f"https://www.openstreetmap.org/?mlat={lat_text}&mlon={lon_text}#map=17/{lat_text}/{lon_text}"


def osm_search_url(address: str) -> str:
    return f"https://www.openstreetmap.org/search?{urlencode({'query': address})}"


def whatsapp_url(digits: str, message: str = "") -> str:
    """WhatsApp click-to-chat link for international digits, with an optional prefilled message."""
    url = f"https://wa.me/{digits}"
    return f"{url}?text={quote(message, safe='')}" if message else url
