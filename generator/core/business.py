"""A business as every output sees it: an entry with the facts the enrich stage derived from it.

`builder/enrich.py` makes these once per build; pages, search, SEO, statistics, reports and open
data only read them. Records only: no logic beyond a few read-only properties.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.core.models import CertKind, Entry, Kecamatan, Platform, Region, Sector

BERLAKU = "berlaku"
SEGERA_KEDALUWARSA = "segera-kedaluwarsa"
KEDALUWARSA = "kedaluwarsa"
TANPA_BATAS = "tanpa-batas"  # no end date, and its kind has none (halal since 2022): valid
TANPA_TANGGAL = "tanpa-tanggal"  # no end date, though its kind has one (BPOM): not shown as valid

STATUS_LABELS: dict[str, str] = {
    BERLAKU: "Berlaku",
    SEGERA_KEDALUWARSA: "Segera kedaluwarsa",
    KEDALUWARSA: "Kedaluwarsa",
    TANPA_BATAS: "Berlaku tanpa batas waktu",
    TANPA_TANGGAL: "Tanggal berlaku tidak dicantumkan",
}

# Each kind's rule (`masa_berlaku` in the region file) decides what an undated certificate is.
VALID_STATUSES = frozenset({BERLAKU, SEGERA_KEDALUWARSA, TANPA_BATAS})

@dataclass(frozen=True)
class CertificateView:
    """One certificate with its kind's label and its status as of the build date."""

    jenis: str
    label: str  # the kind's label, e.g. "Halal"
    nomor: str
    berlaku_sampai: date | None
    produk: tuple[str, ...]
    status: str  # one of STATUS_LABELS' keys
    status_label: str
    verify_url: str  # the kind's public verification page, "" when there is none
    issuer: str
    days_left: int | None  # days until berlaku_sampai (negative once expired), None without a date

    @property
    def valid(self) -> bool:
        return self.status in VALID_STATUSES

    @property
    def validity_note(self) -> str:
        """A valid certificate's term in a badge's few words, so an undated one reads apart from a
        dated one: "s.d. 2027", "tanpa batas waktu", "segera kedaluwarsa"."""
        if self.status == TANPA_BATAS:
            return "tanpa batas waktu"
        if self.status == SEGERA_KEDALUWARSA:
            return "segera kedaluwarsa"
        if self.status == BERLAKU and self.berlaku_sampai:
            return f"s.d. {self.berlaku_sampai.year}"
        return ""


@dataclass(frozen=True)
class PhoneLink:
    digits: str  # international digits, e.g. "6281219345521"
    display: str  # e.g. "+62 812-1934-5521"
    href: str  # e.g. "tel:+6281219345521"


@dataclass(frozen=True)
class ContactLinks:
    """Ready-to-use links for the contact buttons; an empty field means no button."""

    whatsapp: PhoneLink | None = None
    whatsapp_url: str = ""  # https://wa.me/<digits>?text=<polite message>
    telepon: PhoneLink | None = None
    email: str = ""
    email_url: str = ""  # mailto:
    instagram: str = ""  # handle without "@"
    instagram_url: str = ""
    situs: str = ""

    @property
    def has_any(self) -> bool:
        return bool(self.whatsapp or self.telepon or self.email or self.instagram or self.situs)


@dataclass(frozen=True)
class MapLinks:
    """Where the business is, as links a phone opens in its map app; never an embedded map."""

    app_url: str  # geo: URI: the phone's own map app (Android), at the point or searching the address
    web_url: str  # openstreetmap.org, for phones without a geo: handler (iPhone) and computers
    exact: bool  # at the owner's point (`lokasi`), not an address search
    place: str  # what is searched or shown, e.g. "Kp. Telaga, Wanasari, Kecamatan Cibitung, Kabupaten Bekasi"


@dataclass(frozen=True)
class ShopView:
    platform: str
    label: str  # the platform's name, e.g. "Tokopedia"
    url: str
    procurement: bool  # a government or BUMN procurement channel


@dataclass(frozen=True)
class ProductView:
    number: int  # 1-based position in the entry, used for the "produk-<n>" anchor
    nama: str
    harga: int | None
    satuan: str
    deskripsi: str
    foto: tuple[str, ...]  # paths relative to the entry folder
    tautan: str

    @property
    def anchor(self) -> str:
        return f"produk-{self.number}"


@dataclass(frozen=True)
class Business:
    """An entry with everything derived from it that pages, search and reports need."""

    entry: Entry
    sector: Sector
    kecamatan: Kecamatan
    certificates: tuple[CertificateView, ...]
    valid_cert_kinds: frozenset[str]
    contact: ContactLinks
    shops: tuple[ShopView, ...]
    products: tuple[ProductView, ...]
    siap_pengadaan: bool  # meets every requirement of the readiness rule (quality.py)
    price_min: int | None  # over products with a price; None when no product has one
    price_max: int | None
    readiness: Readiness  # the unmet requirements of the readiness rule
    completeness: Completeness  # "kelengkapan data": score 0–100 and hints
    map: MapLinks | None = None  # None only for a business built without the region's names

    @property
    def reachable(self) -> bool:
        """Whether a buyer can reach it at all: a contact or a shop (listings mark those that cannot)."""
        return self.contact.has_any or bool(self.shops)

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def nama(self) -> str:
        return self.entry.nama

    @property
    def valid_certificates(self) -> tuple[CertificateView, ...]:
        return tuple(c for c in self.certificates if c.valid)

    @property
    def priced_products(self) -> tuple[ProductView, ...]:
        return tuple(p for p in self.products if p.harga is not None)


@dataclass(frozen=True)
class RegionLookup:
    """The region's vocabularies as dictionaries (validation guarantees every key exists)."""

    sectors: dict[str, Sector]
    kecamatan: dict[str, Kecamatan]
    cert_kinds: dict[str, CertKind]
    platforms: dict[str, Platform]
    place: str = ""  # the region as an address ends, e.g. "Kabupaten Bekasi, Jawa Barat"

    @classmethod
    def of(cls, region: Region) -> RegionLookup:
        return cls(
            sectors={s.key: s for s in region.sectors},
            kecamatan={k.nama: k for k in region.kecamatan},
            cert_kinds={c.key: c for c in region.cert_kinds},
            platforms={p.key: p for p in region.platforms},
            place=", ".join(part for part in (region.nama, region.provinsi) if part),
        )


@dataclass(frozen=True)
class Gap:
    """One missing thing: a readiness requirement or a completeness item, with a plain hint."""

    key: str
    label: str
    hint: str  # plain Indonesian, addressed to the owner
    weight: int = 0  # completeness points it costs; 0 for readiness requirements


@dataclass(frozen=True)
class Readiness:
    missing: tuple[Gap, ...]  # unmet requirements, in REQUIREMENTS order

    @property
    def ready(self) -> bool:
        return not self.missing

    def lacks(self, key: str) -> bool:
        return any(gap.key == key for gap in self.missing)


@dataclass(frozen=True)
class Completeness:
    score: int  # 0–100
    missing: tuple[Gap, ...]  # in COMPLETENESS_WEIGHTS order
