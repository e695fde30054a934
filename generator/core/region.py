"""Region data (`wilayah.yml`): kecamatan, sectors, certification kinds, marketplaces."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import phonenumbers

from generator.core.models import Bounds, CertKind, Kecamatan, Platform, Region, Sector
from generator.core.problems import Problem
from generator.core.yamlstrict import YamlDoc, YamlSyntaxError, parse_yaml

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
_YES = {"ya", "yes", "true"}
# `masa_berlaku` of a certification kind: certificates that end on a date, or none at all.
_VALIDITY = ("bertanggal", "tanpa-batas")
# A GitHub account name: letters, digits and single hyphens inside, at most 39 characters.
GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def slugify(text: str) -> str:
    """`Cikarang Barat` -> `cikarang-barat`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def load_region(path: Path) -> tuple[Region | None, list[Problem]]:
    """Read and check the region file; on any error return no region and every problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, None, "", f"berkas data wilayah tidak dapat dibaca ({exc})")]
    try:
        doc = parse_yaml(text)
    except YamlSyntaxError as exc:
        return None, [Problem(path, exc.line, "", exc.message)]
    problems = [Problem(path, line, field, message) for line, field, message in doc.issues]
    reader = _Reader(path, doc, problems)
    data = doc.data if isinstance(doc.data, dict) else {}
    if not isinstance(doc.data, dict):
        problems.append(Problem(path, 1, "", "berkas data wilayah harus berisi pasangan 'kunci: nilai'"))
    region = Region(
        nama=reader.text(data, ("nama",)),
        provinsi=reader.text(data, ("provinsi",)),
        negara=reader.text(data, ("negara",)),
        kode_wilayah=reader.text(data, ("kode_wilayah",), required=False),
        dinas=_dinas_name(reader, data),
        kecamatan=tuple(_kecamatan(reader, i, item) for i, item in reader.items(data, "kecamatan")),
        sectors=tuple(
            Sector(
                key=reader.key(item, ("sektor", i, "kunci")),
                label=reader.text(item, ("sektor", i, "label")),
                label_en=reader.text(item, ("sektor", i, "label_en"), required=False),
                food=reader.flag(item, ("sektor", i, "pangan")),
            )
            for i, item in reader.items(data, "sektor")
        ),
        cert_kinds=tuple(
            CertKind(
                key=reader.key(item, ("sertifikasi", i, "kunci")),
                label=reader.text(item, ("sertifikasi", i, "label")),
                label_en=reader.text(item, ("sertifikasi", i, "label_en"), required=False),
                issuer=reader.text(item, ("sertifikasi", i, "penerbit"), required=False),
                verify_url=reader.url(item, ("sertifikasi", i, "verifikasi")),
                dated=reader.choice(item, ("sertifikasi", i, "masa_berlaku"), _VALIDITY, default="bertanggal") == "bertanggal",
            )
            for i, item in reader.items(data, "sertifikasi")
        ),
        platforms=tuple(
            Platform(
                key=reader.key(item, ("platform", i, "kunci")),
                label=reader.text(item, ("platform", i, "label")),
                domains=tuple(reader.domains(item, ("platform", i, "domain"))),
                procurement=reader.flag(item, ("platform", i, "pengadaan")),
            )
            for i, item in reader.items(data, "platform")
        ),
        petugas=_staff(reader, data),
        spelling=_spelling(reader, data),
        **_dinas_contact(reader, data),
        bounds=_bounds(reader, data),
    )
    _check_unique(region, reader)
    _check_neighbours(region, reader)
    return (None if problems else region), problems


def _dinas_name(reader: _Reader, data: dict[str, Any]) -> str:
    """`dinas:` is a block (`nama`, `petugas`, `whatsapp`, `email`, ...); a plain name is still read, as older files wrote it."""
    block = data.get("dinas")
    if isinstance(block, dict):
        return reader.text(block, ("dinas", "nama"))
    return reader.text(data, ("dinas",), required=False)


def _staff(reader: _Reader, data: dict[str, Any]) -> tuple[str, ...]:
    """The Dinas' staff logins; checked like GitHub checks a login, and never twice."""
    block = data.get("dinas")
    if not isinstance(block, dict):
        return ()
    logins = reader.texts(block, ("dinas", "petugas"))
    seen: set[str] = set()
    for login in logins:
        if not GITHUB_LOGIN.match(login.removeprefix("@")):
            reader.problem(("dinas", "petugas"), f"bukan nama akun GitHub (ditemukan '{login}'); tulis nama akunnya saja, misalnya petugas-dinas")
        elif login.removeprefix("@").casefold() in seen:
            reader.problem(("dinas", "petugas"), f"akun ganda '{login}'")
        seen.add(login.removeprefix("@").casefold())
    return tuple(login.removeprefix("@") for login in logins)


def _dinas_contact(reader: _Reader, data: dict[str, Any]) -> dict[str, str]:
    """Where the phone form sends messages: a WhatsApp mobile number and an email, both checked."""
    block = data.get("dinas")
    if not isinstance(block, dict):
        return {}
    whatsapp = reader.text(block, ("dinas", "whatsapp"), required=False)
    if whatsapp and not _is_mobile(whatsapp):
        reader.problem(("dinas", "whatsapp"), f"bukan nomor HP yang dapat dipakai WhatsApp (ditemukan '{whatsapp}'), misalnya 0812-1934-5521")
    email = reader.text(block, ("dinas", "email"), required=False)
    if email and not _EMAIL.match(email):
        reader.problem(("dinas", "email"), f"alamat email tidak valid (ditemukan '{email}')")
    return {
        "dinas_whatsapp": whatsapp,
        "dinas_email": email,
        "dinas_google_form": reader.url(block, ("dinas", "formulir_google")),
    }


def _is_mobile(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, "ID")
    except phonenumbers.NumberParseException:
        return False
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in kinds


def _kecamatan(reader: _Reader, i: int, item: dict[str, Any]) -> Kecamatan:
    nama = reader.text(item, ("kecamatan", i, "nama"))
    return Kecamatan(
        kode=reader.text(item, ("kecamatan", i, "kode"), required=False),
        nama=nama,
        slug=slugify(nama),
        varian=tuple(reader.texts(item, ("kecamatan", i, "varian"))),
        tetangga=tuple(reader.texts(item, ("kecamatan", i, "tetangga"))),
    )


def _check_neighbours(region: Region, reader: _Reader) -> None:
    """`tetangga` names other kecamatan of the region, by their name as written in `nama`."""
    names = {k.nama for k in region.kecamatan}
    for i, kecamatan in enumerate(region.kecamatan):
        for name in kecamatan.tetangga:
            if name == kecamatan.nama or name not in names:
                reader.problem(("kecamatan", i, "tetangga"), f"'{name}' bukan nama kecamatan lain di berkas ini")


_WORD = re.compile(r"^[a-z]+$")
_DEGREES = re.compile(r"^-?[0-9]{1,3}(?:\.[0-9]+)?$")


def _bounds(reader: _Reader, data: dict[str, Any]) -> Bounds | None:
    """`batas`: the region's rough extent, `lintang: [min, max]` and `bujur: [min, max]`."""
    value = data.get("batas")
    if value is None:
        return None
    if not isinstance(value, dict):
        reader.problem(("batas",), "tulis lintang: [terkecil, terbesar] dan bujur: [terkecil, terbesar] di bawah batas")
        return None
    ranges = []
    for name, limit in (("lintang", 90), ("bujur", 180)):
        pair = value.get(name)
        at: tuple[str | int, ...] = ("batas", name)
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) and _DEGREES.match(v.strip()) for v in pair)):
            reader.problem(at, "tulis dua angka derajat desimal, misalnya [-6.50, -5.90]")
            return None
        low, high = (float(v) for v in pair)
        if not (-limit <= low < high <= limit):
            reader.problem(at, f"angka pertama harus lebih kecil dari yang kedua, keduanya antara -{limit} dan {limit} (ditemukan [{pair[0]}, {pair[1]}])")
            return None
        ranges.append((low, high))
    (lat_min, lat_max), (lon_min, lon_max) = ranges
    return Bounds(lat_min, lat_max, lon_min, lon_max)


def _spelling(reader: _Reader, data: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """`ejaan`: optional groups of one search word's spellings, the standard one first."""
    value = data.get("ejaan")
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.problem(("ejaan",), "harus berupa daftar kelompok kata, misalnya - [keripik, kripik]")
        return ()
    groups: list[tuple[str, ...]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(value):
        at: tuple[str | int, ...] = ("ejaan", i)
        if not isinstance(item, list) or not all(isinstance(word, str) for word in item):
            reader.problem(at, "setiap butir harus berupa daftar kata, misalnya [keripik, kripik]")
            continue
        words = [word.strip() for word in item if word.strip()]
        if len(words) < 2:
            reader.problem(at, "tulis paling sedikit dua kata: bentuk baku lalu ejaan lainnya")
            continue
        bad = [word for word in words if not _WORD.match(word)]
        if bad:
            reader.problem(at, f"kata hanya boleh huruf kecil a-z tanpa spasi (ditemukan '{bad[0]}')")
            continue
        for word in words:
            if word in seen:
                reader.problem(at, f"kata '{word}' sudah ada di kelompok ejaan ke-{seen[word] + 1}")
            seen.setdefault(word, i)
        groups.append(tuple(dict.fromkeys(words)))
    return tuple(groups)


class _Reader:
    """Typed access to the region document that records a problem for every bad value."""

    def __init__(self, path: Path, doc: YamlDoc, problems: list[Problem]):
        self.path = path
        self.doc = doc
        self.problems = problems

    def problem(self, at: tuple[str | int, ...], message: str) -> None:
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in at).replace(".[", "[")
        self.problems.append(Problem(self.path, self.doc.line(at), field, message))

    def items(self, data: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
        value = data.get(name)
        if not isinstance(value, list) or not value:
            self.problem((name,), "wajib berisi daftar yang tidak kosong")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((i, item))
            else:
                self.problem((name, i), "setiap butir harus berisi pasangan 'kunci: nilai'")
        return out

    def text(self, data: dict[str, Any], at: tuple[str | int, ...], *, required: bool = True) -> str:
        value = data.get(str(at[-1]), "")
        if not isinstance(value, str):
            self.problem(at, "harus berupa teks")
            return ""
        if required and not value.strip():
            self.problem(at, "wajib diisi")
        return value.strip()

    def texts(self, data: dict[str, Any], at: tuple[str | int, ...]) -> list[str]:
        value = data.get(str(at[-1]), [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(at, "harus berupa daftar teks")
            return []
        return [v.strip() for v in value if v.strip()]

    def key(self, data: dict[str, Any], at: tuple[str | int, ...]) -> str:
        value = self.text(data, at)
        if value and not _KEY.match(value):
            self.problem(at, f"kunci hanya boleh huruf kecil, angka dan tanda hubung (ditemukan '{value}')")
        return value

    def choice(self, data: dict[str, Any], at: tuple[str | int, ...], allowed: tuple[str, ...], *, default: str) -> str:
        value = self.text(data, at, required=False).lower()
        if not value:
            return default
        if value not in allowed:
            self.problem(at, f"pilihan tidak dikenal '{value}' (pilihan: {', '.join(allowed)})")
            return default
        return value

    def flag(self, data: dict[str, Any], at: tuple[str | int, ...]) -> bool:
        return self.text(data, at, required=False).lower() in _YES

    def url(self, data: dict[str, Any], at: tuple[str | int, ...]) -> str:
        value = self.text(data, at, required=False)
        if value and not value.startswith("https://"):
            self.problem(at, f"alamat harus diawali https:// (ditemukan '{value}')")
        return value

    def domains(self, data: dict[str, Any], at: tuple[str | int, ...]) -> list[str]:
        values = [v.lower() for v in self.texts(data, at)]
        for value in values:
            if not _DOMAIN.match(value):
                self.problem(at, f"nama domain tidak valid (ditemukan '{value}')")
        return values


def _check_unique(region: Region, reader: _Reader) -> None:
    groups: dict[str, list[str]] = {
        "kecamatan": [name for k in region.kecamatan for name in (k.nama, *k.varian)],
        "sektor": [s.key for s in region.sectors],
        "sertifikasi": [c.key for c in region.cert_kinds],
        "platform": [p.key for p in region.platforms],
    }
    for name, values in groups.items():
        seen: set[str] = set()
        for value in values:
            folded = slugify(value)
            if folded in seen:
                reader.problem((name,), f"nilai ganda '{value}'")
            seen.add(folded)
