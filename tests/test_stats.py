"""The Statistik page: counted numbers, chart geometry, and a real build whose charts and tables agree."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.core.models import Certificate, Contact, Product, Region, ShopLink
from generator.core.quality import DEFAULT_RULES
from generator.outputs.stats import CHART_WIDTH, VALUE_SPACE, bar_chart, compute_statistics, percent
from tests.conftest import MakeEntry, build, enrich, entry_record, read, sample_region


@pytest.fixture(scope="module")
def region() -> Region:
    return sample_region()


def test_counts_per_sector_kecamatan_kind_and_platform(region: Region) -> None:
    businesses = enrich(
        region,
        entry_record("a"),  # kuliner, Cibitung, halal, PaDi: ready
        entry_record("b", sertifikasi=(Certificate("pirt", "2063216010123-24", date(2024, 12, 31)),), toko_online=()),
        entry_record(
            "c",
            sektor="fesyen",
            kecamatan="Setu",
            sertifikasi=(Certificate("haki", "IDM1", None),),
            toko_online=(ShopLink("shopee", "https://shopee.co.id/c"),),
        ),
        entry_record("d", sektor="pertanian", kecamatan="Setu", sertifikasi=(Certificate("haki", "IDM2", None),), kontak=Contact()),
    )
    stats = compute_statistics(businesses, region, DEFAULT_RULES.readiness)
    assert (stats.total, stats.certified, stats.online, stats.ready) == (4, 3, 3, 1)
    sectors = {s.sector.key: (s.businesses, s.certified, s.ready, s.coverage) for s in stats.sectors}
    assert sectors["kuliner"] == (2, 1, 1, 50)
    assert sectors["fesyen"] == (1, 1, 0, 100)
    assert sectors["pertanian"] == (1, 1, 0, 100)
    assert sectors["jasa"] == (0, 0, 0, None)
    assert len(stats.sectors) == len(region.sectors)
    halal = [k.key for k in stats.cert_kinds].index("halal")
    haki = [k.key for k in stats.cert_kinds].index("haki")
    kuliner = next(s for s in stats.sectors if s.sector.key == "kuliner")
    assert (kuliner.by_kind[halal], kuliner.by_kind[haki]) == (1, 0)
    kecamatan = {k.kecamatan.nama: (k.businesses, k.food, k.food_certified, k.ready) for k in stats.kecamatan}
    assert kecamatan["Cibitung"] == (2, 2, 1, 1)
    assert kecamatan["Setu"] == (2, 1, 0, 0)  # HAKI does not make a food producer certified
    assert kecamatan["Babelan"] == (0, 0, 0, 0)
    assert len(stats.kecamatan) == 23
    platforms = {p.platform.key: p.businesses for p in stats.platforms}
    assert (platforms["padi-umkm"], platforms["shopee"], platforms["tokopedia"]) == (2, 1, 0)
    assert {r.key: r.met for r in stats.requirements} == {"nib": 4, "sertifikat": 2, "harga": 4, "saluran": 2}


@pytest.mark.parametrize(
    ("part", "whole", "expected"), [(1, 2, 50), (1, 8, 13), (1, 3, 33), (2, 3, 67), (0, 5, 0), (5, 5, 100), (0, 0, None)]
)
def test_percent_rounds_half_up(part: int, whole: int, expected: int | None) -> None:
    assert percent(part, whole) == expected


def test_bar_chart_geometry() -> None:
    chart = bar_chart("g", "Judul", [("A", 40, "40"), ("B", 1, "1"), ("C", 0, "0"), ("D", 20, "20")])
    full = CHART_WIDTH - VALUE_SPACE
    assert [bar.width for bar in chart.bars] == [full, 7.6, 0, full / 2]
    assert chart.bars[1].width >= 2  # a count of one stays visible
    assert [bar.label_y for bar in chart.bars] == sorted(bar.label_y for bar in chart.bars)
    assert chart.height >= chart.bars[-1].value_y
    tiny = bar_chart("g", "Judul", [("A", 1000, "1.000"), ("B", 1, "1")])
    assert tiny.bars[1].width == 2.0
    percent_chart = bar_chart("g", "Judul", [("A", 50, "50%")], scale=100, track=True)
    assert percent_chart.bars[0].width == full / 2 and percent_chart.track_width == full
    assert bar_chart("g", "Judul", []).bars == ()


class _Page(HTMLParser):
    """Tables (caption id -> rows of cell texts) and charts (title id -> (label, value) per bar)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, list[tuple[str, str]]] = {}
        self.svg_attrs: list[dict[str, str | None]] = []
        self._table: list[list[str]] | None = None
        self._chart: list[tuple[str, str]] | None = None
        self._cell: list[str] | None = None
        self._text_class = ""
        self._capture = ""  # "caption", "title" or ""
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = []
        elif tag == "caption" and self._table is not None:
            self.tables[str(a["id"])] = self._table
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "svg" and a.get("class") == "umkm-chart__svg":
            self.svg_attrs.append(a)
            self._chart = []
        elif tag == "title" and self._chart is not None:
            self.charts[str(a["id"])] = self._chart
            self._capture = "title"
        elif tag == "text" and self._chart is not None:
            self._text_class = a.get("class") or ""
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "svg":
            self._chart = None
        elif tag == "title":
            self._capture = ""
        elif tag == "text" and self._cell is not None and self._chart is not None:
            text = "".join(self._cell)
            if "label" in self._text_class:
                self._label = text
            else:
                self._chart.append((self._label, text))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_statistik_page_numbers_equal_the_counted_entries(project: Path, make_entry: MakeEntry) -> None:
    ready = {
        "nib": "9120301745821",
        "produk": [{"nama": "Produk", "harga": "15000"}],
        "toko_online": [{"platform": "padi-umkm", "url": "https://padiumkm.id/toko"}],
    }
    make_entry("a", {**ready, "sertifikasi": [{"jenis": "halal", "nomor": "ID32110000145680323"}]})
    make_entry(
        "b",
        {
            "sertifikasi": [{"jenis": "pirt", "nomor": "2063216010123-24"}],
            "toko_online": [{"platform": "tokopedia", "url": "https://www.tokopedia.com/b"}],
        },
    )
    make_entry(
        "c",
        {
            **ready,
            "nib": "9120301745822",  # one NIB per business
            "sektor": "fesyen",
            "kecamatan": "Karang Bahagia",
            "sertifikasi": [{"jenis": "haki", "nomor": "IDM000123456"}],
            "toko_online": [
                {"platform": "shopee", "url": "https://shopee.co.id/c"},
                {"platform": "tokopedia", "url": "https://www.tokopedia.com/c"},
            ],
            "kapasitas": "300 potong per bulan",
        },
    )
    make_entry("d", {"sektor": "kriya", "kecamatan": "Setu"})
    result = build(project)
    assert result.returncode == 0, result.stderr
    html = read(project / "site", "statistik/index.html")
    page = _Page()
    page.feed(html)

    def rows(table: str) -> dict[str, list[str]]:
        return {row[0]: row[1:] for row in page.tables[table][1:]}  # without the header row

    # Counted by hand from the four entries above.
    sectors = rows("tabel-sektor")
    assert (sectors["Kuliner"], sectors["Fesyen"], sectors["Kriya"], sectors["Jasa"]) == (["2", "1"], ["1", "1"], ["1", "0"], ["0", "0"])
    assert sectors["Jumlah"] == ["4", "2"]
    kecamatan = rows("tabel-kecamatan")
    assert kecamatan["Cibitung"] == ["2", "2", "1", "1"]
    assert kecamatan["Karangbahagia"] == ["1", "0", "0", "1"]
    assert kecamatan["Setu"] == ["1", "0", "0", "0"]
    assert sum(int(v[0]) for v in kecamatan.values()) == 4 and len(kecamatan) == 23
    coverage = rows("tabel-sertifikasi")
    assert coverage["Kuliner"][:3] == ["2", "1", "50%"] and coverage["Fesyen"][:3] == ["1", "1", "100%"]
    assert coverage["Kriya"][:3] == ["1", "0", "0%"] and coverage["Jasa"][:3] == ["0", "0", "–"]
    shops = rows("tabel-toko")
    assert (shops["Tokopedia"], shops["Shopee"], shops["PaDi UMKM (kanal pengadaan)"]) == (["2"], ["1"], ["1"])
    assert (shops["Punya minimal satu toko online"], shops["Belum punya toko online"]) == (["3"], ["1"])
    readiness = rows("tabel-pengadaan")
    assert readiness == {
        "NIB": ["2"],
        "Sertifikat yang berlaku": ["2"],
        "Harga produk": ["2"],
        "Kanal pengadaan atau kapasitas produksi": ["2"],
        "Memenuhi semua syarat (siap pengadaan)": ["2"],
    }

    # Every chart shows exactly its table's numbers.
    def chart_of(table: str, column: int = 0, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        return [(label.split(" (kanal")[0], values[column]) for label, values in rows(table).items() if label not in skip]

    assert page.charts["grafik-sektor"] == chart_of("tabel-sektor", skip=("Jumlah",))
    assert page.charts["grafik-kecamatan"] == chart_of("tabel-kecamatan")
    assert page.charts["grafik-sertifikasi"] == chart_of("tabel-sertifikasi", column=2)
    assert page.charts["grafik-toko"] == chart_of("tabel-toko", skip=("Punya minimal satu toko online", "Belum punya toko online"))
    assert page.charts["grafik-pengadaan"][-1] == ("Memenuhi semua syarat", "2")
    assert page.charts["grafik-pengadaan"][:-1] == chart_of("tabel-pengadaan", skip=("Memenuhi semua syarat (siap pengadaan)",))
    assert len(page.svg_attrs) == 5 and all(a["role"] == "img" and a["aria-labelledby"] for a in page.svg_attrs)
    assert "<script" not in html.split('<div class="umkm-statistik">')[1].split("</article>")[0]
    assert 'href="../sektor/kuliner/"' in html and 'href="../kecamatan/cibitung/"' in html
    assert 'href="statistik/"' in read(project / "site", "index.html")  # in the navigation


def test_statistik_escapes_region_labels(region: Region) -> None:
    from dataclasses import replace

    from generator.outputs.stats import render_statistics_page

    evil = replace(region, sectors=(replace(region.sectors[0], label="Kuliner <script>alert(1)</script>"), *region.sectors[1:]))
    page = render_statistics_page(
        enrich(evil, entry_record("a", produk=(Product("X", 1),))),
        evil,
        rule=DEFAULT_RULES.readiness,
        today=date(2026, 11, 28),
        site_name="K",
    )
    assert "<script>" not in page.html and "Kuliner &lt;script&gt;" in page.html
