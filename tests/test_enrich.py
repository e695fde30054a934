"""Enrich stage: certificate status as of an injected date, contact links, labels, readiness."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.builder.enrich import certificate_status, enrich_catalog, phone_link
from generator.core.business import BERLAKU, KEDALUWARSA, SEGERA_KEDALUWARSA, TANPA_BATAS, TANPA_TANGGAL
from generator.core.models import (
    Catalog,
    Certificate,
    CertKind,
    Contact,
    Entry,
    Kecamatan,
    Platform,
    Product,
    Region,
    Sector,
    ShopLink,
)

TODAY = date(2026, 10, 2)


def make_region() -> Region:
    return Region(
        nama="Kabupaten Bekasi",
        provinsi="Jawa Barat",
        negara="ID",
        kode_wilayah="3216",
        dinas="Dinas Koperasi dan UKM Kabupaten Bekasi",
        kecamatan=(
            Kecamatan("32.16.07", "Cibitung", "cibitung"),
            Kecamatan("32.16.10", "Karangbahagia", "karangbahagia", ("Karang Bahagia",)),
        ),
        sectors=(Sector("kuliner", "Kuliner", "Food and drink", True), Sector("fesyen", "Fesyen", "Fashion")),
        cert_kinds=(
            CertKind("halal", "Halal", "Halal", "BPJPH", "https://bpjph.halal.go.id/search/sertifikat", dated=False),
            CertKind("pirt", "P-IRT", "Home industry food permit", "Dinas Kesehatan"),
        ),
        platforms=(
            Platform("tokopedia", "Tokopedia", ("tokopedia.com",)),
            Platform("padi-umkm", "PaDi UMKM", ("padiumkm.id",), procurement=True),
        ),
    )


def make_entry(tmp_path: Path, slug: str = "telaga-batik", **fields: Any) -> Entry:
    values: dict[str, Any] = {
        "nama": "Telaga Batik",
        "sektor": "fesyen",
        "kecamatan": "Cibitung",
        "ringkasan": "Batik tulis dan cap khas Bekasi.",
    }
    values.update(fields)
    return Entry(slug=slug, source=tmp_path / "catalog" / slug / "index.md", **values)


def enrich_one(tmp_path: Path, today: date = TODAY, **fields: Any):
    [business] = enrich_catalog(Catalog(make_region(), (make_entry(tmp_path, **fields),)), today=today)
    return business


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-1, KEDALUWARSA),  # ended yesterday
        (0, SEGERA_KEDALUWARSA),  # valid through its last day
        (90, SEGERA_KEDALUWARSA),
        (91, BERLAKU),
        (400, BERLAKU),
    ],
)
def test_certificate_status_boundaries(offset: int, expected: str) -> None:
    assert certificate_status(TODAY + timedelta(days=offset), TODAY) == expected


def test_a_certificate_without_date_follows_its_kind() -> None:
    assert certificate_status(None, TODAY, dated=False) == TANPA_BATAS  # halal since 2022: valid
    assert certificate_status(None, TODAY) == TANPA_TANGGAL  # BPOM, P-IRT, SNI: end on a date; not valid without it


def test_badges_tell_undated_from_dated_valid_certificates(tmp_path: Path) -> None:
    business = enrich_one(
        tmp_path,
        sertifikasi=(
            Certificate("halal", "ID32110000145680323"),
            Certificate("pirt", "2063216010123-27", date(2027, 12, 31)),
            Certificate("pirt", "2063216010124-27", None),  # as the validator never lets it through, but a kind may lack the number rule
        ),
    )
    halal, pirt, undated = business.certificates
    assert (halal.status, halal.valid, halal.validity_note) == (TANPA_BATAS, True, "tanpa batas waktu")
    assert (pirt.status, pirt.valid, pirt.validity_note) == (BERLAKU, True, "s.d. 2027")
    assert (undated.status, undated.valid, undated.status_label) == (TANPA_TANGGAL, False, "Tanggal berlaku tidak dicantumkan")
    assert business.valid_cert_kinds == frozenset({"halal", "pirt"})


def test_expiring_window_is_configurable(tmp_path: Path) -> None:
    cert = Certificate("halal", "ID32110000145680323", TODAY + timedelta(days=20))
    assert enrich_one(tmp_path, sertifikasi=(cert,)).certificates[0].status == SEGERA_KEDALUWARSA
    [business] = enrich_catalog(Catalog(make_region(), (make_entry(tmp_path, sertifikasi=(cert,)),)), today=TODAY, expiring_days=14)
    assert business.certificates[0].status == BERLAKU


def test_status_follows_the_injected_date(tmp_path: Path) -> None:
    cert = Certificate("pirt", "2063216010123-27", date(2027, 12, 31))
    assert enrich_one(tmp_path, today=date(2026, 1, 1), sertifikasi=(cert,)).certificates[0].status == BERLAKU
    assert enrich_one(tmp_path, today=date(2028, 1, 1), sertifikasi=(cert,)).certificates[0].status == KEDALUWARSA


def test_certificate_view_carries_labels_and_verify_url(tmp_path: Path) -> None:
    business = enrich_one(
        tmp_path,
        sertifikasi=(
            Certificate("halal", "ID32110000145680323", None, ("Keripik Balado",)),
            Certificate("pirt", "2063216010123-25", date(2025, 12, 31)),
        ),
    )
    halal, pirt = business.certificates
    assert (halal.label, halal.status, halal.status_label) == ("Halal", TANPA_BATAS, "Berlaku tanpa batas waktu")
    assert halal.verify_url == "https://bpjph.halal.go.id/search/sertifikat"
    assert halal.produk == ("Keripik Balado",)
    assert halal.valid and halal.days_left is None
    assert (pirt.label, pirt.status_label, pirt.verify_url) == ("P-IRT", "Kedaluwarsa", "")
    assert not pirt.valid and pirt.days_left == -275
    assert business.valid_cert_kinds == frozenset({"halal"})
    assert business.valid_certificates == (halal,)


def test_status_labels_are_indonesian(tmp_path: Path) -> None:
    certs = tuple(
        Certificate("halal", f"ID{i}", day)
        for i, day in enumerate([TODAY + timedelta(days=200), TODAY + timedelta(days=10), TODAY - timedelta(days=1), None])
    )
    labels = [c.status_label for c in enrich_one(tmp_path, sertifikasi=certs).certificates]
    assert labels == ["Berlaku", "Segera kedaluwarsa", "Kedaluwarsa", "Berlaku tanpa batas waktu"]


def test_whatsapp_link_is_exact(tmp_path: Path) -> None:
    business = enrich_one(tmp_path, kontak=Contact(whatsapp="6281219345521"))
    assert business.contact.whatsapp_url == (
        "https://wa.me/6281219345521?text=Halo%20Telaga%20Batik%2C%20saya%20melihat%20usaha%20Anda%20di%20"
        "Katalog%20UMKM%20Kabupaten%20Bekasi.%20Saya%20ingin%20bertanya%20tentang%20produk%20Anda.%20Terima%20kasih."
    )
    assert business.contact.whatsapp is not None
    assert business.contact.whatsapp.display == "+62 812-1934-5521"


def test_whatsapp_message_encodes_every_special_character(tmp_path: Path) -> None:
    business = enrich_one(tmp_path, nama="Kue & Roti #1 <Bu Ani>?", kontak=Contact(whatsapp="6281219345521"))
    query = business.contact.whatsapp_url.split("?text=", 1)[1]
    assert "Kue%20%26%20Roti%20%231%20%3CBu%20Ani%3E%3F" in query
    assert not set(query) & set("&#<>? ")


def test_phone_link_and_display() -> None:
    assert phone_link("6281219345521") == phone_link("6281219345521")
    mobile = phone_link("6281219345521")
    assert (mobile.href, mobile.display) == ("tel:+6281219345521", "+62 812-1934-5521")
    fixed = phone_link("622189951234")
    assert fixed.href == "tel:+622189951234"
    assert fixed.display.startswith("+62 21")


def test_other_contact_links(tmp_path: Path) -> None:
    contact = enrich_one(
        tmp_path,
        kontak=Contact(
            telepon="622189951234", email="telagabatik@example.id", instagram="telagabatik", situs="https://telagabatik.example.id"
        ),
    ).contact
    assert contact.whatsapp is None and contact.whatsapp_url == ""
    assert contact.telepon is not None and contact.telepon.href == "tel:+622189951234"
    assert contact.email_url == "mailto:telagabatik@example.id"
    assert contact.instagram_url == "https://www.instagram.com/telagabatik/"
    assert contact.situs == "https://telagabatik.example.id"
    assert contact.has_any
    assert not enrich_one(tmp_path).contact.has_any


def test_shops_sector_and_kecamatan_records(tmp_path: Path) -> None:
    business = enrich_one(
        tmp_path,
        kecamatan="Karangbahagia",
        toko_online=(ShopLink("tokopedia", "https://www.tokopedia.com/x"), ShopLink("padi-umkm", "https://padiumkm.id/x")),
    )
    assert [(s.label, s.url, s.procurement) for s in business.shops] == [
        ("Tokopedia", "https://www.tokopedia.com/x", False),
        ("PaDi UMKM", "https://padiumkm.id/x", True),
    ]
    assert business.sector.label == "Fesyen"
    assert business.kecamatan.slug == "karangbahagia"


@pytest.mark.parametrize(
    ("nib", "certificates", "ready"),
    [
        ("9120301745821", (Certificate("halal", "ID1", TODAY + timedelta(days=400)),), True),
        ("9120301745821", (Certificate("halal", "ID1", TODAY + timedelta(days=5)),), True),  # expiring still counts
        ("9120301745821", (Certificate("halal", "ID1", None),), True),  # no end date
        ("9120301745821", (Certificate("pirt", "1-25", TODAY - timedelta(days=1)),), False),  # only expired
        ("9120301745821", (), False),
        ("", (Certificate("halal", "ID1", None),), False),  # no NIB
    ],
)
def test_siap_pengadaan_needs_nib_and_a_valid_certificate(tmp_path: Path, nib: str, certificates: tuple[Certificate, ...], ready: bool) -> None:
    # Price and capacity given, so only the NIB and certificate parts decide (the whole rule: test_quality.py).
    business = enrich_one(tmp_path, nib=nib, sertifikasi=certificates, produk=(Product("Batik Cap", 150000),), kapasitas="300 potong per bulan")
    assert business.siap_pengadaan is ready


def test_products_and_price_range(tmp_path: Path) -> None:
    business = enrich_one(
        tmp_path,
        produk=(Product("Batik Cap", 150000), Product("Konsultasi"), Product("Batik Tulis", 385000, "lembar")),
    )
    assert [p.anchor for p in business.products] == ["produk-1", "produk-2", "produk-3"]
    assert [p.nama for p in business.priced_products] == ["Batik Cap", "Batik Tulis"]
    assert (business.price_min, business.price_max) == (150000, 385000)
    assert enrich_one(tmp_path, produk=(Product("Konsultasi"),)).price_min is None


def test_businesses_come_out_sorted_by_slug(tmp_path: Path) -> None:
    entries = (make_entry(tmp_path, "zaitun"), make_entry(tmp_path, "anyaman"), make_entry(tmp_path, "madu"))
    businesses = enrich_catalog(Catalog(make_region(), entries), today=TODAY)
    assert [b.slug for b in businesses] == ["anyaman", "madu", "zaitun"]


def test_enrich_is_pure(tmp_path: Path) -> None:
    entry = make_entry(tmp_path, sertifikasi=(Certificate("halal", "ID1", TODAY),), kontak=Contact(whatsapp="6281219345521"))
    catalog = Catalog(make_region(), (entry, replace(entry, slug="lain")))
    assert enrich_catalog(catalog, today=TODAY) == enrich_catalog(catalog, today=TODAY)
