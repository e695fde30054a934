"""Findability: titles, descriptions, canonical links, Open Graph, Twitter card and JSON-LD."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.outputs.seo import absolute_url, jsonld_text
from tests.conftest import FULL, MakeEntry, build, full_photos, parse_page

SITE = "https://umkm.bekasikab.go.id/katalog/"


def _head(site: Path, uri: str) -> tuple[dict[str, str], list[dict]]:
    """(meta property/name -> content, parsed JSON-LD blocks) of a built page."""
    page = parse_page(site / uri)
    meta = {
        a.get("property") or a.get("name"): a.get("content", "")
        for t, a in page.tags
        if t == "meta" and (a.get("property") or a.get("name"))
    }
    for t, a in page.tags:
        if t == "link" and a.get("rel") == "canonical":
            meta["canonical"] = a["href"]
    blocks = [json.loads(text) for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]
    return meta, blocks


@pytest.fixture
def seo_site(project: Path, make_entry: MakeEntry) -> Path:
    full = {
        **FULL,
        "alamat": "Kp. Telaga RT 02/05",
        "lokasi": "-6.2587, 107.1311",
        "kontak": {**FULL["kontak"], "telepon": "021-89951234", "instagram": "telagabatik"},
        "toko_online": [
            {"platform": "tokopedia", "url": "https://www.tokopedia.com/telagabatik"},
            {"platform": "shopee", "url": "https://shopee.co.id/telagabatik"},
        ],
        "sertifikasi": [
            {"jenis": "halal", "nomor": "ID32110000145680323", "produk": ["Batik Tulis Tanjung Pura"]},
            {"jenis": "pirt", "nomor": "2063216010123-24"},
        ],
        "produk": [
            {"nama": "Batik Tulis Tanjung Pura", "harga": "385000", "satuan": "lembar", "foto": ["foto/batik.jpg"]},
            {"nama": "Kain Sisa", "deskripsi": "Tanpa harga."},
        ],
    }
    make_entry("telaga-batik", full, photos=full_photos())
    make_entry(
        "jahat",
        {
            "nama": 'Warung "Jahat" </script><script>alert(1)</script>',
            "ringkasan": "Enak & murah <b>sekali</b> </script><!-- 'kutip'",
        },
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_business_page_has_title_description_canonical_and_previews(seo_site: Path) -> None:
    meta, _ = _head(seo_site, "usaha/telaga-batik/index.html")
    html = (seo_site / "usaha/telaga-batik/index.html").read_text(encoding="utf-8")
    assert "<title>Telaga Batik - Katalog UMKM Kabupaten Bekasi</title>" in html
    assert meta["description"] == "Batik tulis dan cap khas Bekasi."
    assert meta["canonical"] == f"{SITE}usaha/telaga-batik/"
    assert meta["og:url"] == meta["canonical"]
    assert meta["og:title"] == meta["twitter:title"] == "Telaga Batik"
    assert meta["og:description"] == meta["twitter:description"] == "Batik tulis dan cap khas Bekasi."
    assert meta["og:locale"] == "id_ID" and meta["og:site_name"] == "Katalog UMKM Kabupaten Bekasi"
    assert meta["twitter:card"] == "summary_large_image"
    image = meta["og:image"]
    assert image == meta["twitter:image"]
    assert re.fullmatch(rf"{re.escape(SITE)}foto/telaga-batik/sampul-[0-9a-f]+-\d+w\.jpg", image), image
    file = seo_site / image[len(SITE) :]
    assert file.is_file()
    from PIL import Image

    with Image.open(file) as img:
        assert (meta["og:image:width"], meta["og:image:height"]) == (str(img.width), str(img.height))


def test_pages_without_photo_preview_the_site_icon(seo_site: Path) -> None:
    meta, blocks = _head(seo_site, "index.html")
    assert meta["og:image"] == f"{SITE}assets/ikon-512.png" and (seo_site / "assets/ikon-512.png").is_file()
    assert meta["twitter:card"] == "summary"
    assert blocks == []


def test_local_business_json_ld_carries_the_right_values(seo_site: Path) -> None:
    meta, blocks = _head(seo_site, "usaha/telaga-batik/index.html")
    [data] = blocks
    assert data["@context"] == "https://schema.org" and data["@type"] == "LocalBusiness"
    assert data["name"] == "Telaga Batik" and data["url"] == f"{SITE}usaha/telaga-batik/"
    assert data["image"] == meta["og:image"]
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Kp. Telaga RT 02/05, Wanasari",
        "addressLocality": "Karangbahagia",
        "addressRegion": "Jawa Barat",
        "addressCountry": "ID",
    }
    assert data["containedInPlace"] == {"@type": "AdministrativeArea", "name": "Kabupaten Bekasi"}
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": -6.2587, "longitude": 107.1311}
    assert data["hasMap"] == "https://www.openstreetmap.org/?mlat=-6.2587&mlon=107.1311#map=17/-6.2587/107.1311"
    assert data["telephone"] == "+622189951234"
    assert data["sameAs"] == [
        "https://www.tokopedia.com/telagabatik",
        "https://shopee.co.id/telagabatik",
        "https://www.instagram.com/telagabatik/",
    ]
    assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "NIB", "value": "9120301745821"}
    halal, pirt = data["hasCertification"]
    assert halal["@type"] == "Certification" and halal["certificationIdentification"] == "ID32110000145680323"
    assert halal["certificationStatus"] == "https://schema.org/CertificationActive"
    assert pirt["certificationStatus"] == "https://schema.org/CertificationInactive" and pirt["expires"] == "2024-12-31"
    priced, unpriced = data["makesOffer"]
    assert priced["@type"] == "Offer" and priced["price"] == 385000 and priced["priceCurrency"] == "IDR"
    assert priced["priceSpecification"]["unitText"] == "lembar"
    assert priced["itemOffered"]["@type"] == "Product" and priced["itemOffered"]["name"] == "Batik Tulis Tanjung Pura"
    assert priced["itemOffered"]["url"] == f"{SITE}usaha/telaga-batik/#produk-1"
    assert [c["name"] for c in priced["itemOffered"]["hasCertification"]] == ["Halal"]
    assert "price" not in unpriced and unpriced["itemOffered"]["description"] == "Tanpa harga."


def test_hostile_names_are_escaped_everywhere(seo_site: Path) -> None:
    path = seo_site / "usaha/jahat/index.html"
    html = path.read_text(encoding="utf-8")
    page = parse_page(path)
    # No value opened an element: the only scripts are Material's, ours (JSON-LD) and none injected.
    assert not [text for attrs, text in page.scripts if "alert(1)" in text and attrs.get("type") != "application/ld+json"]
    assert [t for t, _ in page.tags].count("b") == 0
    meta, [data] = _head(seo_site, "usaha/jahat/index.html")
    name = 'Warung "Jahat" </script><script>alert(1)</script>'
    summary = "Enak & murah <b>sekali</b> </script><!-- 'kutip'"
    assert data["name"] == name and data["description"] == summary
    assert meta["og:title"] == meta["twitter:title"] == name
    assert meta["description"] == meta["og:description"] == summary
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    assert title and "&lt;/script&gt;" in title.group(1) and "&quot;Jahat&quot;" in title.group(1)
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert ld and "</" not in ld.group(1) and "<!--" not in ld.group(1)


def test_json_ld_text_cannot_end_its_script() -> None:
    data = {"name": "a</script><script>x()</script><!-- ]]> & 'b'"}
    text = jsonld_text(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_absolute_urls() -> None:
    assert absolute_url("https://contoh.go.id/katalog/", "usaha/x/") == "https://contoh.go.id/katalog/usaha/x/"
    assert absolute_url("https://contoh.go.id/", "foto/a.jpg") == "https://contoh.go.id/foto/a.jpg"
    assert absolute_url("", "usaha/x/") == ""
