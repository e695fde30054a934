"""Open data: the published fields of every business as JSON and CSV, with a licence and a date.

Files (site-relative): `data/umkm.json` (every business, described by `schema/umkm.schema.json`),
`data/umkm.csv` (one row per business), `data/produk.csv` (one row per product),
`data/csv-metadata.json` (W3C CSV on the Web: columns, licence, date) and the "Data Terbuka" page
`data/` that documents them. The date is the build date handed in by the caller, never the clock.

What is published is decided by the entry schema (`Field.visibility`, read by `privacy.py`): a
field published nowhere is removed from every entry (`redact_catalog`) before any page, index or
export sees it; a field for pages only (the owner's name, phone numbers, e-mail, address) is left
out of these bulk files unless the Dinas opts it in (`open_data_fields` in mkdocs.yml). Their
columns are left out of the files and their documentation, and the page lists what is withheld.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from generator.core import privacy, schema
from generator.core.business import Business, ProductView
from generator.core.csvtext import csv_lines
from generator.core.models import Entry, Location, ProcessedPhoto, Region

# Kept importable from here, where callers found them before they moved to privacy.py.
from generator.core.privacy import is_private as is_private
from generator.core.privacy import redact_catalog as redact_catalog
from generator.core.privacy import redact_entry as redact_entry
from generator.core.schema import Field
from generator.outputs.generated import TEMPLATES_DIR, GeneratedPage, business_uri, find_photo, make_environment, page_url, url_to

PAGE_URI = "data/index.md"
JSON_URI = "data/umkm.json"
BUSINESS_CSV_URI = "data/umkm.csv"
PRODUCT_CSV_URI = "data/produk.csv"
METADATA_URI = "data/csv-metadata.json"
DATA_SCHEMA_URI = "schema/umkm.schema.json"
PAGE_TEMPLATE = "open_data.html"

DEFAULT_LICENSE = "CC BY 4.0"
DEFAULT_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.id"
LIST_SEPARATOR = " | "  # between items of a list in one CSV cell


@dataclass(frozen=True)
class DataSettings:
    """What the open data says about itself."""

    site_url: str  # "" when the site has none: URLs are then site-relative
    site_name: str
    today: date  # the build date: the files' "generated at" date
    license: str = DEFAULT_LICENSE
    license_url: str = DEFAULT_LICENSE_URL
    extra_fields: tuple[str, ...] = ()  # page-only fields the Dinas opted into the open data


@dataclass(frozen=True)
class _Row:
    """What a CSV column reads: a business, and for produk.csv one of its products."""

    business: Business
    url: str  # absolute (or site-relative) URL of the business page
    photo_url: Callable[[str], str]  # photo path in the entry -> published URL ("" if none)
    product: ProductView | None = None


@dataclass(frozen=True)
class Column:
    """One CSV column: its name, datatype, what it means and the schema field it comes from."""

    name: str
    datatype: str  # CSVW: string, integer, decimal, date, boolean, anyURI
    description: str
    read: Callable[[_Row], Any]
    source: str = ""  # dotted schema path ("kontak.whatsapp"); a private source drops the column


def export_open_data(
    businesses: Sequence[Business],
    region: Region,
    photos: dict[Path, ProcessedPhoto],
    settings: DataSettings,
    *,
    templates_dir: Path | None = None,
    known: Mapping[str, DataRow] | None = None,
) -> tuple[GeneratedPage, list[tuple[str, str]]]:
    """The "Data Terbuka" page and the data files as (site uri, text), in one linear pass.

    Each business's part of the files is made by `data_row` (or taken from `known`, by slug)."""
    ordered = sorted(businesses, key=lambda b: b.slug)
    rows = [known[b.slug] if known and b.slug in known else data_row(b, region, photos, settings) for b in ordered]
    business_columns, product_columns = _public_columns(region, settings.extra_fields)
    product_count = sum(row.product_count for row in rows)
    texts = [
        (JSON_URI, _document_text([row.json for row in rows], region, settings)),
        (BUSINESS_CSV_URI, csv_lines([[c.name for c in business_columns]]) + "".join(row.csv for row in rows)),
        (PRODUCT_CSV_URI, csv_lines([[c.name for c in product_columns]]) + "".join(row.products_csv for row in rows)),
        (METADATA_URI, _json_text(csv_metadata(business_columns, product_columns, region, settings))),
        (DATA_SCHEMA_URI, _json_text(data_schema(region, settings.extra_fields))),
    ]
    page = render_data_page(
        region,
        settings,
        business_columns=business_columns,
        product_columns=product_columns,
        business_count=len(rows),
        product_count=product_count,
        templates_dir=templates_dir,
        withheld=withheld_fields(settings.extra_fields),
    )
    return page, texts


@dataclass(frozen=True)
class DataRow:
    """One business's part of the open data files, ready to be joined (and cached, cache.py)."""

    json: str  # its object in data/umkm.json
    csv: str  # its line of data/umkm.csv
    products_csv: str  # its lines of data/produk.csv
    product_count: int


def data_row(business: Business, region: Region, photos: dict[Path, ProcessedPhoto], settings: DataSettings) -> DataRow:
    """What one business contributes to the JSON and CSV files."""
    row = _Row(business, _page_link(settings, business.slug), _photo_linker(settings, photos, business.entry))
    product_rows = [dataclasses.replace(row, product=p) for p in business.products]
    business_columns, product_columns = _public_columns(region, settings.extra_fields)
    return DataRow(
        json=_compact_json(business_record(row, extra_fields=settings.extra_fields)),
        csv=csv_lines([[c.read(row) for c in business_columns]]),
        products_csv=csv_lines([c.read(p) for c in product_columns] for p in product_rows),
        product_count=len(product_rows),
    )


def _document_text(records: Sequence[str], region: Region, settings: DataSettings) -> str:
    """`data/umkm.json`, compact (it grows with the catalog), from rows made one by one."""
    document = json_document([], region, settings)
    document["jumlah"] = len(records)
    before, _, after = _compact_json(document).rpartition('"usaha":[]')
    return before + '"usaha":[' + ",".join(records) + "]" + after + "\n"


def _compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- JSON ------------------------------------------------------------------------------------


def json_document(rows: Sequence[_Row], region: Region, settings: DataSettings) -> dict[str, Any]:
    """`data/umkm.json`: the catalog's published fields, with licence, source and date."""
    return {
        "$schema": _file_link(settings, DATA_SCHEMA_URI, JSON_URI),
        "judul": f"Data terbuka {settings.site_name}",
        "penerbit": region.dinas,
        "wilayah": {"nama": region.nama, "provinsi": region.provinsi, "negara": region.negara, "kode": region.kode_wilayah},
        "sumber": settings.site_url or "",
        "lisensi": {"nama": settings.license, "url": settings.license_url},
        "dibuat": settings.today.isoformat(),
        "jumlah": len(rows),
        "usaha": [business_record(row) for row in rows],
    }


def business_record(row: _Row, entry_field: Field | None = None, *, extra_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """One business: slug and page URL, then every field of the entry in the open data, then its story."""
    entry = row.business.entry
    record: dict[str, Any] = {"slug": entry.slug, "url": row.url}
    record.update(_record(entry, entry_field or schema.ENTRY, row.photo_url, _OpenData(extra_fields, entry_field)))
    if entry.cerita.strip():
        record["cerita"] = entry.cerita
    return record


@dataclass(frozen=True)
class _OpenData:
    """Which fields the open data holds: `privacy.in_open_data` with the Dinas' opt-ins."""

    extra_fields: tuple[str, ...] = ()
    entry_field: Field | None = None

    def holds(self, path: str) -> bool:
        return privacy.in_open_data(path, self.extra_fields, self.entry_field)


def _record(value: Any, field: Field, photo_url: Callable[[str], str], open_data: _OpenData, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in field.fields:
        path = f"{prefix}{child.name}"
        if not hasattr(value, child.name) or not open_data.holds(path):
            continue
        item = _json_value(getattr(value, child.name), child, photo_url, open_data, f"{path}.")
        if item not in ("", None, [], {}):
            out[child.name] = item
    return out


def _json_value(value: Any, field: Field, photo_url: Callable[[str], str], open_data: _OpenData, prefix: str) -> Any:
    if _is_photo_list(field):
        return [url for url in (photo_url(rel) for rel in value) if url]
    if field.type == "object":
        return _record(value, field, photo_url, open_data, prefix)
    if field.type == "list" and field.fields:
        return [_record(item, field, photo_url, open_data, prefix) for item in value]
    if field.type == "list":
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Location):
        return value.text  # as the entry writes it ("-6.2871, 107.0873"), which its schema describes
    return value


def data_schema(region: Region, extra_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """JSON Schema of `data/umkm.json`, from the same declaration as the entry schema."""
    item = schema.field_schema(_published_field(schema.ENTRY, _OpenData(extra_fields)), region)
    item["properties"] = {
        "slug": {
            "title": "Slug",
            "description": "Pengenal usaha (nama foldernya di katalog).",
            "type": "string",
            "pattern": "^[a-z0-9-]+$",
        },
        "url": {"title": "Halaman usaha", "type": "string", "format": "uri-reference"},
        **item["properties"],
        "cerita": {"title": "Cerita usaha", "description": "Cerita usaha dalam Markdown.", "type": "string"},
    }
    item["required"] = ["slug", "url", *item.get("required", [])]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "umkm.schema.json",
        "title": f"Data terbuka Katalog UMKM {region.nama}",
        "description": "Semua usaha di katalog dengan kolom yang diterbitkan; kolom entri dijelaskan di entri.schema.json.",
        "type": "object",
        "required": ["judul", "lisensi", "dibuat", "jumlah", "usaha"],
        "properties": {
            "$schema": {"type": "string"},
            "judul": {"type": "string"},
            "penerbit": {"type": "string"},
            "wilayah": {"type": "object"},
            "sumber": {"type": "string"},
            "lisensi": {
                "type": "object",
                "required": ["nama", "url"],
                "properties": {"nama": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
            },
            "dibuat": {"type": "string", "format": "date"},
            "jumlah": {"type": "integer", "minimum": 0},
            "usaha": {"type": "array", "items": item},
        },
    }


def _published_field(field: Field, open_data: _OpenData, prefix: str = "") -> Field:
    """The field with only the children the open data holds; photo paths become the published photos' URLs."""
    if _is_photo_list(field):
        return dataclasses.replace(
            field,
            help="Alamat foto yang diterbitkan (JPEG terbesar); foto pertama adalah sampul.",
            item=Field("foto", "text", "Alamat foto"),
        )
    if not field.fields:
        return field
    kept = (f for f in field.fields if open_data.holds(f"{prefix}{f.name}"))
    return dataclasses.replace(field, fields=tuple(_published_field(f, open_data, f"{prefix}{f.name}.") for f in kept))


# --- CSV -------------------------------------------------------------------------------------


def _join(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(v for v in values if v)


def _contact(name: str) -> Callable[[_Row], str]:
    return lambda row: getattr(row.business.entry.kontak, name)


def _entry(name: str) -> Callable[[_Row], Any]:
    return lambda row: getattr(row.business.entry, name)


def _location(name: str) -> Callable[[_Row], Any]:
    return lambda row: getattr(row.business.entry.lokasi, name) if row.business.entry.lokasi else ""


def business_columns_for(region: Region) -> tuple[Column, ...]:
    """The columns of `data/umkm.csv` (the kabupaten and province come from the region data)."""
    return (
        Column("slug", "string", "Pengenal usaha (nama foldernya di katalog); kunci tabel ini.", lambda r: r.business.slug),
        Column("url", "anyURI", "Alamat halaman usaha di katalog.", lambda r: r.url),
        Column("nama", "string", schema.describe("nama"), _entry("nama"), "nama"),
        Column("sektor", "string", schema.describe("sektor", "Kunci sektor di data wilayah, misalnya kuliner."), _entry("sektor"), "sektor"),
        Column("sektor_label", "string", "Nama sektor usaha.", lambda r: r.business.sector.label, "sektor"),
        Column("kecamatan", "string", schema.describe("kecamatan", "Nama kecamatan (ejaan baku)."), lambda r: r.business.kecamatan.nama, "kecamatan"),
        Column(
            "kode_kecamatan",
            "string",
            "Kode wilayah Kemendagri kecamatan, misalnya 32.16.07.",
            lambda r: r.business.kecamatan.kode,
            "kecamatan",
        ),
        Column("kabupaten", "string", f"Kabupaten/kota (selalu {region.nama} di katalog ini).", lambda r: region.nama),
        Column("provinsi", "string", "Provinsi.", lambda r: region.provinsi),
        Column("desa", "string", schema.describe("desa"), _entry("desa"), "desa"),
        Column("alamat", "string", schema.describe("alamat", "Alamat usaha."), _entry("alamat"), "alamat"),
        Column("lintang", "decimal", "Lintang lokasi usaha (derajat desimal, WGS 84), bila pemilik mencantumkannya.", _location("lintang"), "lokasi"),
        Column("bujur", "decimal", "Bujur lokasi usaha (derajat desimal, WGS 84), bila pemilik mencantumkannya.", _location("bujur"), "lokasi"),
        Column("ringkasan", "string", schema.describe("ringkasan", "Satu kalimat tentang usaha."), _entry("ringkasan"), "ringkasan"),
        Column("pemilik", "string", schema.describe("pemilik"), _entry("pemilik"), "pemilik"),
        Column("berdiri", "integer", schema.describe("berdiri", ""), _entry("berdiri"), "berdiri"),
        Column("nib", "string", schema.describe("nib", "13 angka, tanpa spasi."), _entry("nib"), "nib"),
        Column("kapasitas", "string", schema.describe("kapasitas"), _entry("kapasitas"), "kapasitas"),
        Column("whatsapp", "string", schema.describe("kontak.whatsapp", "Bentuk internasional tanpa + (62…)."), _contact("whatsapp"), "kontak.whatsapp"),
        Column("telepon", "string", schema.describe("kontak.telepon", "Bentuk internasional tanpa + (62…)."), _contact("telepon"), "kontak.telepon"),
        Column("email", "string", schema.describe("kontak.email"), _contact("email"), "kontak.email"),
        Column("instagram", "string", schema.describe("kontak.instagram", "Nama akun (tanpa @)."), _contact("instagram"), "kontak.instagram"),
        Column("situs", "anyURI", schema.describe("kontak.situs"), _contact("situs"), "kontak.situs"),
        Column(
            "toko_online",
            "string",
            f"Toko daring: 'platform alamat', dipisah '{LIST_SEPARATOR.strip()}'.",
            lambda r: _join(f"{s.platform} {s.url}" for s in r.business.entry.toko_online),
            "toko_online",
        ),
        Column(
            "sertifikasi",
            "string",
            f"Sertifikat: 'jenis nomor [berlaku sampai]', dipisah '{LIST_SEPARATOR.strip()}'.",
            lambda r: _join(
                " ".join(x for x in (c.jenis, c.nomor, c.berlaku_sampai.isoformat() if c.berlaku_sampai else "") if x)
                for c in r.business.entry.sertifikasi
            ),
            "sertifikasi",
        ),
        Column(
            "sertifikasi_berlaku",
            "string",
            "Jenis sertifikat yang masih berlaku pada tanggal data dibuat, dipisah spasi.",
            lambda r: " ".join(sorted(r.business.valid_cert_kinds)),
            "sertifikasi",
        ),
        Column(
            "siap_pengadaan",
            "boolean",
            "true bila usaha memenuhi aturan 'siap pengadaan' katalog pada tanggal data dibuat.",
            lambda r: r.business.siap_pengadaan,
        ),
        Column("jumlah_produk", "integer", "Banyaknya produk.", lambda r: len(r.business.products), "produk"),
        Column("harga_terendah", "integer", "Harga produk termurah (rupiah).", lambda r: r.business.price_min, "produk.harga"),
        Column("harga_tertinggi", "integer", "Harga produk termahal (rupiah).", lambda r: r.business.price_max, "produk.harga"),
        Column(
            "foto_sampul",
            "anyURI",
            "Alamat foto sampul.",
            lambda r: r.photo_url(r.business.entry.foto[0]) if r.business.entry.foto else "",
            "foto",
        ),
        Column("diperbarui", "date", schema.describe("diperbarui"), _entry("diperbarui"), "diperbarui"),
    )


def _product(read: Callable[[ProductView], Any]) -> Callable[[_Row], Any]:
    return lambda row: read(row.product) if row.product else ""


PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column("slug_usaha", "string", "Slug usaha pemilik produk (kolom slug di umkm.csv).", lambda r: r.business.slug),
    Column("nama_usaha", "string", "Nama usaha.", lambda r: r.business.nama, "nama"),
    Column("nomor", "integer", "Urutan produk di halaman usaha (1, 2, …).", _product(lambda p: p.number)),
    Column("url", "anyURI", "Alamat produk di halaman usaha.", lambda r: f"{r.url}#{r.product.anchor}" if r.product else ""),
    Column("nama", "string", schema.describe("produk.nama"), _product(lambda p: p.nama), "produk.nama"),
    Column("harga", "integer", schema.describe("produk.harga", "Kosong bila tidak dicantumkan."), _product(lambda p: p.harga), "produk.harga"),
    Column("satuan", "string", schema.describe("produk.satuan"), _product(lambda p: p.satuan), "produk.satuan"),
    Column("deskripsi", "string", schema.describe("produk.deskripsi"), _product(lambda p: p.deskripsi), "produk.deskripsi"),
    Column(
        "foto",
        "anyURI",
        "Alamat foto pertama produk.",
        lambda r: r.photo_url(r.product.foto[0]) if r.product and r.product.foto else "",
        "produk.foto",
    ),
    Column("tautan", "anyURI", schema.describe("produk.tautan"), _product(lambda p: p.tautan), "produk.tautan"),
    Column("sektor", "string", schema.describe("sektor", "Kunci sektor di data wilayah."), lambda r: r.business.sector.key, "sektor"),
    Column("kecamatan", "string", schema.describe("kecamatan", "Nama kecamatan (ejaan baku)."), lambda r: r.business.kecamatan.nama, "kecamatan"),
)


def csv_text(columns: Sequence[Column], rows: Iterable[_Row]) -> str:
    """RFC 4180 CSV (UTF-8, comma, CRLF) with a header row of column names (`csvtext.csv_lines`)."""
    return csv_lines([[c.name for c in columns], *([c.read(row) for c in columns] for row in rows)])


def csv_metadata(
    business_columns: Sequence[Column], product_columns: Sequence[Column], region: Region, settings: DataSettings
) -> dict[str, Any]:
    """W3C CSV on the Web metadata (the `csv-metadata.json` beside the files): columns and licence."""

    def table(uri: str, title: str, columns: Sequence[Column], key: str | list[str]) -> dict[str, Any]:
        return {
            "url": uri.rsplit("/", 1)[-1],
            "dc:title": title,
            "tableSchema": {
                "columns": [{"name": c.name, "titles": c.name, "datatype": c.datatype, "dc:description": c.description} for c in columns],
                "primaryKey": key,
            },
        }

    products = table(PRODUCT_CSV_URI, "Produk UMKM", product_columns, ["slug_usaha", "nomor"])
    products["tableSchema"]["foreignKeys"] = [
        {"columnReference": "slug_usaha", "reference": {"resource": "umkm.csv", "columnReference": "slug"}}
    ]
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "dc:title": f"Data terbuka {settings.site_name}",
        "dc:publisher": region.dinas,
        "dc:license": {"@id": settings.license_url},
        "dc:modified": {"@value": settings.today.isoformat(), "@type": "xsd:date"},
        "dialect": {"encoding": "utf-8", "header": True, "delimiter": ","},
        "tables": [table(BUSINESS_CSV_URI, "Usaha UMKM", business_columns, "slug"), products],
    }


# --- the "Data Terbuka" page ----------------------------------------------------------------


@dataclass(frozen=True)
class DataFile:
    label: str
    url: str  # relative to the data page
    note: str


def render_data_page(
    region: Region,
    settings: DataSettings,
    *,
    business_columns: Sequence[Column],
    product_columns: Sequence[Column],
    business_count: int,
    product_count: int,
    templates_dir: Path | None = None,
    withheld: Sequence[tuple[str, str, str]] = (),
) -> GeneratedPage:
    """The page that links the files, documents every column and names the fields left out."""

    def link(uri: str) -> str:
        return url_to(PAGE_URI, uri)

    files = [
        DataFile(
            "umkm.json",
            link(JSON_URI),
            f"Semua usaha ({business_count}) dengan semua kolom yang diterbitkan, termasuk produk, sertifikat dan cerita.",
        ),
        DataFile("umkm.csv", link(BUSINESS_CSV_URI), f"Satu baris per usaha ({business_count} baris)."),
        DataFile("produk.csv", link(PRODUCT_CSV_URI), f"Satu baris per produk ({product_count} baris)."),
        DataFile("csv-metadata.json", link(METADATA_URI), "Keterangan kolom kedua berkas CSV (W3C CSV on the Web)."),
        DataFile("umkm.schema.json", link(DATA_SCHEMA_URI), "JSON Schema berkas umkm.json."),
    ]
    env = make_environment(templates_dir or TEMPLATES_DIR)
    html = env.get_template(PAGE_TEMPLATE).render(
        site_name=settings.site_name,
        region=region,
        settings=settings,
        files=files,
        business_columns=business_columns,
        product_columns=product_columns,
        separator=LIST_SEPARATOR.strip(),
        home_url=link("index.md"),
        withheld=withheld,
    )
    return GeneratedPage(
        src_uri=PAGE_URI,
        title="Data Terbuka",
        description=f"Unduh data UMKM {region.nama} dalam format JSON dan CSV ({settings.license}).",
        html=html,
        updated=settings.today,
    )


# --- helpers ---------------------------------------------------------------------------------


# By identity of the region and the schema: hashing a whole Region for every business costs more
# than the row itself, and the schema is swapped in tests.
_PUBLIC_COLUMNS: dict[tuple[int, int, tuple[str, ...]], tuple[object, object, tuple[tuple[Column, ...], tuple[Column, ...]]]] = {}


def _public_columns(region: Region, extra_fields: tuple[str, ...] = ()) -> tuple[tuple[Column, ...], tuple[Column, ...]]:
    """The columns of umkm.csv and produk.csv that the open data holds."""
    key = (id(region), id(schema.ENTRY), tuple(extra_fields))
    known = _PUBLIC_COLUMNS.get(key)
    if known is None or known[0] is not region or known[1] is not schema.ENTRY:
        open_data = _OpenData(tuple(extra_fields))
        columns = tuple(tuple(c for c in group if not c.source or open_data.holds(c.source)) for group in (business_columns_for(region), PRODUCT_COLUMNS))
        known = _PUBLIC_COLUMNS[key] = (region, schema.ENTRY, (columns[0], columns[1]))
    return known[2]


def withheld_fields(extra_fields: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(field, label, where it is published) of every field the open data leaves out, for the data page."""
    open_data = _OpenData(tuple(extra_fields))
    out = []
    for path, visibility in privacy.field_visibilities():
        parent = path.rpartition(".")[0]
        if open_data.holds(path) or (parent and not open_data.holds(parent)):
            continue  # published, or said once for its parent
        field = privacy.field_at(path)
        assert field is not None
        out.append((path, field.label, schema.VISIBILITY_LABELS[visibility]))
    return out


def _is_photo_list(field: Field) -> bool:
    return field.type == "list" and field.item is not None and field.item == schema.PHOTO_LIST.item and field.name == schema.PHOTO_LIST.name


def _page_link(settings: DataSettings, slug: str) -> str:
    uri = page_url(business_uri(slug))
    return settings.site_url.rstrip("/") + "/" + uri if settings.site_url else uri


def _file_link(settings: DataSettings, uri: str, from_uri: str) -> str:
    if settings.site_url:
        return settings.site_url.rstrip("/") + "/" + uri
    return url_to(from_uri, uri)


def _photo_linker(settings: DataSettings, photos: dict[Path, ProcessedPhoto], entry: Entry) -> Callable[[str], str]:
    def photo_url(rel: str) -> str:
        photo = find_photo(photos, entry, rel)
        if photo is None:
            return ""
        return _file_link(settings, photo.jpeg.uri, JSON_URI)

    return photo_url


def _json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
