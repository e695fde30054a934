"""Messages from the phone form: readable Indonesian for a person, and a data block the tools read back.

The form on the site (`daftar/`, `theme/assets/formulir.js`) has no server to post to. It composes
one message that the owner sends to the Dinas by WhatsApp or email; `umkm dari-pesan` turns it
back into an entry. On the way the text meets WhatsApp: `*bold*`, `_italic_`, `~strike~` and
monospace markers added or taken away, quotes curled, blank lines collapsed, long lines wrapped
(a newline anywhere), `> ` and list prefixes, a "Diteruskan"/"Forwarded" label above it. So the
block that carries the data is made of nothing any of that touches or can leave behind:

    [MULAI DATA KATALOG UMKM]
    KUAQC4LBMFQWC...          base32 (A-Z, 2-7) in short lines
    [AKHIR DATA KATALOG UMKM]

Between the two markers every character outside the base32 alphabet is dropped before decoding
(newlines, spaces, `*_~>` and list numbers alike) and letters are upper-cased. The decoded bytes
are a frame: `U`, the format version, flags (bit 0: deflate-raw), the CRC-32 of the JSON payload,
then the payload (compressed when the browser has `CompressionStream`). A block that lost or gained
a character fails the CRC and is refused with a clear message, never half-read.

The payload (JSON) says what the form changes, in the entry schema's own paths:

    {"v": 1, "jenis": "daftar" | "perbarui", "slug": "...",      (slug: updates only)
     "ubah": [[path, value], ...],      path: field names, and [key, value] to pick a list item
                                        by its first field (["produk", ["nama", "Keripik"]]);
                                        value: text, a list of text, null to remove, or for a
                                        list item the fields it sets ({"harga": "18000", ...})
     "cerita": "...",                   (absent: the story is not changed)
     "foto": [{"ke": path, "nama": [file names]}, ...],   photos sent in the same chat, in order
     "setuju": [1, 2, 3],               the consent statements ticked (forms.CONSENT, 1-based)
     "dibuat": "2026-11-28"}            the day the owner composed it (for the clerk)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BLOCK_START = "[MULAI DATA KATALOG UMKM]"
BLOCK_END = "[AKHIR DATA KATALOG UMKM]"
VERSION = 1
MAGIC = b"U"
FLAG_DEFLATE = 1
LINE_WIDTH = 64  # lines a phone wraps at most once; a wrapped line loses nothing anyway
MAX_BLOCK_CHARS = 200_000  # far above any form the site can compose
MAX_PAYLOAD_BYTES = 512 * 1024  # inflated: a small block cannot unpack into a huge one
MAX_CHANGES = 2_000
NEW = "daftar"
UPDATE = "perbarui"



def _marker(words: str) -> re.Pattern[str]:
    # Letter by letter, anything but letters between: a wrap, a list number or a marker may split a word.
    return re.compile(r"[^A-Za-z]*".join(words.replace(" ", "")), re.IGNORECASE)


_START = _marker("MULAI DATA KATALOG UMKM")
_END = _marker("AKHIR DATA KATALOG UMKM")
_NOT_BASE32 = re.compile(r"[^A-Z2-7]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Step = str | tuple[str, str]  # a field name, or (key field, value) picking a list item
Scalar = str | tuple[str, ...] | None  # text, a list of text, or nothing (remove)
# A scalar, or for a list item the fields it sets: ((field, scalar), ...), the item's key last.
Value = Scalar | tuple[tuple[str, Scalar], ...]


class MessageError(ValueError):
    """A message that cannot be read back; the text says why, in Indonesian, for the clerk."""


@dataclass(frozen=True)
class PhotoSlot:
    """Photos the owner said they send in the chat, for one photo list of the entry."""

    path: tuple[Step, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class FormMessage:
    """What a message's data block says, checked for shape (not yet against the catalog)."""

    kind: str  # NEW or UPDATE
    slug: str = ""
    changes: tuple[tuple[tuple[Step, ...], Value], ...] = ()
    story: str | None = None
    photos: tuple[PhotoSlot, ...] = ()
    consent: frozenset[int] = frozenset()
    composed: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


# --- the block ------------------------------------------------------------------------------------


def encode_block(payload: Mapping[str, Any], *, compress: bool = True) -> str:
    """The data block for a payload, markers included (the form's script writes the same)."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    crc = zlib.crc32(data).to_bytes(4, "big")
    body = data
    flags = 0
    if compress:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = packer.compress(data) + packer.flush()
        flags |= FLAG_DEFLATE
    frame = MAGIC + bytes([VERSION, flags]) + crc + body
    text = base64.b32encode(frame).decode("ascii").rstrip("=")
    lines = [text[i : i + LINE_WIDTH] for i in range(0, len(text), LINE_WIDTH)]
    return "\n".join([BLOCK_START, *lines, BLOCK_END])


def decode_block(text: str) -> dict[str, Any]:
    """The payload of the (last) data block in a message, however WhatsApp reformatted it."""
    ends = list(_END.finditer(text))
    if not ends:
        if _START.search(text):
            raise MessageError(
                f"blok data terpotong: tanda {BLOCK_END} tidak ada. Salin pesannya sampai baris terakhir, "
                "atau minta pengirim mengirim ulang dari formulir"
            )
        raise MessageError(
            f"tidak ada blok data formulir ({BLOCK_START} … {BLOCK_END}) di pesan ini. Pesan yang diketik sendiri "
            "tidak dapat dibaca otomatis: minta pengirim mengisi formulir di situs katalog (Daftarkan Usaha)"
        )
    end = ends[-1]
    starts = [m for m in _START.finditer(text, 0, end.start())]
    if not starts:
        raise MessageError(f"blok data terpotong: tanda {BLOCK_START} tidak ada. Salin pesannya dari baris pertama")
    inner = text[starts[-1].end() : end.start()]
    if len(inner) > MAX_BLOCK_CHARS:
        raise MessageError("blok data terlalu panjang; ini bukan pesan dari formulir katalog")
    letters = _NOT_BASE32.sub("", inner.upper())
    damaged = (
        "blok data rusak ({}): sebagian pesan berubah atau hilang saat disalin. Salin ulang seluruh pesan dari "
        "WhatsApp (tekan lama pesannya, lalu Salin), atau minta pengirim mengirim ulang dari formulir"
    )
    try:
        frame = base64.b32decode(letters + "=" * (-len(letters) % 8))
    except (binascii.Error, ValueError):
        raise MessageError(damaged.format("panjangnya tidak cocok")) from None
    if len(frame) < 7 or frame[:1] != MAGIC:
        raise MessageError(damaged.format("awal blok tidak dikenal"))
    version, flags, crc, body = frame[1], frame[2], int.from_bytes(frame[3:7], "big"), frame[7:]
    if version != VERSION:
        raise MessageError(f"blok data versi {version} tidak dikenal (dikenal: {VERSION}); perbarui alat ini (git pull)")
    if flags & FLAG_DEFLATE:
        unpacker = zlib.decompressobj(-15)
        try:
            body = unpacker.decompress(body, MAX_PAYLOAD_BYTES)
        except zlib.error:
            raise MessageError(damaged.format("isi terkompresi tidak terbaca")) from None
        if unpacker.unconsumed_tail:
            raise MessageError("isi blok data terlalu besar; ini bukan pesan dari formulir katalog")
    if zlib.crc32(body) != crc:
        raise MessageError(damaged.format("checksum tidak cocok"))
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MessageError(damaged.format("isinya bukan data formulir")) from None
    if not isinstance(payload, dict):
        raise MessageError(damaged.format("isinya bukan data formulir"))
    return payload


# --- the payload ----------------------------------------------------------------------------------


def read_message(text: str) -> FormMessage:
    """The data block of a pasted message, checked for shape; MessageError says what is wrong."""
    payload = decode_block(text)
    wrong = "isi blok data tidak sesuai format formulir ({}); minta pengirim mengirim ulang dari formulir"
    if payload.get("v") != VERSION:
        raise MessageError(wrong.format("versi"))
    kind = payload.get("jenis")
    if kind not in (NEW, UPDATE):
        raise MessageError(wrong.format(f"jenis '{kind}'"))
    slug = payload.get("slug", "")
    if kind == UPDATE and not (isinstance(slug, str) and _SLUG.match(slug)):
        raise MessageError(wrong.format("alamat halaman usaha"))
    raw_changes = payload.get("ubah", [])
    if not isinstance(raw_changes, list) or len(raw_changes) > MAX_CHANGES:
        raise MessageError(wrong.format("daftar perubahan"))
    changes = []
    for item in raw_changes:
        if not (isinstance(item, list) and len(item) == 2):
            raise MessageError(wrong.format("perubahan"))
        changes.append((_path(item[0], wrong), _value(item[1], wrong)))
    story = payload.get("cerita")
    if story is not None and not isinstance(story, str):
        raise MessageError(wrong.format("cerita"))
    photos = []
    for slot in payload.get("foto", []) if isinstance(payload.get("foto", []), list) else [None]:
        if not (isinstance(slot, dict) and isinstance(slot.get("nama"), list) and all(isinstance(n, str) for n in slot["nama"])):
            raise MessageError(wrong.format("foto"))
        photos.append(PhotoSlot(_path(slot.get("ke"), wrong), tuple(slot["nama"])))
    consent = payload.get("setuju", [])
    if not (isinstance(consent, list) and all(isinstance(n, int) and not isinstance(n, bool) for n in consent)):
        raise MessageError(wrong.format("persetujuan"))
    composed = payload.get("dibuat", "")
    return FormMessage(
        kind=kind,
        slug=slug if kind == UPDATE else "",
        changes=tuple(changes),
        story=story,
        photos=tuple(photos),
        consent=frozenset(consent),
        composed=composed if isinstance(composed, str) and _DATE.match(composed) else "",
    )


def _path(raw: Any, wrong: str) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw or len(raw) > 6:
        raise MessageError(wrong.format("jalur kolom"))
    steps: list[Step] = []
    for step in raw:
        if isinstance(step, str) and step:
            steps.append(step)
        elif isinstance(step, list) and len(step) == 2 and all(isinstance(s, str) for s in step) and step[0]:
            steps.append((step[0], step[1]))
        else:
            raise MessageError(wrong.format("jalur kolom"))
    return tuple(steps)


def _value(raw: Any, wrong: str) -> Value:
    if isinstance(raw, dict) and all(isinstance(k, str) and k for k in raw):
        return tuple((k, _scalar(v, wrong)) for k, v in raw.items())
    return _scalar(raw, wrong)


def _scalar(raw: Any, wrong: str) -> Scalar:
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return tuple(raw)
    raise MessageError(wrong.format("nilai"))
