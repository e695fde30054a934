"""The entry cache: results reused only when every input is the same, never trusted otherwise."""

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
    shards = (settings.cache_dir / cache.VALIDATION_DIR).glob("*.rec")
    assert {slug for shard in shards for slug in cache._read_index(shard)} == {"satu"}


# --- rendered business records -----------------------------------------------------------------


def build_site(project: Path, monkeypatch: pytest.MonkeyPatch, day: date = TODAY) -> dict[str, bytes]:
    """A real `mkdocs build` of the project; every file of the site by path."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("UMKM_TANGGAL", day.isoformat())
    build(load_config(str(project / "mkdocs.yml")))
    site = project / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs whose business page was actually rendered (not taken from the cache)."""
    seen: list[str] = []
    original = pipeline.render_business

    def counted(site: object, business: Business) -> object:
        seen.append(business.slug)
        return original(site, business)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "render_business", counted)
    return seen


def rich_catalog(make_entry: MakeEntry) -> None:
    make_entry(
        "telaga-batik",
        {
            "nama": "Telaga Batik",
            "sertifikasi": [{"jenis": "halal", "nomor": "ID32110000123450224", "berlaku_sampai": "2027-03-01"}],
            "produk": [{"nama": "Batik Tulis", "harga": "385000", "foto": ["foto/batik.jpg"]}],
            "foto": ["foto/sampul.jpg", "foto/galeri.jpg"],
        },
        body="## Sejarah\n\nSejak 2005 kami *membatik*.\n",
        photos={"foto/sampul.jpg": (900, 600), "foto/galeri.jpg": (600, 900), "foto/batik.jpg": (800, 800)},
    )
    make_entry("keripik-sari-rasa", {"kecamatan": "Cibitung"})
    make_entry("sambal-ceu-enok", {"nama": "Sambal Ceu Enok", "kecamatan": "Cibitung", "produk": [{"nama": "Sambal", "harga": "18000"}]})


def test_a_site_built_from_the_cache_is_byte_identical(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, count_renders: list[str]
) -> None:
    rich_catalog(make_entry)
    cold = build_site(project, monkeypatch)
    assert sorted(count_renders) == ["keripik-sari-rasa", "sambal-ceu-enok", "telaga-batik"]
    count_renders.clear()
    warm = build_site(project, monkeypatch)
    assert count_renders == []
    assert warm.keys() == cold.keys()
    assert [name for name in cold if warm[name] != cold[name]] == []
    # The cached card keeps its links right on a listing page two folders deep.
    listing = warm["kecamatan/cibitung/index.html"].decode()
    assert 'href="../../usaha/sambal-ceu-enok/"' in listing and "\x00" not in listing


def test_editing_one_entry_renders_only_that_business(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, count_renders: list[str]
) -> None:
    rich_catalog(make_entry)
    build_site(project, monkeypatch)
    index = project / "catalog" / "sambal-ceu-enok" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("Sambal Ceu Enok", "Sambal Ceu Enok Asli"), encoding="utf-8")
    count_renders.clear()
    site = build_site(project, monkeypatch)
    assert count_renders == ["sambal-ceu-enok"]
    assert "Sambal Ceu Enok Asli" in site["usaha/sambal-ceu-enok/index.html"].decode()
    assert "Sambal Ceu Enok Asli" in site["kecamatan/cibitung/index.html"].decode()
    assert "Sambal Ceu Enok Asli" in site["data/umkm.csv"].decode()


def test_templates_settings_and_photos_invalidate_rendered_records(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, count_renders: list[str]
) -> None:
    rich_catalog(make_entry)
    build_site(project, monkeypatch)

    count_renders.clear()
    template = project / "theme" / "partials" / "catalog" / "business.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n<p>Templat baru</p>\n", encoding="utf-8")
    site = build_site(project, monkeypatch)
    assert len(count_renders) == 3 and "Templat baru" in site["usaha/keripik-sari-rasa/index.html"].decode()

    count_renders.clear()
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name: ", "site_name: Baru ", 1), encoding="utf-8")
    site = build_site(project, monkeypatch)
    assert len(count_renders) == 3 and "Baru Katalog" in site["usaha/keripik-sari-rasa/index.html"].decode()

    count_renders.clear()
    before = set(site)
    write_image(project / "catalog" / "telaga-batik" / "foto" / "batik.jpg", (800, 800), color=(10, 200, 30))
    site = build_site(project, monkeypatch)
    assert count_renders == ["telaga-batik"]
    new_photos = sorted(name for name in set(site) - before if name.startswith("foto/telaga-batik/"))
    assert new_photos
    digest = new_photos[0].rsplit("/", 1)[-1].split("-")[1]  # batik-<content hash>-320w.jpg
    page = site["usaha/telaga-batik/index.html"].decode()
    assert f"batik-{digest}-" in page and page.count("foto/telaga-batik/batik-") == page.count(f"batik-{digest}-")


def test_a_damaged_rendered_record_is_rendered_again(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, count_renders: list[str]
) -> None:
    rich_catalog(make_entry)
    cold = build_site(project, monkeypatch)
    records = project / ".cache" / "umkm" / cache.RENDER_DIR
    rewrite_record(records, "telaga-batik", lambda record: record[:-10])  # cut short
    rewrite_record(records, "sambal-ceu-enok", change_head(lambda data: data.update(teks=[*data["teks"][:-1], 0, data["teks"][-1]])))
    count_renders.clear()
    warm = build_site(project, monkeypatch)
    assert sorted(count_renders) == ["sambal-ceu-enok", "telaga-batik"]
    assert warm == cold


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


def test_parts_without_certificates_do_not_depend_on_the_build_date(project: Path, make_entry: MakeEntry, tmp_path_factory: pytest.TempPathFactory) -> None:
    # What keying their records by staleness rather than by date (pipeline._as_of) relies on.
    rich_catalog(make_entry)
    make_entry("tanpa-sertifikat", {"nama": "Tanpa Sertifikat", "diperbarui": "2026-10-02", "produk": [{"nama": "Kue", "harga": "5000"}]})

    def parts_on(day: date) -> dict[str, pipeline.BusinessParts]:
        settings = dataclasses.replace(settings_for(project, day), cache_dir=tmp_path_factory.mktemp("tembolok"), site_url="https://contoh.id/")
        catalog, _ = check_catalog(settings, photos=False)
        assert catalog is not None
        data = pipeline.DataSettings(settings.site_url, settings.site_name, settings.today)
        return {p.business.slug: p for p in pipeline.business_parts(settings, catalog, {}, data)}

    early, late = parts_on(date(2026, 11, 28)), parts_on(date(2027, 2, 20))  # the same side of every stale limit
    for slug in ("keripik-sari-rasa", "tanpa-sertifikat"):
        assert not early[slug].business.certificates
        assert early[slug] == late[slug]
    assert early["telaga-batik"] != late["telaga-batik"]  # its halal certificate is about to expire in February


def test_a_new_build_date_renders_again_only_businesses_with_certificates(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, count_renders: list[str]
) -> None:
    rich_catalog(make_entry)
    build_site(project, monkeypatch)
    count_renders.clear()
    site = build_site(project, monkeypatch, TODAY + timedelta(days=1))
    assert count_renders == ["telaga-batik"]  # the only one with a certificate: its page shows the date
    assert "29 November 2026" in site["usaha/telaga-batik/index.html"].decode()
