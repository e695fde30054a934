"""Region data: the shipped wilayah.yml, and every problem a broken one reports with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.region import load_region, slugify
from tests.conftest import ROOT

MINIMAL = """\
nama: Kabupaten Contoh
provinsi: Jawa Barat
negara: ID
kecamatan:
  - {kode: "32.99.01", nama: Sukamaju, varian: [Suka Maju]}
  - {kode: "32.99.02", nama: Karanganyar}
sektor:
  - {kunci: kuliner, label: Kuliner, pangan: "ya"}
  - {kunci: jasa, label: Jasa}
sertifikasi:
  - kunci: halal
    label: Halal
    verifikasi: https://bpjph.halal.go.id/search/sertifikat
platform:
  - {kunci: tokopedia, label: Tokopedia, domain: [tokopedia.com]}
  - {kunci: situs, label: Situs web sendiri, domain: []}
"""


def load(tmp_path: Path, text: str) -> tuple[object, list[str]]:
    path = tmp_path / "wilayah.yml"
    path.write_text(text, encoding="utf-8")
    region, problems = load_region(path)
    return region, [p.format(base=tmp_path) for p in problems]


def test_shipped_region_file_is_valid() -> None:
    region, problems = load_region(ROOT / "wilayah.yml")
    assert problems == []
    assert region is not None
    assert region.nama == "Kabupaten Bekasi"
    assert region.kode_wilayah == "3216"
    assert len(region.kecamatan) == 23
    assert [k.kode for k in region.kecamatan] == [f"32.16.{i:02d}" for i in range(1, 24)]
    assert region.kecamatan_named("Karangbahagia").varian == ("Karang Bahagia",)
    assert region.kecamatan_named("Serang Baru").slug == "serang-baru"
    assert [s.key for s in region.sectors] == [
        "kuliner",
        "fesyen",
        "kriya",
        "pertanian",
        "kesehatan-kecantikan",
        "jasa",
        "teknologi-digital",
        "lainnya",
    ]
    assert [s.key for s in region.sectors if s.food] == ["kuliner", "pertanian"]
    assert [c.key for c in region.cert_kinds] == ["halal", "sni", "bpom", "pirt", "haki", "lainnya"]
    assert region.cert_kind("pirt").verify_url == ""
    assert region.platform("tokopedia").domains == ("tokopedia.com", "tokopedia.link")
    assert region.platform("padi-umkm").procurement and not region.platform("shopee").procurement


def test_spelling_groups_are_read_and_checked(tmp_path: Path) -> None:
    region, messages = load(tmp_path, MINIMAL + "ejaan:\n  - [keripik, kripik]\n  - [sambal, sambel]\n")
    assert messages == []
    assert region is not None and region.spelling == (("keripik", "kripik"), ("sambal", "sambel"))  # type: ignore[attr-defined]
    shipped, _ = load_region(ROOT / "wilayah.yml")
    assert shipped is not None and shipped.spelling[0][:2] == ("keripik", "kripik")
    bad = "ejaan:\n  - [keripik]\n  - [Sambal, sambel]\n  - [kerupuk, kripik]\n  - keripik\n  - [baso, kripik]\n"
    _, messages = load(tmp_path, MINIMAL + "ejaan:\n  - [keripik, kripik]\n" + bad.removeprefix("ejaan:\n"))
    assert messages == [
        "wilayah.yml:19: ejaan[1]: tulis paling sedikit dua kata: bentuk baku lalu ejaan lainnya",
        "wilayah.yml:20: ejaan[2]: kata hanya boleh huruf kecil a-z tanpa spasi (ditemukan 'Sambal')",
        "wilayah.yml:21: ejaan[3]: kata 'kripik' sudah ada di kelompok ejaan ke-1",
        "wilayah.yml:22: ejaan[4]: setiap butir harus berupa daftar kata, misalnya [keripik, kripik]",
        "wilayah.yml:23: ejaan[5]: kata 'kripik' sudah ada di kelompok ejaan ke-1",
    ]


def test_each_certification_kind_says_whether_it_ends_on_a_date(tmp_path: Path) -> None:
    shipped, _ = load_region(ROOT / "wilayah.yml")
    assert shipped is not None
    assert {c.key: c.dated for c in shipped.cert_kinds} == {"halal": False, "sni": True, "bpom": True, "pirt": True, "haki": False, "lainnya": False}
    region, _ = load(tmp_path, MINIMAL)
    assert region is not None and region.cert_kinds[0].dated  # type: ignore[attr-defined]  # by default: ends on a date
    _, messages = load(tmp_path, MINIMAL.replace("    label: Halal\n", "    label: Halal\n    masa_berlaku: selamanya\n"))
    assert messages == ["wilayah.yml:13: sertifikasi[0].masa_berlaku: pilihan tidak dikenal 'selamanya' (pilihan: bertanggal, tanpa-batas)"]


def test_bounds_and_neighbours_are_read_and_checked(tmp_path: Path) -> None:
    shipped, _ = load_region(ROOT / "wilayah.yml")
    assert shipped is not None and shipped.bounds is not None
    assert shipped.bounds.holds(-6.2712, 107.0851) and not shipped.bounds.holds(-6.9175, 107.6191)
    text = MINIMAL.replace(
        '  - {kode: "32.99.02", nama: Karanganyar}\n',
        '  - {kode: "32.99.02", nama: Karanganyar, tetangga: [Sukamaju, Sukamiskin]}\n',
    )
    _, messages = load(tmp_path, text + "batas:\n  lintang: [-5.9, -6.5]\n  bujur: [106.95, 107.30]\n")
    assert messages == [
        "wilayah.yml:18: batas.lintang: angka pertama harus lebih kecil dari yang kedua, keduanya antara -90 dan 90 (ditemukan [-5.9, -6.5])",
        "wilayah.yml:6: kecamatan[1].tetangga: 'Sukamiskin' bukan nama kecamatan lain di berkas ini",
    ]
    region, messages = load(tmp_path, text.replace(", Sukamiskin", "") + "batas:\n  lintang: [-6.5, -5.9]\n  bujur: [106.95, 107.30]\n")
    assert messages == []
    assert region is not None and region.kecamatan[1].tetangga == ("Sukamaju",)  # type: ignore[attr-defined]


def test_minimal_region_file_is_valid(tmp_path: Path) -> None:
    region, messages = load(tmp_path, MINIMAL)
    assert messages == []
    assert region is not None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '  - {kode: "32.99.01", nama: Sukamaju, varian: [Suka Maju]}\n  - {kode: "32.99.02", nama: Karanganyar}\n',
            "",
            "wilayah.yml:4: kecamatan: wajib berisi daftar yang tidak kosong",
        ),
        ("kecamatan:\n", "kecamatan_:\n", "wilayah.yml:1: kecamatan: wajib berisi daftar yang tidak kosong"),
        (
            "domain: [tokopedia.com]",
            "domain: [https://tokopedia.com]",
            "wilayah.yml:15: platform[0].domain: nama domain tidak valid (ditemukan 'https://tokopedia.com')",
        ),
        (
            "domain: [tokopedia.com]",
            "domain: [tokopedia..com]",
            "wilayah.yml:15: platform[0].domain: nama domain tidak valid (ditemukan 'tokopedia..com')",
        ),
        ("domain: [tokopedia.com]", "domain: tokopedia.com", "wilayah.yml:15: platform[0].domain: harus berupa daftar teks"),
        (
            "negara: ID\n",
            "negara: ID\nnama: Kabupaten Lain\n",
            "wilayah.yml:4: nama: kunci ganda (sudah ada di baris 1); hapus salah satunya",
        ),
        (
            "kunci: jasa",
            "kunci: Jasa Umum",
            "wilayah.yml:9: sektor[1].kunci: kunci hanya boleh huruf kecil, angka dan tanda hubung (ditemukan 'Jasa Umum')",
        ),
        ("label: Jasa}", "label: ''}", "wilayah.yml:9: sektor[1].label: wajib diisi"),
        (
            "https://bpjph",
            "http://bpjph",
            "wilayah.yml:13: sertifikasi[0].verifikasi: alamat harus diawali https:// (ditemukan 'http://bpjph.halal.go.id/search/sertifikat')",
        ),
        ("nama: Karanganyar", "nama: Suka Maju", "wilayah.yml:4: kecamatan: nilai ganda 'Suka Maju'"),
        ("kunci: jasa", "kunci: kuliner", "wilayah.yml:7: sektor: nilai ganda 'kuliner'"),
        ("provinsi: Jawa Barat\n", "provinsi: [Jawa, Barat]\n", "wilayah.yml:2: provinsi: harus berupa teks"),
        ("  - {kunci: jasa, label: Jasa}\n", "  - jasa\n", "wilayah.yml:9: sektor[1]: setiap butir harus berisi pasangan 'kunci: nilai'"),
        (
            "negara: ID\n",
            "negara: ID\nsingkatan: &s Kab\ndinas: *s\n",
            "wilayah.yml:4: singkatan: anchor '&s' tidak diizinkan; tulis nilainya langsung",
        ),
    ],
    ids=[
        "empty-kecamatan",
        "missing-kecamatan",
        "domain-with-scheme",
        "bad-domain",
        "domain-not-a-list",
        "duplicate-key",
        "bad-key",
        "empty-label",
        "http-verify-url",
        "duplicate-kecamatan-variant",
        "duplicate-sector",
        "list-for-text",
        "text-item",
        "anchor",
    ],
)
def test_broken_region_file_reports_every_problem_with_its_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    region, messages = load(tmp_path, MINIMAL.replace(old, new, 1))
    assert expected in messages
    assert region is None


def test_several_region_problems_are_reported_together(tmp_path: Path) -> None:
    text = MINIMAL.replace("domain: [tokopedia.com]", "domain: [tokopedia..com]").replace("negara: ID\n", "negara: ID\nnama: Lagi\n")
    _, messages = load(tmp_path, text)
    assert messages == [
        "wilayah.yml:4: nama: kunci ganda (sudah ada di baris 1); hapus salah satunya",
        "wilayah.yml:16: platform[0].domain: nama domain tidak valid (ditemukan 'tokopedia..com')",
    ]


def test_region_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    region, messages = load(tmp_path, MINIMAL.replace("label: Kuliner", "label: Kuliner: enak"))
    assert messages == [
        "wilayah.yml:8: sintaks YAML tidak valid: isian dalam kurung { } tidak ditutup, atau isinya tidak dipisah koma (YAML: expected ',' or '}', but got ':')"
    ]
    assert region is None


def test_region_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    region, messages = load(tmp_path, "- a\n- b\n")
    assert "wilayah.yml:1: berkas data wilayah harus berisi pasangan 'kunci: nilai'" in messages
    assert region is None


def test_missing_region_file(tmp_path: Path) -> None:
    region, problems = load_region(tmp_path / "wilayah.yml")
    assert region is None
    assert len(problems) == 1
    assert problems[0].format(base=tmp_path).startswith("wilayah.yml: berkas data wilayah tidak dapat dibaca (")


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Cikarang Barat", "cikarang-barat"), ("  Serang  Baru ", "serang-baru"), ("Kesehatan & Kecantikan", "kesehatan-kecantikan")],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
