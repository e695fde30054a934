"""Data quality for the Dinas: the "siap pengadaan" rule and the completeness score with hints.

Pure functions of one entry, the facts the enrich stage derived from it, the build date and
the rule configuration. The enrich stage calls them once per business and keeps the results on
`Business`; pages, statistics, reports and `umkm check` read those results. Nothing here knows
MkDocs or the clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.core.business import Business, CertificateView, Completeness, Gap, Readiness, RegionLookup, ShopView
from generator.core.models import Entry, Region
from generator.core.problems import ERROR, INFO, Problem

# The parts of the readiness rule, in the order they are checked and reported.
NIB = "nib"
SERTIFIKAT = "sertifikat"
HARGA = "harga"
SALURAN = "saluran"
REQUIREMENTS: tuple[str, ...] = (NIB, SERTIFIKAT, HARGA, SALURAN)

REQUIREMENT_LABELS: dict[str, str] = {
    NIB: "NIB",
    SERTIFIKAT: "Sertifikat yang berlaku",
    HARGA: "Harga produk",
    SALURAN: "Kanal pengadaan atau kapasitas produksi",
}

# Completeness items and their weights (they add up to 100), in report order.
FOTO = "foto"
KONTAK = "kontak"
TOKO = "toko_online"
CERITA = "cerita"
DIPERBARUI = "diperbarui"
COMPLETENESS_WEIGHTS: dict[str, int] = {
    FOTO: 15,
    HARGA: 20,
    SERTIFIKAT: 20,
    KONTAK: 15,
    TOKO: 10,
    CERITA: 10,
    DIPERBARUI: 10,
}
COMPLETENESS_LABELS: dict[str, str] = {
    FOTO: "Foto",
    HARGA: "Harga produk",
    SERTIFIKAT: "Sertifikat",
    KONTAK: "Kontak",
    TOKO: "Toko online",
    CERITA: "Cerita usaha",
    DIPERBARUI: "Tanggal diperbarui",
}

# A story shorter than this is a line, not a story; `umkm new` writes the placeholder below.
STORY_MIN_CHARS = 80
STORY_PLACEHOLDER = "Ceritakan usaha Anda di sini: sejak kapan berdiri, apa keunggulan produk, siapa pelanggannya."


@dataclass(frozen=True)
class ReadinessRule:
    """Which requirements make a business "siap pengadaan" (procurement-ready)."""

    requires: tuple[str, ...] = REQUIREMENTS
    # Certification kinds that count for a food sector (`pangan: ya` in wilayah.yml); any valid kind counts for the others.
    food_certificates: tuple[str, ...] = ("halal", "pirt", "bpom")
    # A stated production capacity (`kapasitas`) stands in for a link to a procurement channel.
    capacity_counts: bool = True


@dataclass(frozen=True)
class QualityRules:
    """The readiness rule and the thresholds of the follow-up reports."""

    readiness: ReadinessRule = ReadinessRule()
    stale_months: int = 12  # `diperbarui` older than this (or missing) is stale
    completeness_threshold: int = 60  # entries scoring below it are reported


DEFAULT_RULES = QualityRules()


def make_rules(
    *,
    stale_months: int = 12,
    completeness_threshold: int = 60,
    requires: Iterable[str] = REQUIREMENTS,
    food_certificates: Iterable[str] = ("halal", "pirt", "bpom"),
    capacity_counts: bool = True,
) -> QualityRules:
    """Rules from configuration values; raises ValueError with an Indonesian message."""
    if stale_months < 1:
        raise ValueError(f"stale_months harus paling sedikit 1 (ditemukan {stale_months})")
    if not 0 <= completeness_threshold <= 100:
        raise ValueError(f"completeness_threshold harus 0–100 (ditemukan {completeness_threshold})")
    wanted = set(requires)
    unknown = sorted(wanted - set(REQUIREMENTS))
    if unknown:
        raise ValueError(f"readiness_requires: syarat tidak dikenal {', '.join(unknown)} (pilihan: {', '.join(REQUIREMENTS)})")
    return QualityRules(
        readiness=ReadinessRule(
            requires=tuple(key for key in REQUIREMENTS if key in wanted),
            food_certificates=tuple(dict.fromkeys(food_certificates)),
            capacity_counts=capacity_counts,
        ),
        stale_months=stale_months,
        completeness_threshold=completeness_threshold,
    )


def rule_problems(rules: QualityRules, region: Region, config_file: Path) -> list[Problem]:
    """Errors for rule settings that name certification kinds the region does not have."""
    known = {kind.key for kind in region.cert_kinds}
    return [
        Problem(
            config_file,
            None,
            "readiness_food_certificates",
            f"jenis sertifikasi tidak dikenal '{key}' (pilihan di wilayah.yml: {', '.join(sorted(known))})",
            ERROR,
        )
        for key in rules.readiness.food_certificates
        if key not in known
    ]


def assess_readiness(
    entry: Entry,
    *,
    food: bool,
    certificates: Sequence[CertificateView],
    shops: Sequence[ShopView],
    lookup: RegionLookup,
    rule: ReadinessRule,
) -> Readiness:
    """Which of the rule's requirements the business does not meet (none: procurement-ready)."""
    fitting = set(rule.food_certificates) if food else None
    met = {
        NIB: bool(entry.nib),
        SERTIFIKAT: any(c.valid and (fitting is None or c.jenis in fitting) for c in certificates),
        HARGA: any(p.harga is not None for p in entry.produk),
        SALURAN: any(s.procurement for s in shops) or (rule.capacity_counts and bool(entry.kapasitas.strip())),
    }
    missing = tuple(
        _requirement_gap(key, entry, food=food, certificates=certificates, lookup=lookup, rule=rule)
        for key in REQUIREMENTS
        if key in rule.requires and not met[key]
    )
    return Readiness(missing)


def describe_rule(rule: ReadinessRule, lookup: RegionLookup) -> tuple[tuple[str, str], ...]:
    """(label, plain description) of each requirement of the rule, for the public Statistik page."""
    food = _join_or(lookup.cert_kinds[k].label for k in rule.food_certificates if k in lookup.cert_kinds)
    channels = _join_or(p.label for p in lookup.platforms.values() if p.procurement)
    texts = {
        NIB: "Nomor Induk Berusaha (NIB) dari OSS tercantum.",
        SERTIFIKAT: f"Minimal satu sertifikat yang masih berlaku; untuk usaha pangan: {food}.",
        HARGA: "Harga tercantum pada minimal satu produk.",
        SALURAN: f"Toko di kanal pengadaan ({channels})" + (" atau kapasitas produksi tercantum." if rule.capacity_counts else "."),
    }
    return tuple((REQUIREMENT_LABELS[key], texts[key]) for key in REQUIREMENTS if key in rule.requires)


def assess_completeness(
    entry: Entry,
    *,
    certificates: Sequence[CertificateView],
    today: date,
    stale_months: int = 12,
) -> Completeness:
    """The completeness score (0–100) and a hint for each missing item."""
    missing: list[tuple[str, str]] = []
    if not entry.foto:
        missing.append((FOTO, "Tambahkan foto usaha (kolom foto) agar pembeli dapat melihat produk dan tempat usaha Anda."))
    unpriced = [p.nama for p in entry.produk if p.harga is None]
    if not entry.produk:
        missing.append((HARGA, "Tambahkan produk beserta harganya agar pembeli pengadaan dapat membandingkan."))
    elif unpriced:
        missing.append((HARGA, f"Tambahkan harga pada {_count_names(unpriced, 'produk')} agar pembeli pengadaan dapat membandingkan."))
    if not any(c.valid for c in certificates):
        expired = list(dict.fromkeys(c.label for c in certificates))
        missing.append(
            (
                SERTIFIKAT,
                f"Perpanjang sertifikat {_join_and(expired)} yang sudah kedaluwarsa lalu perbarui nomor dan tanggal berlakunya."
                if expired
                else "Cantumkan sertifikat usaha (misalnya halal, P-IRT, BPOM atau merek) agar pembeli lebih percaya.",
            )
        )
    contact = entry.kontak
    if not (contact.whatsapp or contact.telepon or contact.email):
        missing.append((KONTAK, "Tambahkan nomor WhatsApp, telepon atau email agar pembeli dapat menghubungi Anda langsung."))
    if not entry.toko_online:
        missing.append(
            (TOKO, "Tambahkan tautan toko online (misalnya Tokopedia, Shopee atau PaDi UMKM) agar pembeli dapat memesan langsung.")
        )
    story = entry.cerita.strip()
    if len(story) < STORY_MIN_CHARS or STORY_PLACEHOLDER in story:
        missing.append((CERITA, "Tuliskan cerita usaha: sejak kapan berdiri, apa keunggulan produk dan siapa pelanggannya."))
    if entry.diperbarui is None:
        missing.append((DIPERBARUI, "Periksa data usaha lalu isi tanggal diperbarui agar pembeli tahu data masih berlaku."))
    elif is_stale(entry.diperbarui, today, stale_months):
        missing.append(
            (
                DIPERBARUI,
                f"Data terakhir diperbarui lebih dari {stale_months} bulan lalu: periksa produk, harga dan kontak, lalu ubah tanggal diperbarui.",
            )
        )
    order = list(COMPLETENESS_WEIGHTS)
    gaps = tuple(
        Gap(key, COMPLETENESS_LABELS[key], hint, COMPLETENESS_WEIGHTS[key])
        for key, hint in sorted(missing, key=lambda m: order.index(m[0]))
    )
    return Completeness(score=100 - sum(g.weight for g in gaps), missing=gaps)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def is_stale(updated: date | None, today: date, months: int = 12) -> bool:
    """True when the data was never dated or last checked more than `months` months before `today`."""
    return updated is None or updated < months_before(today, months)


def quality_notes(businesses: Iterable[Business], rules: QualityRules) -> list[Problem]:
    """`umkm check` information for each business: its score, hints and readiness (never errors)."""
    notes = []
    for b in businesses:
        path = b.entry.source
        below = " (di bawah ambang laporan Dinas)" if b.completeness.score < rules.completeness_threshold else ""
        notes.append(Problem(path, None, "kelengkapan", f"skor {b.completeness.score} dari 100{below}", INFO))
        notes += [Problem(path, None, f"kelengkapan.{g.key}", f"{g.hint} (+{g.weight} poin)", INFO) for g in b.completeness.missing]
        if b.readiness.ready:
            notes.append(Problem(path, None, "siap_pengadaan", "ya: memenuhi semua syarat siap pengadaan", INFO))
        else:
            notes.append(Problem(path, None, "siap_pengadaan", f"belum: kurang {len(b.readiness.missing)} syarat", INFO))
            notes += [Problem(path, None, f"siap_pengadaan.{g.key}", g.hint, INFO) for g in b.readiness.missing]
    return notes


def attention_items(business: Business) -> list[tuple[tuple[str | int, ...], str]]:
    """What an owner must fix although the entry is valid, by field path: expired certificates and
    the placeholder story `umkm new` writes. `umkm check` reports them as warnings."""
    from babel.dates import format_date

    items: list[tuple[tuple[str | int, ...], str]] = []
    for i, cert in enumerate(business.certificates):
        if not cert.valid and cert.berlaku_sampai is not None:
            since = format_date(cert.berlaku_sampai, "d MMMM y", locale="id")
            items.append(
                (
                    ("sertifikasi", i, "berlaku_sampai"),
                    f"sertifikat {cert.label} nomor {cert.nomor} sudah kedaluwarsa sejak {since}; perpanjang, lalu perbarui nomor dan tanggal berlakunya",
                )
            )
    if STORY_PLACEHOLDER in business.entry.cerita:
        items.append((("cerita",), "cerita masih berisi contoh dari 'umkm baru'; ganti dengan cerita usaha Anda sendiri"))
    return items


def quality_summary(businesses: Sequence[Business], rules: QualityRules) -> str:
    """One line about the whole catalog's completeness and readiness."""
    if not businesses:
        return "Kelengkapan data: belum ada entri."
    mean = round(sum(b.completeness.score for b in businesses) / len(businesses))
    below = sum(b.completeness.score < rules.completeness_threshold for b in businesses)
    ready = sum(b.readiness.ready for b in businesses)
    return (
        f"Kelengkapan data: rata-rata {mean}/100; {below} entri di bawah {rules.completeness_threshold}; "
        f"{ready} dari {len(businesses)} siap pengadaan. Rincian: umkm periksa catalog/<slug> atau umkm laporan."
    )


def _requirement_gap(
    key: str,
    entry: Entry,
    *,
    food: bool,
    certificates: Sequence[CertificateView],
    lookup: RegionLookup,
    rule: ReadinessRule,
) -> Gap:
    if key == NIB:
        hint = "Daftarkan usaha di OSS (oss.go.id) lalu cantumkan NIB 13 angka di kolom nib."
    elif key == SERTIFIKAT:
        kinds = [k for k in rule.food_certificates if k in lookup.cert_kinds] if food else []
        expired = {c.jenis: c.label for c in certificates if not c.valid and (not food or c.jenis in kinds)}
        if expired:
            others = [lookup.cert_kinds[k].label for k in kinds if k not in expired]
            alternative = f"sertifikat {_join_or(others)}" if others else "" if food else "sertifikat lain"
            hint = f"Perpanjang sertifikat {_join_and(expired.values())} yang sudah kedaluwarsa" + (
                f", atau cantumkan {alternative} yang masih berlaku." if alternative else "."
            )
        elif food:
            hint = (
                f"Cantumkan sertifikat {_join_or(lookup.cert_kinds[k].label for k in kinds)} yang masih berlaku (wajib untuk usaha pangan)."
            )
        else:
            hint = "Cantumkan minimal satu sertifikat yang masih berlaku (misalnya SNI, merek atau halal)."
    elif key == HARGA:
        hint = (
            "Cantumkan harga pada minimal satu produk agar pembeli pengadaan dapat membandingkan."
            if entry.produk
            else "Tambahkan produk beserta harganya agar pembeli pengadaan dapat membandingkan."
        )
    else:
        channels = _join_or(p.label for p in lookup.platforms.values() if p.procurement)
        hint = f"Buka toko di kanal pengadaan ({channels}) lalu cantumkan tautannya di toko_online" + (
            ", atau cantumkan kapasitas produksi (kolom kapasitas, misalnya 500 bungkus per bulan)." if rule.capacity_counts else "."
        )
    return Gap(key, REQUIREMENT_LABELS[key], hint)


def _join(items: Iterable[str], word: str) -> str:
    names = list(items)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {word} {names[-1]}"


def _join_or(items: Iterable[str]) -> str:
    return _join(items, "atau")


def _join_and(items: Iterable[str]) -> str:
    return _join(items, "dan")


def _count_names(names: Sequence[str], noun: str, shown: int = 3) -> str:
    listed = ", ".join(names[:shown]) + (f", dan {len(names) - shown} lainnya" if len(names) > shown else "")
    return f"{len(names)} {noun} ({listed})"
