"""Strict YAML: every scalar is text; duplicate keys, anchors, aliases and tags are problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.builder.load import load_entries
from generator.builder.validate import validate_entries
from generator.core.region import load_region
from generator.core.yamlstrict import YamlSyntaxError, dotted, parse_yaml
from tests.conftest import TODAY, MakeEntry

SRC = "catalog/keripik-sari-rasa/index.md"
HEAD = "---\nnama: Keripik Sari Rasa\nsektor: kuliner\nkecamatan: Cibitung\nringkasan: Keripik singkong balado renyah.\n"


@pytest.mark.parametrize(
    "scalar",
    [
        "0274512345",
        "081234567890",
        "NO",
        "no",
        "Yes",
        "off",
        "15.000",
        "10:30",
        "1e3",
        "0x1F",
        "0o17",
        "2026-10-02",
        "null",
        "~",
        ".inf",
        "3.000 potong",
    ],
)
def test_every_scalar_stays_text(scalar: str) -> None:
    doc = parse_yaml(f"nilai: {scalar}\ndaftar: [{scalar}]\n")
    assert doc.data == {"nilai": scalar, "daftar": [scalar]}
    assert doc.issues == []


def test_empty_value_is_empty_text() -> None:
    assert parse_yaml("desa:\nfoto: []\nkontak: {}\n").data == {"desa": "", "foto": [], "kontak": {}}


def test_empty_document_is_none() -> None:
    assert parse_yaml("# hanya komentar\n").data is None


def test_lines_of_every_path_are_kept_with_the_offset() -> None:
    doc = parse_yaml("nama: a\nproduk:\n  - nama: b\n    foto: [x.jpg, y.jpg]\n", first_line=2)
    assert doc.lines[("nama",)] == 2
    assert doc.lines[("produk",)] == 3
    assert doc.lines[("produk", 0)] == 4
    assert doc.lines[("produk", 0, "foto", 1)] == 5
    assert doc.line(("produk", 0, "harga")) == 4  # absent: the closest parent's line
    assert doc.line(("tidak-ada",)) == 2  # the document itself


def test_duplicate_key_is_a_problem_and_the_first_is_kept() -> None:
    doc = parse_yaml("nama: Pertama\ndesa: Wanasari\nnama: Kedua\n", first_line=2)
    assert doc.data == {"nama": "Pertama", "desa": "Wanasari"}
    assert doc.issues == [(4, "nama", "kunci ganda (sudah ada di baris 2); hapus salah satunya")]


def test_duplicate_nested_key_names_its_path() -> None:
    doc = parse_yaml("produk:\n  - nama: a\n    harga: 1\n    nama: b\n")
    assert doc.issues == [(4, "produk[0].nama", "kunci ganda (sudah ada di baris 2); hapus salah satunya")]


def test_anchor_and_alias_are_problems_and_not_expanded() -> None:
    doc = parse_yaml("desa: &d Wanasari\nalamat: *d\n")
    assert doc.data == {"desa": "Wanasari", "alamat": ""}
    assert doc.issues == [
        (1, "desa", "anchor '&d' tidak diizinkan; tulis nilainya langsung"),
        (2, "alamat", "alias '*d' tidak diizinkan; tulis nilainya langsung"),
    ]


def test_merge_key_is_a_problem() -> None:
    doc = parse_yaml("kontak:\n  <<: {email: a@b.id}\n  situs: https://x.id\n")
    assert doc.data == {"kontak": {"situs": "https://x.id"}}
    assert doc.issues == [(2, "kontak", "penggabungan '<<' tidak diizinkan; tulis isinya langsung")]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("x: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system"),
        ("x: !!python/object:builtins.dict {}\n", "!!python/object:builtins.dict"),
        ("x: !!int 5\n", "!!int"),
        ("x: !!binary aGVsbG8=\n", "!!binary"),
        ("x: !rahasia nilai\n", "!rahasia"),
    ],
)
def test_explicit_tag_is_a_problem(text: str, tag: str) -> None:
    doc = parse_yaml(text)
    assert doc.issues == [(1, "x", f"tag YAML '{tag}' tidak diizinkan; hapus tag tersebut")]
    assert not callable(doc.data["x"])


def test_complex_key_is_a_problem() -> None:
    doc = parse_yaml("? [a, b]\n: c\nnama: d\n")
    assert doc.data == {"nama": "d"}
    assert doc.issues == [(1, "", "kunci harus berupa teks biasa")]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "a: b: c\n",
            5,
            "sintaks YAML tidak valid: tanda ':' tidak diharapkan di sini; beri tanda kutip pada teks yang memuat ':' (YAML: mapping values are not allowed here)",
        ),
        (
            "a: 1\nb\nc: 2\n",
            6,
            "sintaks YAML tidak valid: tanda ':' tidak ditemukan; setiap baris harus berbentuk 'kunci: nilai' (YAML: could not find expected ':')",
        ),
        ("a: 'x\n", 5, "sintaks YAML tidak valid: tanda kutip atau kurung tidak ditutup (YAML: found unexpected end of stream)"),
        (
            "a: 1\nb c\n",
            6,
            "sintaks YAML tidak valid: tanda ':' tidak ditemukan; setiap baris harus berbentuk 'kunci: nilai' (YAML: could not find expected ':')",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            7,
            "sintaks YAML tidak valid: indentasi tidak sesuai; periksa jumlah spasi di awal baris (YAML: expected <block end>, but found '<block mapping start>')",
        ),
        (
            "a: 1\n- b\n",
            6,
            "sintaks YAML tidak valid: indentasi tidak sesuai; periksa jumlah spasi di awal baris (YAML: expected <block end>, but found '-')",
        ),
        (
            "a: {b: 1\nc: 2\n",
            5,
            "sintaks YAML tidak valid: isian dalam kurung { } tidak ditutup, atau isinya tidak dipisah koma (YAML: expected ',' or '}', but got ':')",
        ),
        (
            "a: 1\n---\nb: 2\n",
            6,
            "sintaks YAML tidak valid: hanya boleh ada satu dokumen YAML; hapus baris '---' yang kedua (YAML: but found another document)",
        ),
    ],
)
def test_syntax_error_line_is_offset_to_the_file(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml(text, first_line=5)
    assert (raised.value.line, raised.value.message) == (line, message)


def test_dotted_paths() -> None:
    assert dotted(()) == ""
    assert dotted(("produk", 0, "foto", 1)) == "produk[0].foto[1]"
    assert dotted(("kontak", "whatsapp")) == "kontak.whatsapp"


# -- through the real stages --------------------------------------------------------------------


def test_problems_in_a_file_carry_its_lines(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "desa: &d Wanasari\nalamat: *d\nproduk: !!python/object/apply:os.system [ls]\nnama: Lagi\n---\n")
    _, problems = load_entries(project / "catalog")
    assert [p.format(base=project) for p in problems] == [
        f"{SRC}:6: desa: anchor '&d' tidak diizinkan; tulis nilainya langsung",
        f"{SRC}:7: alamat: alias '*d' tidak diizinkan; tulis nilainya langsung",
        f"{SRC}:8: produk: tag YAML '!!python/object/apply:os.system' tidak diizinkan; hapus tag tersebut",
        f"{SRC}:9: nama: kunci ganda (sudah ada di baris 2); hapus salah satunya",
    ]


def test_values_yaml_would_mangle_reach_the_entry_as_written(project: Path, make_entry: MakeEntry) -> None:
    make_entry(
        text=HEAD
        + "desa: NO\nalamat: 10:30\nkapasitas: 15.000\npemilik: yes\nkontak:\n  telepon: 0274512345\n  whatsapp: 081234567890\nnib: 0220009861929\n---\n"
    )
    region, _ = load_region(project / "wilayah.yml")
    assert region is not None
    raw, problems = load_entries(project / "catalog")
    catalog, more = validate_entries(raw, region, today=TODAY)
    assert problems + more == []
    [entry] = catalog.entries
    assert (entry.desa, entry.alamat, entry.kapasitas, entry.pemilik) == ("NO", "10:30", "15.000", "yes")
    assert (entry.kontak.telepon, entry.kontak.whatsapp, entry.nib) == ("62274512345", "6281234567890", "0220009861929")
