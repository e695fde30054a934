"""Reproducible builds: the same commit, built on another day in another folder, gives the same bytes."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from generator.builder.pipeline import build_date
from tests.conftest import ROOT, TODAY, dump_entry, write_image

SITE_URL = "https://umkm.bekasikab.go.id/katalog/"
TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".txt", ".css", ".js", ".webmanifest", ".svg", ""}


def make_project(dest: Path) -> Path:
    """A small catalog: a full entry with photos and an expired certificate, and a bare one."""
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, dest / name)
    for folder in ("theme", "halaman"):
        shutil.copytree(ROOT / folder, dest / folder)
    full = {
        "nama": "Telaga Batik",
        "sektor": "fesyen",
        "kecamatan": "Karang Bahagia",
        "ringkasan": "Batik tulis dan cap khas Bekasi.",
        "kontak": {"whatsapp": "0812-1934-5521"},
        "sertifikasi": [{"jenis": "pirt", "nomor": "2063216010123-24"}],
        "produk": [{"nama": "Batik Tulis", "harga": "385000", "foto": ["foto/batik.jpg"]}],
        "foto": ["foto/sampul.jpg", "foto/galeri.png"],
        "diperbarui": "2026-10-02",
    }
    entry = dest / "catalog" / "telaga-batik"
    write_image(entry / "foto" / "sampul.jpg", (900, 600))
    write_image(entry / "foto" / "batik.jpg", (800, 800), (40, 90, 160))
    write_image(entry / "foto" / "galeri.png", (700, 500), (10, 160, 60), fmt="PNG")
    (entry / "index.md").write_text(dump_entry(full, "## Sejarah\n\nDimulai **2017**.\n"), encoding="utf-8")
    bare = dest / "catalog" / "keripik-sari-rasa"
    bare.mkdir()
    meta = {"nama": "Keripik Sari Rasa", "sektor": "kuliner", "kecamatan": "Cibitung", "ringkasan": "Keripik singkong balado."}
    (bare / "index.md").write_text(dump_entry(meta), encoding="utf-8")
    return dest


def build(project: Path, *, tz: str, epoch: int, hash_seed: str) -> None:
    """`umkm build` with the same build date but another clock, time zone and hash seed."""
    env = {
        **os.environ,
        "UMKM_TANGGAL": TODAY.isoformat(),
        "UMKM_SITE_URL": SITE_URL,
        "SOURCE_DATE_EPOCH": str(epoch),  # MkDocs' own clock
        "TZ": tz,  # the local day differs as well
        "PYTHONHASHSEED": hash_seed,  # set and dict order
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def snapshot(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_same_catalog_builds_byte_identical_in_another_folder_on_another_day(tmp_path: Path) -> None:
    first = make_project(tmp_path / "senin" / "katalog")
    second = make_project(tmp_path / "selasa" / "salinan lain" / "proyek-umkm")
    build(first, tz="Pacific/Kiritimati", epoch=1_700_000_000, hash_seed="1")  # UTC+14, 2023
    build(second, tz="Pacific/Pago_Pago", epoch=1_900_000_000, hash_seed="2")  # UTC-11, 2030
    a, b = snapshot(first / "site"), snapshot(second / "site")
    assert len(a) > 50
    assert a.keys() == b.keys()
    assert [uri for uri in a if a[uri] != b[uri]] == []
    # Nothing names the folder it was built in.
    for uri, data in a.items():
        if Path(uri).suffix in TEXT_SUFFIXES:
            assert str(tmp_path).encode() not in data, uri


def test_sitemap_gzip_time_is_the_build_date_not_the_clock(tmp_path: Path) -> None:
    # gzip stores a modification time; MkDocs takes it from the pages' update dates, which the
    # plugin sets from the entries and the build date: the same on any day the commit is rebuilt.
    project = make_project(tmp_path / "proyek")
    build(project, tz="UTC", epoch=1_900_000_000, hash_seed="0")
    data = (project / "site" / "sitemap.xml.gz").read_bytes()
    assert int.from_bytes(data[4:8], "little") == int(datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC).timestamp())
    assert gzip.decompress(data) == (project / "site" / "sitemap.xml").read_bytes()


def test_build_date_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UMKM_TANGGAL", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 28, 23, 30, tzinfo=UTC).timestamp())))
    assert build_date() == date(2026, 11, 28)  # in UTC, whatever the local time zone
    monkeypatch.setenv("UMKM_TANGGAL", "2027-01-02")
    assert build_date() == date(2027, 1, 2)  # the explicit date wins
    assert build_date("2025-05-05") == date(2025, 5, 5)
