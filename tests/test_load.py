"""Load stage: folder layout, front matter blocks and YAML errors anchored to real file lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.builder.load import MAX_INDEX_BYTES, load_entries
from tests.conftest import MakeEntry, dump_entry, write_image

SRC = "catalog/keripik-sari-rasa/index.md"
HEAD = "---\nnama: Keripik Sari Rasa\nsektor: kuliner\nkecamatan: Cibitung\nringkasan: Keripik singkong balado renyah.\n"
NOT_ALLOWED = "berkas tidak diizinkan di folder usaha: hanya index.md dan foto (JPEG, PNG, WebP, GIF, HEIC) yang boleh ada"
SYMLINK = "tautan simbolik (symlink) tidak diizinkan di folder usaha"


def load(project: Path) -> tuple[list, list[str]]:
    entries, problems = load_entries(project / "catalog")
    return entries, [p.format(base=project) for p in problems]


def test_entry_is_read_with_its_photos_and_story_line(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "---\nCerita usaha.\n", photos={"foto/b.jpg": (8, 8), "foto/a.png": (8, 8), "sampul.webp": (8, 8)})
    entries, messages = load(project)
    assert messages == []
    [entry] = entries
    assert entry.slug == "keripik-sari-rasa"
    assert entry.source == project / SRC
    assert entry.doc.data["nama"] == "Keripik Sari Rasa"
    assert entry.doc.line(("ringkasan",)) == 5
    assert (entry.body, entry.body_line) == ("Cerita usaha.\n", 7)
    assert entry.files == (Path("sampul.webp"), Path("foto/a.png"), Path("foto/b.jpg"))  # top-down, sorted


def test_make_entry_fixture_output_loads(project: Path, make_entry: MakeEntry) -> None:
    make_entry(meta={"desa": "Wanasari"})
    entries, messages = load(project)
    assert messages == []
    assert entries[0].doc.data["desa"] == "Wanasari"


# -- front matter block -------------------------------------------------------------------------


def test_yaml_syntax_error_is_anchored_to_the_file_line(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "desa: Wanasari\nalamat: Kp. Telaga: RT 02\n---\nCerita.\n")
    entries, messages = load(project)
    assert messages == [
        f"{SRC}:7: sintaks YAML tidak valid: tanda ':' tidak diharapkan di sini; beri tanda kutip pada teks yang memuat ':' (YAML: mapping values are not allowed here)"
    ]
    assert entries == []


def test_unclosed_quote_is_reported_where_it_opens(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + 'desa: "Wanasari\nalamat: Kp. Telaga\npemilik: Ibu Rohimah\n---\nCerita.\n')
    _, messages = load(project)
    assert messages == [f"{SRC}:6: sintaks YAML tidak valid: tanda kutip atau kurung tidak ditutup (YAML: found unexpected end of stream)"]


def test_unclosed_flow_list_is_reported_where_it_opens(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "foto: [foto/a.jpg, foto/b.jpg\ndesa: Wanasari\n---\nCerita.\n")
    _, messages = load(project)
    assert messages == [
        f"{SRC}:6: sintaks YAML tidak valid: daftar dalam kurung [ ] tidak ditutup, atau butirnya tidak dipisah koma (YAML: expected ',' or ']', but got ':')"
    ]


def test_bad_indentation_is_reported_on_its_line(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "produk:\n  - nama: Keripik\n   harga: 15000\n---\nCerita.\n")
    _, messages = load(project)
    assert messages == [
        f"{SRC}:8: sintaks YAML tidak valid: indentasi tidak sesuai; periksa jumlah spasi di awal baris (YAML: expected <block end>, but found '<block mapping start>')"
    ]


def test_tab_indentation_is_reported(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "kontak:\n\twhatsapp: '0812'\n---\nCerita.\n")
    _, messages = load(project)
    assert messages == [
        f"{SRC}:7: sintaks YAML tidak valid: karakter tab tidak boleh dipakai; gunakan spasi untuk indentasi (YAML: found character '\\t' that cannot start any token)"
    ]


def test_control_character_is_reported_on_its_line(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "desa: Wana\x07sari\n---\nCerita.\n")
    _, messages = load(project)
    assert messages == [f"{SRC}:6: karakter tak terlihat atau karakter kendali tidak diizinkan (kode #x0007); hapus karakter tersebut"]


@pytest.mark.parametrize("text", ["nama: Keripik\n\nCerita usaha.\n", "", "Cerita usaha.\n---\nnama: x\n---\n", " ---\nnama: x\n---\n"])
def test_missing_front_matter_is_an_error(project: Path, make_entry: MakeEntry, text: str) -> None:
    make_entry(text=text)
    entries, messages = load(project)
    assert messages == [
        f"{SRC}:1: blok front matter tidak ditemukan: baris pertama harus '---', diikuti data usaha, lalu '---' (front matter missing)"
    ]
    assert entries == []


def test_unclosed_front_matter_is_an_error(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "\nCerita usaha tanpa penutup.\n")
    entries, messages = load(project)
    assert messages == [f"{SRC}:1: blok front matter tidak ditutup: tambahkan baris '---' setelah data usaha (front matter not closed)"]
    assert entries == []


@pytest.mark.parametrize("text", ["---\n---\nCerita.\n", "---\n- nama\n- sektor\n---\nCerita.\n", "---\njust text\n---\n"])
def test_front_matter_that_is_not_a_mapping_is_an_error(project: Path, make_entry: MakeEntry, text: str) -> None:
    make_entry(text=text)
    entries, messages = load(project)
    assert messages == [f"{SRC}:2: front matter harus berisi pasangan 'kunci: nilai', misalnya 'nama: Telaga Batik'"]
    assert entries == []


def test_utf8_bom_is_accepted(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text="\ufeff" + HEAD + "---\nCerita.\n")
    entries, messages = load(project)
    assert messages == []
    assert entries[0].doc.data["nama"] == "Keripik Sari Rasa"


def test_utf8_bom_keeps_line_numbers(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text="\ufeff" + HEAD + "alamat: a: b\n---\n")
    _, messages = load(project)
    assert messages[0].startswith(f"{SRC}:6: sintaks YAML tidak valid")


def test_windows_line_endings_are_accepted(project: Path) -> None:
    folder = project / "catalog" / "keripik-sari-rasa"
    folder.mkdir()
    (folder / "index.md").write_bytes((HEAD + "---\nCerita.\n").replace("\n", "\r\n").encode())
    entries, messages = load(project)
    assert messages == []
    assert entries[0].doc.data["ringkasan"] == "Keripik singkong balado renyah."


def test_closing_dots_end_the_front_matter(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=HEAD + "...\nCerita.\n")
    entries, messages = load(project)
    assert messages == []
    assert entries[0].body == "Cerita.\n"


def test_non_utf8_file_is_refused_at_its_line(project: Path) -> None:
    folder = project / "catalog" / "keripik-sari-rasa"
    folder.mkdir()
    (folder / "index.md").write_bytes(HEAD.encode() + "desa: Caf\xe9\n---\n".encode("latin-1"))
    _, messages = load(project)
    assert messages == [f"{SRC}:6: berkas bukan teks UTF-8; simpan ulang dengan pengodean UTF-8"]


def test_oversized_index_is_refused(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=dump_entry({"nama": "x"}, "a" * MAX_INDEX_BYTES))
    _, messages = load(project)
    assert messages == [f"{SRC}: berkas terlalu besar (257 KB; paling besar 256 KB)"]


# -- folder layout ------------------------------------------------------------------------------


def test_index_md_missing_is_an_error(project: Path) -> None:
    write_image(project / "catalog" / "warung-bu-yati" / "foto" / "sampul.jpg", (8, 8))
    entries, messages = load(project)
    assert messages == ["catalog/warung-bu-yati/index.md: berkas index.md tidak ditemukan di folder usaha"]
    assert entries == []


def test_stray_file_beside_the_entry_folders_is_an_error(project: Path, make_entry: MakeEntry) -> None:
    make_entry()
    (project / "catalog" / "warung.md").write_text(dump_entry({"nama": "Warung"}), encoding="utf-8")
    entries, messages = load(project)
    assert messages == [
        "catalog/warung.md: berkas liar di folder katalog; setiap usaha harus berupa folder berisi index.md (misalnya catalog/warung/index.md)"
    ]
    assert [e.slug for e in entries] == ["keripik-sari-rasa"]


@pytest.mark.parametrize(
    "name", ["peta.html", "logo.svg", "script.js", "catatan.txt", "brosur.pdf", "foto/menu.PDF", ".DS_Store", "index.md.bak"]
)
def test_other_file_in_an_entry_folder_is_an_error(project: Path, make_entry: MakeEntry, name: str) -> None:
    index = make_entry()
    (index.parent / name).parent.mkdir(exist_ok=True)
    (index.parent / name).write_text("<script>alert(1)</script>", encoding="utf-8")
    _, messages = load(project)
    assert messages == [f"catalog/keripik-sari-rasa/{name}: {NOT_ALLOWED}"]


def test_symlinked_file_in_an_entry_folder_is_an_error(project: Path, make_entry: MakeEntry) -> None:
    index = make_entry()
    (index.parent / "sampul.jpg").symlink_to(write_image(project / "di-luar.jpg", (8, 8)))
    entries, messages = load(project)
    assert messages == [f"catalog/keripik-sari-rasa/sampul.jpg: {SYMLINK}"]
    assert entries[0].files == ()


def test_symlinked_folder_in_an_entry_folder_is_an_error(project: Path, make_entry: MakeEntry) -> None:
    index = make_entry()
    (index.parent / "foto").symlink_to(project / "theme", target_is_directory=True)
    _, messages = load(project)
    assert messages == [f"catalog/keripik-sari-rasa/foto: {SYMLINK}"]


def test_symlinked_index_is_refused(project: Path, make_entry: MakeEntry) -> None:
    index = make_entry()
    real = project / "index-asli.md"
    index.rename(real)
    index.symlink_to(real)
    entries, messages = load(project)
    assert messages == [f"{SRC}: {SYMLINK}", f"{SRC}: berkas index.md tidak ditemukan di folder usaha"]
    assert entries == []


def test_symlinked_entry_folder_is_an_error(project: Path, make_entry: MakeEntry) -> None:
    index = make_entry()
    (project / "catalog" / "salinan").symlink_to(index.parent, target_is_directory=True)
    entries, messages = load(project)
    assert messages == ["catalog/salinan: tautan simbolik (symlink) tidak diizinkan di katalog; salin foldernya"]
    assert [e.slug for e in entries] == ["keripik-sari-rasa"]


def test_folders_nested_too_deep_are_an_error(project: Path, make_entry: MakeEntry) -> None:
    index = make_entry()
    write_image(index.parent / "a" / "b" / "c" / "d" / "x.jpg", (8, 8))
    entries, messages = load(project)
    assert messages == ["catalog/keripik-sari-rasa/a/b/c/d: folder terlalu dalam (paling dalam 3 tingkat)"]
    assert entries[0].files == ()


@pytest.mark.parametrize("name", ["_draf", ".git", "_templat-entri", ".cache"])
def test_folders_starting_with_underscore_or_dot_are_not_entries(project: Path, make_entry: MakeEntry, name: str) -> None:
    make_entry()
    folder = project / "catalog" / name
    folder.mkdir()
    (folder / "index.md").write_text("bukan front matter\n", encoding="utf-8")
    (folder / "catatan.txt").write_text("x", encoding="utf-8")
    entries, messages = load(project)
    assert messages == []
    assert [e.slug for e in entries] == ["keripik-sari-rasa"]


def test_hidden_file_in_catalog_is_ignored(project: Path, make_entry: MakeEntry) -> None:
    make_entry()
    (project / "catalog" / ".gitkeep").write_text("", encoding="utf-8")
    _, messages = load(project)
    assert messages == []


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Toko_Baru", "toko-baru"), ("warung bu yati", "warung-bu-yati"), ("-kopi-", "kopi"), ("kopi--susu", "kopi-susu")],
)
def test_folder_name_that_is_not_a_slug_is_an_error(project: Path, make_entry: MakeEntry, name: str, suggestion: str) -> None:
    make_entry(name)
    entries, messages = load(project)
    assert messages == [
        f"catalog/{name}: nama folder '{name}' bukan slug yang valid: hanya huruf kecil a-z, angka 0-9 dan tanda hubung (coba '{suggestion}')"
    ]
    assert entries == []


def test_slugs_that_differ_only_in_case_are_duplicates(project: Path, make_entry: MakeEntry) -> None:
    make_entry("keripik-sari-rasa")
    make_entry("Keripik-Sari-Rasa")
    entries, messages = load(project)
    assert messages == [
        "catalog/Keripik-Sari-Rasa: nama folder 'Keripik-Sari-Rasa' bukan slug yang valid: hanya huruf kecil a-z, angka 0-9 dan tanda hubung (coba 'keripik-sari-rasa')",
        "catalog/keripik-sari-rasa: slug ganda: folder 'keripik-sari-rasa' sama dengan 'Keripik-Sari-Rasa' bila huruf besar/kecil diabaikan",
    ]
    assert entries == []


def test_every_broken_entry_is_reported(project: Path, make_entry: MakeEntry) -> None:
    make_entry("a-tanpa-penutup", text=HEAD)
    make_entry("b-yaml-rusak", text=HEAD + "desa: [Wanasari\n---\n")
    make_entry("c-baik")
    entries, messages = load(project)
    assert messages == [
        "catalog/a-tanpa-penutup/index.md:1: blok front matter tidak ditutup: tambahkan baris '---' setelah data usaha (front matter not closed)",
        "catalog/b-yaml-rusak/index.md:6: sintaks YAML tidak valid: daftar dalam kurung [ ] tidak ditutup, atau butirnya tidak dipisah koma (YAML: expected ',' or ']', but got '<stream end>')",
    ]
    assert [e.slug for e in entries] == ["c-baik"]


def test_missing_catalog_folder(project: Path) -> None:
    entries, problems = load_entries(project / "tidak-ada")
    assert [p.format(base=project) for p in problems] == ["tidak-ada: folder katalog tidak ditemukan (catalog folder not found)"]
    assert entries == []
