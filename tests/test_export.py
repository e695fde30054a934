"""Open data: data/umkm.json, data/umkm.csv, data/produk.csv, their metadata, page and privacy."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

from generator.builder.pipeline import Settings, build_content, check_catalog
from generator.core import schema
from generator.core.problems import errors_in
from generator.core.region import load_region
from generator.outputs import export
from tests.conftest import FULL, ROOT, TODAY, MakeEntry, build, full_photos, parse_page

SITE = "https://umkm.bekasikab.go.id/katalog/"


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def data_site(project: Path, make_entry: MakeEntry) -> Path:
    make_entry(
        "telaga-batik",
        {**FULL, "pemilik": "Ibu Rohimah"},
        body="Cerita **batik**.\n",
        photos=full_photos(),
    )
    make_entry(
        "keripik-sari-rasa",
        {
            "produk": [
                {"nama": "Keripik Balado", "harga": "15000"},
                {"nama": 'Keripik "Pedas", Level 5', "deskripsi": "Baris satu,\nbaris dua"},
            ]
        },
    )
    make_entry("tanpa-produk", {"nama": "Jasa Jahit Bu Ani", "sektor": "jasa"})
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_json_lists_every_business_with_licence_date_and_schema(data_site: Path) -> None:
    data = json.loads((data_site / "data/umkm.json").read_text(encoding="utf-8"))
    assert data["$schema"] == f"{SITE}schema/umkm.schema.json"
    assert (data_site / "schema/umkm.schema.json").is_file() and (data_site / "schema/entri.schema.json").is_file()
    assert data["lisensi"] == {"nama": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/deed.id"}
    assert data["dibuat"] == TODAY.isoformat()  # the injected build date, never the clock
    assert data["jumlah"] == 3 and [b["slug"] for b in data["usaha"]] == ["keripik-sari-rasa", "tanpa-produk", "telaga-batik"]
    telaga = data["usaha"][2]
    assert telaga["url"] == f"{SITE}usaha/telaga-batik/"
    assert telaga["kecamatan"] == "Karangbahagia" and telaga["nib"] == "9120301745821"
    assert "kontak" not in telaga and "pemilik" not in telaga  # pages only, by default (tests below)
    assert telaga["sertifikasi"][1] == {"jenis": "pirt", "nomor": "2063216010123-24", "berlaku_sampai": "2024-12-31"}
    assert telaga["produk"][0]["harga"] == 385000
    assert telaga["cerita"].strip() == "Cerita **batik**."
    # Photos are the published files, never the originals.
    assert len(telaga["foto"]) == len(FULL["foto"])
    cover = telaga["foto"][0]
    assert cover.startswith(f"{SITE}foto/telaga-batik/sampul-") and (data_site / cover[len(SITE) :]).is_file()
    assert "sampul.jpg" not in json.dumps(data)


def test_json_follows_its_published_schema(data_site: Path) -> None:
    data = json.loads((data_site / "data/umkm.json").read_text(encoding="utf-8"))
    data_schema = json.loads((data_site / "schema/umkm.schema.json").read_text(encoding="utf-8"))

    def check(value: Any, node: dict[str, Any], where: str) -> None:
        if "properties" in node and isinstance(value, dict):
            for key, item in value.items():
                assert key in node["properties"], f"{where}.{key} is not in the schema"
                check(item, node["properties"][key], f"{where}.{key}")
            for key in node.get("required", []):
                assert key in value, f"{where}.{key} is required"
        if node.get("type") == "array":
            for i, item in enumerate(value):
                check(item, node["items"], f"{where}[{i}]")
        if "enum" in node:
            assert value in node["enum"], where

    check(data, data_schema, "umkm.json")


def test_csv_files_have_one_row_per_business_and_per_product(data_site: Path) -> None:
    raw = (data_site / "data/umkm.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = read_csv(raw.decode("utf-8"))
    assert [r["slug"] for r in rows] == ["keripik-sari-rasa", "tanpa-produk", "telaga-batik"]
    telaga = rows[2]
    assert telaga["kode_kecamatan"] == "32.16.10" and telaga["kabupaten"] == "Kabupaten Bekasi"
    assert telaga["toko_online"] == "tokopedia https://www.tokopedia.com/telagabatik"
    assert telaga["sertifikasi"] == "halal ID32110000145680323 | pirt 2063216010123-24 2024-12-31"
    assert telaga["sertifikasi_berlaku"] == "halal"
    assert telaga["jumlah_produk"] == "1" and telaga["harga_terendah"] == "385000"
    assert telaga["diperbarui"] == "2026-10-02"
    products = read_csv((data_site / "data/produk.csv").read_text(encoding="utf-8"))
    assert [(p["slug_usaha"], p["nomor"], p["nama"]) for p in products] == [
        ("keripik-sari-rasa", "1", "Keripik Balado"),
        ("keripik-sari-rasa", "2", 'Keripik "Pedas", Level 5'),
        ("telaga-batik", "1", "Batik Tulis Tanjung Pura"),
    ]
    assert products[1]["deskripsi"] == "Baris satu, baris dua"  # quoted: the comma stays in its cell
    assert products[0]["harga"] == "15000" and products[1]["harga"] == ""
    assert products[2]["url"] == f"{SITE}usaha/telaga-batik/#produk-1"


def test_csv_metadata_describes_every_column(data_site: Path) -> None:
    meta = json.loads((data_site / "data/csv-metadata.json").read_text(encoding="utf-8"))
    assert meta["dc:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/deed.id"}
    assert meta["dc:modified"]["@value"] == TODAY.isoformat()
    for table in meta["tables"]:
        header = (data_site / "data" / table["url"]).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert [c["name"] for c in table["tableSchema"]["columns"]] == header


def test_data_page_documents_the_columns_and_links_the_files(data_site: Path) -> None:
    path = data_site / "data/index.html"
    page = parse_page(path)
    html = path.read_text(encoding="utf-8")
    for name in ("umkm.json", "umkm.csv", "produk.csv", "csv-metadata.json"):
        assert name in page.links and (data_site / "data" / name).is_file()
    assert "../schema/umkm.schema.json" in page.links
    for column in ("kode_kecamatan", "sertifikasi_berlaku", "slug_usaha", "harga"):
        assert f"<code>{column}</code>" in html
    assert "CC BY 4.0" in html and "28 November 2026" in html
    assert "Data Terbuka" in (data_site / "index.html").read_text(encoding="utf-8")  # in the navigation


def test_licence_is_configurable(project: Path, make_entry: MakeEntry) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text()
    config.write_text(
        text.replace(
            "      cache_dir: .cache/umkm\n",
            "      cache_dir: .cache/umkm\n      data_license: CC0 1.0\n      data_license_url: https://creativecommons.org/publicdomain/zero/1.0/\n",
        )
    )
    assert "data_license: CC0" in config.read_text()
    make_entry("keripik-sari-rasa")
    assert build(project).returncode == 0
    data = json.loads((project / "site/data/umkm.json").read_text(encoding="utf-8"))
    assert data["lisensi"] == {"nama": "CC0 1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"}
    assert 'Link: <https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"' in (project / "site/_headers").read_text()


# --- private fields ------------------------------------------------------------------------------


def _privatise(monkeypatch: pytest.MonkeyPatch, *paths: str) -> None:
    """Mark schema fields private, as a future field such as a home address would be."""

    def mark(field: schema.Field, prefix: str) -> schema.Field:
        fields = tuple(mark(f, f"{prefix}{f.name}.") for f in field.fields)
        private = prefix.rstrip(".") in paths
        return dataclasses.replace(field, fields=fields, visibility=schema.RAHASIA if private else field.visibility)

    monkeypatch.setattr(
        schema, "ENTRY", dataclasses.replace(schema.ENTRY, fields=tuple(mark(f, f"{f.name}.") for f in schema.ENTRY.fields))
    )


def test_private_fields_are_never_published(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    make_entry(
        "telaga-batik",
        {**FULL, "pemilik": "Ibu Rahasia Sekali", "kontak": {"whatsapp": "0812-1934-5521", "telepon": "021-77665544"}},
        photos=full_photos(),
    )
    _privatise(monkeypatch, "pemilik", "kontak.telepon")
    assert export.is_private("pemilik") and export.is_private("kontak.telepon") and not export.is_private("kontak.whatsapp")
    settings = Settings(
        catalog_dir=project / "catalog", region_file=project / "wilayah.yml", cache_dir=project / ".cache", today=TODAY, site_url=SITE
    )
    catalog, problems = check_catalog(settings)
    assert catalog is not None and not errors_in(problems), problems
    assert catalog.entries[0].pemilik == "Ibu Rahasia Sekali"  # validated as usual
    content, _ = build_content(settings, catalog)
    assert content is not None
    published = "\n".join(
        [*(p.html for p in content.pages), *content.heads.values(), *(text for uri, text in content.texts if uri.startswith("data/"))]
    )
    assert "Rahasia" not in published
    assert "77665544" not in published
    assert "6281219345521" in published  # the WhatsApp number is still on the business page
    header = next(text for uri, text in content.texts if uri == "data/umkm.csv").splitlines()[0]
    assert "pemilik" not in header.split(",") and "telepon" not in header.split(",")
    data_schema = next(text for uri, text in content.texts if uri == "schema/umkm.schema.json")
    assert '"pemilik"' not in data_schema and '"telepon"' not in data_schema
    data_page = next(p for p in content.pages if p.src_uri == "data/index.md")
    assert "<code>telepon</code>" not in data_page.html  # no column of that name
    assert "<tr><td><code>pemilik</code></td><td>Nama pemilik</td><td>tidak diterbitkan</td></tr>" in data_page.html


def test_a_required_field_cannot_be_private(monkeypatch: pytest.MonkeyPatch) -> None:
    _privatise(monkeypatch, "nama")
    from generator.core.models import Entry

    entry = Entry(slug="x", source=ROOT / "catalog/x/index.md", nama="X", sektor="jasa", kecamatan="Setu", ringkasan="R")
    with pytest.raises(ValueError, match="nama"):
        export.redact_entry(entry)


# --- what the open data holds: business facts, no owner, no phone numbers (issue 14) --------------


def test_open_data_holds_business_facts_and_no_personal_contact(data_site: Path) -> None:
    """Owners' names and phone numbers in a CC BY bulk file are a spammer's list: pages only."""
    bulk = "\n".join((data_site / "data" / name).read_text(encoding="utf-8") for name in ("umkm.json", "umkm.csv", "produk.csv"))
    for personal in ("Ibu Rohimah", "6281219345521", "1934", "telaga@example.id"):
        assert personal not in bulk
    header = (data_site / "data/umkm.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert not {"pemilik", "whatsapp", "telepon", "email", "alamat"} & set(header)
    assert {"nama", "sektor", "kecamatan", "nib", "toko_online", "sertifikasi", "harga_terendah", "instagram", "situs"} <= set(header)
    data_schema = (data_site / "schema/umkm.schema.json").read_text(encoding="utf-8")
    assert '"pemilik"' not in data_schema and '"whatsapp"' not in data_schema
    # The page of the business still has its contact buttons and its owner: that is their purpose.
    page = (data_site / "usaha/telaga-batik/index.html").read_text(encoding="utf-8")
    assert "wa.me/6281219345521" in page and "Ibu Rohimah" in page
    # The data page says what is left out, from the schema.
    data_page = (data_site / "data/index.html").read_text(encoding="utf-8")
    assert "Yang tidak dimuat" in data_page
    for name in ("pemilik", "kontak.whatsapp", "kontak.telepon", "kontak.email", "alamat", "persetujuan"):
        assert f"<code>{name}</code>" in data_page


def test_a_dinas_opts_a_field_into_the_open_data(project: Path, make_entry: MakeEntry) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("      cache_dir: .cache/umkm\n", "      cache_dir: .cache/umkm\n      open_data_fields: [pemilik]\n"))
    make_entry("telaga-batik", {**FULL, "pemilik": "Ibu Rohimah"}, photos=full_photos())
    assert build(project).returncode == 0
    data = json.loads((project / "site/data/umkm.json").read_text(encoding="utf-8"))
    assert data["usaha"][0]["pemilik"] == "Ibu Rohimah" and "kontak" not in data["usaha"][0]
    assert "pemilik" in (project / "site/data/umkm.csv").read_text(encoding="utf-8").splitlines()[0].split(",")


def test_a_field_published_nowhere_cannot_be_opted_in(project: Path, make_entry: MakeEntry) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("      cache_dir: .cache/umkm\n", "      cache_dir: .cache/umkm\n      open_data_fields: [persetujuan, kontak.faks]\n"))
    make_entry("keripik-sari-rasa")
    result = build(project)
    assert result.returncode != 0
    assert "open_data_fields: kolom 'persetujuan' tidak pernah diterbitkan" in result.stderr
    assert "open_data_fields: kolom 'kontak.faks' tidak ada di skema entri" in result.stderr


# --- one CSV escaping rule, read back as a spreadsheet program would -----------------------------

FORMULAS = ['=HYPERLINK("https://evil.example","klik")', "+1+1", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0"]


def _formula_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_every_csv_the_project_writes_escapes_formulas(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import Workbook

    from generator import cli

    products = [{"nama": f"Produk {i}", "deskripsi": formula, "satuan": formula[:40]} for i, formula in enumerate(FORMULAS)]
    make_entry("rumus", {"nama": "@Warung Rumus", "ringkasan": "=1+1 " + "ringkasan", "kapasitas": "-5 kg", "produk": products, "diperbarui": "2020-01-01"})
    assert build(project).returncode == 0, "build"
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    assert cli.main(["laporan", "--keluaran", "laporan"]) == 0
    reports = sorted((project / "laporan").glob("*.csv"))
    written = [project / "site/data/umkm.csv", project / "site/data/produk.csv", *reports]
    assert len(reports) >= 4
    for path in written:
        text = path.read_text(encoding="utf-8-sig")
        assert _formula_cells(text) == [], path.name
        # A spreadsheet sees text, not a formula: loaded cell by cell as openpyxl would store it.
        sheet = Workbook().active
        for row in csv.reader(io.StringIO(text, newline="")):
            sheet.append(row)
        assert not [c.value for r in sheet.iter_rows() for c in r if c.data_type == "f"], path.name
    produk = read_csv((project / "site/data/produk.csv").read_text(encoding="utf-8"))
    assert [p["deskripsi"] for p in produk] == [f"'{f}" for f in FORMULAS]


def test_csv_columns_of_entry_fields_are_described_by_the_schema() -> None:
    # One source of truth: a field's words live in core/schema.py, not again in the export.
    region, _ = load_region(ROOT / "wilayah.yml")
    assert region is not None
    columns = [*export.business_columns_for(region), *export.PRODUCT_COLUMNS]
    # The columns that are an entry field itself (not a count, a label or a code derived from one).
    described = [c for c in columns if c.source and c.source.rsplit(".", 1)[-1] == c.name and schema.field_at(c.source).type not in ("list", "object")]
    assert len(described) >= 15
    for column in described:
        assert column.description.startswith(schema.field_at(column.source).label + "."), column.name
