"""What is kept between builds: reused only when every input and the code are the same, never trusted otherwise."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.builder import cache, codec, pipeline
from generator.builder.pipeline import Settings, check_catalog, enrich_businesses
from generator.core.business import Business
from generator.core.models import Entry
from tests.conftest import ROOT, TODAY, MakeEntry, build_site, rich_catalog, write_image


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
    original = pipeline.validate_folder

    def counted(folder: Path, *args: object, **kwargs: object) -> object:
        seen.append(folder.name)
        return original(folder, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "validate_folder", counted)
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
        {"when": "2026-01-01"},  # required field missing
        {"name": "a", "unknown": 1},  # a field the class does not have
        {"name": "a", "when": "kemarin"},  # not a date
        {"name": "a", "tags": "x"},  # not a list
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
    check_catalog(settings_for(project, TODAY + timedelta(days=1)), photos=False)  # another day of the same year
    assert count_validations == []
    check_catalog(settings_for(project, date(TODAY.year + 1, 1, 2)), photos=False)  # another year: `berdiri` is checked against it
    assert sorted(count_validations) == ["dua", "satu"]

    count_validations.clear()
    region = project / "wilayah.yml"
    region.write_text(region.read_text(encoding="utf-8") + "\n# diubah\n", encoding="utf-8")  # the region data
    check_catalog(settings, photos=False)
    assert sorted(count_validations) == ["dua", "satu"]


def rewrite_record(folder: Path, slug: str, change: Callable[[bytes], bytes]) -> None:
    """Change one record inside its shard file (format: cache.RecordStore)."""
    for shard in folder.glob("*.rec"):
        head, _, body = shard.read_bytes().partition(b"\n")
        index = json.loads(head)
        if slug not in index["isi"]:
            continue
        records = {name: body[offset : offset + size] for name, (offset, size) in index["isi"].items()}
        records[slug] = change(records[slug])
        offset = 0
        for name, record in records.items():
            index["isi"][name] = [offset, len(record)]
            offset += len(record)
        shard.write_bytes(json.dumps(index).encode() + b"\n" + b"".join(records.values()))
        return
    raise AssertionError(f"no record for {slug}")


def change_head(change: Callable[[dict], None]) -> Callable[[bytes], bytes]:
    def rewrite(record: bytes) -> bytes:
        head, _, rest = record.partition(b"\n")
        data = json.loads(head)
        change(data)
        return json.dumps(data).encode() + b"\n" + rest

    return rewrite


def test_a_damaged_or_foreign_record_is_a_miss(project: Path, make_entry: MakeEntry, count_validations: list[str]) -> None:
    for slug in ("satu", "dua", "tiga", "empat"):
        make_entry(slug)
    settings = settings_for(project)
    expected, _ = check_catalog(settings, photos=False)
    records = settings.cache_dir / cache.VALIDATION_DIR
    rewrite_record(records, "satu", lambda record: b"{ rusak")
    rewrite_record(records, "dua", change_head(lambda data: data["isi"]["entry"].pop("nama")))  # the right key, data that does not fit
    rewrite_record(records, "tiga", lambda record: record + b"sisa")  # more than the record says
    rewrite_record(records, "empat", change_head(lambda data: data.update(kunci="lain")))  # a record of other inputs
    count_validations.clear()
    again, _ = check_catalog(settings, photos=False)
    assert sorted(count_validations) == ["dua", "empat", "satu", "tiga"] and again == expected
    count_validations.clear()
    for shard in records.glob("*.rec"):
        shard.write_bytes(b"\x00" * 100)  # not a shard at all
    again, _ = check_catalog(settings, photos=False)
    assert sorted(count_validations) == ["dua", "empat", "satu", "tiga"] and again == expected


def test_records_follow_the_project_when_it_moves(
    project: Path, make_entry: MakeEntry, tmp_path_factory: pytest.TempPathFactory, count_validations: list[str]
) -> None:
    # A CI cache restored into another checkout path still hits, with that checkout's paths.
    make_entry("satu")
    make_entry("dua", {"nib": "123"})  # an entry with an error: its problem moves too
    check_catalog(settings_for(project), photos=False)
    moved = tmp_path_factory.mktemp("pindah") / "proyek"
    shutil.copytree(project, moved)
    count_validations.clear()
    catalog, problems = check_catalog(settings_for(moved), photos=False)
    assert count_validations == []  # both records were hits
    assert catalog is not None and [e.slug for e in catalog.entries] == ["satu"]
    assert all(e.source.is_relative_to(moved) for e in catalog.entries)
    assert problems and all(p.path.is_relative_to(moved) for p in problems)
    assert any("dua/index.md" in line and "nib" in line for line in formatted(problems))


def test_removed_entries_lose_their_records(project: Path, make_entry: MakeEntry) -> None:
    make_entry("satu")
    index = make_entry("dua")
    settings = settings_for(project)
    check_catalog(settings, photos=False)
    shutil.rmtree(index.parent)
    check_catalog(settings, photos=False)
    shards = (settings.cache_dir / cache.VALIDATION_DIR).glob("*.rec")
    assert {slug for shard in shards for slug in cache._read_index(shard)} == {"satu"}


# --- whole builds ------------------------------------------------------------------------------


def test_a_site_built_with_the_kept_results_is_byte_identical(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    rich_catalog(make_entry)
    cold = build_site(project, monkeypatch)
    kept = project / ".cache" / "umkm"
    assert sorted(p.name for p in kept.iterdir()) == ["entries", "photos", "photos.json", "qr", "search", "search.json", "stories.json"]
    warm = build_site(project, monkeypatch)
    assert warm.keys() == cold.keys()
    assert [name for name in cold if warm[name] != cold[name]] == []
    # A card rendered once keeps its links right on a listing page two folders deep.
    listing = warm["kecamatan/cibitung/index.html"].decode()
    assert 'href="../../usaha/sambal-ceu-enok/"' in listing and "\x00" not in listing


def test_a_changed_photo_replaces_its_variants_in_the_site_and_in_the_cache(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    rich_catalog(make_entry)
    before = build_site(project, monkeypatch)
    kept = project / ".cache" / "umkm" / "photos"
    variants = set(p.name for p in kept.iterdir())
    write_image(project / "catalog" / "telaga-batik" / "foto" / "batik.jpg", (800, 800), color=(10, 200, 30))
    site = build_site(project, monkeypatch)
    new_photos = sorted(name for name in set(site) - set(before) if name.startswith("foto/telaga-batik/"))
    assert new_photos
    digest = new_photos[0].rsplit("/", 1)[-1].split("-")[1]  # batik-<content hash>-320w.webp
    page = site["usaha/telaga-batik/index.html"].decode()
    assert f"batik-{digest}-" in page and page.count("foto/telaga-batik/batik-") == page.count(f"batik-{digest}-")
    # The old photo's variants are pruned: the cache holds what the last build used, nothing more.
    now = set(p.name for p in kept.iterdir())
    assert now - variants and variants - now
    used = {path.name for name, path in _published_photos(project)}
    assert now == used


def _published_photos(project: Path) -> list[tuple[str, Path]]:
    settings = settings_for(project)
    catalog, _ = check_catalog(settings, photos=False)
    assert catalog is not None
    from generator.builder.images import process_photos

    photos, _ = process_photos(catalog.entries, settings.cache_dir)
    return [item for photo in photos.values() for item in photo.cache_files]


def test_every_template_edit_shows_on_the_next_build(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    rich_catalog(make_entry)
    build_site(project, monkeypatch)
    template = project / "theme" / "partials" / "catalog" / "business.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n<p>Templat baru {{ today | tanggal }}</p>\n", encoding="utf-8")
    site = build_site(project, monkeypatch)
    # `today` in a business template works for every business, with or without certificates.
    assert all("Templat baru 28 November 2026" in site[f"usaha/{slug}/index.html"].decode() for slug in ("keripik-sari-rasa", "telaga-batik"))


# --- QR code files ---------------------------------------------------------------------------

QR_SITE = "https://umkm.example.go.id/katalog/"


@pytest.fixture
def count_qr(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs whose QR code file was drawn (not taken from the cache)."""
    from generator.outputs import printing

    seen: list[str] = []
    original = printing.qr_svg_file

    def counted(data: str, title: str) -> str:
        seen.append(data)
        return original(data, title)

    monkeypatch.setattr(printing, "qr_svg_file", counted)
    return seen


def qr_files(settings: Settings) -> dict[str, str]:
    """The QR code files a build of the catalog publishes (qr/<slug>.svg -> SVG)."""
    catalog, problems = check_catalog(settings, photos=False)
    assert catalog is not None, problems
    content, problems = pipeline.build_content(settings, catalog)
    assert content is not None, problems
    return {uri: text for uri, text in content.texts if uri.startswith("qr/")}


def qr_of(settings: Settings, slug: str, nama: str) -> str:
    """The QR code file drawn from scratch."""
    from generator.outputs import printing

    return printing.qr_svg_file(printing.qr_target(settings.site_url, slug), printing.qr_label(settings.site_name, nama))


def test_qr_files_are_drawn_again_only_when_their_business_or_the_site_changes(
    project: Path, make_entry: MakeEntry, count_qr: list[str]
) -> None:
    index = make_entry("satu", {"nama": "Satu Rasa"})
    make_entry("dua", {"nama": "Dua Rasa"})
    settings = dataclasses.replace(settings_for(project), site_url=QR_SITE)
    first = qr_files(settings)
    assert sorted(first) == ["qr/dua.svg", "qr/satu.svg"] and len(count_qr) == 2
    count_qr.clear()
    assert qr_files(settings) == first and count_qr == []

    index.write_text(index.read_text(encoding="utf-8").replace("nama: Satu Rasa", "nama: Satu Rasa Baru", 1), encoding="utf-8")
    again = qr_files(settings)
    assert count_qr == [f"{QR_SITE}usaha/satu/?dari=qr"]  # its title names the business
    assert again["qr/satu.svg"] == qr_of(settings, "satu", "Satu Rasa Baru") != first["qr/satu.svg"]
    assert again["qr/dua.svg"] == first["qr/dua.svg"]

    count_qr.clear()
    moved = dataclasses.replace(settings, site_url="https://umkm.example.go.id/baru/")  # every QR code holds the site's address
    files = qr_files(moved)
    assert len(count_qr) == 2 and files["qr/dua.svg"] == qr_of(moved, "dua", "Dua Rasa")
    count_qr.clear()
    renamed = dataclasses.replace(moved, site_name="Katalog Lain")  # and names the site in its title
    files = qr_files(renamed)
    assert len(count_qr) == 2 and files["qr/dua.svg"] == qr_of(renamed, "dua", "Dua Rasa")


def test_qr_files_drawn_by_other_code_are_drawn_again(
    project: Path, make_entry: MakeEntry, count_qr: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_entry("satu")
    settings = dataclasses.replace(settings_for(project), site_url=QR_SITE)
    first = qr_files(settings)
    count_qr.clear()
    real = pipeline.code_fingerprint
    monkeypatch.setattr(pipeline, "code_fingerprint", lambda *modules: "lain" if modules == pipeline.QR_CODE else real(*modules))
    assert qr_files(settings) == first and len(count_qr) == 1
    # The key's code is the print stage's own source (its mask, its drawing) with segno's version.
    package = copy_package(tmp_path)
    before = fingerprint_of(package, *pipeline.QR_CODE)
    printing_file = package / "outputs" / "printing.py"
    printing_file.write_text(printing_file.read_text(encoding="utf-8").replace("QR_MASK = 0", "QR_MASK = 1"), encoding="utf-8")
    assert fingerprint_of(package, *pipeline.QR_CODE) != before


def test_a_damaged_or_foreign_qr_record_is_drawn_again(project: Path, make_entry: MakeEntry, count_qr: list[str]) -> None:
    for slug in ("satu", "dua", "tiga", "empat"):
        make_entry(slug)
    settings = dataclasses.replace(settings_for(project), site_url=QR_SITE)
    expected = qr_files(settings)
    records = settings.cache_dir / pipeline.QR_DIR
    rewrite_record(records, "satu", lambda record: b"{ rusak")
    rewrite_record(records, "dua", change_head(lambda data: data.update(kunci="lain")))  # a record of other inputs
    rewrite_record(records, "tiga", change_head(lambda data: data.update(teks=[5, 5])))  # not one file
    rewrite_record(records, "empat", lambda record: record.replace(b"<svg ", b"<xyz ", 1))  # not an SVG
    count_qr.clear()
    assert qr_files(settings) == expected
    assert sorted(count_qr) == sorted(f"{QR_SITE}usaha/{slug}/?dari=qr" for slug in ("satu", "dua", "tiga", "empat"))


def test_qr_records_follow_the_catalog_and_a_preview_keeps_the_others(project: Path, make_entry: MakeEntry, count_qr: list[str]) -> None:
    make_entry("satu")
    index = make_entry("dua")
    settings = dataclasses.replace(settings_for(project), site_url=QR_SITE)
    qr_files(settings)
    records = settings.cache_dir / pipeline.QR_DIR

    def kept() -> set[str]:
        return {slug for shard in records.glob("*.rec") for slug in cache._read_index(shard)}

    catalog, _ = check_catalog(settings, only=[index.parent], photos=False)  # umkm serve --only dua
    assert catalog is not None
    pipeline.build_content(settings, catalog, complete=False)
    assert kept() == {"satu", "dua"}
    shutil.rmtree(index.parent)
    qr_files(settings)
    assert kept() == {"satu"}
    qr_files(dataclasses.replace(settings, site_url=""))  # no address, no QR code: nothing kept
    assert kept() == set()


# --- keys made of the code --------------------------------------------------------------------


def copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "salinan"
    shutil.copytree(ROOT / "generator", root / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    return root / "generator"


def test_a_change_to_the_story_allow_list_is_a_new_story_key(tmp_path: Path) -> None:
    # Before, the story cache was keyed by a version number bumped by hand: allowing a tag without
    # bumping it kept serving the stories sanitized by the old list.
    package = copy_package(tmp_path)
    before = fingerprint_of(package, "generator.outputs.story")
    story_file = package / "outputs" / "story.py"
    story_file.write_text(story_file.read_text(encoding="utf-8").replace('"h2", "h3", "h4",', '"h2", "h3", "h4", "img",'), encoding="utf-8")
    assert fingerprint_of(package, "generator.outputs.story") != before


def test_a_module_a_store_uses_changes_its_key_and_an_unrelated_one_does_not(tmp_path: Path) -> None:
    package = copy_package(tmp_path)
    photos, entries = fingerprint_of(package, "generator.builder.images"), fingerprint_of(package, *pipeline.VALIDATION_CODE)
    stats = package / "outputs" / "stats.py"
    stats.write_text(stats.read_text(encoding="utf-8") + "\n# diubah\n", encoding="utf-8")
    assert fingerprint_of(package, "generator.builder.images") == photos
    assert fingerprint_of(package, *pipeline.VALIDATION_CODE) == entries
    imaging = package / "core" / "imaging.py"  # imported by the photo stage
    imaging.write_text(imaging.read_text(encoding="utf-8") + "\n# diubah\n", encoding="utf-8")
    assert fingerprint_of(package, "generator.builder.images") != photos
    schema = package / "core" / "schema.py"  # imported by the validator, by way of load and validate
    schema.write_text(schema.read_text(encoding="utf-8") + "\n# diubah\n", encoding="utf-8")
    assert fingerprint_of(package, *pipeline.VALIDATION_CODE) != entries


def fingerprint_of(package: Path, *modules: str) -> str:
    from generator.core import fingerprint

    return fingerprint.source_fingerprint(package, modules)


def test_library_versions_are_part_of_every_code_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.core import fingerprint

    before = fingerprint.source_fingerprint(ROOT / "generator", ("generator.outputs.story",))
    real = fingerprint.metadata.version
    monkeypatch.setattr(fingerprint.metadata, "version", lambda name: "99" if name.lower() == "nh3" else real(name))
    assert fingerprint.source_fingerprint(ROOT / "generator", ("generator.outputs.story",)) != before


def test_stories_kept_by_other_code_are_not_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.outputs import story

    text = "Cerita **kami**."
    kept = tmp_path / "stories.json"
    monkeypatch.setattr(story, "_memo", {})
    story.render_story(text)
    story.save_story_cache(kept, [text])
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["stories"] = {key: "<script>alert(1)</script>" for key in data["stories"]}
    data["code"] = "kode-lama"
    kept.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(story, "_memo", {})
    story.load_story_cache(kept)
    assert story.render_story(text) == "<p>Cerita <strong>kami</strong>.</p>"


def test_validation_depends_on_the_year_of_the_build_date_only(project: Path, make_entry: MakeEntry, tmp_path_factory: pytest.TempPathFactory) -> None:
    # What keying validation records on the year (not the day) relies on.
    for sample in (ROOT / "catalog").iterdir():
        shutil.copytree(sample, project / "catalog" / sample.name)
    make_entry("kedaluwarsa", {"sertifikasi": [{"jenis": "pirt", "nomor": "2063216010123-26"}], "diperbarui": "2026-06-30", "berdiri": "2026"})
    results = []
    for day in (date(2026, 1, 1), date(2026, 7, 1), date(2026, 12, 31)):
        settings = dataclasses.replace(settings_for(project, day), cache_dir=tmp_path_factory.mktemp("tembolok"))
        catalog, problems = check_catalog(settings, photos=False)
        results.append((catalog, formatted(problems)))
    assert results[0] == results[1] == results[2]
