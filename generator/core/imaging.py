"""Opening photos safely with Pillow: bounded, restricted decoders, upright, sRGB, no metadata.

Shared by the build's photo stage (`builder/images.py`) and the ways in that clean photos handed
in (`intake/photos.py`). A photo that cannot be used raises `RefusedPhoto` with an Indonesian
message naming the file as the owner wrote it.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from generator.core.privacy import contains_nik

MAX_SIDE = 2048  # no output is wider or taller than this


MAX_PHOTO_MB = 20


MAX_PHOTO_BYTES = MAX_PHOTO_MB * 1024 * 1024


# Refused before decoding. Pillow's own MAX_IMAGE_PIXELS stays in force behind it.
MAX_PHOTO_MEGAPIXELS = 50


MAX_PHOTO_PIXELS = MAX_PHOTO_MEGAPIXELS * 1_000_000
# JPEG is decoded at a fraction of its size (`Image.draft`), so a 50-megapixel phone photo costs
# little; PNG, WebP, GIF and HEIC are decoded whole (a 7000x7000 PNG of 143 KB needs ~600 MB), so
# they get a lower bound that keeps a build under 300 MB (tests/test_hostile_input.py measures it).
MAX_FULL_DECODE_MEGAPIXELS = 12
MAX_FULL_DECODE_PIXELS = MAX_FULL_DECODE_MEGAPIXELS * 1_000_000


_TRANSPOSED_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


def _msg_not_image(rel: str) -> str:
    return f"isi berkas '{rel}' bukan gambar JPEG, PNG, WebP, GIF atau HEIC (file content is not a supported image)"


def msg_too_many_pixels(rel: str, size: tuple[int, int] | None, fmt: str = "JPEG") -> str:
    dims = f" berukuran {size[0]}x{size[1]} piksel," if size else ""
    if fmt != "JPEG" and size and size[0] * size[1] <= MAX_PHOTO_PIXELS:
        return (
            f"foto '{rel}'{dims} melebihi batas {MAX_FULL_DECODE_MEGAPIXELS} megapiksel untuk {fmt}; "
            "simpan sebagai JPEG atau perkecil dulu (image too large for its format)"
        )
    return (
        f"foto '{rel}'{dims} melebihi batas {MAX_PHOTO_MEGAPIXELS} megapiksel"
        " (MAX_PHOTO_MEGAPIXELS); perkecil dulu (image too large, possible decompression bomb)"
    )


def pixel_limit(fmt: str | None) -> int:
    """How many pixels a photo of this format may have: JPEG is decoded scaled down, the rest whole."""
    return MAX_PHOTO_PIXELS if fmt == "JPEG" else MAX_FULL_DECODE_PIXELS


def _msg_damaged(rel: str) -> str:
    return f"foto '{rel}' rusak atau terpotong; simpan ulang lalu kirim lagi (image file is truncated or damaged)"


class RefusedPhoto(Exception):
    """A photo refused, with the message for its `Problem`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def has_location(image: Image.Image) -> bool:
    """Whether a photo's EXIF holds a GPS position (the owner's home, often)."""
    try:
        return bool(image.getexif().get_ifd(0x8825))
    except Exception:  # unreadable EXIF holds nothing we can read either
        return False


# EXIF tags that name a person, and free-text tags that may hold anything an owner typed.
_PERSON_TAGS = {0x013B: "Artist", 0x8298: "Copyright", 0x9C9D: "XPAuthor"}
_PERSON_EXIF_IFD_TAGS = {0xA430: "CameraOwnerName"}
_TEXT_TAGS = {0x010E: "ImageDescription", 0x9C9B: "XPTitle", 0x9C9C: "XPComment", 0x9C9E: "XPKeywords", 0x9C9F: "XPSubject"}
_TEXT_EXIF_IFD_TAGS = {0x9286: "UserComment"}


def private_metadata(image: Image.Image) -> list[str]:
    """What a photo's metadata holds that is personal: a GPS position, a person's name, a NIK.

    Cameras write model names and settings; those are not listed. Names (Artist, XPAuthor,
    CameraOwnerName, Copyright) always are; free-text tags and XMP only when they hold a NIK."""
    found: list[str] = []
    try:
        exif = image.getexif()
        if exif.get_ifd(0x8825):
            found.append("lokasi GPS (bisa menunjukkan rumah pemilik)")
        inner = exif.get_ifd(0x8769)
        for tags, source in ((_PERSON_TAGS, exif), (_PERSON_EXIF_IFD_TAGS, inner)):
            found += [f"nama orang di EXIF {name}" for tag, name in tags.items() if _exif_text(source.get(tag))]
        for tags, source in ((_TEXT_TAGS, exif), (_TEXT_EXIF_IFD_TAGS, inner)):
            found += [f"nomor seperti NIK di EXIF {name}" for tag, name in tags.items() if contains_nik(_exif_text(source.get(tag)))]
    except Exception:  # unreadable EXIF: nothing we can read in it either
        pass
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if contains_nik(xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else str(xmp)):
        found.append("nomor seperti NIK di metadata XMP")
    return found


def _exif_text(value: object) -> str:
    """An EXIF value as text: XP* tags are UTF-16LE bytes, UserComment starts with an 8-byte charset."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\0\0\0", b"UNICODE\0", b"JIS\0\0\0\0\0", b"\0" * 8):
            text = value[8:].decode("utf-16-le" if value.startswith(b"UNICODE") else "latin-1", "replace")
        else:
            text = value.decode("utf-16-le", "replace") if len(value) % 2 == 0 and b"\0" in value else value.decode("latin-1", "replace")
        return text.replace("\0", "").strip()
    if isinstance(value, tuple):  # XP* tags read as a tuple of byte values
        return _exif_text(bytes(v for v in value if isinstance(v, int) and 0 <= v < 256))
    return str(value).replace("\0", "").strip()


@cache
def decoders() -> tuple[str, ...]:
    Image.init()  # load every plugin now, not from racing threads
    formats = ("JPEG", "PNG", "WEBP", "GIF")
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # without pillow-heif, HEIC photos are refused as unsupported
        return formats
    register_heif_opener()
    return (*formats, "HEIF")


def open_image(data: bytes, rel: str) -> Image.Image:
    """Open from the header only, refusing what is not an image or has too many pixels."""
    try:
        image = Image.open(io.BytesIO(data), formats=decoders())
    except UnidentifiedImageError:
        raise RefusedPhoto(_msg_not_image(rel)) from None
    except Image.DecompressionBombError:
        raise RefusedPhoto(msg_too_many_pixels(rel, None)) from None
    except Exception:  # a header Pillow recognised but could not parse
        raise RefusedPhoto(_msg_damaged(rel)) from None
    if image.width * image.height > pixel_limit(image.format):
        raise RefusedPhoto(msg_too_many_pixels(rel, image.size, image.format or ""))
    return image


def orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:  # unreadable EXIF: treated as upright
        return 1


def upright_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    return (height, width) if orientation(image) in _TRANSPOSED_ORIENTATIONS else (width, height)


def decode(image: Image.Image, rel: str) -> Image.Image:
    """Decode the first frame, upright, in sRGB, as RGB or RGBA."""
    try:
        image.load()
        icc = image.info.get("icc_profile")
        upright = to_srgb(ImageOps.exif_transpose(image), icc)
    except Exception:  # Pillow reports damage as OSError, SyntaxError, EOFError, ValueError...
        raise RefusedPhoto(_msg_damaged(rel)) from None
    upright.info = {}  # EXIF, GPS, ICC, XMP: nothing of the source travels further
    return upright


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    target = "RGBA" if alpha else "RGB"
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # 16-bit grey PNG: scale to 8 bits, where Pillow's convert would clip to white.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    if icc:
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert(target)
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken or mismatched profile: the pixels are taken as sRGB
        if converted is not None:
            image = converted
    if image.mode != target:
        image = image.convert(target)
    if target == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # opaque after all: smaller files, same look
    return image


def flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    return flat
