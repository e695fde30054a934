"""The entry cache: results reused only when every input is the same, never trusted otherwise."""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator import cache, codec, pipeline
from generator.enrich import Business
from generator.models import Entry
from generator.pipeline import Settings, check_catalog, enrich_businesses
from tests.conftest import ROOT, TODAY, MakeEntry, write_image


def settings_for(project: Path, today: date = TODAY) -> Settings:
    return Settings(
        catalog_dir=project / "catalog",
        region_file=project / "wilayah.yml",
        cache_dir=project / ".cache" / "umkm",
        today=today,
        templates_dir=project / "theme" / "partials" / "catalog",
    )


def formatted(problems: list) -> list[str]:
    return sorted(p.format() for p in problems)


@pytest.fixture
def count_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs actually loaded and validated (not taken from the cache)."""
    seen: list[str] = []
    original = pipeline._validate_folder

    def counted(folder: Path, *args: object, **kwargs: object) -> object:
        seen.append(folder.name)
        return original(folder, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_validate_folder", counted)
    return seen


# --- codec -----------------------------------------------------------------------------------


def test_codec_round_trips_every_sample_entry_and_business(tmp_path: Path) -> None:
    settings = dataclasses.replace(settings_for(ROOT), cache_dir=tmp_path)
    catalog, _ = check_catalog(settings, photos=False)
    assert catalog is not None and catalog.entries
    for entry in catalog.entries:
        assert codec.decode(Entry, json.loads(json.dumps(codec.encode(entry)))) == entry
    for business in enrich_businesses(settings, catalog):
        assert codec.decode(Business, json.loads(json.dumps(codec.encode(business)))) == business


@dataclass(frozen=True)
class _Sample:
    name: str
    when: date | None = None
    tags: tuple[str, ...] = ()
    count: int = 0


@pytest.mark.parametrize(
    "data",
    [
        {"name": 3},  # wrong type
        {"when": "2026-01-01"},  # required field missing
        {"name": "a", "unknown": 1},  # a field the class does not have
        {"name": "a", "when": "kemarin"},  # not a date
        {"name": "a", "tags": [1, 2]},  # not text
        {"name": "a", "count": True},  # a bool is not a count
        ["name"],  # not an object
    ],
)
def test_codec_refuses_data_that_does_not_fit(data: object) -> None:
    with pytest.raises(codec.CodecError):
        codec.decode(_Sample, data)


def test_codec_leaves_defaults_out_and_fills_them_back() -> None:
    sample = _Sample("a", tags=("x",))
    assert codec.encode(sample) == {"name": "a", "tags": ["x"]}
    assert codec.decode(_Sample, {"name": "a", "tags": ["x"]}) == sample


# --- validation records ----------------------------------------------------------------------


def test_unchanged_entries_are_not_validated_again(project: Path, make_entry: MakeEntry, count_validations: list[str]) -> None:
    make_entry("satu")
    make_entry("dua", {"sektor": "bukan-sektor"})  # an error, and it must be reported every time
    make_entry("tiga", {"nib": "123"})
    settings = settings_for(project)
    first, first_problems = check_catalog(settings, photos=False)
    assert sorted(count_validations) == ["dua", "satu", "tiga"]
    count_validations.clear()
    second, second_problems = check_catalog(settings, photos=False)
    assert count_validations == []
    assert first == second
    assert formatted(first_problems) == formatted(second_problems)
    assert any("dua/index.md" in line and "sektor" in line for line in formatted(second_problems))


def test_every_input_of_an_entry_invalidates_its_record(project: Path, make_entry: MakeEntry, count_validations: list[str]) -> None:
    index = make_entry("satu", {"foto": ["sampul.jpg"]})
    make_entry("dua")
    settings = settings_for(project)
    _, problems = check_catalog(settings, photos=False)
    assert any("sampul.jpg" in line for line in formatted(problems))  # the photo is missing

    count_validations.clear()
    write_image(index.parent / "sampul.jpg")  # a new file in the folder
    _, problems = check_catalog(settings, photos=False)
    assert count_validations == ["satu"] and not problems

    count_validations.clear()
    index.write_text(index.read_text(encoding="utf-8").replace("nama: ", "nama: Baru ", 1), encoding="utf-8")
    catalog, _ = check_catalog(settings, photos=False)
    assert count_validations == ["satu"]
    assert catalog is not None and catalog.entries[1].nama.startswith("Baru ")

    count_validations.clear()
    check_catalog(settings_for(project, TODAY + timedelta(days=1)), photos=False)  # the build date
    assert sorted(count_validations) == ["dua", "satu"]

    count_validations.clear()
    region = project / "wilayah.yml"
    region.write_text(region.read_text(encoding="utf-8") + "\n# diubah\n", encoding="utf-8")  # the region data
    check_catalog(settings, photos=False)
    assert sorted(count_validations) == ["dua", "satu"]


def test_a_damaged_or_foreign_record_is_a_miss(project: Path, make_entry: MakeEntry, count_validations: list[str]) -> None:
    make_entry("satu")
    make_entry("dua")
    settings = settings_for(project)
    expected, _ = check_catalog(settings, photos=False)
    records = settings.cache_dir / cache.VALIDATION_DIR
    (records / "satu.json").write_text("{ rusak", encoding="utf-8")
    data = json.loads((records / "dua.json").read_text(encoding="utf-8"))
    data["isi"]["entry"]["nama"] = 42  # the right key, data that does not fit
    (records / "dua.json").write_text(json.dumps(data), encoding="utf-8")
    count_validations.clear()
    again, _ = check_catalog(settings, photos=False)
    assert sorted(count_validations) == ["dua", "satu"] and again == expected


def test_records_follow_the_project_when_it_moves(project: Path, make_entry: MakeEntry, tmp_path_factory: pytest.TempPathFactory) -> None:
    # A CI cache restored into another checkout path still hits, with that checkout's paths.
    make_entry("satu", {"nib": "123"})
    check_catalog(settings_for(project), photos=False)
    moved = tmp_path_factory.mktemp("pindah") / "proyek"
    shutil.copytree(project, moved)
    catalog, problems = check_catalog(settings_for(moved), photos=False)
    assert catalog is None or all(e.source.is_relative_to(moved) for e in catalog.entries)
    assert problems and all(p.path.is_relative_to(moved) for p in problems)


def test_removed_entries_lose_their_records(project: Path, make_entry: MakeEntry) -> None:
    make_entry("satu")
    index = make_entry("dua")
    settings = settings_for(project)
    check_catalog(settings, photos=False)
    shutil.rmtree(index.parent)
    check_catalog(settings, photos=False)
    assert sorted(p.name for p in (settings.cache_dir / cache.VALIDATION_DIR).iterdir()) == ["satu.json"]
