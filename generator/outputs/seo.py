"""What search engines and link previews read: Open Graph, Twitter card and JSON-LD, per page.

Engine independent: from our `GeneratedPage`s and enriched businesses this module renders one
block of `<head>` HTML per page (autoescaped by our own Jinja environment); an adapter prints it
in the page's head. Title, description and canonical link are the engine's (Material prints them
from the page's front matter, which the adapter escapes).

JSON-LD follows schema.org: a `LocalBusiness` with its address (kecamatan as `addressLocality`,
the province as `addressRegion`, the kabupaten as `containedInPlace`), telephone, `sameAs` links
to its shops, products as `Offer`s of `Product`s in rupiah, and certificates as `Certification`s.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.core.business import Business, CertificateView, ProductView
from generator.core.models import ImageVariant, ProcessedPhoto, Region
from generator.outputs.generated import TEMPLATES_DIR, GeneratedPage, business_uri, find_photo, make_environment, page_url

SEO_TEMPLATE = "seo.html"
SITE_ICON = "assets/ikon-512.png"  # the link preview of pages without a photo
SITE_ICON_SIZE = 512
LOCALE = "id_ID"


@dataclass(frozen=True)
class PreviewImage:
    url: str  # absolute
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class PageSeo:
    """Everything a link preview and a crawler read from one page, as plain values."""

    title: str
    description: str
    site_name: str
    url: str  # absolute, "" without a site_url
    kind: str  # og:type
    image: PreviewImage | None
    large_image: bool  # a photo (summary_large_image) rather than the site icon (summary)
    jsonld: tuple[dict[str, Any], ...] = ()


def render_heads(
    pages: Iterable[GeneratedPage],
    businesses: Sequence[Business],
    region: Region,
    photos: dict[Path, ProcessedPhoto],
    *,
    site_url: str,
    site_name: str,
    templates_dir: Path | None = None,
    known: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The `<head>` HTML of every generated page, by source URI; `known` ones are not rendered again."""
    by_uri = {business_uri(b.slug): b for b in businesses}
    variants = {photo.jpeg.uri: photo.jpeg for photo in photos.values()}
    env = make_environment(templates_dir or TEMPLATES_DIR)
    heads = {}
    for page in pages:
        if known and page.src_uri in known:
            heads[page.src_uri] = known[page.src_uri]
            continue
        seo = page_seo(page, by_uri.get(page.src_uri), region, variants, site_url=site_url, site_name=site_name)
        heads[page.src_uri] = render_head(seo, env=env)
    return heads


def render_business_head(
    page: GeneratedPage,
    business: Business,
    region: Region,
    photos: dict[Path, ProcessedPhoto],
    *,
    site_url: str,
    site_name: str,
    templates_dir: Path | None = None,
) -> str:
    """The `<head>` HTML of one business page (what `render_heads` makes for it)."""
    own = (find_photo(photos, business.entry, rel) for rel in business.entry.foto[:1])
    variants = {photo.jpeg.uri: photo.jpeg for photo in own if photo}
    seo = page_seo(page, business, region, variants, site_url=site_url, site_name=site_name)
    return render_head(seo, env=make_environment(templates_dir or TEMPLATES_DIR))


def page_seo(
    page: GeneratedPage,
    business: Business | None,
    region: Region,
    variants: dict[str, ImageVariant],
    *,
    site_url: str,
    site_name: str,
) -> PageSeo:
    """The preview and structured data of one page; `business` is given for business pages."""
    url = absolute_url(site_url, page_url(page.src_uri))
    variant = variants.get(page.image) if page.image else None
    image = None
    if variant and site_url:
        image = PreviewImage(absolute_url(site_url, variant.uri), variant.width, variant.height, page.title)
    elif site_url:
        image = PreviewImage(absolute_url(site_url, SITE_ICON), SITE_ICON_SIZE, SITE_ICON_SIZE, site_name)
    jsonld: tuple[dict[str, Any], ...] = ()
    if business is not None:
        jsonld = (local_business(business, region, url=url, image=image.url if variant and image else ""),)
    return PageSeo(
        title=page.title,
        description=page.description,
        site_name=site_name,
        url=url,
        kind="website",
        image=image,
        large_image=bool(variant and image),
        jsonld=jsonld,
    )


def render_head(seo: PageSeo, *, env: Any = None) -> str:
    """The Open Graph, Twitter card and JSON-LD tags of one page."""
    env = env or make_environment(TEMPLATES_DIR)
    return str(env.get_template(SEO_TEMPLATE).render(seo=seo, jsonld=[Markup(jsonld_text(data)) for data in seo.jsonld]))


def absolute_url(site_url: str, uri: str) -> str:
    """`site_url` joined with a site-relative URI; "" when the site has no URL configured."""
    if not site_url:
        return ""
    return site_url.rstrip("/") + "/" + uri.lstrip("/")


def jsonld_text(data: dict[str, Any]) -> str:
    """JSON safe inside `<script>`: no `</script>`, `<!--` or `]]>` can end or bend the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    # The same escapes as Jinja's |tojson; JSON parsers read them back as the original characters.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def local_business(business: Business, region: Region, *, url: str, image: str = "") -> dict[str, Any]:
    """schema.org `LocalBusiness` of one business, with its products and certificates."""
    entry = business.entry
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "LocalBusiness"}
    if url:
        data["@id"] = f"{url}#usaha"
        data["url"] = url
    data["name"] = entry.nama
    data["description"] = entry.ringkasan
    if image:
        data["image"] = image
    street = ", ".join(part for part in (entry.alamat, entry.desa) if part)
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if street:
        address["streetAddress"] = street
    address.update(addressLocality=business.kecamatan.nama, addressRegion=region.provinsi, addressCountry=region.negara)
    data["address"] = address
    data["containedInPlace"] = {"@type": "AdministrativeArea", "name": region.nama}
    if entry.lokasi is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": entry.lokasi.lintang, "longitude": entry.lokasi.bujur}
    if business.map is not None:
        data["hasMap"] = business.map.web_url
    phone = business.contact.telepon or business.contact.whatsapp
    if phone:
        data["telephone"] = f"+{phone.digits}"
    if business.contact.email:
        data["email"] = business.contact.email
    same_as = [shop.url for shop in business.shops]
    same_as += [u for u in (business.contact.instagram_url, business.contact.situs) if u]
    if same_as:
        data["sameAs"] = list(dict.fromkeys(same_as))
    if entry.nib:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "NIB", "value": entry.nib}
    if entry.berdiri:
        data["foundingDate"] = str(entry.berdiri)
    certificates = [_certification(c) for c in business.certificates]
    if certificates:
        data["hasCertification"] = certificates
    if business.products:
        data["makesOffer"] = [_offer(p, business, url) for p in business.products]
    return data


def _offer(product: ProductView, business: Business, page: str) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Product", "name": product.nama}
    if product.deskripsi:
        item["description"] = product.deskripsi
    if page:
        item["url"] = f"{page}#{product.anchor}"
    covering = [_certification(c) for c in business.certificates if product.nama in c.produk]
    if covering:
        item["hasCertification"] = covering
    offer: dict[str, Any] = {"@type": "Offer", "itemOffered": item}
    if product.harga is not None:
        offer.update(price=product.harga, priceCurrency="IDR")
        if product.satuan:
            offer["priceSpecification"] = {
                "@type": "UnitPriceSpecification",
                "price": product.harga,
                "priceCurrency": "IDR",
                "unitText": product.satuan,
            }
    if product.tautan:
        offer["url"] = product.tautan
    return offer


def _certification(cert: CertificateView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Certification",
        "name": cert.label,
        "certificationIdentification": cert.nomor,
        "certificationStatus": "https://schema.org/CertificationActive" if cert.valid else "https://schema.org/CertificationInactive",
    }
    if cert.issuer:
        data["issuedBy"] = {"@type": "Organization", "name": cert.issuer}
    if cert.berlaku_sampai:
        data["expires"] = cert.berlaku_sampai.isoformat()
    if cert.verify_url:
        data["url"] = cert.verify_url
    return data
