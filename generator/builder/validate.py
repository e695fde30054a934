"""Check every raw entry against the schema and the region, and type it into an `Entry`."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import phonenumbers

from generator.builder.load import PHOTO_SUFFIXES, RawEntry, load_entry
from generator.core import schema
from generator.core.models import Catalog, Certificate, Contact, Entry, Location, Product, Region, ShopLink, Takedown, Training
from generator.core.privacy import find_niks, line_of, mask_phone, nik_message, normalize_text
from generator.core.problems import ERROR, INFO, WARNING, Problem, errors_in
from generator.core.region import GITHUB_LOGIN, slugify
from generator.core.schema import ENTRY, Field
from generator.core.yamlstrict import Path_, dotted

# Invisible characters that can disguise text: bidi overrides/isolates, zero-width, BOM, soft hyphen.
# Control characters (Cc), surrogates (Cs), private use (Co) and the invisible formatting ones:
# bidi overrides/isolates, zero-width, BOM, soft hyphen. One regex: this runs on every value.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]"
)
_YEAR = re.compile(r"^[0-9]{4}$")
# "-6.2871, 107.0873" as map apps copy it; a semicolon or a space between them also reads.
_COORDINATES = re.compile(r"^(-?[0-9]{1,3}(?:\.[0-9]+)?)\s*[,;]?\s*(-?[0-9]{1,3}(?:\.[0-9]+)?)$")
_DIGITS = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"-[0-9]+")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DMY_DATE = re.compile(r"^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_INSTAGRAM = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_INSTAGRAM_URL = re.compile(r"^https?://(?:www\.)?instagram\.com/([A-Za-z0-9._]{1,30})/?(?:\?.*)?$")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
_HALAL = re.compile(r"^(?:ID[0-9]{10,30}|LPPOM-?[0-9A-Z-]{4,40})$")
_BPOM_FOOD = re.compile(r"^(MD|ML)\s?([0-9]+)$")
_BPOM_OTHER = re.compile(r"^(?:[A-Z]{2,3})\s?[0-9A-Z.-]{4,30}$")
_PIRT = re.compile(r"^([0-9]{13})\s?-\s?([0-9]{2})$")
# `9,12030E+12`, `9.1203E+12`: a long number as a spreadsheet displays (and exports) it.
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+]?[0-9]+")
_NUMBER_LIKE = re.compile(r"^(?:Rp\.?\s*)?[0-9][0-9.,\s]*$", re.IGNORECASE)
# `385.000`, `Rp 385.000`, `Rp385000`, `15.000,-`, `15.000,00`: rupiah as owners write it.
_RUPIAH = re.compile(r"^(?:Rp\.?\s*)?([0-9]{1,3}(?:[.\s][0-9]{3})+|[0-9]+)(?:,(?:-|00?))?$", re.IGNORECASE)


def validate_entries(raw_entries: list[RawEntry], region: Region, *, today: date) -> tuple[Catalog, list[Problem]]:
    """Validate every entry and return the catalog of valid ones plus all problems found."""
    entries = []
    problems: list[Problem] = []
    for raw in raw_entries:
        entry, entry_problems = validate_entry(raw, region, today=today)
        problems += entry_problems
        if entry is not None:
            entries.append(entry)
    return Catalog(region, tuple(sorted(entries, key=lambda e: e.slug))), problems


def validate_folder(folder: Path, region: Region, *, today: date) -> tuple[Entry | None, list[Problem]]:
    """Load and validate one entry folder: its entry (None when it cannot be read) and every problem."""
    raw, problems = load_entry(folder)
    if raw is None:
        return None, problems
    entry, entry_problems = validate_entry(raw, region, today=today)
    return entry, problems + entry_problems


def validate_entry(raw: RawEntry, region: Region, *, today: date) -> tuple[Entry | None, list[Problem]]:
    """One entry: the typed `Entry` (None when any error was found) and its problems."""
    check = _Checker(raw, region, today)
    data = check.node(raw.doc.data, ENTRY, ())
    check.scan_nik()
    story = check.story()
    if data is not None:
        check.cross_check(data)
    if data is None or errors_in(check.problems):
        return None, check.problems
    return _build_entry(raw, data, story), check.problems


def canonical_kecamatan(region: Region, text: str) -> tuple[str | None, str]:
    """The kecamatan's canonical name for any accepted spelling, else None and the closest name (or "")."""
    names = _place_names(region)
    wanted = _fold_place(text)
    if wanted in names:
        return names[wanted], ""
    # 0.75, not 0.6: a neighbour's kecamatan (Kota Bekasi's `Bekasi Barat`) must not be "corrected"
    # to a different place (`Cikarang Barat`) that shares only a compass word.
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.75)
    return None, names[close[0]] if close else ""


def duplicate_nib_problems(entries: Iterable[Entry]) -> list[Problem]:
    """An NIB belongs to one business: every entry sharing one with another gets an error at its `nib` line."""
    by_nib: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.nib:
            by_nib.setdefault(entry.nib, []).append(entry)
    problems = []
    for nib, sharing in sorted(by_nib.items()):
        if len(sharing) < 2:
            continue
        for entry in sharing:
            others = ", ".join(e.slug for e in sharing if e is not entry)
            raw, _ = load_entry(entry.folder)  # only for the line: duplicates are rare
            line = raw.doc.line(("nib",)) if raw is not None else None
            problems.append(
                Problem(entry.source, line, "nib", f"NIB {nib} juga dipakai usaha lain ({others}); satu NIB hanya untuk satu usaha")
            )
    return problems


def clean_text(text: str, *, multiline: bool = False) -> str:
    """Drop control and invisible formatting characters; single-line text loses its line breaks."""
    if text.isascii():
        if text.isprintable():  # most values: no control character, line break or tab to drop
            if multiline:
                return text
            return re.sub(r"[\n\t ]+", " ", text).strip() if "  " in text else text.strip()
    else:
        text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text.replace("\r", ""))
    if multiline:
        return text
    return re.sub(r"[\n\t ]+", " ", text).strip() if ("  " in text or "\n" in text or "\t" in text) else text.strip()


@dataclass
class _Checker:
    raw: RawEntry
    region: Region
    today: date
    problems: list[Problem] = field(default_factory=list)

    # -- reporting --------------------------------------------------------------------------

    def error(self, path: Path_, message: str, *, level: str = ERROR, line: int | None = None) -> None:
        self.problems.append(Problem(self.raw.source, line or self.raw.doc.line(path), dotted(path), message, level))

    def warn(self, path: Path_, message: str) -> None:
        self.error(path, message, level=WARNING)

    # -- schema walk ------------------------------------------------------------------------

    def node(self, value: Any, spec: Field, path: Path_) -> Any:
        if spec.type == "object":
            return self.mapping(value, spec, path)
        if spec.type == "list":
            return self.sequence(value, spec, path)
        if isinstance(value, (list, dict)):
            kind = "daftar" if isinstance(value, list) else "pasangan 'kunci: nilai'"
            self.error(path, f"harus berupa satu nilai, bukan {kind} ({spec.label})")
            return None
        text = clean_text(value)
        if not text:
            if spec.required:
                self.error(path, f"wajib diisi ({spec.label}), misalnya: {spec.name}: {spec.example}")
            return None
        return self.scalar(text, spec, path)

    def mapping(self, value: Any, spec: Field, path: Path_) -> dict[str, Any] | None:
        if value is None or value == "":
            if path:
                return {}
            self.error(path, "front matter kosong")
            return None
        if not isinstance(value, dict):
            kind = "daftar" if isinstance(value, list) else "teks"
            self.error(path, f"harus berisi pasangan 'kunci: nilai' ({spec.label}), bukan {kind}")
            return None
        known, known_set, _ = _shape(spec)
        for key in value:
            if key not in known_set:
                close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
                hint = f"; maksud Anda '{close[0]}'?" if close else f"; kolom yang dikenal: {', '.join(known)}"
                self.error((*path, key), f"kolom tidak dikenal '{key}'{hint}")
        result = {}
        for child in spec.fields:
            if child.name in value:
                result[child.name] = self.node(value[child.name], child, (*path, child.name))
            elif child.required:
                # The problem's field prefix already names `path`; the message names the missing key.
                self.error(
                    path,
                    f"kolom wajib '{child.name}' ({child.label}) belum ada; tambahkan misalnya: {child.name}: {child.example}".replace(
                        ": ;", ";"
                    ),
                )
        return result

    def sequence(self, value: Any, spec: Field, path: Path_) -> list[Any]:
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            example = f"[{value}]" if isinstance(value, str) else spec.example
            self.error(path, f"harus berupa daftar ({spec.label}); tulis misalnya {spec.name}: {example}")
            return []
        if spec.max_items and len(value) > spec.max_items:
            self.error(path, f"terlalu banyak butir ({len(value)}; paling banyak {spec.max_items})")
            value = value[: spec.max_items]
        item_spec = spec.item or _shape(spec).item
        items = [self.node(item, item_spec, (*path, i)) for i, item in enumerate(value)]
        return [item for item in items if item not in (None, {})] if spec.item else items

    def scalar(self, text: str, spec: Field, path: Path_) -> Any:
        if spec.max_length and len(text) > spec.max_length:
            self.error(path, f"terlalu panjang ({len(text)} karakter; paling banyak {spec.max_length})")
        convert = getattr(self, f"to_{spec.type}")
        return convert(text, spec, path)

    # -- scalar types -----------------------------------------------------------------------

    def to_text(self, text: str, spec: Field, path: Path_) -> str:
        return text

    def to_year(self, text: str, spec: Field, path: Path_) -> int | None:
        if not _YEAR.match(text) or not 1900 <= int(text) <= self.today.year:
            self.error(path, f"tahun tidak valid (ditemukan '{text}'; diharapkan tahun 1900–{self.today.year}, misalnya 2017)")
            return None
        return int(text)

    def to_date(self, text: str, spec: Field, path: Path_) -> date | None:
        match = _ISO_DATE.match(text)
        dmy = _DMY_DATE.match(text)
        if dmy:
            suggestion = f"{dmy.group(3)}-{int(dmy.group(2)):02d}-{int(dmy.group(1)):02d}"
            self.error(path, f"tulis tanggal sebagai TAHUN-BULAN-HARI (ditemukan '{text}', maksud Anda {suggestion}?)")
            return None
        if not match:
            self.error(path, f"tanggal tidak valid (ditemukan '{text}'; diharapkan TAHUN-BULAN-HARI, misalnya 2027-08-30)")
            return None
        try:
            value = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            self.error(path, f"tanggal tidak ada di kalender (ditemukan '{text}'); periksa bulan dan harinya")
            return None
        if value.year < 1900:
            self.error(path, f"tanggal tidak masuk akal (ditemukan '{text}')")
            return None
        return value

    def to_integer(self, text: str, spec: Field, path: Path_) -> int | None:
        plain = text.replace("_", "")
        if _NEGATIVE.fullmatch(plain):
            self.error(path, f"tidak boleh negatif (ditemukan '{text}')")
            return None
        if _DIGITS.fullmatch(plain):
            return int(plain)
        grouped = _RUPIAH.match(text)
        if grouped:
            digits = re.sub(r"[^0-9]", "", grouped.group(1))
            self.error(path, f"tulis angka bulat tanpa titik, koma atau 'Rp' (ditemukan '{text}', maksud Anda {digits}?)")
            return None
        if _NUMBER_LIKE.match(text):
            # `15.5` or `1,5`: not thousands grouping, so guessing the digits would invent a price.
            self.error(path, f"harga harus angka bulat rupiah tanpa pecahan (ditemukan '{text}', misalnya {spec.example})")
            return None
        self.error(path, f"harus berupa angka bulat rupiah (ditemukan '{text}', misalnya {spec.example})")
        return None

    def to_url(self, text: str, spec: Field, path: Path_) -> str | None:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in ("https", "http"):
            shown = text if len(text) <= 40 else text[:37] + "..."
            self.error(path, f"alamat harus diawali https:// (ditemukan '{shown}')")
            return None
        host = (parts.hostname or "").lower()
        if not _HOST.match(host) or parts.username or parts.password or any(c.isspace() for c in text):
            self.error(path, f"alamat web tidak valid (ditemukan '{text}')")
            return None
        if scheme == "http":
            self.warn(path, f"alamat sebaiknya diawali https:// agar aman (ditemukan '{text}')")
        return text

    def to_email(self, text: str, spec: Field, path: Path_) -> str | None:
        if not _EMAIL.match(text):
            self.error(path, f"alamat email tidak valid (ditemukan '{text}', misalnya {spec.example})")
            return None
        return text

    def to_phone(self, text: str, spec: Field, path: Path_) -> str | None:
        try:
            number = phonenumbers.parse(text, "ID")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            self.error(path, f"nomor telepon tidak valid (ditemukan '{mask_phone(text)}', misalnya {spec.example.strip(chr(34))})")
            return None
        if spec.name == "whatsapp" and phonenumbers.number_type(number) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            self.error(path, f"bukan nomor HP, tidak dapat dipakai untuk WhatsApp (ditemukan '{mask_phone(text)}')")
            return None
        return f"{number.country_code}{number.national_number}"

    def to_instagram(self, text: str, spec: Field, path: Path_) -> str | None:
        handle = text.removeprefix("@")
        match = _INSTAGRAM_URL.match(text)
        if match:
            return match.group(1)
        if not _INSTAGRAM.match(handle):
            self.error(path, f"akun Instagram tidak valid (ditemukan '{text}'; tulis nama akun, misalnya {spec.example})")
            return None
        return handle

    def to_koordinat(self, text: str, spec: Field, path: Path_) -> Location | None:
        match = _COORDINATES.match(text)
        if not match:
            self.error(path, f"tulis lintang, bujur dalam derajat desimal (ditemukan '{text}'; misalnya {spec.example.strip(chr(34))})")
            return None
        lat, lon = float(match.group(1)), float(match.group(2))
        bounds = self.region.bounds
        if bounds is not None and not bounds.holds(lat, lon) and bounds.holds(lon, lat):
            self.error(path, f"lintang dan bujur tertukar (ditemukan '{text}'; maksud Anda {Location(lon, lat).text}?)")
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.error(path, f"lintang harus -90 sampai 90 dan bujur -180 sampai 180 (ditemukan '{text}')")
            return None
        if bounds is not None and not bounds.holds(lat, lon):
            self.error(
                path,
                f"lokasi {Location(lat, lon).text} berada di luar {self.region.nama} (lintang {_degrees(bounds.lat_min)} sampai "
                f"{_degrees(bounds.lat_max)}, bujur {_degrees(bounds.lon_min)} sampai {_degrees(bounds.lon_max)}); periksa titiknya di peta",
            )
            return None
        return Location(round(lat, 6), round(lon, 6))

    def to_nib(self, text: str, spec: Field, path: Path_) -> str | None:
        if _SCIENTIFIC.fullmatch(text.replace(" ", "")):
            # Excel shows a long number as 9,12030E+12 and saves the CSV that way: the digits are gone.
            self.error(
                path,
                f"NIB terbaca sebagai angka ilmiah '{text}': Excel mengubahnya dan angka aslinya hilang. "
                "Format kolom NIB sebagai Teks (Format Cells → Text), ketik ulang NIB-nya, lalu simpan lagi",
            )
            return None
        digits = re.sub(r"[ .-]", "", text)
        if not re.fullmatch(r"[0-9]{13}", digits):
            count = sum(c.isdigit() for c in digits)
            self.error(path, f"NIB harus 13 angka (ditemukan '{text}', {count} angka)")
            return None
        return digits

    def to_github(self, text: str, spec: Field, path: Path_) -> str | None:
        login = text.removeprefix("@")
        if not GITHUB_LOGIN.match(login):
            self.error(path, f"bukan nama akun GitHub (ditemukan '{text}'; huruf, angka dan tanda hubung, misalnya akun-pemilik)")
            return None
        return login

    def to_choice(self, text: str, spec: Field, path: Path_) -> str | None:
        if spec.vocabulary == "kecamatan":
            return self.kecamatan(text, path)
        values = schema.vocabulary(self.region, spec.vocabulary)
        folded = text.strip().lower()
        if folded in values:
            return folded
        close = difflib.get_close_matches(folded, values, n=1, cutoff=0.5)
        hint = f"maksud Anda '{close[0]}'?" if close else f"pilihan: {', '.join(values)}"
        self.error(path, f"{spec.label.lower()} tidak dikenal '{text}' ({hint})")
        return None

    def kecamatan(self, text: str, path: Path_) -> str | None:
        name, close = canonical_kecamatan(self.region, text)
        if name:
            return name
        hint = f"maksud Anda '{close}'?" if close else "lihat daftar kecamatan di wilayah.yml"
        self.error(path, f"kecamatan tidak dikenal '{text}' di {self.region.nama} ({hint})")
        return None

    # -- whole-file checks ------------------------------------------------------------------

    def scan_nik(self) -> None:
        """NIK-shaped numbers anywhere in the file (fields, comments, story), the folder name and
        the names of the folder's files (a photo's name is part of its published address)."""
        text = self.raw.text
        if text is None:
            text = self.raw.source.read_text(encoding="utf-8-sig", errors="replace")
        matches = find_niks(text)
        if matches:
            normalized = normalize_text(text)  # line breaks survive normalization: its lines are the file's
            by_line = {line: path for path, line in sorted(self.raw.doc.lines.items(), key=lambda item: len(item[0]))}
            for match in matches:
                number = line_of(normalized, match.start)
                path = by_line.get(number, ()) if number < self.raw.body_line else ("cerita",)
                self.error(path, nik_message(match), line=number)
        folder = self.raw.source.parent
        for name, where in ((self.raw.slug, folder), *((f.as_posix(), folder / f) for f in self.raw.files)):
            for match in find_niks(name):
                self.problems.append(Problem(where, None, "", f"nama folder atau berkas: {nik_message(match)}; ganti namanya"))

    def story(self) -> str:
        cleaned = clean_text(self.raw.body, multiline=True)
        story = cleaned.strip("\n")
        size = len(story.encode())
        if size > schema.MAX_STORY_BYTES:
            size_kb = -(-size // 1000)  # rounded up, so 20,001 bytes never reads as "20 KB; at most 20 KB"
            self.error(
                ("cerita",),
                f"cerita terlalu panjang ({size_kb} KB; paling banyak {schema.MAX_STORY_BYTES // 1000} KB)",
                line=self.raw.body_line,
            )
        # Count lines before stripping the leading blank lines, so the reported line is the file's.
        for offset, line in enumerate(cleaned.splitlines()):
            depth = _nesting(line)
            if depth > schema.MAX_STORY_DEPTH:
                self.error(
                    ("cerita",),
                    f"susunan daftar/kutipan terlalu dalam ({depth} tingkat; paling banyak {schema.MAX_STORY_DEPTH})",
                    line=self.raw.body_line + offset,
                )
                break
        return story

    def cross_check(self, data: dict[str, Any]) -> None:
        """Rules that need more than one field: domains, certificate numbers, photo files."""
        raw = self.raw.doc.data if isinstance(self.raw.doc.data, dict) else {}
        if "diturunkan" in raw and not data.get("diturunkan"):
            # An empty block must not read as "shown": the clerk meant to hide the listing.
            self.error(("diturunkan",), "tulis alasannya, misalnya: diturunkan: {alasan: Nomor WhatsApp dilaporkan dipakai penipu, tanggal: 2026-12-01}")
        for i, shop in enumerate(data.get("toko_online") or []):
            if shop and shop.get("platform") and shop.get("url"):
                self.check_shop_domain(shop["platform"], shop["url"], ("toko_online", i, "url"))
        products = [p for p in data.get("produk") or [] if p]
        product_names = {(p.get("nama") or "").lower() for p in products}
        for i, cert in enumerate(data.get("sertifikasi") or []):
            if not cert:
                continue
            if cert.get("jenis") and cert.get("nomor"):
                self.check_certificate(cert["jenis"], cert["nomor"], cert.get("berlaku_sampai"), ("sertifikasi", i))
            for j, name in enumerate(cert.get("produk") or []):
                if name.lower() not in product_names:
                    self.warn(("sertifikasi", i, "produk", j), f"produk '{name}' tidak ada di daftar produk")
        for field_path, photo in _photo_fields(data):
            self.check_photo_path(photo, field_path)
        seen: set[str] = set()
        for i, product in enumerate(data.get("produk") or []):
            name = (product or {}).get("nama")
            if name and name.lower() in seen:
                self.warn(("produk", i, "nama"), f"nama produk ganda '{name}'")
            if name:
                seen.add(name.lower())

    def check_shop_domain(self, platform_key: str, url: str, path: Path_) -> None:
        platform = self.region.platform(platform_key)
        if not platform.domains:
            return
        host = (urlsplit(url).hostname or "").lower()
        if not any(host == d or host.endswith("." + d) for d in platform.domains):
            self.error(path, f"alamat bukan halaman {platform.label} (ditemukan domain '{host}'; diharapkan {_or_list(platform.domains)})")

    def check_certificate(self, kind: str, nomor: str, until: date | None, path: Path_) -> None:
        number = nomor.upper()
        at = (*path, "nomor")
        cert_kind = self.region.cert_kind(kind)
        if until is None and cert_kind.dated and kind != "pirt":  # a P-IRT number holds its year (or is refused)
            # Not an error (the number is still worth publishing), but the buyer cannot be told it is valid.
            self.error(
                (*path, "berlaku_sampai"),
                f"sertifikat {cert_kind.label} berlaku sampai tanggal tertentu; isi berlaku_sampai (TAHUN-BULAN-HARI) "
                "agar tampil sebagai sertifikat yang berlaku",
                level=INFO,
                line=self.raw.doc.line(path),
            )
        if kind == "bpom":
            food = _BPOM_FOOD.match(number)
            if food and len(food.group(2)) not in (12, 15):
                self.error(
                    at, f"nomor BPOM {food.group(1)} harus diikuti 12 atau 15 angka (ditemukan '{nomor}', {len(food.group(2))} angka)"
                )
            elif not food and not _BPOM_OTHER.match(number):
                self.error(at, f"nomor BPOM tidak valid (ditemukan '{nomor}'; misalnya MD 224510001234)")
        elif kind == "pirt":
            match = _PIRT.match(number)
            if not match:
                self.error(
                    at, f"nomor P-IRT harus 13 angka, tanda '-', lalu 2 angka tahun (ditemukan '{nomor}'; misalnya 2063216010123-27)"
                )
            elif until and until.year != 2000 + int(match.group(2)):
                self.warn((*path, "berlaku_sampai"), f"tahun tidak sama dengan tahun di nomor P-IRT ({2000 + int(match.group(2))})")
        elif kind == "halal" and not _HALAL.match(number.replace(" ", "")):
            self.warn(at, f"nomor halal biasanya diawali 'ID' lalu angka (ditemukan '{nomor}'); periksa kembali")

    def check_photo_path(self, photo: str, path: Path_) -> None:
        pure = PurePosixPath(photo)
        if "\\" in photo or pure.is_absolute() or re.match(r"^[A-Za-z]:", photo) or ".." in pure.parts:
            self.error(path, f"jalur foto harus relatif terhadap folder usaha, tanpa '..' (ditemukan '{photo}', misalnya foto/sampul.jpg)")
            return
        if pure.suffix.lower() not in PHOTO_SUFFIXES:
            self.error(path, f"bukan berkas foto yang didukung (ditemukan '{photo}'; gunakan JPEG, PNG, WebP atau HEIC)")
            return
        folder = self.raw.source.parent
        target = folder / Path(*pure.parts)
        if Path(*pure.parts) in self.raw.files:
            return
        if target.is_symlink() or (target.exists() and not target.resolve().is_relative_to(folder.resolve())):
            self.error(path, f"foto tidak boleh berupa symlink atau berada di luar folder usaha (ditemukan '{photo}')")
        else:
            # Compared case-folded (`Sampul.JPG` opens on the owner's Windows or macOS, not here) and
            # strictly: paths share `foto/` and `.jpg`, so a loose cutoff suggests unrelated photos.
            available = {f.as_posix().lower(): f.as_posix() for f in self.raw.files}
            close = difflib.get_close_matches(photo.lower(), list(available), n=1, cutoff=0.8)
            hint = f"; maksud Anda '{available[close[0]]}'?" if close else ""
            self.error(path, f"berkas foto '{photo}' tidak ada di folder usaha{hint}")


def _degrees(value: float) -> str:
    return f"{value:g}"  # with a decimal point, as the coordinates themselves are written


def _or_list(values: tuple[str, ...]) -> str:
    """`a, b atau c`."""
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} atau {values[-1]}"


class _Shape(NamedTuple):
    known: list[str]  # the names of an object's fields, in schema order
    known_set: frozenset[str]
    item: Field  # a list of objects: the object each item is


_SHAPES: dict[int, tuple[Field, _Shape]] = {}


def _shape(spec: Field) -> _Shape:
    """What the schema walk needs of a field, worked out once per field rather than once per value.

    Keyed by identity: hashing a `Field` hashes its whole subtree, which costs more than the work."""
    cached = _SHAPES.get(id(spec))
    if cached is None or cached[0] is not spec:
        known = [f.name for f in spec.fields]
        cached = _SHAPES[id(spec)] = (spec, _Shape(known, frozenset(known), Field(spec.name, "object", spec.label, fields=spec.fields)))
    return cached[1]


_PLACE_NAMES: list[tuple[Region, dict[str, str]]] = []


def _place_names(region: Region) -> dict[str, str]:
    """Every accepted spelling of a kecamatan, folded, to its canonical name.

    Kept for the last region seen, found by identity: hashing a `Region` (as functools' caches do)
    hashes every kecamatan and sector, once per entry."""
    for known, names in _PLACE_NAMES:
        if known is region:
            return names
    names = _fold_place_names(region)
    _PLACE_NAMES[:] = [(region, names)]
    return names


def _fold_place_names(region: Region) -> dict[str, str]:
    names: dict[str, str] = {}
    for kecamatan in region.kecamatan:
        for name in (kecamatan.nama, *kecamatan.varian):
            names[_fold_place(name)] = kecamatan.nama
    return names


def _fold_place(name: str) -> str:
    name = re.sub(r"^(?:kecamatan|kec\.?)\s+", "", name.strip(), flags=re.IGNORECASE)
    return slugify(name)


_LIST_MARKERS = re.compile(r"(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)+")


def _nesting(line: str) -> int:
    """How deep a story line nests: quotes, indentation, and list markers in a row (`- - - x`)."""
    stripped = line.lstrip(" \t>")
    quotes = line[: len(line) - len(stripped)].count(">")
    indent = (len(line) - len(line.lstrip(" "))) // 2
    markers = _LIST_MARKERS.match(stripped)
    lists = len(re.findall(r"(?:[-*+]|[0-9]{1,9}[.)])[ \t]+", markers.group())) if markers else 0
    return quotes + indent + max(0, lists - 1)


def _photo_fields(data: dict[str, Any]) -> list[tuple[Path_, str]]:
    fields: list[tuple[Path_, str]] = [(("foto", i), photo) for i, photo in enumerate(data.get("foto") or []) if photo]
    for j, product in enumerate(data.get("produk") or []):
        photos = (product or {}).get("foto") or []
        fields += [(("produk", j, "foto", i), photo) for i, photo in enumerate(photos) if photo]
    return fields


def _build_entry(raw: RawEntry, data: dict[str, Any], story: str) -> Entry:
    contact = data.get("kontak") or {}
    certificates = []
    for item in data.get("sertifikasi", []):
        until = item.get("berlaku_sampai")
        match = _PIRT.match(item["nomor"].upper()) if item["jenis"] == "pirt" else None
        if until is None and match:
            until = date(2000 + int(match.group(2)), 12, 31)
        certificates.append(Certificate(item["jenis"], item["nomor"], until, tuple(item.get("produk", []))))
    return Entry(
        slug=raw.slug,
        source=raw.source,
        nama=data["nama"],
        sektor=data["sektor"],
        kecamatan=data["kecamatan"],
        ringkasan=data["ringkasan"],
        desa=data.get("desa") or "",
        alamat=data.get("alamat") or "",
        lokasi=data.get("lokasi"),
        pemilik=data.get("pemilik") or "",
        berdiri=data.get("berdiri"),
        nib=data.get("nib") or "",
        kapasitas=data.get("kapasitas") or "",
        kontak=Contact(**{k: v for k, v in contact.items() if v}),
        toko_online=tuple(ShopLink(item["platform"], item["url"]) for item in data.get("toko_online", [])),
        sertifikasi=tuple(certificates),
        produk=tuple(
            Product(
                nama=item["nama"],
                harga=item.get("harga"),
                satuan=item.get("satuan") or "",
                deskripsi=item.get("deskripsi") or "",
                foto=tuple(item.get("foto", [])),
                tautan=item.get("tautan") or "",
            )
            for item in data.get("produk", [])
        ),
        foto=tuple(data.get("foto", [])),
        pembinaan=tuple(
            Training(item["program"], item.get("penyelenggara") or "", item.get("tahun")) for item in data.get("pembinaan", [])
        ),
        diperbarui=data.get("diperbarui"),
        cerita=story,
        diverifikasi=data.get("diverifikasi"),
        diturunkan=Takedown(takedown.get("alasan") or "", takedown.get("tanggal")) if (takedown := data.get("diturunkan")) else None,
        pengelola=tuple(data.get("pengelola", [])),
    )
