"""Photos handed in by owners (issue-form uploads, spreadsheet columns): fetched, bounded, checked.

A photo is read from a URL or a local file, never more than `MAX_PHOTO_BYTES`, and kept only when
Pillow recognises it as a supported image within the pixel bound. Its file name is the hash of
its bytes, so importing the same photo twice gives the same file. What enters the folder is a
clean copy made by `intake.photos.clean_photo` (upright, no EXIF/GPS, at most 2048 px): the repository
is public, so a phone's original never reaches it.
"""

from __future__ import annotations

import hashlib
import io
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from generator.core.imaging import MAX_PHOTO_BYTES, MAX_PHOTO_MB, MAX_PHOTO_MEGAPIXELS, MAX_PHOTO_PIXELS
from generator.intake.photos import clean_photo

TIMEOUT_SECONDS = 20
MAX_REDIRECTS = 5
# Where GitHub keeps files dropped into an issue form. Anything else in an issue body is refused.
GITHUB_PHOTO_SOURCES = (
    "https://github.com/user-attachments/assets/",
    "https://github.com/user-attachments/files/",
    "https://user-images.githubusercontent.com/",
    "https://private-user-images.githubusercontent.com/",
)
_USER_AGENT = "katalog-umkm (pengunduh foto)"


class PhotoError(Exception):
    """A photo refused, with an Indonesian message for the owner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Photo:
    """A checked photo: its bytes and the file name it gets in the entry folder."""

    data: bytes
    suffix: str  # from the image format, never from the URL: ".jpg", ".png", ...

    @property
    def name(self) -> str:
        return f"foto/{hashlib.sha256(self.data).hexdigest()[:12]}{self.suffix}"


def fetch_photo(
    url: str,
    *,
    sources: Sequence[str] | None = GITHUB_PHOTO_SOURCES,
    max_bytes: int = MAX_PHOTO_BYTES,
    timeout: float = TIMEOUT_SECONDS,
) -> Photo:
    """Download one photo; `sources` are the URL prefixes allowed (None: any https address)."""
    check_source(url, sources)
    shown = _shown(url)
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, "Accept": "image/*"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise PhotoError(_too_large(shown, max_bytes))
            data = _read_bounded(response, max_bytes, shown)
    except PhotoError:
        raise
    except urllib.error.HTTPError as exc:
        raise PhotoError(f"foto tidak dapat diunduh dari '{shown}' (HTTP {exc.code})") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
            reason = f"waktu habis setelah {timeout:g} detik"
        raise PhotoError(f"foto tidak dapat diunduh dari '{shown}' ({reason})") from None
    return identify_photo(data, shown)


def check_source(url: str, sources: Sequence[str] | None = GITHUB_PHOTO_SOURCES) -> None:
    """Refuse an address the photo may not come from, before anything is downloaded."""
    shown = _shown(url)
    if sources is not None and not any(url.startswith(prefix) for prefix in sources):
        allowed = "lampiran GitHub (foto yang diseret ke formulir)" if tuple(sources) == GITHUB_PHOTO_SOURCES else ", ".join(sources)
        raise PhotoError(f"foto hanya boleh berasal dari {allowed} (ditemukan '{shown}')")
    if sources is None and urlsplit(url).scheme != "https":
        raise PhotoError(f"alamat foto harus diawali https:// (ditemukan '{shown}')")


def _shown(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


def read_photo(path: Path, *, max_bytes: int = MAX_PHOTO_BYTES) -> Photo:
    """Read one local photo file (a spreadsheet's photo column may name one)."""
    shown = str(path)
    if not path.is_file():
        raise PhotoError(f"berkas foto '{shown}' tidak ditemukan")
    with path.open("rb") as file:
        data = _read_bounded(file, max_bytes, shown)
    return identify_photo(data, shown)


def identify_photo(data: bytes, shown: str) -> Photo:
    """Keep the bytes only when they are a supported image within the pixel bound."""
    try:
        with Image.open(io.BytesIO(data), formats=_formats()) as image:
            size = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise PhotoError(f"'{shown}' bukan foto yang didukung (JPEG, PNG, WebP, GIF atau HEIC)") from None
    if size[0] * size[1] > MAX_PHOTO_PIXELS:
        raise PhotoError(f"foto '{shown}' ({size[0]}x{size[1]} piksel) melebihi batas {MAX_PHOTO_MEGAPIXELS} megapiksel")
    # The repository is public: what is stored is a clean copy, never the phone's file with its GPS.
    try:
        clean, suffix = clean_photo(data)
    except ValueError:
        raise PhotoError(f"foto '{shown}' rusak atau terpotong; simpan ulang lalu kirim lagi") from None
    return Photo(clean, suffix)


def _read_bounded(stream: IO[bytes] | Any, max_bytes: int, shown: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoError(_too_large(shown, max_bytes))
    return bytes(data)


def _too_large(shown: str, max_bytes: int) -> str:
    limit = f"{MAX_PHOTO_MB} MB" if max_bytes == MAX_PHOTO_BYTES else f"{max_bytes} byte"
    return f"foto '{shown}' terlalu besar (lebih dari {limit}); perkecil dulu"


@cache
def _formats() -> tuple[str, ...]:
    formats = ("JPEG", "PNG", "WEBP", "GIF")
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return formats
    register_heif_opener()
    return (*formats, "HEIF")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a few redirects (GitHub sends attachments to a signed storage URL), never to http."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        old, new = urlsplit(req.full_url).scheme, urlsplit(newurl).scheme
        if new not in ("https", "http") or (old == "https" and new != "https"):
            raise PhotoError(f"foto dialihkan ke alamat yang tidak aman ('{newurl[:80]}')")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
