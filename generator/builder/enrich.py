"""Derived facts about each business: certificate status, contact links, labels, readiness.

Everything here is computed once, from a validated `Catalog` and an injected build date, so
every later stage (pages, search, statistics, reports, exports) reads the same facts and the
logic never looks at the clock.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import phonenumbers

from generator.core.business import (
    BERLAKU,
    KEDALUWARSA,
    SEGERA_KEDALUWARSA,
    STATUS_LABELS,
    TANPA_BATAS,
    TANPA_TANGGAL,
    Business,
    CertificateView,
    ContactLinks,
    MapLinks,
    PhoneLink,
    ProductView,
    RegionLookup,
    ShopView,
)
from generator.core.links import geo_search_uri, geo_uri, osm_search_url, osm_url, whatsapp_url
from generator.core.models import (
    Catalog,
    Certificate,
    CertKind,
    Contact,
    Entry,
    Platform,
    Product,
    ShopLink,
)
from generator.core.quality import DEFAULT_RULES, QualityRules, assess_completeness, assess_readiness

WHATSAPP_MESSAGE = "Halo {nama}, saya melihat usaha Anda di {katalog}. Saya ingin bertanya tentang produk Anda. Terima kasih."


def enrich_catalog(
    catalog: Catalog,
    *,
    today: date,
    expiring_days: int = 90,
    catalog_name: str = "",
    rules: QualityRules = DEFAULT_RULES,
) -> list[Business]:
    """Derive every business's facts as of `today` (the build date, injected by the caller)."""
    region = catalog.region
    name = catalog_name or f"Katalog UMKM {region.nama}"
    lookup = RegionLookup.of(region)
    return [
        enrich_entry(entry, lookup, today=today, expiring_days=expiring_days, catalog_name=name, rules=rules)
        for entry in sorted(catalog.entries, key=lambda e: e.slug)
    ]


def enrich_entry(
    entry: Entry,
    lookup: RegionLookup,
    *,
    today: date,
    expiring_days: int,
    catalog_name: str,
    rules: QualityRules = DEFAULT_RULES,
) -> Business:
    """Derive one business's facts; `enrich_catalog` is the usual entry point."""
    certificates = tuple(_certificate_view(c, lookup.cert_kinds[c.jenis], today, expiring_days) for c in entry.sertifikasi)
    valid_kinds = frozenset(c.jenis for c in certificates if c.valid)
    products = tuple(_product_view(i, p) for i, p in enumerate(entry.produk, start=1))
    prices = [p.harga for p in products if p.harga is not None]
    sector = lookup.sectors[entry.sektor]
    shops = tuple(_shop_view(s, lookup.platforms[s.platform]) for s in entry.toko_online)
    readiness = assess_readiness(entry, food=sector.food, certificates=certificates, shops=shops, lookup=lookup, rule=rules.readiness)
    return Business(
        entry=entry,
        sector=sector,
        kecamatan=lookup.kecamatan[entry.kecamatan],
        certificates=certificates,
        valid_cert_kinds=valid_kinds,
        contact=contact_links(entry.kontak, business_name=entry.nama, catalog_name=catalog_name),
        shops=shops,
        products=products,
        siap_pengadaan=readiness.ready,
        price_min=min(prices) if prices else None,
        price_max=max(prices) if prices else None,
        readiness=readiness,
        completeness=assess_completeness(entry, certificates=certificates, today=today, stale_months=rules.stale_months),
        map=map_links(entry, lookup),
    )


def map_links(entry: Entry, lookup: RegionLookup) -> MapLinks:
    """Links that open the business in a map app: at its point when the owner gave one (`lokasi`),
    else a search for its address, which every business has down to its kecamatan."""
    place = ", ".join(part for part in (entry.alamat, entry.desa, f"Kecamatan {entry.kecamatan}", lookup.place) if part)
    if entry.lokasi is not None:
        lat, lon = entry.lokasi.lintang, entry.lokasi.bujur
        return MapLinks(geo_uri(lat, lon, entry.nama), osm_url(lat, lon), True, place)
    return MapLinks(geo_search_uri(place), osm_search_url(place), False, place)


def certificate_status(berlaku_sampai: date | None, today: date, expiring_days: int = 90, *, dated: bool = True) -> str:
    """The status key of a certificate that is valid through `berlaku_sampai` (inclusive); one
    without an end date is valid only when its kind has none (`dated` False, CertKind.dated)."""
    if berlaku_sampai is None:
        return TANPA_TANGGAL if dated else TANPA_BATAS
    days_left = (berlaku_sampai - today).days
    if days_left < 0:
        return KEDALUWARSA
    if days_left <= expiring_days:
        return SEGERA_KEDALUWARSA
    return BERLAKU


def phone_link(digits: str) -> PhoneLink:
    """A `tel:` link and a readable form (`+62 812-1934-5521`) of international digits."""
    try:
        number = phonenumbers.parse(f"+{digits}")
        display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        display = f"+{digits}"
    return PhoneLink(digits=digits, display=display, href=f"tel:+{digits}")


def contact_links(contact: Contact, *, business_name: str, catalog_name: str) -> ContactLinks:
    """Links for the contact buttons of one business."""
    message = WHATSAPP_MESSAGE.format(nama=business_name, katalog=catalog_name)
    handle = contact.instagram.lstrip("@")
    return ContactLinks(
        whatsapp=phone_link(contact.whatsapp) if contact.whatsapp else None,
        whatsapp_url=whatsapp_url(contact.whatsapp, message) if contact.whatsapp else "",
        telepon=phone_link(contact.telepon) if contact.telepon else None,
        email=contact.email,
        email_url=f"mailto:{quote(contact.email, safe='@+')}" if contact.email else "",
        instagram=handle,
        instagram_url=f"https://www.instagram.com/{quote(handle, safe='')}/" if handle else "",
        situs=contact.situs,
    )


def _certificate_view(cert: Certificate, kind: CertKind, today: date, expiring_days: int) -> CertificateView:
    status = certificate_status(cert.berlaku_sampai, today, expiring_days, dated=kind.dated)
    return CertificateView(
        jenis=cert.jenis,
        label=kind.label,
        nomor=cert.nomor,
        berlaku_sampai=cert.berlaku_sampai,
        produk=cert.produk,
        status=status,
        status_label=STATUS_LABELS[status],
        verify_url=kind.verify_url,
        issuer=kind.issuer,
        days_left=(cert.berlaku_sampai - today).days if cert.berlaku_sampai else None,
    )


def _product_view(number: int, product: Product) -> ProductView:
    return ProductView(
        number=number,
        nama=product.nama,
        harga=product.harga,
        satuan=product.satuan,
        deskripsi=product.deskripsi,
        foto=product.foto,
        tautan=product.tautan,
    )


def _shop_view(shop: ShopLink, platform: Platform) -> ShopView:
    return ShopView(platform=shop.platform, label=platform.label, url=shop.url, procurement=platform.procurement)
