"""Search stage: records from the enriched catalog, the search page, and the Pagefind index a build writes."""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import cbor2
import pytest

from generator.builder.pipeline import Settings, check_catalog, enrich_businesses
from generator.core.business import Business
from generator.core.models import Region
from generator.core.problems import errors_in
from generator.outputs.pagefind import record_html
from generator.outputs.search import PRICE_BANDS, SearchRecord, Spelling, filter_groups, search_records
from tests.conftest import TODAY, MakeEntry, build, read

KERIPIK = {
    "nama": "Keripik Sari Rasa",
    "kecamatan": "Setu",
    "nib": "9120301745821",
    "kapasitas": "500 bungkus per hari",
    "diperbarui": "2026-10-02",
    "toko_online": [
        {"platform": "shopee", "url": "https://shopee.co.id/sarirasa"},
        {"platform": "tokopedia", "url": "https://www.tokopedia.com/sarirasa"},
    ],
    "sertifikasi": [
        {"jenis": "halal", "nomor": "ID32110000145680324"},
        {"jenis": "pirt", "nomor": "2063216010123-24"},  # P-IRT expired in 2024: never a filter value
    ],
    "produk": [
        {
            "nama": "Keripik Singkong Balado",
            "harga": "18000",
            "satuan": "bungkus",
            "deskripsi": "Pedas manis.",
            "foto": ["foto/balado.jpg"],
        },
        {"nama": "Rempeyek Kacang", "harga": "150000", "satuan": "kaleng"},
        {"nama": "Keripik Pesanan"},
    ],
    "foto": ["foto/sampul.jpg"],
}
BATIK = {
    "nama": "Telaga Batik",
    "sektor": "fesyen",
    "kecamatan": "Cibitung",
    "ringkasan": "Batik tulis khas Bekasi.",
    "produk": [{"nama": "Batik Tulis Tanjung Pura", "harga": "385000"}],
}
PHOTOS = {"foto/sampul.jpg": (900, 600), "foto/balado.jpg": (800, 800)}


def enriched(project: Path) -> tuple[list[Business], Region]:
    settings = Settings(catalog_dir=project / "catalog", region_file=project / "wilayah.yml", cache_dir=project / ".cache", today=TODAY)
    catalog, problems = check_catalog(settings, photos=False)
    assert catalog is not None and not errors_in(problems), problems
    return enrich_businesses(settings, catalog), catalog.region


def record_named(records: list[SearchRecord], title: str) -> SearchRecord:
    return next(r for r in records if r.title == title)


def unpack(path: Path) -> Any:
    """A Pagefind index file: gzip, a signature, then JSON (fragments) or CBOR (everything else)."""
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(b"pagefind_dcd")
    body = raw[len(b"pagefind_dcd") :]
    return json.loads(body) if path.suffix == ".pf_fragment" else cbor2.loads(body)


# --- records -----------------------------------------------------------------------------------


def test_a_record_holds_its_products_as_anchored_sections(project: Path, make_entry: MakeEntry) -> None:
    make_entry("keripik-sari-rasa", KERIPIK, photos=PHOTOS)
    make_entry("telaga-batik", BATIK)
    businesses, _ = enriched(project)
    records = search_records(businesses, {})
    assert [r.title for r in records] == ["Keripik Sari Rasa", "Telaga Batik"]  # name order: a browse without a query
    record = record_named(records, "Keripik Sari Rasa")
    assert record.url == "usaha/keripik-sari-rasa/"
    assert [(s.anchor, s.title, s.price) for s in record.sections] == [
        ("produk-1", "Keripik Singkong Balado", "Rp18.000 / bungkus"),
        ("produk-2", "Rempeyek Kacang", "Rp150.000 / kaleng"),
        ("produk-3", "Keripik Pesanan", ""),
    ]
    meta = dict(record.meta)
    # name, price as shown, price in rupiah (the order of "Harga terendah"), thumbnail (none processed here)
    assert json.loads(meta["produk"])["produk-1"] == ["Keripik Singkong Balado", "Rp18.000 / bungkus", 18000, ""]
    assert json.loads(meta["produk"])["produk-3"] == ["Keripik Pesanan", "", None, ""]
    assert meta["harga"] == "Rp18.000 – Rp150.000"
    assert meta["kecamatan"] == "Setu" and meta["sektor"] == "Kuliner"


def test_filters_count_only_valid_certificates_and_priced_products(project: Path, make_entry: MakeEntry) -> None:
    make_entry("keripik-sari-rasa", KERIPIK, photos=PHOTOS)
    businesses, _ = enriched(project)
    record = search_records(businesses, {})[0]
    filters = dict(record.filters)
    assert filters["sertifikasi"] == ("halal",)  # the expired P-IRT is left out
    assert dict(record.meta)["sertifikat"] == "Halal tanpa batas waktu"  # its term on the badge
    assert filters["platform"] == ("shopee", "tokopedia")
    assert filters["sektor"] == ("kuliner",) and filters["kecamatan"] == ("Setu",)
    assert filters["harga"] == ("0-25000", "100000-500000")  # the product without a price is in no band
    assert filters["pengadaan"] == ("ya",)  # NIB, a valid certificate, prices and a capacity


def test_each_kind_decides_whether_an_undated_certificate_counts(project: Path, make_entry: MakeEntry) -> None:
    certificates = [
        {"jenis": "halal", "nomor": "ID32110000145680324"},  # halal: no end date, valid
        {"jenis": "bpom", "nomor": "MD 224510001234"},  # BPOM ends on a date it does not give: not valid
        {"jenis": "pirt", "nomor": "2063216010123-27"},  # P-IRT: its year from the number
    ]
    make_entry("keripik-sari-rasa", {**KERIPIK, "sertifikasi": certificates}, photos=PHOTOS)
    record = search_records(enriched(project)[0], {})[0]
    assert dict(record.filters)["sertifikasi"] == ("halal", "pirt")
    assert dict(record.meta)["sertifikat"] == "Halal tanpa batas waktu · P-IRT s.d. 2027"
    site = build(project)
    assert site.returncode == 0, site.stderr
    page = read(project / "site", "usaha/keripik-sari-rasa/index.html")
    assert "Tanggal berlaku tidak dicantumkan" in page and "Berlaku tanpa batas waktu" in page
    assert "keripik-sari-rasa" not in read(project / "site", "sertifikasi/bpom/index.html")
    assert "keripik-sari-rasa" in read(project / "site", "sertifikasi/halal/index.html")


def test_a_business_without_certificate_is_not_procurement_ready(project: Path, make_entry: MakeEntry) -> None:
    make_entry("telaga-batik", BATIK)
    record = search_records(enriched(project)[0], {})[0]
    filters = dict(record.filters)
    assert "pengadaan" not in filters and "sertifikasi" not in filters and "platform" not in filters
    assert "pengadaan" not in dict(record.meta)


def test_sort_values_order_as_text_and_put_unpriced_last(project: Path, make_entry: MakeEntry) -> None:
    make_entry("keripik-sari-rasa", KERIPIK, photos=PHOTOS)
    make_entry("telaga-batik", BATIK)
    make_entry("tanpa-harga", {"nama": "Jasa Jahit", "sektor": "jasa", "produk": [{"nama": "Jahit Seragam"}]})
    records = search_records(enriched(project)[0], {})
    sort = {r.title: dict(r.sort) for r in records}
    assert sort["Keripik Sari Rasa"]["harga"] == "000000018000"
    assert sort["Keripik Sari Rasa"]["diperbarui"] == "2026-10-02"
    assert sort["Jasa Jahit"]["diperbarui"] == "0000-00-00"  # last when newest come first
    cheapest_first = sorted(records, key=lambda r: dict(r.sort)["harga"])
    assert [r.title for r in cheapest_first] == ["Keripik Sari Rasa", "Telaga Batik", "Jasa Jahit"]


def test_spelling_variants_are_indexed_as_the_standard_word(project: Path, make_entry: MakeEntry) -> None:
    make_entry(
        "kripik-mak-enok",
        {
            "nama": "Kripik Mak Enok",
            "ringkasan": "KRIPIK dan sambel &amp; krupuk khas Setu.",
            "produk": [{"nama": "Kripik Tempe", "deskripsi": "Renyah, pakai sambel."}],
        },
        body="Kripiknya dibuat sendiri. Sambel terasi.\n",
    )
    businesses, region = enriched(project)
    spelling = Spelling.of(region)
    record = search_records(businesses, {}, spelling)[0]
    assert record.title == "Keripik Mak Enok"
    assert record.summary == "KERIPIK dan sambal &amp; kerupuk khas Setu."  # capitals kept, entities untouched
    assert (record.sections[0].title, record.sections[0].text) == ("Keripik Tempe", "Renyah, pakai sambal.")
    assert "Sambal terasi" in record.story and "Kripiknya" in record.story  # whole words only
    meta = dict(record.meta)
    assert meta["title"] == "Kripik Mak Enok"  # what a result shows is what the owner wrote
    assert json.loads(meta["produk"])["produk-1"][0] == "Kripik Tempe"
    assert json.loads(spelling.client_json())["kripik"] == "keripik"
    assert search_records(businesses, {})[0].title == "Kripik Mak Enok"  # no spelling data: text as written


def test_record_html_escapes_every_value(project: Path, make_entry: MakeEntry) -> None:
    make_entry("jahat", {"nama": "Warung <script>alert(1)</script>", "ringkasan": 'Enak "sekali" <img src=x onerror=alert(1)>'})
    page = record_html(search_records(enriched(project)[0], {})[0])
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert page.startswith('<!doctype html><html lang="id">')
    assert "data-pagefind-body" in page


def test_price_bands_cover_every_price_once() -> None:
    for price in (0, 1, 24_999, 25_000, 99_999, 100_000, 499_999, 500_000, 10**9):
        assert sum(band.holds(price) for band in PRICE_BANDS) == 1, price


def test_filter_groups_offer_only_values_some_business_has(project: Path, make_entry: MakeEntry) -> None:
    make_entry("keripik-sari-rasa", KERIPIK, photos=PHOTOS)
    make_entry("telaga-batik", BATIK)
    businesses, region = enriched(project)
    groups = {g.key: [(o.value, o.label) for o in g.options] for g in filter_groups(region, businesses)}
    assert groups["sektor"] == [("kuliner", "Kuliner"), ("fesyen", "Fesyen")]  # the region's order
    assert groups["kecamatan"] == [("Cibitung", "Cibitung"), ("Setu", "Setu")]
    assert groups["sertifikasi"] == [("halal", "Halal")]
    assert groups["pengadaan"] == [("ya", "Siap pengadaan")]
    assert [value for value, _ in groups["harga"]] == ["0-25000", "100000-500000"]


# --- a real build ------------------------------------------------------------------------------


@pytest.fixture
def site(project: Path, make_entry: MakeEntry) -> Path:
    make_entry("keripik-sari-rasa", KERIPIK, photos=PHOTOS)
    make_entry("telaga-batik", BATIK)
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_build_writes_a_pagefind_index_of_the_catalog(site: Path) -> None:
    bundle = site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "wasm.id.pagefind").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["id"]  # one index, stemmed as Indonesian
    assert entry["languages"]["id"]["page_count"] == 2  # the businesses, nothing else of the site
    assert not (bundle / "pagefind-ui.js").exists()  # our own script is the UI
    assert not (site / "search" / "search_index.json").exists()  # Material's search plugin stays off
    fragments = {f["url"]: f for f in map(unpack, (bundle / "fragment").iterdir())}
    assert set(fragments) == {"/usaha/keripik-sari-rasa/", "/usaha/telaga-batik/"}
    keripik = fragments["/usaha/keripik-sari-rasa/"]
    assert [(a["id"], a["text"]) for a in keripik["anchors"]] == [
        ("produk-1", "Keripik Singkong Balado"),
        ("produk-2", "Rempeyek Kacang"),
        ("produk-3", "Keripik Pesanan"),
    ]
    assert keripik["filters"] == {}  # filters and sort orders are the record files' (below), not Pagefind's
    assert re.fullmatch(r"foto/keripik-sari-rasa/sampul-[0-9a-f]+-thumb-320w\.webp", keripik["meta"]["image"])
    assert (site / keripik["meta"]["image"]).is_file()
    assert json.loads(keripik["meta"]["produk"])["produk-1"][3].startswith("foto/keripik-sari-rasa/balado-")
    meta = unpack(next(bundle.glob("pagefind.id_*.pf_meta")))
    assert meta[3] == [] and meta[4] == []  # no filter index, no sort order fetched before the first result
    # The record files, by the record number in each fragment's name (stamp + base 36).
    numbers = {unpack(path)["url"]: int(path.stem[4:], 36) for path in (bundle / "fragment").iterdir()}
    assert sorted(numbers.values()) == [0, 1]
    keripik_n, batik_n = numbers["/usaha/keripik-sari-rasa/"], numbers["/usaha/telaga-batik/"]
    columns = json.loads((bundle / "umkm" / "saring.json").read_text())
    assert columns["count"] == 2 and all(path.stem.startswith(columns["stamp"]) for path in (bundle / "fragment").iterdir())

    def values_of(group: str, n: int) -> list[str]:
        column = columns["columns"][group]
        assert column["width"] == 1
        code = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_".index(column["codes"][n])
        if column["multi"]:
            return [v for i, v in enumerate(column["values"]) if code >> i & 1]
        return [column["values"][code - 1]] if code else []

    assert sorted(columns["columns"]) == ["harga", "kecamatan", "pengadaan", "platform", "sektor", "sertifikasi"]
    assert columns["columns"]["kecamatan"]["values"] == ["Cibitung", "Setu"]
    assert values_of("kecamatan", keripik_n) == ["Setu"] and values_of("kecamatan", batik_n) == ["Cibitung"]
    assert values_of("sertifikasi", keripik_n) == ["halal"] and values_of("sertifikasi", batik_n) == []
    assert values_of("harga", keripik_n) == ["0-25000", "100000-500000"]  # several values: one bit each
    assert values_of("platform", keripik_n) == ["shopee", "tokopedia"]
    ranks = {key: json.loads((bundle / "umkm" / f"urut-{key}.json").read_text())["codes"] for key in ("harga", "diperbarui")}
    assert ranks["harga"][keripik_n] < ranks["harga"][batik_n]  # Rp18.000 before Rp150.000
    assert ranks["diperbarui"][keripik_n] > ranks["diperbarui"][batik_n]  # dated after undated: last when the newest come first


def test_search_page_and_the_header_search_box(site: Path) -> None:
    page = read(site, "cari/index.html")
    assert "<title>Cari Produk" in page
    assert re.search(r'<form class="umkm-cari__form" role="search"[^>]* action="\./" method="get"', page)
    assert '<script type="module" src="../assets/cari.js"></script>' in page
    assert 'data-root="../"' in page
    assert re.search(r'<input type="checkbox" name="kecamatan" value="Setu">', page)
    assert "<noscript>" in page and "Pencarian kata memerlukan JavaScript" in page and 'href="../sektor/"' in page
    assert '<p class="umkm-cari__status" role="status" aria-live="polite" data-cari-status>Memuat pencarian…</p>' in page
    spelling = json.loads(html.unescape(re.search(r'data-ejaan="([^"]*)"', page).group(1)))
    assert spelling["kripik"] == "keripik" and spelling["sambel"] == "sambal"
    assert "umkm-searchbar" not in page  # the page's own form replaces the header box
    home = read(site, "index.html")
    assert re.search(r'<form class="umkm-searchbar__form[^"]*" role="search"[^>]* action="cari/" method="get">', home)
    business = read(site, "usaha/telaga-batik/index.html")
    assert 'action="../../cari/"' in business
    # Our script is a file, loaded by the search page alone.
    with_script = sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "cari.js" in p.read_text(encoding="utf-8"))
    assert with_script == ["cari/index.html"]


def test_plain_mkdocs_build_is_searchable_too(project: Path, make_entry: MakeEntry) -> None:
    make_entry("telaga-batik", BATIK)
    env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat()}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Indeks pencarian: 1 usaha" in result.stderr
    assert json.loads((project / "site" / "pagefind" / "pagefind-entry.json").read_text())["languages"]["id"]["page_count"] == 1


def test_record_pages_kept_between_builds_are_rewritten_only_when_changed(tmp_path: Path) -> None:
    from generator.outputs.pagefind import IndexedPage, _sync_record_pages

    pages = tmp_path / "cari"
    _sync_record_pages([IndexedPage("usaha/a/", "<p>a</p>"), IndexedPage("usaha/b/", "<p>b</p>")], pages)
    kept = pages / "usaha" / "a" / "index.html"
    os.utime(kept, ns=(1, 1))  # would change if the file were written again
    _sync_record_pages([IndexedPage("usaha/a/", "<p>a</p>"), IndexedPage("usaha/c/", "<p>c</p>")], pages)
    assert kept.stat().st_mtime_ns == 1
    assert sorted(p.relative_to(pages).as_posix() for p in pages.rglob("*.html")) == ["usaha/a/index.html", "usaha/c/index.html"]
    _sync_record_pages([IndexedPage("usaha/a/", "<p>baru</p>")], pages)
    assert kept.read_text() == "<p>baru</p>"


def test_an_unchanged_index_is_kept_and_a_changed_or_damaged_one_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.outputs import pagefind
    from generator.outputs.pagefind import IndexedPage, index_site

    runs: list[int] = []
    original = pagefind._write_index
    monkeypatch.setattr(
        pagefind, "_write_index", lambda records, output, work_dir=None: (runs.append(1), original(records, output, work_dir))
    )
    site, work = tmp_path / "site", tmp_path / "cache" / "cari"
    page = (
        '<!doctype html><html lang="id"><head><title>A</title></head><body><main data-pagefind-body><h1>Keripik</h1></main></body></html>'
    )
    records = [IndexedPage("usaha/a/", page)]
    first = index_site(site, records, work_dir=work)
    index_site(site, records, work_dir=work)
    assert len(runs) == 1 and first.files > 0  # the same records: the bundle is kept
    index_site(site, [IndexedPage("usaha/a/", page.replace("Keripik", "Sambal"))], work_dir=work)
    assert len(runs) == 2
    next(p for p in (site / "pagefind").rglob("*") if p.is_file()).unlink()  # a bundle no longer whole
    index_site(site, [IndexedPage("usaha/a/", page.replace("Keripik", "Sambal"))], work_dir=work)
    assert len(runs) == 3 and (site / "pagefind" / "pagefind-entry.json").is_file()
