"""The `umkm` command line: check, new, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import cli
from generator.core.region import load_region
from generator.core.schema import json_schema
from tests.conftest import ROOT, MakeEntry


@pytest.fixture(autouse=True)
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    return project


def test_check_reports_every_broken_entry_and_fails(make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("satu", {"sektor": "kulinerr"})
    make_entry("dua", {"kontak": {"whatsapp": "021-89951234"}})
    make_entry("tiga")
    assert cli.main(["check"]) == 1
    out = capsys.readouterr()
    assert "catalog/satu/index.md:3: sektor: sektor usaha tidak dikenal 'kulinerr' (maksud Anda 'kuliner'?)" in out.out
    assert "catalog/dua/index.md:7: kontak.whatsapp: bukan nomor HP, tidak dapat dipakai untuk WhatsApp (ditemukan '0218***1234')" in out.out
    assert "2 galat" in out.err


def test_check_one_entry_ignores_the_others(make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("rusak", {"sektor": "kulinerr"})
    make_entry("baik")
    assert cli.main(["check", "catalog/baik"]) == 0
    assert "rusak" not in capsys.readouterr().out


def test_check_github_annotations(make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("satu", {"sektor": "kulinerr"})
    assert cli.main(["check", "--format", "github"]) == 1
    line = capsys.readouterr().out.strip().splitlines()[0]
    assert line.startswith("::error file=catalog/satu/index.md,line=3,title=sektor::catalog/satu/index.md:3: sektor: ")


def test_new_writes_a_valid_entry(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["new", "dapur-baru", "--nama", "Dapur Baru: Enak", "--sektor", "kuliner", "--kecamatan", "Setu", "--ringkasan", "Masakan rumahan."]
    assert cli.main(args) == 0
    text = (in_project / "catalog" / "dapur-baru" / "index.md").read_text()
    assert "yaml-language-server: $schema=../../schema/entri.schema.json" in text
    assert cli.main(["check", "catalog/dapur-baru"]) == 0


def test_new_refuses_bad_slug_and_existing_folder(make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["new", "Dapur Baru", "--nama", "x", "--sektor", "kuliner", "--kecamatan", "Setu", "--ringkasan", "x"])
    assert "slug 'Dapur Baru' tidak valid" in capsys.readouterr().err
    make_entry("ada")
    with pytest.raises(SystemExit):
        cli.main(["new", "ada", "--nama", "x", "--sektor", "kuliner", "--kecamatan", "Setu", "--ringkasan", "x"])
    assert "folder sudah ada" in capsys.readouterr().err


def test_committed_schema_and_readme_table_match_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    region, _ = load_region(ROOT / "wilayah.yml")
    assert region is not None
    committed = json.loads((ROOT / "schema" / "entri.schema.json").read_text())
    assert committed == json_schema(region)
    assert cli.main(["schema", "--check"]) == 0


def test_help_is_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "periksa entri katalog" in capsys.readouterr().out


def test_clean_photos_strips_gps_in_place(make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    index = make_entry("hp", {"foto": ["foto/hp.jpg", "foto/biasa.jpg"]}, photos={"foto/biasa.jpg": (800, 600)})
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825)[2] = (6.0, 17.0, 24.0)
    Image.new("RGB", (600, 800), (9, 9, 9)).save(index.parent / "foto" / "hp.jpg", exif=exif)
    before = (index.parent / "foto" / "biasa.jpg").read_bytes()
    assert cli.main(["bersihkan-foto"]) == 0
    assert "dibersihkan: catalog/hp/foto/hp.jpg" in capsys.readouterr().out
    with Image.open(index.parent / "foto" / "hp.jpg") as photo:
        assert photo.size == (800, 600) and not photo.getexif()
    assert (index.parent / "foto" / "biasa.jpg").read_bytes() == before  # no GPS: untouched
    assert cli.main(["check", "catalog/hp"]) == 0
    assert "lokasi GPS" not in capsys.readouterr().out
