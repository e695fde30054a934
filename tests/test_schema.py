"""The declarative schema: the published JSON Schema comes from the same fields the validator uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from generator.core.models import Region
from generator.core.region import load_region
from generator.core.schema import ENTRY_FIELDS, Field, json_schema, vocabulary
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def region() -> Region:
    region, problems = load_region(ROOT / "wilayah.yml")
    assert region is not None, problems
    return region


@pytest.fixture(scope="module")
def schema(region: Region) -> dict[str, Any]:
    return json_schema(region)


def walk(fields: tuple[Field, ...], node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Field, dict[str, Any]]]:
    """Every field with its JSON Schema node, nested objects and lists of objects included."""
    for f in fields:
        child = node["properties"][f.name]
        yield f"{prefix}{f.name}", f, child
        if f.fields:
            inner = child["items"] if f.type == "list" else child
            yield from walk(f.fields, inner, f"{prefix}{f.name}.")


def test_top_level(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Entri Katalog UMKM Kabupaten Bekasi"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["nama", "sektor", "kecamatan", "ringkasan"]
    assert list(schema["properties"]) == [f.name for f in ENTRY_FIELDS]


def test_every_field_appears_and_every_object_is_closed(schema: dict[str, Any]) -> None:
    seen = []
    for name, field, node in walk(ENTRY_FIELDS, schema):
        seen.append(name)
        assert node["title"] == field.label, name
        if field.fields:
            inner = node["items"] if field.type == "list" else node
            assert inner["additionalProperties"] is False, name
            assert list(inner["properties"]) == [f.name for f in field.fields], name
            assert inner.get("required", []) == [f.name for f in field.fields if f.required], name
        if field.max_items:
            assert node["maxItems"] == field.max_items, name
    assert "kontak.whatsapp" in seen
    assert "produk.harga" in seen
    assert "sertifikasi.berlaku_sampai" in seen
    assert "pembinaan.tahun" in seen


def test_vocabularies_are_enums_from_the_region(schema: dict[str, Any], region: Region) -> None:
    properties = schema["properties"]
    assert properties["sektor"]["enum"] == [s.key for s in region.sectors]
    kecamatan = properties["kecamatan"]["enum"]
    assert [k.nama for k in region.kecamatan] == kecamatan[: len(region.kecamatan)]
    assert {"Karang Bahagia", "Muara Gembong", "Serangbaru", "Kedung Waringin"} <= set(kecamatan)
    assert "Bekasi Barat" not in kecamatan
    assert properties["sertifikasi"]["items"]["properties"]["jenis"]["enum"] == [c.key for c in region.cert_kinds]
    assert properties["toko_online"]["items"]["properties"]["platform"]["enum"] == [p.key for p in region.platforms]


def test_limits_and_types(schema: dict[str, Any]) -> None:
    properties = schema["properties"]
    assert properties["nama"]["maxLength"] == 100
    assert properties["ringkasan"]["maxLength"] == 160
    assert properties["berdiri"] == {"title": "Tahun berdiri", "description": "Tahun, misalnya 2017.", "type": "integer", "minimum": 1900}
    assert properties["diperbarui"]["format"] == "date"
    assert properties["produk"]["items"]["properties"]["harga"]["minimum"] == 0
    assert properties["foto"]["items"]["type"] == "string"


def test_schema_is_deterministic_json(region: Region) -> None:
    first = json.dumps(json_schema(region), ensure_ascii=False, indent=2)
    assert first == json.dumps(json_schema(region), ensure_ascii=False, indent=2)


def test_unknown_vocabulary_name(region: Region) -> None:
    with pytest.raises(KeyError):
        vocabulary(region, "provinsi")


def test_meta_schema_accepts_it(schema: dict[str, Any]) -> None:
    import jsonschema  # a test dependency (pyproject: test extra): missing, the test fails

    jsonschema.Draft202012Validator.check_schema(schema)


def test_committed_schema_file_is_up_to_date(region: Region) -> None:
    path = ROOT / "schema" / "entri.schema.json"
    # Editors and the site point at this file: a missing one is a failure, not a skip.
    assert path.is_file(), "schema/entri.schema.json belum dibuat: jalankan umkm skema"
    assert path.read_text(encoding="utf-8") == json.dumps(json_schema(region), ensure_ascii=False, indent=2) + "\n"
