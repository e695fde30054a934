"""The entry format, declared once.

This one declaration drives validation (`validate.py`), the published JSON Schema, the field
table in the README and the submission form. Region vocabularies (sektor, kecamatan, jenis,
platform) are named here and filled in from the region data file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.models import Region

# Limits that keep one entry from hanging or blowing up the build.
MAX_NAME = 100
MAX_SUMMARY = 160
MAX_TEXT = 300
MAX_DESCRIPTION = 1000
MAX_STORY_BYTES = 20_000
MAX_STORY_DEPTH = 6  # nesting of lists/quotes in the story's Markdown
MAX_PRODUCTS = 50
MAX_PHOTOS = 20
MAX_LIST = 20

# Where a field may be published (read by `privacy.py`; the README and the "Data Terbuka" page
# list it). The open data is bulk and reusable, so it holds business facts only; a Dinas opts a
# page-only field in with `open_data_fields` in mkdocs.yml.
PUBLIK = "publik"  # on the business's pages and in the open data
HALAMAN = "halaman"  # on the business's pages only (contact buttons, owner's name)
RAHASIA = "rahasia"  # nowhere: validated and kept in the repository, never published
VISIBILITIES = (PUBLIK, HALAMAN, RAHASIA)
VISIBILITY_LABELS = {
    PUBLIK: "halaman usaha dan data terbuka",
    HALAMAN: "halaman usaha saja (tidak di data terbuka)",
    RAHASIA: "tidak diterbitkan",
}


@dataclass(frozen=True)
class Field:
    """One field of the entry: its type, its words for owners and its limits."""

    name: str
    type: str  # text, year, date, integer, url, email, phone, instagram, nib, github, choice, list, object
    label: str  # Indonesian, shown to owners
    help: str = ""
    required: bool = False
    max_length: int | None = None
    vocabulary: str = ""  # for `choice`: sektor, kecamatan, sertifikasi, platform
    fields: tuple[Field, ...] = ()  # for `object`, or a list of objects
    item: Field | None = None  # for a list of scalars
    max_items: int | None = None
    example: str = ""
    visibility: str = PUBLIK  # PUBLIK, HALAMAN or RAHASIA (see above)
    # Shown before → after in every change report, whoever asks (generator/core/integrity.py): a changed
    # phone number or shop link is how a listing is taken over.
    sensitive: bool = False
    # Only the Dinas' staff (`dinas.petugas` in the region file) may set or change it; never asked by a form.
    staff_only: bool = False

    @property
    def private(self) -> bool:
        """Validated, but never published: not on pages, not in the open data."""
        return self.visibility == RAHASIA

    def child(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Format:
    """How a value of one type is typed into a form: the input type, the phone keyboard, a pattern of
    the whole value (HTML `pattern`, so escaped for the `v` flag browsers compile it with) and, in
    Indonesian, what a valid value looks like. The validator stays the judge; a pattern only catches
    what is surely wrong before the owner sends it."""

    input_type: str = "text"
    inputmode: str = ""
    pattern: str = ""
    hint: str = ""


FORMATS: dict[str, Format] = {
    "text": Format(),
    "year": Format("text", "numeric", r"(19|20)[0-9]{2}", "tulis tahun dengan 4 angka, misalnya 2017"),
    "date": Format("date", "", "", "tulis tanggal TAHUN-BULAN-HARI, misalnya 2027-08-30"),
    "integer": Format("text", "numeric", r"[0-9]+", "tulis angka bulat tanpa titik, koma atau Rp, misalnya 385000"),
    "url": Format("url", "url", r"https?://\S+", "tulis alamat lengkap yang diawali https://"),
    "email": Format("email", "email", "", "tulis alamat email lengkap, misalnya nama@example.id"),
    "phone": Format("tel", "tel", r"[\+\(]?[0-9][0-9 .\(\)\-]{6,18}[0-9]", "tulis nomor telepon, misalnya 021-8995-1234"),
    # A WhatsApp number is an Indonesian mobile number: 08…, 628… or +62 8….
    "mobile": Format("tel", "tel", r"(\+62|62|0)[ \-]?8[0-9 .\-]{7,15}[0-9]", "tulis nomor HP, misalnya 0812-1934-5521"),
    "instagram": Format(
        "text", "", r"@?[A-Za-z0-9._]{1,30}|https://(www\.)?instagram\.com/[A-Za-z0-9._]{1,30}/?", "tulis nama akun Instagram tanpa spasi, misalnya telagabatik"
    ),
    "nib": Format("text", "numeric", r"([0-9][ .\-]?){12}[0-9]", "tulis 13 angka (boleh berkelompok), misalnya 9120301745821"),
    # As a map app copies a point: "-6.2871, 107.0873". The validator checks the region's bounds.
    "koordinat": Format("text", "", r"\s*-?[0-9]{1,2}(\.[0-9]+)?\s*[,;\s]\s*-?[0-9]{1,3}(\.[0-9]+)?\s*", "tulis lintang, bujur dalam derajat desimal, misalnya -6.2871, 107.0873"),
}


def _text(
    name: str, label: str, help: str = "", *, required: bool = False, max_length: int = MAX_TEXT, example: str = "", visibility: str = PUBLIK
) -> Field:
    return Field(name, "text", label, help, required=required, max_length=max_length, example=example, visibility=visibility)


PHOTO_LIST = Field(
    "foto",
    "list",
    "Foto",
    "Berkas foto di folder usaha, misalnya foto/sampul.jpg (JPEG, PNG, WebP atau HEIC). Foto pertama menjadi sampul.",
    item=Field("foto", "text", "Berkas foto", max_length=200),
    max_items=MAX_PHOTOS,
    example="[foto/sampul.jpg]",
)

# Examples are obviously made up (no sample entry's NIB, phone or owner): they become the hints of
# `umkm baru`, the issue forms' placeholders and the JSON Schema's examples.
ENTRY_FIELDS: tuple[Field, ...] = (
    _text("nama", "Nama usaha", "Nama usaha seperti tertulis di kemasan atau papan nama.", required=True, max_length=MAX_NAME, example="Telaga Batik"),
    Field("sektor", "choice", "Sektor usaha", "Pilih satu sektor.", required=True, vocabulary="sektor", example="fesyen"),
    Field("kecamatan", "choice", "Kecamatan", "Kecamatan tempat usaha berada.", required=True, vocabulary="kecamatan", example="Cibitung"),
    _text("desa", "Desa/kelurahan", example="Nama Desa"),
    _text("alamat", "Alamat", "Alamat usaha (tanpa nomor KTP atau data pribadi lain).", example="Kp. Contoh RT 01/01", visibility=HALAMAN),
    Field(
        "lokasi",
        "koordinat",
        "Lokasi di peta",
        "Lintang, bujur dalam derajat desimal, misalnya -6.2871, 107.0873: tekan lama titik usaha di aplikasi peta lalu salin koordinatnya. Boleh dikosongkan.",
        max_length=60,
        example='"-6.2871, 107.0873"',
        visibility=HALAMAN,  # like the address: on the business page (its map link), not in bulk open data
    ),
    _text("ringkasan", "Ringkasan", f"Satu kalimat tentang usaha, paling banyak {MAX_SUMMARY} karakter.", required=True, max_length=MAX_SUMMARY, example="Batik tulis dan cap khas Bekasi."),
    Field("pemilik", "text", "Nama pemilik", max_length=MAX_NAME, example="Nama Pemilik", sensitive=True, visibility=HALAMAN),
    Field("berdiri", "year", "Tahun berdiri", "Tahun, misalnya 2017.", example="2017"),
    Field("nib", "nib", "NIB (Nomor Induk Berusaha)", "13 angka dari OSS, boleh ditulis berkelompok.", example='"1234567890123"', sensitive=True),
    _text("kapasitas", "Kapasitas produksi", "Misalnya: 3.000 potong per bulan.", example="3.000 potong per bulan"),
    Field(
        "kontak",
        "object",
        "Kontak",
        fields=(
            Field("whatsapp", "phone", "Nomor WhatsApp", "Nomor HP, misalnya 0812-0000-0000.", example='"0812-0000-0000"', sensitive=True, visibility=HALAMAN),
            Field("telepon", "phone", "Nomor telepon", example='"021-8800000"', sensitive=True, visibility=HALAMAN),
            Field("email", "email", "Email", max_length=120, example="nama@example.id", sensitive=True, visibility=HALAMAN),
            Field("instagram", "instagram", "Instagram", "Nama akun (tanpa @) atau alamat profil.", max_length=120, example="namaakun", sensitive=True),
            Field("situs", "url", "Situs web", "Alamat lengkap, diawali https://", max_length=300, example="https://usaha-anda.example.id", sensitive=True),
        ),
    ),
    Field(
        "toko_online",
        "list",
        "Toko online",
        "Halaman toko di marketplace atau katalog pengadaan.",
        fields=(
            Field("platform", "choice", "Platform", required=True, vocabulary="platform", example="tokopedia"),
            Field("url", "url", "Alamat toko", "Alamat lengkap, diawali https://", required=True, max_length=300, example="https://www.tokopedia.com/namatoko", sensitive=True),
        ),
        max_items=MAX_LIST,
    ),
    Field(
        "sertifikasi",
        "list",
        "Sertifikasi",
        fields=(
            Field("jenis", "choice", "Jenis sertifikat", required=True, vocabulary="sertifikasi", example="halal"),
            Field("nomor", "text", "Nomor sertifikat", required=True, max_length=60, example="ID00000000000000000", sensitive=True),
            Field("berlaku_sampai", "date", "Berlaku sampai", "Tanggal TAHUN-BULAN-HARI, misalnya 2027-08-30. Kosongkan bila tidak ada.", example="2027-08-30"),
            Field("produk", "list", "Produk yang dicakup", item=Field("produk", "text", "Nama produk", max_length=MAX_NAME), max_items=MAX_PRODUCTS),
        ),
        max_items=MAX_LIST,
    ),
    Field(
        "produk",
        "list",
        "Produk",
        fields=(
            _text("nama", "Nama produk", required=True, max_length=MAX_NAME, example="Batik Tulis Motif Tanjung Pura"),
            Field("harga", "integer", "Harga (rupiah)", "Angka bulat tanpa titik, misalnya 385000.", example="385000"),
            _text("satuan", "Satuan", "Misalnya: lembar, kg, bungkus.", max_length=40, example="lembar"),
            _text("deskripsi", "Deskripsi produk", max_length=MAX_DESCRIPTION, example="Kain katun 2 meter."),
            PHOTO_LIST,
            Field("tautan", "url", "Tautan produk", "Halaman produk di toko online, diawali https://", max_length=300, sensitive=True),
        ),
        max_items=MAX_PRODUCTS,
    ),
    PHOTO_LIST,
    Field(
        "pembinaan",
        "list",
        "Pembinaan dan pelatihan",
        fields=(
            _text("program", "Program", required=True, example="Pelatihan membatik"),
            _text("penyelenggara", "Penyelenggara", example="Dinas Perindustrian dan Perdagangan"),
            Field("tahun", "year", "Tahun", example="2017"),
        ),
        max_items=MAX_LIST,
    ),
    Field("diperbarui", "date", "Data diperbarui", "Tanggal data terakhir diperiksa, TAHUN-BULAN-HARI.", example="2026-10-02"),
    # The Dinas' own fields (generator/core/integrity.py): a change to any of them by someone else fails the check.
    Field(
        "diverifikasi",
        "date",
        "Diverifikasi Dinas",
        "Tanggal petugas Dinas memastikan data ini langsung kepada pemilik usaha, TAHUN-BULAN-HARI. Hanya diisi petugas Dinas.",
        example="2026-12-01",
        staff_only=True,
    ),
    Field(
        "diturunkan",
        "object",
        "Diturunkan",
        "Diisi petugas Dinas untuk menyembunyikan usaha ini dari situs (halaman, daftar, pencarian, data terbuka, peta situs) "
        "tanpa menghapus datanya. Hapus blok ini untuk menampilkannya lagi. Tidak ditampilkan di situs.",
        fields=(
            Field("alasan", "text", "Alasan", "Mengapa usaha ini disembunyikan, untuk catatan Dinas.", required=True, max_length=MAX_TEXT, example="Nomor WhatsApp dilaporkan dipakai penipu"),
            Field("tanggal", "date", "Tanggal", "Tanggal diturunkan, TAHUN-BULAN-HARI.", example="2026-12-01"),
        ),
        visibility=RAHASIA,
        staff_only=True,
    ),
    Field(
        "pengelola",
        "list",
        "Pengelola (akun GitHub)",
        "Akun GitHub yang boleh memperbarui usaha ini; diisi dari pendaftaran pertama dan hanya diubah petugas Dinas. "
        "Tidak ditampilkan di situs.",
        item=Field("pengelola", "github", "Akun GitHub", max_length=39),
        max_items=MAX_LIST,
        example="[akun-pemilik]",
        visibility=RAHASIA,
        staff_only=True,
    ),
    Field(
        "persetujuan",
        "date",
        "Persetujuan tayang",
        "Tanggal pemilik menyetujui datanya ditampilkan untuk umum; ditulis oleh formulir dan impor lembar kerja, TAHUN-BULAN-HARI.",
        example="2026-10-02",
        visibility=RAHASIA,
    ),
)

ENTRY = Field("entri", "object", "Entri usaha", fields=ENTRY_FIELDS)

# The Markdown story below the front matter (validated as `cerita`; asked for by the submission form).
STORY = Field(
    "cerita",
    "text",
    "Cerita usaha",
    "Sejak kapan usaha berdiri, apa keunggulan produk, siapa pelanggannya. Boleh beberapa paragraf.",
    max_length=MAX_STORY_BYTES,
)


def field_at(path: str) -> Field:
    """The field at a dotted path of the entry ("kontak.whatsapp", "produk.harga")."""
    field = ENTRY
    for name in path.split("."):
        child = field.child(name)
        if child is None:
            raise KeyError(path)
        field = child
    return field


def describe(path: str, note: str = "") -> str:
    """A field's meaning in one line, as the schema words it: its label, then `note` or its help."""
    field = field_at(path)
    detail = note or field.help
    return f"{field.label}." + (f" {detail}" if detail else "")


# What every form (issue forms, the phone form) shares beyond the fields themselves.
# Set by the tools, never asked: the date checked, and the date consent was given (`persetujuan`,
# written by every way in when the privacy rules give the entry that field).
TOOL_FIELDS = frozenset({"diperbarui", "persetujuan"})
CONSENT = (
    "Saya pemilik usaha ini atau mendapat izin pemiliknya.",
    "Foto yang saya kirim milik saya sendiri atau saya berhak memakainya.",
    "Saya setuju data ini ditampilkan untuk umum, dan saya tidak menulis NIK atau nomor KTP.",
)
CONSENT_LABEL = "Pernyataan"
# "Laporkan kesalahan": (id, label, help, required) of each question.
REPORT_QUESTIONS = (
    ("masalah", "Apa yang salah?", "Misalnya: nomor WhatsApp sudah tidak aktif, usaha sudah tutup, foto bukan milik usaha ini.", True),
    ("data-benar", "Data yang benar (bila tahu)", "Jangan menulis NIK atau data pribadi orang lain.", False),
)


def visibility_note(spec: Field) -> str:
    """What a form tells the owner about where a field's value is shown (its `visibility`)."""
    return {HALAMAN: "Tampil di halaman usaha, tidak di data terbuka.", RAHASIA: "Tidak ditampilkan di situs."}.get(spec.visibility, "")


def vocabulary(region: Region, name: str) -> tuple[str, ...]:
    """The allowed values of a region vocabulary."""
    if name == "sektor":
        return tuple(s.key for s in region.sectors)
    if name == "kecamatan":
        return tuple(k.nama for k in region.kecamatan)
    if name == "sertifikasi":
        return tuple(c.key for c in region.cert_kinds)
    if name == "platform":
        return tuple(p.key for p in region.platforms)
    raise KeyError(name)


def choice_options(region: Region, vocabulary: str) -> list[tuple[str, str]]:
    """(text shown, value stored) of a vocabulary: sector and kind labels, kecamatan names."""
    if vocabulary == "sektor":
        return [(s.label, s.key) for s in region.sectors]
    if vocabulary == "kecamatan":
        return [(k.nama, k.nama) for k in region.kecamatan]
    if vocabulary == "sertifikasi":
        return [(c.label, c.key) for c in region.cert_kinds]
    if vocabulary == "platform":
        return [(p.label, p.key) for p in region.platforms]
    raise KeyError(vocabulary)


def json_schema(region: Region) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the front matter, for editors and other tools."""
    schema = _field_schema(ENTRY, region)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "entri.schema.json",
        **schema,
        "title": f"Entri Katalog UMKM {region.nama}",  # after `schema`, whose own title is the bare label
    }


def field_schema(field: Field, region: Region) -> dict[str, Any]:
    """The JSON Schema of one field and its children (the open data schema reuses it)."""
    return _field_schema(field, region)


def _field_schema(field: Field, region: Region) -> dict[str, Any]:
    out: dict[str, Any] = {"title": field.label}
    if field.help:
        out["description"] = field.help
    if field.type == "object" or (field.type == "list" and field.fields):
        obj: dict[str, Any] = {
            "type": "object",
            "properties": {f.name: _field_schema(f, region) for f in field.fields},
            "additionalProperties": False,
        }
        required = [f.name for f in field.fields if f.required]
        if required:
            obj["required"] = required
        if field.type == "object":
            out.update(obj)
        else:
            out.update(type="array", items=obj)
    elif field.type == "list":
        assert field.item is not None
        out.update(type="array", items=_field_schema(field.item, region))
    elif field.type == "choice":
        values = list(vocabulary(region, field.vocabulary))
        if field.vocabulary == "kecamatan":
            values += [v for k in region.kecamatan for v in k.varian]
        out["enum"] = values
    elif field.type in ("year", "integer"):
        out["type"] = "integer"
        out["minimum"] = 1900 if field.type == "year" else 0
    elif field.type == "date":
        out.update(type="string", format="date")
    elif field.type == "phone":
        out["type"] = ["string", "integer"]
    elif field.type == "nib":
        out.update(type=["string", "integer"], pattern=r"^[0-9 .-]+$")
    else:
        out["type"] = "string"
        if field.type == "url":
            out["pattern"] = "^https?://"
        if field.type == "email":
            out["format"] = "email"
        if field.type == "github":
            out["pattern"] = "^@?[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"
        if field.type == "koordinat":
            out["pattern"] = r"^\s*-?[0-9]{1,2}(\.[0-9]+)?\s*[,;\s]\s*-?[0-9]{1,3}(\.[0-9]+)?\s*$"
    if field.max_length and field.type in ("text", "url", "email", "instagram", "github", "koordinat"):
        out["maxLength"] = field.max_length
    if field.max_items:
        out["maxItems"] = field.max_items
    return out


def field_rows(field: Field = ENTRY, prefix: str = "", inherited: str = PUBLIK) -> list[tuple[str, str, str, str, str]]:
    """(name, type, required, label + help, where it is published) rows for the README's field table."""
    rows = []
    for f in field.fields:
        name = f"{prefix}{f.name}"
        kind = f.vocabulary or f.type
        if f.type == "list" and f.item is not None:
            kind = f"daftar {f.item.type}"
        elif f.type == "list":
            kind = "daftar"
        seen = max(inherited, f.visibility, key=VISIBILITIES.index)  # a parent's stricter rule wins
        rows.append((name, kind, "wajib" if f.required else "", f"{f.label}. {f.help}".strip().rstrip(".") + ".", VISIBILITY_LABELS[seen]))
        if f.fields:
            rows += field_rows(f, f"{name}[]." if f.type == "list" else f"{name}.", seen)
    return rows


def field_table(field: Field = ENTRY) -> str:
    """The Markdown table of fields that the README shows."""
    lines = ["| kolom | jenis | wajib | keterangan | diterbitkan di |", "|---|---|---|---|---|"]
    lines += [
        f"| `{name}` | {kind} | {required} | {text.replace('|', '/')} | {where} |" for name, kind, required, text, where in field_rows(field)
    ]
    return "\n".join(lines)
