"""The shortcuts the loader, validator and photo bookkeeping take for speed give the slow paths' answers.

Each test sets up a case where a shortcut must step aside (an odd line break, a symlink, a hidden
folder, a photo gone since the last run) and asserts the exact result.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from generator.builder import images
from generator.builder.images import photo_source, process_photos
from generator.builder.load import load_entries
from generator.builder.validate import clean_text, validate_entries
from generator.core.models import Entry, Region
from generator.core.problems import ERROR, WARNING, Problem
from generator.core.region import load_region
from tests.conftest import TODAY, MakeEntry

SRC = "catalog/keripik-sari-rasa/index.md"
HEAD = "---\nnama: Keripik Sari Rasa\nsektor: kuliner\nkecamatan: Cibitung\nringkasan: Keripik singkong balado renyah.\n"
NIK = "3216014501900001"
NIK_MESSAGE = (
    "nomor 16 angka seperti NIK (nomor KTP) tidak boleh dimuat karena katalog ini publik; hapus nomor tersebut (ditemukan 3216************)"
)


def check(project: Path) -> list[str]:
    region, problems = load_region(project / "wilayah.yml")
    assert isinstance(region, Region), problems
    raw, problems = load_entries(project / "catalog")
    _, more = validate_entries(raw, region, today=TODAY)
    return [p.format(project) for p in problems + more]


# -- NIK scan: only lines where a NIK could start are read, numbered as `splitlines` numbers them ---


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"])
def test_nik_is_found_on_its_line_after_any_line_break(project: Path, make_entry: MakeEntry, newline: str) -> None:
    body = newline.join(["Cerita usaha.", "Lagi.", f"NIK pemilik: {NIK}.", ""])
    make_entry(text=f"{HEAD}---\n{body}")
    assert check(project) == [f"{SRC}:9: cerita: {NIK_MESSAGE}"]


def test_nik_in_a_windows_file_is_found_on_its_line(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=f"{HEAD}pemilik: Ibu Rohimah ({NIK})\n---\nCerita usaha.\n".replace("\n", "\r\n"))
    assert check(project) == [f"{SRC}:6: pemilik: {NIK_MESSAGE}"]


def test_nik_after_a_longer_number_on_the_same_line_is_found(project: Path, make_entry: MakeEntry) -> None:
    # The 19-character run before the NIK is where the line's first possible start is found.
    make_entry(text=f"{HEAD}---\nHalal ID32110000145680323 {NIK}.\nDan {NIK}\n")
    assert check(project) == [f"{SRC}:7: cerita: {NIK_MESSAGE}", f"{SRC}:8: cerita: {NIK_MESSAGE}"]


def test_sixteen_digits_that_are_not_a_nik_are_left_alone(project: Path, make_entry: MakeEntry) -> None:
    # Glued to a letter a NIK is still a NIK (`KTP3216...`, tests/test_privacy.py); a longer number is not.
    make_entry(text=f"{HEAD}---\nKode 1{NIK}, 0812 3456 7890 12.\n")
    assert check(project) == []


# -- clean_text: printable ASCII skips the invisible-character pass --------------------------------


@pytest.mark.parametrize(
    ("text", "single", "multi"),
    [
        ("  Keripik  Balado ", "Keripik Balado", "  Keripik  Balado "),
        ("Keripik\tBalado\r\n", "Keripik Balado", "Keripik\tBalado\n"),
        ("Kerip\x00ik\x7f", "Keripik", "Keripik"),
        ("Kopi\u00a0Enak\u200b", "Kopi\u00a0Enak", "Kopi\u00a0Enak"),
    ],
)
def test_clean_text(text: str, single: str, multi: str) -> None:
    assert clean_text(text) == single
    assert clean_text(text, multiline=True) == multi


# -- entry folder scan: one listing per folder, in os.walk's order -------------------------------


def test_index_md_that_is_a_folder_is_not_found(project: Path) -> None:
    folder = project / "catalog" / "keripik-sari-rasa"
    (folder / "index.md").mkdir(parents=True)
    (folder / "index.md" / "catatan.txt").write_text("x", encoding="utf-8")
    assert check(project) == [
        f"{SRC}/catatan.txt: berkas tidak diizinkan di folder usaha: hanya index.md dan foto (JPEG, PNG, WebP, GIF, HEIC) yang boleh ada",
        f"{SRC}: berkas index.md tidak ditemukan di folder usaha",
    ]


def test_folder_problems_come_in_walk_order(project: Path, make_entry: MakeEntry) -> None:
    index = make_entry(photos={"b/x.jpg": (8, 8), "a/1/2/3/x.jpg": (8, 8), "z.jpg": (8, 8)})
    folder = index.parent
    (folder / "c.txt").write_text("x", encoding="utf-8")
    (folder / "a" / "d.txt").write_text("x", encoding="utf-8")
    (folder / "a" / "tautan").symlink_to(folder / "b", target_is_directory=True)
    (folder / "b" / "salinan.jpg").symlink_to(folder / "z.jpg")
    not_allowed = "berkas tidak diizinkan di folder usaha: hanya index.md dan foto (JPEG, PNG, WebP, GIF, HEIC) yang boleh ada"
    base = "catalog/keripik-sari-rasa"
    assert [m for m in check(project) if "foto tidak dipakai" not in m] == [
        f"{base}/c.txt: {not_allowed}",
        f"{base}/a/tautan: tautan simbolik (symlink) tidak diizinkan di folder usaha",
        f"{base}/a/d.txt: {not_allowed}",
        f"{base}/a/1/2/3: folder terlalu dalam (paling dalam 3 tingkat)",
        f"{base}/b/salinan.jpg: tautan simbolik (symlink) tidak diizinkan di folder usaha",
    ]


# -- photo bookkeeping: paths are resolved without realpath only where no symlink is involved -------


def photo_entry(folder: Path, *foto: str) -> Entry:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.md").write_text("---\nnama: Contoh\n---\n", encoding="utf-8")
    return Entry(slug=folder.name, source=folder / "index.md", nama="Contoh", sektor="kuliner", kecamatan="Setu", ringkasan="R", foto=foto)


def save(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (480, 400), (20, 120, 40)).save(path, "JPEG")
    return path


def test_photo_through_a_linked_folder_is_outside_the_entry(tmp_path: Path) -> None:
    entry = photo_entry(tmp_path / "catalog" / "usaha", "galeri/x.jpg")
    save(tmp_path / "luar" / "x.jpg")
    (entry.folder / "galeri").symlink_to(tmp_path / "luar", target_is_directory=True)
    photos, problems = process_photos([entry], tmp_path / "cache")
    message = "foto 'galeri/x.jpg' harus berada di dalam folder entri (photo must be inside the entry folder)"
    assert (photos, problems) == ({}, [Problem(entry.source, None, "foto[0]", message, ERROR)])


def test_one_photo_written_three_ways_is_one_job_and_its_link_is_not_unused(tmp_path: Path) -> None:
    entry = photo_entry(tmp_path / "catalog" / "usaha", "foto/x.jpg", "./foto/x.jpg", "foto/../foto/x.jpg")
    save(entry.folder / "foto" / "x.jpg")
    save(entry.folder / ".arsip" / "lama.jpg")  # hidden folders are not looked into
    save(entry.folder / "foto" / ".tersembunyi.jpg")
    (entry.folder / "foto" / "salinan.jpg").symlink_to(entry.folder / "foto" / "x.jpg")
    save(entry.folder / "foto" / "lain" / "y.jpg")
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert list(photos) == [(entry.folder / "foto" / "x.jpg").resolve()]
    unused = "foto tidak dipakai: 'foto/lain/y.jpg' tidak dirujuk oleh field mana pun (unused photo)"
    assert problems == [Problem(entry.source, None, "", unused, WARNING)]


def test_entry_folder_reached_through_a_link_is_keyed_by_its_real_path(tmp_path: Path) -> None:
    save(tmp_path / "asli" / "usaha" / "foto" / "x.jpg")
    (tmp_path / "tautan").symlink_to(tmp_path / "asli", target_is_directory=True)
    entry = photo_entry(tmp_path / "tautan" / "usaha", "foto/x.jpg")
    photos, problems = process_photos([entry], tmp_path / "cache")
    assert problems == []
    assert list(photos) == [tmp_path.resolve() / "asli" / "usaha" / "foto" / "x.jpg"] == [photo_source(entry, "foto/x.jpg")]


def test_photo_gone_since_the_last_run_is_reported_not_served_from_the_cache(tmp_path: Path) -> None:
    entry = photo_entry(tmp_path / "catalog" / "usaha", "foto/x.jpg", "foto/y.jpg")
    save(entry.folder / "foto" / "x.jpg")
    save(entry.folder / "foto" / "y.jpg")
    first, _ = process_photos([entry], tmp_path / "cache")
    (entry.folder / "foto" / "y.jpg").unlink()
    second, problems = process_photos([entry], tmp_path / "cache")
    kept = photo_source(entry, "foto/x.jpg")
    assert second == {kept: first[kept]}
    assert problems == [Problem(entry.source, None, "foto[1]", "foto 'foto/y.jpg' tidak ditemukan (photo file not found)", ERROR)]
    assert (images.last_stats.processed, images.last_stats.cached, images.last_stats.failed) == (0, 1, 1)
