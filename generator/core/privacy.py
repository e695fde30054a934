"""Personal data rules, in one place (UU 27/2022 PDP): what a NIK looks like, how personal numbers
are masked in public text, and where each entry field may be published.

Every path that reads text from owners uses `find_niks`: the validator (fields, comments, story,
folder and file names), the photo check (EXIF text), the spreadsheet import (cells), the issue
form reader (the whole issue body) and the post-build audit (every text file of the site).
Every public message goes through `redact_text`; phone numbers are shown with `mask_phone`.
Which fields reach pages and open data is declared in the schema (`Field.visibility`) and read
here (`visibility_of`, `in_open_data`, `redact_catalog`).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.core import schema
from generator.core.models import Catalog, Entry
from generator.core.schema import HALAMAN, PUBLIK, RAHASIA, Field

# --- text as a reader sees it ---------------------------------------------------------------------

# Characters that show nothing (or nothing a reader notices) and so can split a number unseen:
# controls other than line breaks and tabs, soft hyphen, zero-width and bidi controls, word
# joiners, BOM, variation selectors and tag characters.
INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]"
)
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


def normalize_text(text: str) -> str:
    """Text as a person reads it: compatibility forms folded (fullwidth digits become 0-9), every
    script's decimal digits written as 0-9, invisible characters removed. Line breaks are kept, so
    line numbers still hold; runs of spaces are left to the NIK pattern, which reads any as one."""
    if text.isascii():
        return INVISIBLE.sub("", text) if not text.isprintable() else text
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _NON_ASCII_DIGIT.sub(_ascii_digit, text)


def _ascii_digit(match: re.Match[str]) -> str:
    char = match.group()
    value = unicodedata.decimal(char, None)
    return str(value) if value is not None else char


# --- NIK ------------------------------------------------------------------------------------------

# A run of digit groups joined by short separators: up to three marks, where any stretch of
# whitespace counts as one (so "3216  0145", "3216/0145", "3216_0145" and "3216 - 0145" all join).
# Possessive whitespace keeps the pattern linear on long blank stretches.
_RUN = re.compile(r"[0-9]+(?:(?:\s++|[^0-9A-Za-z\s]){1,3}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
NIK_DIGITS = 16
# Province codes (BPS/Kemendagri) a NIK starts with.
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53",
    "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96", "97",
})  # fmt: skip


@dataclass(frozen=True)
class NikMatch:
    """A NIK-shaped number found in a text: where it is and its 16 digits."""

    start: int  # offsets in the normalized text
    end: int
    digits: str

    @property
    def masked(self) -> str:
        return mask_nik(self.digits)


def find_niks(text: str) -> list[NikMatch]:
    """Every NIK-shaped number in `text`, after `normalize_text` (offsets refer to the normalized text).

    A NIK is 16 digits: province (2), kabupaten (2), kecamatan (2), birth date DDMMYY with DD + 40
    for women, serial (4). Found:
    - 16 digits in a row, standing alone (any such number: a NIK or a family card number);
    - 16 digits in a row glued to letters (`KTP3216…`), or written in groups with short separators
      (`3216 0145 …`, `3216/0145/…`, `3216_0145_…`), when they read like a NIK (a real province
      code, kabupaten 01–79, kecamatan and serial not zero, a birth date that exists);
    - the same at the start or end of a longer run of numbers (`3216… / 0812-…`).
    Phone numbers (`08…`, `+62 8…`, `021-…`), NIB (13), BPOM (12 or 15), P-IRT (`13-2`), halal
    numbers and dates never read like a NIK."""
    text = normalize_text(text)
    found: list[NikMatch] = []
    for run in _RUN.finditer(text):
        start, end = run.span()
        if end - start < NIK_DIGITS:
            continue
        groups = [(g.start() + start, g.end() + start) for g in _GROUP.finditer(run.group())]
        count = sum(b - a for a, b in groups)
        if count < NIK_DIGITS:
            continue
        candidates: list[tuple[int, int]] = []  # (first group, last group) whose digits add up to 16
        if count == NIK_DIGITS:
            candidates.append((0, len(groups) - 1))
        else:
            candidates += _window(groups, forward=True) + _window(groups, forward=False)
        for first, last in dict.fromkeys(candidates):
            a, b = groups[first][0], groups[last][1]
            digits = "".join(text[x:y] for x, y in groups[first : last + 1])
            alone = first == last and not _is_letter(text, a - 1) and not _is_letter(text, b)
            # Part of a longer run of numbers: only when written the way one number is, with one
            # kind of separator (`3532:2016/0457 2025-09-30` is a standard, a number and a date).
            uniform = count == NIK_DIGITS or len({_separator(text, groups[i][1], groups[i + 1][0]) for i in range(first, last)}) <= 1
            if alone or (uniform and plausible_nik(digits)):
                found.append(NikMatch(a, b, digits))
    return found


def contains_nik(text: str) -> bool:
    return bool(find_niks(text))


def _window(groups: list[tuple[int, int]], *, forward: bool) -> list[tuple[int, int]]:
    """The groups from one end of a run whose digits add up to exactly 16, if any."""
    order = range(len(groups)) if forward else range(len(groups) - 1, -1, -1)
    total = 0
    for i in order:
        total += groups[i][1] - groups[i][0]
        if total == NIK_DIGITS:
            return [(0, i)] if forward else [(i, len(groups) - 1)]
        if total > NIK_DIGITS:
            break
    return []


def _separator(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split()) or " "


def _is_letter(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isalpha()


def plausible_nik(digits: str) -> bool:
    """Whether 16 digits read like a NIK: province, kabupaten, kecamatan, birth date, serial."""
    if len(digits) != NIK_DIGITS or not digits.isdigit():
        return False
    kabupaten, kecamatan = int(digits[2:4]), int(digits[4:6])
    day, month = int(digits[6:8]), int(digits[8:10])
    return (
        digits[:2] in _PROVINCES
        and 1 <= kabupaten <= 79
        and kecamatan >= 1
        and (1 <= day <= 31 or 41 <= day <= 71)
        and 1 <= month <= 12
        and digits[12:] != "0000"
    )


def line_of(text: str, offset: int) -> int:
    """The 1-based line of an offset, counted as `str.splitlines` counts lines."""
    return len((text[:offset] + "x").splitlines())


def nik_message(match: NikMatch) -> str:
    """The one message every check gives for a NIK (masked, so the message itself is safe to log)."""
    return (
        "nomor 16 angka seperti NIK (nomor KTP) tidak boleh dimuat karena katalog ini publik; "
        f"hapus nomor tersebut (ditemukan {match.masked})"
    )


# --- masking ------------------------------------------------------------------------------------


def mask_number(text: str, *, head: int, tail: int) -> str:
    """The one masking rule: the digits of a number, all but the first `head` and last `tail`
    hidden. Text made of a number only comes back as digits (with its `+`); words around the
    digits are kept as written."""
    digits = [c for c in text if c.isascii() and c.isdigit()]
    count = len(digits)
    if count <= head + tail:
        return text
    masked = iter(d if i < head or i >= count - tail else "*" for i, d in enumerate(digits))
    if set(text) <= set("0123456789+-.() "):
        return ("+" if text.lstrip().startswith("+") else "") + "".join(masked)
    return "".join(next(masked) if c.isascii() and c.isdigit() else c for c in text)


def mask_phone(text: str) -> str:
    """A phone number as a public log may show it: `0812-1934-5521` -> `0812****5521`.

    Enough for an owner to tell which number is meant (the file and line say where), not to dial it."""
    count = sum(c.isascii() and c.isdigit() for c in text)
    keep = 4 if count >= 10 else 2
    if count <= 4:
        return text
    return mask_number(text, head=keep, tail=keep)


_CHAT_LINK = re.compile(r"(https?://(?:wa\.me|(?:api\.|web\.)?whatsapp\.com)/(?:send\?phone=)?\+?)([0-9]{6,})", re.IGNORECASE)


def mask_chat_link(text: str) -> str:
    """A WhatsApp link names a phone number: its digits are masked like any number in a public text."""
    return _CHAT_LINK.sub(lambda m: m.group(1) + mask_phone(m.group(2)), text)


def mask_nik(number: str) -> str:
    """A NIK as a message may show it: the first four digits (the kabupaten) only."""
    return mask_number(re.sub(r"[^0-9]", "", number), head=4, tail=0)


def redact_text(text: str) -> str:
    """Text fit for a public log or reply: every NIK-shaped number masked where it stands."""
    if not any(c.isdigit() for c in text):
        return text
    normalized = normalize_text(text)
    matches = find_niks(normalized)
    if not matches:
        return text
    out, at = [], 0
    for match in matches:
        out += [normalized[at : match.start], match.masked]
        at = match.end
    return "".join([*out, normalized[at:]])


# --- where fields are published -------------------------------------------------------------------

def visibility_of(path: str, entry_field: Field | None = None) -> str:
    """Where the field at a dotted path ("kontak.telepon") may appear; a parent's stricter rule wins."""
    field: Field | None = entry_field or schema.ENTRY
    strictest = PUBLIK
    for name in path.split(".") if path else ():
        field = field.child(name) if field else None
        if field is None:
            break
        if _RANK[field.visibility] > _RANK[strictest]:
            strictest = field.visibility
    return strictest


_RANK = {PUBLIK: 0, HALAMAN: 1, RAHASIA: 2}


def is_private(path: str, entry_field: Field | None = None) -> bool:
    """Whether the field (or a parent) is published nowhere."""
    return visibility_of(path, entry_field) == RAHASIA


def in_prefill(path: str, entry_field: Field | None = None) -> bool:
    """Whether a field goes into a business's data file for "Perbarui data" (`usaha/<slug>/formulir.json`).

    Anyone can fetch that file for every business, like the open data, so it holds what the open
    data holds without opt-in: public fields only. Page-only fields (phone numbers, email, owner,
    address, map point) stay on the business page, where their purpose needs them (the contact
    buttons); the form reads them from that one page in the owner's browser (`theme/assets/formulir.js`),
    so no bulk, machine-readable file of them exists. The opt-in of `open_data_fields` does not
    apply here: that is the Dinas publishing them on purpose, as open data."""
    return visibility_of(path, entry_field) == PUBLIK


def in_open_data(path: str, opt_in: Iterable[str] = (), entry_field: Field | None = None) -> bool:
    """Whether a field goes into the bulk open data: public fields, and page-only fields the Dinas
    opted in (`open_data_fields` in mkdocs.yml). A field published nowhere never does."""
    seen = visibility_of(path, entry_field)
    if seen == PUBLIK:
        return True
    if seen == RAHASIA:
        return False
    wanted = set(opt_in)
    parts = path.split(".")
    return any(".".join(parts[:i]) in wanted for i in range(1, len(parts) + 1))


def open_data_problems(opt_in: Iterable[str], entry_field: Field | None = None) -> list[str]:
    """Why the fields named in `open_data_fields` cannot be opted in (unknown, or published nowhere)."""
    problems = []
    for name in opt_in:
        field = field_at(name, entry_field)
        if field is None:
            problems.append(f"open_data_fields: kolom '{name}' tidak ada di skema entri")
        elif visibility_of(name, entry_field) == RAHASIA:
            problems.append(f"open_data_fields: kolom '{name}' tidak pernah diterbitkan dan tidak dapat dimasukkan ke data terbuka")
    return problems


def field_at(path: str, entry_field: Field | None = None) -> Field | None:
    field: Field | None = entry_field or schema.ENTRY
    for name in path.split("."):
        field = field.child(name) if field else None
    return field


def field_visibilities(entry_field: Field | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, visibility) of every field, in schema order."""
    for child in (entry_field or schema.ENTRY).fields:
        path = f"{prefix}{child.name}"
        yield path, visibility_of(path)
        if child.fields:
            yield from field_visibilities(child, f"{path}.")


def redact_catalog(catalog: Catalog, entry_field: Field | None = None) -> Catalog:
    """The catalog with every field published nowhere emptied, so no later stage can publish it."""
    field = entry_field or schema.ENTRY
    if not _has_private(field):
        return catalog
    return dataclasses.replace(catalog, entries=tuple(redact_entry(e, field) for e in catalog.entries))


def redact_entry(entry: Entry, entry_field: Field | None = None) -> Entry:
    """One entry with its fields published nowhere (at any depth) set back to their empty defaults."""
    redacted: Entry = _redact(entry, entry_field or schema.ENTRY)
    return redacted


def _has_private(field: Field) -> bool:
    return any(f.visibility == RAHASIA or _has_private(f) for f in field.fields)


def _redact(value: Any, field: Field) -> Any:
    changes: dict[str, Any] = {}
    for child in field.fields:
        if not hasattr(value, child.name):
            continue
        current = getattr(value, child.name)
        if child.visibility == RAHASIA:
            changes[child.name] = _empty(value, child.name)
        elif child.fields and child.type == "object":
            changes[child.name] = _redact(current, child)
        elif child.fields and child.type == "list":
            changes[child.name] = tuple(_redact(item, child) for item in current)
    return dataclasses.replace(value, **changes) if changes else value


def _empty(record: Any, name: str) -> Any:
    spec = next(f for f in dataclasses.fields(record) if f.name == name)
    if spec.default is not dataclasses.MISSING:
        return spec.default
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    raise ValueError(f"kolom wajib '{name}' tidak dapat dirahasiakan (a required field cannot be private)")
