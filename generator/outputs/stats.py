"""The public "Statistik" page: numbers counted from the catalog, drawn as inline SVG bar charts.

The numbers are counted here, once, from the enriched businesses; the chart geometry is
computed here too, so the templates only place values. Every chart is followed by a table with
the same numbers (the chart is a picture of the table, never the only copy), and no chart
library or download is involved.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.core.business import Business, RegionLookup
from generator.core.formatting import format_angka
from generator.core.models import CertKind, Kecamatan, Platform, Region, Sector
from generator.core.quality import REQUIREMENT_LABELS, ReadinessRule, describe_rule
from generator.outputs.generated import TEMPLATES_DIR, Crumb, GeneratedPage, listing_uri, make_environment, url_to

STATISTIK_URI = "statistik/index.md"

# Chart layout in SVG user units. The viewBox is as wide as a small phone, so on a 360 px
# screen the text is drawn at about its nominal size; wider screens scale it up to a cap (umkm.css).
CHART_WIDTH = 360
ROW_HEIGHT = 42
LABEL_BASELINE = 15  # label text above its bar
BAR_TOP = 21
BAR_HEIGHT = 14
VALUE_SPACE = 56  # room right of the longest bar for its value
TOP_PADDING = 2


@dataclass(frozen=True)
class SectorStats:
    sector: Sector
    businesses: int
    certified: int  # with at least one valid certificate of any kind
    by_kind: tuple[int, ...]  # with a valid certificate of each kind, in the region's kind order
    ready: int

    @property
    def coverage(self) -> int | None:
        return percent(self.certified, self.businesses)

    @property
    def coverage_text(self) -> str:
        return format_percent(self.coverage)


@dataclass(frozen=True)
class KecamatanStats:
    kecamatan: Kecamatan
    businesses: int
    food: int  # in a food sector (`pangan: ya`)
    food_certified: int  # food businesses with a valid certificate that fits food (the readiness rule's kinds)
    ready: int


@dataclass(frozen=True)
class PlatformStats:
    platform: Platform
    businesses: int  # with at least one link to the platform


@dataclass(frozen=True)
class RequirementStats:
    key: str
    label: str
    met: int


@dataclass(frozen=True)
class Statistics:
    total: int
    certified: int
    online: int  # with at least one toko_online link
    ready: int
    cert_kinds: tuple[CertKind, ...]
    sectors: tuple[SectorStats, ...]
    kecamatan: tuple[KecamatanStats, ...]
    platforms: tuple[PlatformStats, ...]
    requirements: tuple[RequirementStats, ...]


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    label_y: int
    bar_y: int
    width: float  # bar length in user units
    value_x: float
    value_y: int


@dataclass(frozen=True)
class BarChart:
    id: str  # HTML id of the chart's title, unique on the page
    title: str  # also the accessible name (role="img" + <title>)
    width: int
    height: int
    bar_height: int
    track_width: float  # > 0: a faint full-scale track behind each bar (percentages)
    bars: tuple[Bar, ...]


def compute_statistics(businesses: Sequence[Business], region: Region, rule: ReadinessRule) -> Statistics:
    """Count businesses per sector, kecamatan, certification kind, platform and readiness requirement."""
    food_kinds = set(rule.food_certificates)
    kinds = region.cert_kinds
    by_sector = _group(businesses, lambda b: b.sector.key)
    by_kecamatan = _group(businesses, lambda b: b.kecamatan.slug)
    sectors = tuple(
        SectorStats(
            sector=s,
            businesses=len(by_sector[s.key]),
            certified=sum(bool(b.valid_cert_kinds) for b in by_sector[s.key]),
            by_kind=tuple(sum(k.key in b.valid_cert_kinds for b in by_sector[s.key]) for k in kinds),
            ready=sum(b.siap_pengadaan for b in by_sector[s.key]),
        )
        for s in region.sectors
    )
    kecamatan = tuple(
        KecamatanStats(
            kecamatan=k,
            businesses=len(by_kecamatan[k.slug]),
            food=sum(b.sector.food for b in by_kecamatan[k.slug]),
            food_certified=sum(b.sector.food and bool(b.valid_cert_kinds & food_kinds) for b in by_kecamatan[k.slug]),
            ready=sum(b.siap_pengadaan for b in by_kecamatan[k.slug]),
        )
        for k in sorted(region.kecamatan, key=lambda k: (k.nama.casefold(), k.slug))
    )
    platforms = tuple(
        PlatformStats(platform=p, businesses=sum(any(s.platform == p.key for s in b.shops) for b in businesses)) for p in region.platforms
    )
    requirements = tuple(
        RequirementStats(key, REQUIREMENT_LABELS[key], sum(not b.readiness.lacks(key) for b in businesses)) for key in rule.requires
    )
    return Statistics(
        total=len(businesses),
        certified=sum(bool(b.valid_cert_kinds) for b in businesses),
        online=sum(bool(b.shops) for b in businesses),
        ready=sum(b.siap_pengadaan for b in businesses),
        cert_kinds=kinds,
        sectors=sectors,
        kecamatan=kecamatan,
        platforms=platforms,
        requirements=requirements,
    )


def percent(part: int, whole: int) -> int | None:
    """A whole percentage rounded half up; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def format_percent(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def bar_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, int, str]], *, scale: int | None = None, track: bool = False
) -> BarChart:
    """A horizontal bar chart of (label, value, value text) rows, scaled to `scale` or the largest value."""
    top = max(scale or 0, *(value for _, value, _ in rows), 1) if rows else max(scale or 0, 1)
    full = CHART_WIDTH - VALUE_SPACE
    bars = []
    for i, (label, value, text) in enumerate(rows):
        y = TOP_PADDING + i * ROW_HEIGHT
        width = round(full * value / top, 1)
        if value > 0:
            width = max(width, 2.0)  # a tiny count stays visible
        bars.append(
            Bar(
                label=label,
                value_text=text,
                label_y=y + LABEL_BASELINE,
                bar_y=y + BAR_TOP,
                width=width,
                value_x=round((full if track else width) + 6, 1),
                value_y=y + BAR_TOP + BAR_HEIGHT - 2,
            )
        )
    return BarChart(
        id=chart_id,
        title=title,
        width=CHART_WIDTH,
        height=TOP_PADDING * 2 + len(rows) * ROW_HEIGHT,
        bar_height=BAR_HEIGHT,
        track_width=full if track else 0,
        bars=tuple(bars),
    )


def render_statistics_page(
    businesses: Sequence[Business],
    region: Region,
    *,
    rule: ReadinessRule,
    today: date,
    site_name: str,
    templates_dir: Path | None = None,
    directory_urls: bool = True,
) -> GeneratedPage:
    """The Statistik page: summary, charts and tables of the whole catalog as of `today`."""
    stats = compute_statistics(businesses, region, rule)
    link: Callable[[str], str] = functools.partial(url_to, STATISTIK_URI, directory_urls=directory_urls)
    charts = {
        "sektor": bar_chart(
            "grafik-sektor", "Jumlah usaha per sektor", [(s.sector.label, s.businesses, format_angka(s.businesses)) for s in stats.sectors]
        ),
        "kecamatan": bar_chart(
            "grafik-kecamatan",
            "Jumlah usaha per kecamatan",
            [(k.kecamatan.nama, k.businesses, format_angka(k.businesses)) for k in stats.kecamatan],
        ),
        "sertifikasi": bar_chart(
            "grafik-sertifikasi",
            "Persentase usaha bersertifikat (masih berlaku) per sektor",
            [(s.sector.label, s.coverage or 0, s.coverage_text) for s in stats.sectors],
            scale=100,
            track=True,
        ),
        "toko": bar_chart(
            "grafik-toko",
            "Jumlah usaha per toko online dan kanal pengadaan",
            [(p.platform.label, p.businesses, format_angka(p.businesses)) for p in stats.platforms],
        ),
        "pengadaan": bar_chart(
            "grafik-pengadaan",
            "Jumlah usaha yang memenuhi setiap syarat siap pengadaan",
            [
                *((r.label, r.met, format_angka(r.met)) for r in stats.requirements),
                ("Memenuhi semua syarat", stats.ready, format_angka(stats.ready)),
            ],
            scale=stats.total,
        ),
    }
    env = make_environment(templates_dir or TEMPLATES_DIR)
    html = env.get_template("statistics.html").render(
        stats=stats,
        charts=charts,
        region=region,
        site_name=site_name,
        today=today,
        rule=describe_rule(rule, RegionLookup.of(region)),
        sector_urls={s.sector.key: link(listing_uri(f"sektor/{s.sector.key}", 1)) for s in stats.sectors},
        kecamatan_urls={k.kecamatan.slug: link(listing_uri(f"kecamatan/{k.kecamatan.slug}", 1)) for k in stats.kecamatan},
        crumbs=[Crumb("Beranda", link("index.md"))],
    )
    return GeneratedPage(
        src_uri=STATISTIK_URI,
        title="Statistik",
        description=f"Statistik katalog UMKM {region.nama}: usaha per sektor dan kecamatan, sertifikasi, toko online dan kesiapan pengadaan.",
        html=html,
    )


def _group(businesses: Sequence[Business], key: Callable[[Business], str]) -> defaultdict[str, list[Business]]:
    groups: defaultdict[str, list[Business]] = defaultdict(list)
    for business in businesses:
        groups[key(business)].append(business)
    return groups
