"""Photos handed in by owners, cleaned before they enter the public repository: no GPS, upright.

`clean_photo` re-encodes a photo from an issue form or a spreadsheet import; `strip_location`
rewrites a photo already in an entry folder (`umkm bersihkan-foto`).
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from generator.core.files import write_atomic
from generator.core.imaging import MAX_SIDE, RefusedPhoto, decode, flatten, open_image, private_metadata

_SAVE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def strip_location(path: Path) -> bool:
    """Rewrite a photo in place without its metadata when it holds a GPS position or other
    personal metadata (`imaging.private_metadata`).

    Same file name and format, upright, full size. HEIC and GIF are left to the owner (the message
    asks for a JPEG instead). Returns whether the file was rewritten. Raises ValueError."""
    data = path.read_bytes()
    try:
        image = open_image(data, path.name)
        if not private_metadata(image):
            return False
        kind = _SAVE_FORMATS.get(path.suffix.lower())
        if kind is None:
            raise ValueError(f"'{path.name}': ubah dulu ke JPEG atau PNG, lalu jalankan lagi")
        upright = decode(image, path.name)
    except RefusedPhoto as error:
        raise ValueError(error.message) from None
    if kind == "JPEG":
        upright = flatten(upright)
    buffer = io.BytesIO()
    upright.save(buffer, kind, **({"quality": 92} if kind in ("JPEG", "WEBP") else {"optimize": True}))
    write_atomic(path, buffer.getvalue(), mode=path.stat().st_mode & 0o777)
    return True


def clean_photo(data: bytes, *, max_side: int = MAX_SIDE) -> tuple[bytes, str]:
    """Re-encode a photo handed in by an owner before it is stored in the (public) repository:
    upright, sRGB, no metadata at all (no GPS), at most `max_side` pixels. Returns the bytes and
    the file suffix (".jpg", or ".png" for a photo with transparency). Raises ValueError."""
    try:
        image = open_image(data, "foto")
        if image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))
        upright = decode(image, "foto")
    except RefusedPhoto as error:
        raise ValueError(error.message) from None
    upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if upright.mode == "RGBA":
        upright.save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), ".png"
    upright.save(buffer, "JPEG", quality=90, optimize=True, progressive=True)
    return buffer.getvalue(), ".jpg"
