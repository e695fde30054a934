"""Data quality: the "siap pengadaan" rule, the completeness score and hints, `umkm check` info."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator import cli
from generator.core.business import Business
from generator.core.models import Certificate, Contact, Product, Region, ShopLink
from generator.core.problems import ERROR, INFO
from generator.core.quality import DEFAULT_RULES, QualityRules, is_stale, make_rules, months_before, quality_notes, rule_problems
from tests.conftest import TODAY, MakeEntry, enrich, entry_record, sample_region


@pytest.fixture(scope="module")
def region() -> Region:
    return sample_region()


def one(region: Region, rules: QualityRules = DEFAULT_RULES, **fields: Any) -> Business:
    [business] = enrich(region, entry_record(**fields), rules=rules)
    return business


def missing_keys(business: Business) -> list[str]:
    return [gap.key for gap in business.readiness.missing]


# --- siap pengadaan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({}, []),
        ({"nib": ""}, ["nib"]),
        # food sector: halal, P-IRT or BPOM; another kind does not fit
        ({"sertifikasi": (Certificate("haki", "IDM000123456", None),)}, ["sertifikat"]),
        ({"sertifikasi": (Certificate("pirt", "2063216010123-27", date(2027, 12, 31)),)}, []),
        ({"sertifikasi": (Certificate("bpom", "MD224510001234", TODAY + timedelta(days=5)),)}, []),  # expiring still counts
        ({"sertifikasi": (Certificate("pirt", "2063216010123-25", TODAY - timedelta(days=1)),)}, ["sertifikat"]),  # expired
        ({"sertifikasi": ()}, ["sertifikat"]),
        # other sectors: any valid certificate
        ({"sektor": "kriya", "sertifikasi": (Certificate("haki", "IDM000123456", None),)}, []),
        ({"sektor": "kriya", "sertifikasi": (Certificate("sni", "SNI-1", TODAY - timedelta(days=1)),)}, ["sertifikat"]),
        ({"sektor": "pertanian", "sertifikasi": (Certificate("haki", "IDM000123456", None),)}, ["sertifikat"]),  # pangan: ya
        # a price on at least one product
        ({"produk": (Product("Keripik Balado"), Product("Keripik Original", 12000))}, []),
        ({"produk": (Product("Keripik Balado"),)}, ["harga"]),
        ({"produk": ()}, ["harga"]),
        # a procurement channel, or a stated production capacity
        ({"toko_online": (ShopLink("tokopedia", "https://www.tokopedia.com/x"),)}, ["saluran"]),
        ({"toko_online": (), "kapasitas": "2.000 bungkus per bulan"}, []),
        ({"toko_online": (ShopLink("e-katalog", "https://e-katalog.lkpp.go.id/x"),)}, []),
        ({"toko_online": (ShopLink("bebeli", "https://bebeli.bekasikab.go.id/x"),)}, []),
        ({"toko_online": (ShopLink("siplah", "https://siplah.kemdikbud.go.id/x"),)}, []),
        ({"toko_online": (), "kapasitas": "  "}, ["saluran"]),
        # several missing, reported in the rule's order
        ({"nib": "", "produk": (), "toko_online": (), "sertifikasi": ()}, ["nib", "sertifikat", "harga", "saluran"]),
    ],
)
def test_readiness_rule(region: Region, fields: dict[str, Any], missing: list[str]) -> None:
    business = one(region, **fields)
    assert missing_keys(business) == missing
    assert business.siap_pengadaan is (not missing)


def test_readiness_follows_the_build_date(region: Region) -> None:
    entry = entry_record(sertifikasi=(Certificate("halal", "ID1", date(2026, 12, 31)),))
    [before] = enrich(region, entry, today=date(2026, 12, 31))
    [after] = enrich(region, entry, today=date(2027, 1, 1))
    assert before.siap_pengadaan and not after.siap_pengadaan
    assert missing_keys(after) == ["sertifikat"]


def test_readiness_rule_is_configurable(region: Region) -> None:
    only_nib = make_rules(requires=["nib"])
    assert one(region, only_nib, produk=(), toko_online=(), sertifikasi=()).siap_pengadaan
    assert missing_keys(one(region, only_nib, nib="")) == ["nib"]
    halal_only = make_rules(food_certificates=["halal"])
    assert missing_keys(one(region, halal_only, sertifikasi=(Certificate("pirt", "2063216010123-27", date(2027, 12, 31)),))) == [
        "sertifikat"
    ]
    no_capacity = make_rules(capacity_counts=False)
    assert missing_keys(one(region, no_capacity, toko_online=(), kapasitas="2.000 bungkus per bulan")) == ["saluran"]


def test_readiness_hints_are_plain_indonesian(region: Region) -> None:
    business = one(
        region,
        nib="",
        sertifikasi=(Certificate("pirt", "2063216010123-25", date(2025, 12, 31)),),
        produk=(Product("Keripik Balado"),),
        toko_online=(),
    )
    assert [(g.label, g.hint) for g in business.readiness.missing] == [
        ("NIB", "Daftarkan usaha di OSS (oss.go.id) lalu cantumkan NIB 13 angka di kolom nib."),
        (
            "Sertifikat yang berlaku",
            "Perpanjang sertifikat P-IRT yang sudah kedaluwarsa, atau cantumkan sertifikat Halal atau BPOM yang masih berlaku.",
        ),
        ("Harga produk", "Cantumkan harga pada minimal satu produk agar pembeli pengadaan dapat membandingkan."),
        (
            "Kanal pengadaan atau kapasitas produksi",
            "Buka toko di kanal pengadaan (PaDi UMKM, e-Katalog LKPP, Bebeli (Bekasi Berani Beli) atau SIPLah) lalu cantumkan tautannya "
            "di toko_online, atau cantumkan kapasitas produksi (kolom kapasitas, misalnya 500 bungkus per bulan).",
        ),
    ]
    assert one(region, sertifikasi=()).readiness.missing[0].hint == (
        "Cantumkan sertifikat Halal, P-IRT atau BPOM yang masih berlaku (wajib untuk usaha pangan)."
    )
    assert one(region, sektor="kriya", sertifikasi=()).readiness.missing[0].hint == (
        "Cantumkan minimal satu sertifikat yang masih berlaku (misalnya SNI, merek atau halal)."
    )


# --- kelengkapan data -------------------------------------------------------------------------


def test_complete_entry_scores_100(region: Region) -> None:
    business = one(region)
    assert (business.completeness.score, business.completeness.missing) == (100, ())


@pytest.mark.parametrize(
    ("fields", "key", "weight", "hint"),
    [
        ({"foto": ()}, "foto", 15, "Tambahkan foto usaha (kolom foto) agar pembeli dapat melihat produk dan tempat usaha Anda."),
        ({"produk": ()}, "harga", 20, "Tambahkan produk beserta harganya agar pembeli pengadaan dapat membandingkan."),
        (
            {"produk": (Product("Keripik Balado", 15000), Product("Keripik Original"), Product("Keripik Pedas"))},
            "harga",
            20,
            "Tambahkan harga pada 2 produk (Keripik Original, Keripik Pedas) agar pembeli pengadaan dapat membandingkan.",
        ),
        (
            {"sertifikasi": ()},
            "sertifikat",
            20,
            "Cantumkan sertifikat usaha (misalnya halal, P-IRT, BPOM atau merek) agar pembeli lebih percaya.",
        ),
        (
            {"sertifikasi": (Certificate("pirt", "2063216010123-25", date(2025, 12, 31)),)},
            "sertifikat",
            20,
            "Perpanjang sertifikat P-IRT yang sudah kedaluwarsa lalu perbarui nomor dan tanggal berlakunya.",
        ),
        (
            {"kontak": Contact(instagram="sarirasa")},
            "kontak",
            15,
            "Tambahkan nomor WhatsApp, telepon atau email agar pembeli dapat menghubungi Anda langsung.",
        ),
        (
            {"toko_online": ()},
            "toko_online",
            10,
            "Tambahkan tautan toko online (misalnya Tokopedia, Shopee atau PaDi UMKM) agar pembeli dapat memesan langsung.",
        ),
        ({"cerita": "Enak."}, "cerita", 10, "Tuliskan cerita usaha: sejak kapan berdiri, apa keunggulan produk dan siapa pelanggannya."),
        (
            {"cerita": "Ceritakan usaha Anda di sini: sejak kapan berdiri, apa keunggulan produk, siapa pelanggannya."},
            "cerita",
            10,
            "Tuliskan cerita usaha: sejak kapan berdiri, apa keunggulan produk dan siapa pelanggannya.",
        ),
        ({"diperbarui": None}, "diperbarui", 10, "Periksa data usaha lalu isi tanggal diperbarui agar pembeli tahu data masih berlaku."),
        (
            {"diperbarui": date(2025, 11, 27)},
            "diperbarui",
            10,
            "Data terakhir diperbarui lebih dari 12 bulan lalu: periksa produk, harga dan kontak, lalu ubah tanggal diperbarui.",
        ),
    ],
)
def test_each_missing_item_costs_its_weight_and_has_a_hint(
    region: Region, fields: dict[str, Any], key: str, weight: int, hint: str
) -> None:
    completeness = one(region, **fields).completeness
    assert [(g.key, g.weight, g.hint) for g in completeness.missing] == [(key, weight, hint)]
    assert completeness.score == 100 - weight


@pytest.mark.parametrize(
    ("contact", "complete"),
    [
        (Contact(whatsapp="6281219345521"), True),
        (Contact(telepon="622189951234"), True),
        (Contact(email="a@example.id"), True),
        (Contact(), False),
    ],
)
def test_any_direct_contact_counts(region: Region, contact: Contact, complete: bool) -> None:
    assert (one(region, kontak=contact).completeness.score == 100) is complete


def test_empty_entry_scores_0_with_hints_in_order(region: Region) -> None:
    completeness = one(
        region, foto=(), produk=(), sertifikasi=(), kontak=Contact(), toko_online=(), cerita="", diperbarui=None
    ).completeness
    assert completeness.score == 0
    assert [g.key for g in completeness.missing] == ["foto", "harga", "sertifikat", "kontak", "toko_online", "cerita", "diperbarui"]
    assert sum(g.weight for g in completeness.missing) == 100


@pytest.mark.parametrize(
    ("updated", "stale"),
    [
        (None, True),
        (date(2025, 11, 27), True),  # one day more than 12 months before 2026-11-28
        (date(2025, 11, 28), False),  # exactly 12 months
        (date(2026, 11, 28), False),
    ],
)
def test_stale_boundary(updated: date | None, stale: bool) -> None:
    assert is_stale(updated, TODAY, 12) is stale


def test_stale_months_is_configurable(region: Region) -> None:
    entry_fields = {"diperbarui": date(2026, 5, 27)}
    assert one(region, **entry_fields).completeness.score == 100
    assert [g.key for g in one(region, make_rules(stale_months=6), **entry_fields).completeness.missing] == ["diperbarui"]


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(date(2026, 11, 28), 12) == date(2025, 11, 28)
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


# --- rule settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stale_months": 0}, "stale_months harus paling sedikit 1 (ditemukan 0)"),
        ({"completeness_threshold": 101}, "completeness_threshold harus 0–100 (ditemukan 101)"),
        ({"requires": ["nib", "foto"]}, "readiness_requires: syarat tidak dikenal foto (pilihan: nib, sertifikat, harga, saluran)"),
    ],
)
def test_bad_rule_settings_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        make_rules(**kwargs)


def test_food_certificates_must_be_region_kinds(region: Region) -> None:
    [problem] = rule_problems(make_rules(food_certificates=["halal", "halall"]), region, Path("mkdocs.yml"))
    assert problem.level == ERROR
    assert problem.format() == (
        "mkdocs.yml: readiness_food_certificates: jenis sertifikasi tidak dikenal 'halall' "
        "(pilihan di wilayah.yml: bpom, haki, halal, lainnya, pirt, sni)"
    )


def test_quality_notes_are_information_only(region: Region) -> None:
    business = one(region, foto=(), nib="")
    notes = quality_notes([business], make_rules(completeness_threshold=90))
    assert {n.level for n in notes} == {INFO}
    assert [n.format() for n in notes] == [
        "catalog/sari-rasa/index.md: info: kelengkapan: skor 85 dari 100 (di bawah ambang laporan Dinas)",
        "catalog/sari-rasa/index.md: info: kelengkapan.foto: Tambahkan foto usaha (kolom foto) agar pembeli dapat melihat produk dan tempat usaha Anda. (+15 poin)",
        "catalog/sari-rasa/index.md: info: siap_pengadaan: belum: kurang 1 syarat",
        "catalog/sari-rasa/index.md: info: siap_pengadaan.nib: Daftarkan usaha di OSS (oss.go.id) lalu cantumkan NIB 13 angka di kolom nib.",
    ]


# --- umkm check -------------------------------------------------------------------------------


def add_plugin_options(project: Path, options: str) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text()
    anchor = "      cache_dir: .cache/umkm\n"
    assert anchor in text
    config.write_text(text.replace(anchor, anchor + options))


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    return project


def test_check_shows_score_and_hints_as_info(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("sari-rasa", {"nib": "9120301745821", "produk": [{"nama": "Keripik Balado", "harga": "15000"}], "diperbarui": "2026-11-01"})
    assert cli.main(["check", "catalog/sari-rasa"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "catalog/sari-rasa/index.md: info: kelengkapan: skor 30 dari 100 (di bawah ambang laporan Dinas)" in out
    assert any(line.startswith("catalog/sari-rasa/index.md: info: kelengkapan.foto: Tambahkan foto usaha") for line in out)
    assert "catalog/sari-rasa/index.md: info: siap_pengadaan: belum: kurang 2 syarat" in out
    assert not [line for line in out if "galat" in line]


def test_check_of_the_whole_catalog_prints_one_summary(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("satu")
    make_entry("dua")
    assert cli.main(["check"]) == 0
    captured = capsys.readouterr()
    assert "info:" not in captured.out
    assert "Kelengkapan data: rata-rata 0/100; 2 entri di bawah 60; 0 dari 2 siap pengadaan." in captured.err


def test_check_github_format_turns_info_into_notices(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("satu")
    assert cli.main(["check", "--format", "github", "catalog/satu"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("::notice file=catalog/satu/index.md,title=") for line in lines)


def test_rule_settings_come_from_mkdocs_yml(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    add_plugin_options(in_project, "      readiness_requires: [nib]\n      completeness_threshold: 0\n")
    make_entry("sari-rasa", {"nib": "9120301745821"})
    assert cli.main(["check", "catalog/sari-rasa"]) == 0
    out = capsys.readouterr().out
    assert "info: siap_pengadaan: ya: memenuhi semua syarat siap pengadaan" in out
    assert "di bawah ambang" not in out


def test_unknown_food_certificate_setting_is_an_error(in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    add_plugin_options(in_project, "      readiness_food_certificates: [halal, pirt-baru]\n")
    make_entry("sari-rasa")
    assert cli.main(["check"]) == 1
    assert "mkdocs.yml: readiness_food_certificates: jenis sertifikasi tidak dikenal 'pirt-baru'" in capsys.readouterr().out


def test_bad_threshold_setting_fails_without_traceback(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_plugin_options(in_project, "      completeness_threshold: 150\n")
    with pytest.raises(SystemExit):
        cli.main(["check"])
    assert capsys.readouterr().err == "umkm: completeness_threshold harus 0–100 (ditemukan 150)\n"
