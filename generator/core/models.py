"""Domain records shared by every stage: region data, entries, the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Kecamatan:
    kode: str
    nama: str
    slug: str
    varian: tuple[str, ...] = ()
    tetangga: tuple[str, ...] = ()  # canonical names of the kecamatan that border it (optional region data)


@dataclass(frozen=True)
class Sector:
    key: str
    label: str
    label_en: str
    food: bool = False


@dataclass(frozen=True)
class CertKind:
    key: str
    label: str
    label_en: str
    issuer: str = ""
    verify_url: str = ""
    # `masa_berlaku` in the region file. True ("bertanggal"): certificates of this kind end on a
    # date (P-IRT, BPOM), and one written without it is not shown as valid. False ("tanpa-batas"):
    # one without an end date is valid (halal since 2022); a dated one still ends on its date.
    dated: bool = True


@dataclass(frozen=True)
class Platform:
    key: str
    label: str
    domains: tuple[str, ...] = ()
    procurement: bool = False


def _degrees(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bounds:
    """The region's rough extent in decimal degrees (`batas`), to check a business's location."""

    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    def holds(self, lat: float, lon: float) -> bool:
        return self.lat_min <= lat <= self.lat_max and self.lon_min <= lon <= self.lon_max


@dataclass(frozen=True)
class Location:
    """Where a business is, in decimal degrees (WGS 84, as phones' map apps give it)."""

    lintang: float  # latitude, negative south of the equator
    bujur: float  # longitude

    @property
    def text(self) -> str:
        """As an owner writes it and map apps copy it: `-6.2871, 107.0873`."""
        return f"{_degrees(self.lintang)}, {_degrees(self.bujur)}"


@dataclass(frozen=True)
class Region:
    """Everything region-specific, read from the region data file (`wilayah.yml`)."""

    nama: str
    provinsi: str
    negara: str
    kode_wilayah: str
    dinas: str
    kecamatan: tuple[Kecamatan, ...]
    sectors: tuple[Sector, ...]
    cert_kinds: tuple[CertKind, ...]
    platforms: tuple[Platform, ...]
    # The Dinas' staff (GitHub logins, as written in `dinas.petugas`): the only accounts whose
    # changes count as the Dinas' own (generator/core/integrity.py). CODEOWNERS names the same accounts.
    petugas: tuple[str, ...] = ()
    # Spelling groups for search (`ejaan`): the standard word first, then other spellings and
    # common typos that must find it, e.g. ("keripik", "kripik").
    spelling: tuple[tuple[str, ...], ...] = ()
    # Where the phone form sends its messages (`dinas.whatsapp`, `dinas.email`) and the Dinas' own
    # Google Form, offered second on the "Daftarkan Usaha" page (`dinas.formulir_google`).
    dinas_whatsapp: str = ""  # as written in wilayah.yml; a mobile number
    dinas_email: str = ""
    dinas_google_form: str = ""
    bounds: Bounds | None = None  # `batas`; without it a location is only checked to be on Earth

    def sector(self, key: str) -> Sector:
        return next(s for s in self.sectors if s.key == key)

    def cert_kind(self, key: str) -> CertKind:
        return next(c for c in self.cert_kinds if c.key == key)

    def platform(self, key: str) -> Platform:
        return next(p for p in self.platforms if p.key == key)

    def kecamatan_named(self, nama: str) -> Kecamatan:
        return next(k for k in self.kecamatan if k.nama == nama)


@dataclass(frozen=True)
class Contact:
    whatsapp: str = ""  # international digits, e.g. "6281219345521"
    telepon: str = ""  # international digits
    email: str = ""
    instagram: str = ""  # handle without "@"
    situs: str = ""


@dataclass(frozen=True)
class ShopLink:
    platform: str
    url: str


@dataclass(frozen=True)
class Certificate:
    jenis: str
    nomor: str
    berlaku_sampai: date | None = None
    produk: tuple[str, ...] = ()


@dataclass(frozen=True)
class Product:
    nama: str
    harga: int | None = None
    satuan: str = ""
    deskripsi: str = ""
    foto: tuple[str, ...] = ()  # paths relative to the entry folder
    tautan: str = ""


@dataclass(frozen=True)
class Training:
    program: str
    penyelenggara: str = ""
    tahun: int | None = None


@dataclass(frozen=True)
class Takedown:
    """Why and since when the Dinas hides a listing (`diturunkan`); the data stays in the catalog."""

    alasan: str
    tanggal: date | None = None


@dataclass(frozen=True)
class Entry:
    """One validated business: the typed content of `catalog/<slug>/index.md`."""

    slug: str
    source: Path  # the index.md file
    nama: str
    sektor: str
    kecamatan: str  # canonical name
    ringkasan: str
    desa: str = ""
    alamat: str = ""
    lokasi: Location | None = None
    pemilik: str = ""
    berdiri: int | None = None
    nib: str = ""
    kapasitas: str = ""
    kontak: Contact = field(default_factory=Contact)
    toko_online: tuple[ShopLink, ...] = ()
    sertifikasi: tuple[Certificate, ...] = ()
    produk: tuple[Product, ...] = ()
    foto: tuple[str, ...] = ()
    pembinaan: tuple[Training, ...] = ()
    diperbarui: date | None = None
    cerita: str = ""  # Markdown story, cleaned of control characters
    diverifikasi: date | None = None  # when Dinas staff last confirmed the data with the owner
    diturunkan: Takedown | None = None  # hidden from every output of the site (generator/core/integrity.py)
    pengelola: tuple[str, ...] = ()  # GitHub logins that may update the entry; private

    @property
    def hidden(self) -> bool:
        return self.diturunkan is not None

    @property
    def folder(self) -> Path:
        return self.source.parent

    def photo_paths(self) -> tuple[str, ...]:
        """Every photo the entry references, business photos first, without repeats."""
        seen: dict[str, None] = dict.fromkeys(self.foto)
        for product in self.produk:
            seen.update(dict.fromkeys(product.foto))
        return tuple(seen)


@dataclass(frozen=True)
class Catalog:
    region: Region
    entries: tuple[Entry, ...]  # sorted by slug


@dataclass(frozen=True)
class ImageVariant:
    """One processed image file as published: site-relative URI and its pixel size."""

    uri: str  # e.g. "foto/telaga-batik/galeri-3f2a9c1b-640w.webp"
    width: int
    height: int
    mime: str  # "image/webp" or "image/jpeg"


@dataclass(frozen=True)
class ProcessedPhoto:
    """A source photo turned into responsive variants (never the original)."""

    source: Path  # absolute path of the original, inside the entry folder
    width: int  # size of the largest full variant
    height: int
    placeholder: str  # CSS colour shown while loading, e.g. "#a17f5c"
    webp: tuple[ImageVariant, ...]  # full photo, ascending widths
    # The largest full photo as JPEG, for clients without WebP: link previews (og:image) and the
    # no-JavaScript full-size link. Pages show WebP only.
    jpeg: ImageVariant
    thumb_webp: tuple[ImageVariant, ...]  # cropped to the card aspect ratio
    cache_files: tuple[tuple[str, Path], ...] = ()  # (site uri, cached file) to publish
