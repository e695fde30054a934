"""Pages stage: escaped and sanitized HTML, relative links, pagination, pictures, determinism."""

from __future__ import annotations

import itertools
import posixpath
import random
from dataclasses import replace
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import pytest

from generator.builder.enrich import enrich_catalog
from generator.core.business import Business
from generator.core.formatting import format_rupiah, format_tanggal
from generator.core.models import (
    Catalog,
    Certificate,
    Contact,
    Entry,
    Location,
    ProcessedPhoto,
    Product,
    Region,
    ShopLink,
    Training,
)
from generator.outputs.generated import GeneratedPage, page_url, relative_path, url_to
from generator.outputs.pages import REGISTER_URI, page_window, render_pages
from generator.outputs.story import render_story
from tests.conftest import SITE_NAME, full_entry, make_photo, page_entry, page_region

TODAY = date(2026, 10, 2)


# --- helpers ---------------------------------------------------------------------------------


def photos_for(*entries: Entry, skip: tuple[str, ...] = ("foto/hilang.jpg",)) -> dict[Path, ProcessedPhoto]:
    return dict(make_photo(e, rel) for e in entries for rel in e.photo_paths() if rel not in skip)


def enrich(*entries: Entry, region: Region | None = None) -> list[Business]:
    return enrich_catalog(Catalog(region or page_region(), entries), today=TODAY)


def render(*entries: Entry, photos: dict[Path, ProcessedPhoto] | None = None, **kwargs: Any) -> dict[str, GeneratedPage]:
    photos = photos_for(*entries) if photos is None else photos
    pages = render_pages(enrich(*entries), page_region(), photos, today=TODAY, site_name=SITE_NAME, **kwargs)
    return {p.src_uri: p for p in pages}


class Parsed(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML fragment."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def with_class(self, tag: str, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]


def links(html: str) -> list[dict[str, str | None]]:
    return Parsed(html).find("a")


def resolve(page: str, href: str) -> str:
    """The site-relative target of a relative link found on the page with source URI `page`."""
    here = page_url(page)
    path = href.split("#", 1)[0]
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(here) or ".", path))
    joined = "" if joined == "." else joined
    return f"{joined}/" if path.endswith("/") and joined else joined


# --- formatting ------------------------------------------------------------------------------


def test_rupiah() -> None:
    assert format_rupiah(385000) == "Rp385.000"
    assert format_rupiah(15000) == "Rp15.000"
    assert format_rupiah(1234567) == "Rp1.234.567"
    assert format_rupiah(0) == "Rp0"


def test_tanggal() -> None:
    assert format_tanggal(date(2026, 11, 28)) == "28 November 2026"
    assert format_tanggal(date(2026, 2, 1)) == "1 Februari 2026"


# --- stories ---------------------------------------------------------------------------------

DANGEROUS_STORIES = [
    "Halo <script>alert(1)</script> dunia",
    '<img src="x" onerror="alert(1)">',
    "<p onmouseover='alert(1)'>teks</p>",
    "[klik](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">klik</a>',
    '<a href="java&#09;script:alert(1)">klik</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    "Paragraf {onclick=alert(1)}\n\n# Judul {: onclick=alert(1) }",
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<form action="https://evil.example"><input name="x"></form>',
    "<style>body{display:none}</style>",
    '<object data="x.swf"></object><embed src="x.swf">',
]


@pytest.mark.parametrize("story", DANGEROUS_STORIES)
def test_story_sanitizer_removes_active_content(story: str) -> None:
    parsed = Parsed(render_story(story))
    allowed = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h2", "h3", "h4", "code", "pre", "hr"}
    assert {tag for tag, _ in parsed.tags} <= allowed
    for tag, attrs in parsed.tags:
        assert not [name for name in attrs if name.startswith("on") or name in ("style", "src", "class", "id")]
        if tag == "a" and "href" in attrs:
            assert (attrs["href"] or "").startswith(("https://", "http://", "mailto:"))
    assert "alert(1)</script>" not in render_story(story)


def test_story_keeps_safe_markdown_and_marks_links() -> None:
    html = render_story('Kami **membatik** sejak *2017*.\n\n- satu\n- dua\n\n> kutipan\n\n[Toko](https://example.id "Toko kami")')
    parsed = Parsed(html)
    assert parsed.find("strong") and parsed.find("em") and len(parsed.find("li")) == 2 and parsed.find("blockquote")
    [link] = parsed.find("a")
    assert link == {"href": "https://example.id", "title": "Toko kami", "rel": "noopener nofollow ugc"}


def test_story_headings_are_demoted_below_the_page_title() -> None:
    html = render_story("# Satu\n\n## Dua\n\n### Tiga\n\n###### Enam\n\n<h1>Mentah</h1>")
    tags = [tag for tag, _ in Parsed(html).tags]
    assert tags == ["h3", "h3", "h4", "h4", "h3"]


def test_empty_story_renders_nothing() -> None:
    assert render_story("  \n") == ""


# --- escaping --------------------------------------------------------------------------------


def test_markup_in_fields_is_escaped_everywhere(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script>'
    entry = full_entry(
        tmp_path,
        nama=f"Telaga {evil} Batik",
        ringkasan=f"Ringkasan {evil}",
        alamat=f'Jl. "Mawar" {evil}',
        produk=(Product(f"Produk {evil}", 1000, f"pcs {evil}", f"Deskripsi {evil}"),),
        pembinaan=(Training(f"Program {evil}"),),
    )
    pages = render(entry)
    for page in pages.values():
        assert "<script" not in page.html, page.src_uri
    business = pages["usaha/telaga-batik.md"]
    assert "Telaga &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Batik" in business.html
    assert business.title == f"Telaga {evil} Batik"  # plain text: the adapter escapes it
    assert business.description == f"Ringkasan {evil}"


def test_story_on_the_business_page_is_sanitized(tmp_path: Path) -> None:
    page = render(full_entry(tmp_path, cerita="Halo <img src=x onerror=alert(1)> [x](javascript:alert(1))"))["usaha/telaga-batik.md"]
    assert "onerror" not in page.html and "javascript:" not in page.html


def test_every_page_has_exactly_one_h1(tmp_path: Path) -> None:
    for page in render(full_entry(tmp_path, cerita="# Judul cerita\n\nIsi.")).values():
        assert page.html.count("<h1") == 1, page.src_uri


# --- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "target", "expected"),
    [
        ("usaha/telaga-batik.md", "sektor/kuliner.md", "../../sektor/kuliner/"),
        ("usaha/telaga-batik.md", "index.md", "../../"),
        ("usaha/telaga-batik.md", "usaha/lain.md", "../lain/"),
        ("usaha/telaga-batik.md", "foto/telaga-batik/galeri-640w.webp", "../../foto/telaga-batik/galeri-640w.webp"),
        ("usaha/telaga-batik.md", "usaha/telaga-batik.md#produk-2", "#produk-2"),
        ("usaha/telaga-batik.md", "usaha/telaga-batik.md", "./"),
        ("index.md", "usaha/telaga-batik.md", "usaha/telaga-batik/"),
        ("index.md", "usaha/telaga-batik.md#produk-1", "usaha/telaga-batik/#produk-1"),
        ("index.md", "foto/a/b-320w.jpg", "foto/a/b-320w.jpg"),
        ("index.md", "index.md", "./"),
        ("sektor/index.md", "sektor/kuliner.md", "kuliner/"),
        ("sektor/kuliner.md", "sektor/kuliner/2.md", "2/"),
        ("sektor/kuliner/2.md", "sektor/kuliner.md", "../"),
        ("sektor/kuliner/2.md", "sektor/kuliner/3.md", "../3/"),
        ("sektor/kuliner/2.md", "usaha/x.md", "../../../usaha/x/"),
    ],
)
def test_url_to(src: str, target: str, expected: str) -> None:
    assert url_to(src, target) == expected


_PATHS = ["", ".", "a", "a/", "a/b", "a/c", "a/b/c", "a//b", "./a", "usaha/x", "cetak/stiker/x", "qr/x.svg", "x/../y", "/abs", "a..b"]


def test_relative_path_is_posixpaths_relpath_without_the_file_system() -> None:
    # The links of every page and print document: the same answers as posixpath.relpath, which
    # calls os.getcwd() twice a link.
    for path, start in itertools.product(_PATHS, repeat=2):
        assert relative_path(path or ".", start or ".") == posixpath.relpath(path or ".", start or ".")


def test_url_to_without_directory_urls() -> None:
    assert url_to("usaha/x.md", "sektor/kuliner.md", directory_urls=False) == "../sektor/kuliner.html"
    assert url_to("usaha/x.md", "index.md", directory_urls=False) == "../index.html"
    assert url_to("index.md", "usaha/x.md", directory_urls=False) == "usaha/x.html"


def test_every_internal_link_resolves_to_a_generated_page_or_photo(tmp_path: Path) -> None:
    entries = [full_entry(tmp_path), page_entry(tmp_path, "dapur-bu-yati", nama="Dapur Bu Yati", sektor="kuliner", kecamatan="Setu")]
    photos = photos_for(*entries)
    pages = render(*entries, photos=photos)
    targets = {page_url(uri) for uri in pages} | {page_url(REGISTER_URI), "cari/"}  # the phone form; the search page (made beside these)
    assets = {v.uri for p in photos.values() for v in (*p.webp, p.jpeg, *p.thumb_webp)}
    checked = 0
    for uri, page in pages.items():
        parsed = Parsed(page.html)
        refs = [a["href"] for a in parsed.find("a")] + [a["src"] for a in parsed.find("img")]
        refs += [part.split()[0] for a in parsed.tags if "srcset" in a[1] for part in (a[1]["srcset"] or "").split(", ")]
        for ref in refs:
            assert ref
            if ref.startswith(("https://", "http://", "mailto:", "tel:", "geo:", "#")):
                continue
            assert not ref.startswith("/"), (uri, ref)  # relative only: the site may live under a sub-path
            assert resolve(uri, ref.split("?")[0]) in targets | assets, (uri, ref)
            checked += 1
    assert checked > 50


# --- business page ---------------------------------------------------------------------------


def test_business_page_content(tmp_path: Path) -> None:
    page = render(full_entry(tmp_path))["usaha/telaga-batik.md"]
    html = page.html
    parsed = Parsed(html)
    assert parsed.with_class("div", "umkm-business")[0].get("data-pagefind-body", "missing") is None
    assert [a["id"] for a in parsed.with_class("li", "umkm-product")] == ["produk-1", "produk-2"]
    assert "Rp385.000" in html and "/ lembar" in html
    assert "Hubungi via WhatsApp" in html and "+62 812-1934-5521" in html
    assert "Berlaku sampai 28 November 2026" in html
    assert "Data diperbarui 1 September 2026" in html
    assert "Siap pengadaan" in html
    assert "Pelatihan membatik" in html and "3.000 potong per bulan" in html and "9120301745821" in html
    assert 'href="../../sektor/fesyen/"' in html and 'href="../../kecamatan/cibitung/"' in html
    assert page.image == "foto/telaga-batik/galeri-1280w.jpg"
    assert page.updated == date(2026, 9, 1)


def test_certificate_badges_show_status_in_colour_and_text(tmp_path: Path) -> None:
    parsed = Parsed(render(full_entry(tmp_path))["usaha/telaga-batik.md"].html)
    statuses = parsed.with_class("span", "umkm-status")
    assert [s["class"] for s in statuses] == [
        "umkm-status umkm-status--segera-kedaluwarsa",
        "umkm-status umkm-status--kedaluwarsa",
    ]
    text = "".join(parsed.text)
    assert "Segera kedaluwarsa" in text and "Kedaluwarsa" in text
    # Only halal has a public verification page in the region data.
    verify = parsed.with_class("a", "umkm-cert__verify")
    assert [(a["href"], a["rel"]) for a in verify] == [("https://bpjph.halal.go.id/search/sertifikat", "noopener")]


def test_external_links_carry_rel(tmp_path: Path) -> None:
    entry = full_entry(tmp_path, kontak=Contact(whatsapp="6281219345521", instagram="telagabatik", situs="https://telagabatik.example.id"))
    anchors = links(render(entry)["usaha/telaga-batik.md"].html)
    for a in anchors:
        href = a["href"] or ""
        if href.startswith("http"):
            assert "noopener" in (a.get("rel") or "").split(), href
            assert "target" not in a
    by_href = {a["href"]: a.get("rel") for a in anchors}
    assert by_href["https://www.tokopedia.com/telagabatik"] == "noopener nofollow"
    assert by_href["https://www.tokopedia.com/telagabatik/tulis"] == "noopener nofollow"
    assert by_href["https://www.instagram.com/telagabatik/"] == "noopener"
    assert by_href["https://telagabatik.example.id"] == "noopener nofollow"
    assert "Kunjungi toko" in render(entry)["usaha/telaga-batik.md"].html


def test_picture_markup(tmp_path: Path) -> None:
    parsed = Parsed(render(full_entry(tmp_path))["usaha/telaga-batik.md"].html)
    images = parsed.find("img")
    assert len(images) == 4  # cover, first product (the second's photo is missing), gallery of both business photos
    # WebP only: no JPEG alternative of every width. The cover alone has a phone source: its 4:3
    # thumbnails, shown as a short band (the first view of a business page stays small).
    [phone] = parsed.find("source")
    assert phone["media"] == "(max-width: 59.99em)" and phone["sizes"] == "100vw"
    assert phone["srcset"] == "../../foto/telaga-batik/galeri-thumb-320w.webp 320w, ../../foto/telaga-batik/galeri-thumb-640w.webp 640w"
    for img in images:
        assert img["width"] and img["height"] and img["srcset"] and img["sizes"]
        assert img["decoding"] == "async"
        assert img["style"] == "background-color:#a17f5c"
        assert (img["src"] or "").endswith(".webp") and ".jpg" not in (img["srcset"] or "")
    cover, product, gallery_cover, gallery = images
    assert gallery_cover["loading"] == "lazy" and gallery_cover["alt"] == "Telaga Batik"
    assert "loading" not in cover and cover["alt"] == "Telaga Batik"
    assert cover["width"] == "1280" and cover["height"] == "853"
    assert "../../foto/telaga-batik/galeri-640w.webp 640w" in (cover["srcset"] or "")
    assert gallery["loading"] == "lazy" and product["loading"] == "lazy"
    assert product["alt"] == "Batik Tulis Tanjung Pura"
    # The gallery links to the largest JPEG, so it works without JavaScript; the lightbox shows the WebP.
    links = parsed.with_class("a", "umkm-gallery__link")
    assert [link["href"] for link in links] == ["../../foto/telaga-batik/galeri-1280w.jpg", "../../foto/telaga-batik/proses-1280w.jpg"]
    assert [link["data-umkm-full"] for link in links] == ["../../foto/telaga-batik/galeri-1280w.webp", "../../foto/telaga-batik/proses-1280w.webp"]


def test_missing_photos_render_no_image(tmp_path: Path) -> None:
    pages = render(full_entry(tmp_path), photos={})
    for page in pages.values():
        assert "<img" not in page.html and "<picture" not in page.html
    assert pages["usaha/telaga-batik.md"].image == ""


def test_first_photo_is_eager_even_when_the_cover_is_missing(tmp_path: Path) -> None:
    entry = full_entry(tmp_path)
    page = render(entry, photos=photos_for(entry, skip=("foto/galeri.jpg", "foto/hilang.jpg")))["usaha/telaga-batik.md"]
    images = Parsed(page.html).find("img")
    assert "loading" not in images[0] and all(i["loading"] == "lazy" for i in images[1:])


def test_bad_placeholder_colour_is_dropped(tmp_path: Path) -> None:
    entry = full_entry(tmp_path, foto=("foto/galeri.jpg",), produk=())
    source, photo = make_photo(entry, "foto/galeri.jpg", placeholder="red;background-image:url(x)")
    [img] = Parsed(render(entry, photos={source: photo})["usaha/telaga-batik.md"].html).find("img")
    assert "style" not in img


# --- listings, home, pagination ----------------------------------------------------------------


def many(tmp_path: Path, count: int, **fields: Any) -> list[Entry]:
    return [page_entry(tmp_path, f"usaha-{i:03d}", nama=f"Usaha {i:03d}", sektor="kuliner", **fields) for i in range(count)]


def test_pagination_of_fifty_businesses(tmp_path: Path) -> None:
    pages = render(*many(tmp_path, 50))
    first, second = pages["sektor/kuliner.md"], pages["sektor/kuliner/2.md"]
    assert "sektor/kuliner/3.md" not in pages
    assert Parsed(first.html).with_class("li", "umkm-card").__len__() == 48
    assert len(Parsed(second.html).with_class("li", "umkm-card")) == 2
    assert {a["href"] for a in links(first.html) if a.get("aria-label") == "Halaman 2"} == {"2/"}
    assert [a["href"] for a in links(first.html) if a.get("rel") == "next"] == ["2/"]
    assert [a["href"] for a in links(second.html) if a.get("rel") == "prev"] == ["../"]
    current = [a for a in links(second.html) if a.get("aria-current") == "page"]
    assert [a["href"] for a in current] == ["./"]
    assert second.title == "Sektor Kuliner (halaman 2 dari 2)"
    # Cards on page 2 link three levels up to the business pages.
    assert '<a class="umkm-card__link" href="../../../usaha/usaha-049/">Usaha 049</a>' in second.html
    # Exactly 48 fit one page.
    assert "sektor/kuliner/2.md" not in render(*many(tmp_path, 48))


def test_page_window() -> None:
    assert page_window(1, 3) == [1, 2, 3]
    assert page_window(1, 30) == [1, 2, 3, None, 30]
    assert page_window(15, 30) == [1, None, 13, 14, 15, 16, 17, None, 30]
    assert page_window(4, 30) == [1, 2, 3, 4, 5, 6, None, 30]
    assert page_window(30, 30) == [1, None, 28, 29, 30]


def test_every_region_value_has_a_listing_and_empty_ones_say_so(tmp_path: Path) -> None:
    pages = render(full_entry(tmp_path))
    expected = {
        "index.md",
        "usaha/telaga-batik.md",
        "sektor/index.md",
        "sektor/kuliner.md",
        "sektor/fesyen.md",
        "sektor/kesehatan-kecantikan.md",
        "kecamatan/index.md",
        "kecamatan/cibitung.md",
        "kecamatan/setu.md",
        "kecamatan/cikarang-pusat.md",
        "sertifikasi/index.md",
        "sertifikasi/halal.md",
        "sertifikasi/pirt.md",
    }
    assert set(pages) == expected
    assert "Belum ada usaha terdaftar" in pages["kecamatan/setu.md"].html
    assert "Belum ada usaha terdaftar" not in pages["kecamatan/cibitung.md"].html
    assert "Kesehatan &amp; Kecantikan" in pages["sektor/index.md"].html


def test_certification_listing_counts_valid_certificates_only(tmp_path: Path) -> None:
    pages = render(full_entry(tmp_path))  # halal expiring soon (valid), P-IRT expired
    assert "usaha/telaga-batik/" in pages["sertifikasi/halal.md"].html
    assert "Belum ada usaha terdaftar" in pages["sertifikasi/pirt.md"].html


def test_cards_show_valid_badges_and_price_range(tmp_path: Path) -> None:
    entry = full_entry(tmp_path, produk=(Product("A", 15000), Product("B", 385000), Product("C")))
    html = render(entry)["sektor/fesyen.md"].html
    assert "Rp15.000 – Rp385.000" in html
    badges = Parsed(html).with_class("li", "umkm-badge")
    assert [b["class"] for b in badges] == ["umkm-badge umkm-badge--pengadaan", "umkm-badge umkm-badge--segera-kedaluwarsa"]
    assert "P-IRT" not in html  # expired: not shown on cards


def test_home_page_shows_products_first(tmp_path: Path) -> None:
    products = (Product("Keripik Balado", 18000, "bungkus", foto=("foto/k.jpg",)), Product("Rempeyek", 15000))
    entries = [*many(tmp_path, 14, produk=products), full_entry(tmp_path)]
    entries[3] = replace(entries[3], diperbarui=date(2026, 9, 30))
    entries[5] = replace(entries[5], produk=(Product("Tanpa Foto", 5000),))
    photos = photos_for(*entries)
    home = render(*entries, photos=photos)["index.md"]
    assert home.title == SITE_NAME
    parsed = Parsed(home.html)
    stats = "".join(parsed.text)
    assert "15" in stats and "usaha bersertifikat" in stats
    # Before any list of businesses: product cards with photo, name and price, linking to the product.
    assert home.html.index("umkm-pcard") < home.html.index("jelajah-sektor")
    newest = parsed.with_class("a", "umkm-pcard__link")[:6]
    assert newest[0]["href"] == "usaha/usaha-003/#produk-1"  # the most recently updated business first
    assert "usaha/usaha-005/#produk-1" not in [a["href"] for a in newest]  # products with a photo first
    certified = [a["href"] for a in parsed.with_class("a", "umkm-pcard__link")[6:]]
    assert certified == ["usaha/telaga-batik/#produk-2"]  # a certified business's product not shown above
    assert len({a["href"].split("#")[0] for a in newest}) == 6  # one product a business
    images = parsed.find("img")
    assert "loading" not in images[0] and all(img.get("loading") == "lazy" for img in images[1:])  # the first photo is the LCP
    assert "Rp18.000" in home.html
    assert 'href="sektor/kuliner/">Kuliner <span class="umkm-count">14</span>' in home.html
    assert 'href="kecamatan/setu/">Setu <span class="umkm-count">0</span>' in home.html


def test_output_is_deterministic(tmp_path: Path) -> None:
    entries = [*many(tmp_path, 60, sertifikasi=(Certificate("halal", "ID1", TODAY + timedelta(days=300)),)), full_entry(tmp_path)]
    first = render(*entries)
    shuffled = entries[:]
    random.Random(7).shuffle(shuffled)
    second = render(*shuffled)
    assert list(first) == sorted(first)
    assert first == second


@pytest.mark.parametrize("amount", [0, 5, 999, 1000, 15000, 385000, 1250000, 2500000000])
def test_rupiah_matches_babel(amount: int) -> None:
    from babel.numbers import format_currency

    from generator.core.formatting import format_rupiah

    babel = format_currency(amount, "IDR", locale="id_ID", format="¤#,##0", currency_digits=False)
    assert format_rupiah(amount) == babel.replace("\u00a0", "").replace("\u202f", "")


def test_a_story_markdown_cannot_render_falls_back_to_plain_text() -> None:
    from generator.outputs.story import render_story

    html = render_story("1. " * 3000 + "<script>x</script>")
    assert html.startswith("<p>1. 1. ") and "<script>" not in html and "&lt;script&gt;" in html
    assert render_story("masih **berfungsi**") == "<p>masih <strong>berfungsi</strong></p>"


def test_each_product_can_be_asked_about_on_whatsapp_with_its_name_and_price(tmp_path: Path) -> None:
    html = render(full_entry(tmp_path))["usaha/telaga-batik.md"].html
    asks = [a for a in links(html) if (a.get("href") or "").startswith("https://wa.me/6281219345521?text=")]
    messages = [unquote((a["href"] or "").split("?text=", 1)[1]) for a in asks]
    assert messages[0] == f"Halo Telaga Batik, saya melihat usaha Anda di {SITE_NAME}. Saya ingin bertanya tentang produk Anda. Terima kasih."
    assert messages[1:] == [
        f"Halo Telaga Batik, saya melihat Batik Tulis Tanjung Pura (Rp385.000 / lembar) di {SITE_NAME}. Apakah masih tersedia? Terima kasih.",
        f"Halo Telaga Batik, saya melihat Batik Cap di {SITE_NAME}. Apakah masih tersedia? Terima kasih.",
    ]
    assert "Tanya di WhatsApp" in html
    # The business's own WhatsApp button comes before its products, next to its name.
    assert html.index("Hubungi via WhatsApp") < html.index('id="produk"')
    no_whatsapp = render(full_entry(tmp_path, kontak=Contact(email="a@example.id")))["usaha/telaga-batik.md"].html
    assert "Tanya di WhatsApp" not in no_whatsapp


def test_every_business_links_to_a_map_app_and_never_embeds_a_map(tmp_path: Path) -> None:
    html = render(full_entry(tmp_path))["usaha/telaga-batik.md"].html
    hrefs = [a["href"] for a in links(html)]
    place = "Kp. Telaga RT 02/05, Wanasari, Kecamatan Cibitung, Kabupaten Bekasi, Jawa Barat"
    assert f"geo:0,0?q={quote(place, safe='')}" in hrefs  # the phone's map app searches the address
    assert "https://www.openstreetmap.org/search?query=" + quote_plus(place) in hrefs
    located = render(full_entry(tmp_path, lokasi=Location(-6.2712, 107.0851)))["usaha/telaga-batik.md"].html
    hrefs = [a["href"] for a in links(located)]
    assert "geo:-6.2712,107.0851?q=-6.2712,107.0851(Telaga%20Batik)" in hrefs
    assert "https://www.openstreetmap.org/?mlat=-6.2712&mlon=107.0851#map=17/-6.2712/107.0851" in hrefs
    assert "<iframe" not in located and "<script" not in located


def test_a_business_nobody_can_reach_is_marked_in_listings(tmp_path: Path) -> None:
    silent = page_entry(tmp_path, "sunyi", nama="Usaha Sunyi", sektor="fesyen")
    pages = render(full_entry(tmp_path), silent)
    listing = pages["sektor/fesyen.md"].html
    cards = listing.split('<li class="umkm-card">')[1:]
    marked = {card.split('href="')[1].split('"')[0]: "Belum ada kontak atau toko daring" in card for card in cards}
    assert marked == {"../../usaha/sunyi/": True, "../../usaha/telaga-batik/": False}
    assert "belum mencantumkan kontak atau toko daring" in pages["usaha/sunyi.md"].html
    reachable = render(page_entry(tmp_path, "toko", toko_online=(ShopLink("tokopedia", "https://www.tokopedia.com/x"),)))
    assert "Belum ada kontak" not in reachable["sektor/fesyen.md"].html  # a shop is a way to buy


def test_an_empty_kecamatan_leads_onward(tmp_path: Path) -> None:
    region = page_region()
    bordering = replace(region, kecamatan=tuple(replace(k, tetangga=("Cikarang Pusat",)) if k.nama == "Setu" else k for k in region.kecamatan))
    entries = [full_entry(tmp_path), page_entry(tmp_path, "pusat", nama="Usaha Pusat", kecamatan="Cikarang Pusat")]
    pages = {p.src_uri: p for p in render_pages(enrich(*entries, region=bordering), bordering, {}, today=TODAY, site_name=SITE_NAME)}
    setu = Parsed(pages["kecamatan/setu.md"].html)
    chips = [a["href"] for a in setu.with_class("a", "umkm-chip")]
    assert chips == ["../cikarang-pusat/", "../cibitung/"]  # the bordering one first, then the others with businesses
    assert "(berbatasan)" in pages["kecamatan/setu.md"].html
    hrefs = [a["href"] for a in links(pages["kecamatan/setu.md"].html)]
    assert "../../cari/" in hrefs and "../../daftar/" in hrefs
