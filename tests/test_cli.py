"""The `umkm` command line: check, new, schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator import cli
from generator.core.quality import STORY_PLACEHOLDER
from generator.core.region import load_region
from generator.core.schema import json_schema
from tests.conftest import ROOT, MakeEntry, write_image


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


def test_expired_certificate_and_placeholder_story_are_line_numbered_warnings(
    in_project: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["new", "dapur-baru", "--nama", "Dapur Baru", "--sektor", "kuliner", "--kecamatan", "Setu", "--ringkasan", "Masakan rumahan."]
    assert cli.main(args) == 0
    make_entry("lama", {"sertifikasi": [{"jenis": "halal", "nomor": "ID32110000145680324", "berlaku_sampai": "2026-05-01"}]})
    capsys.readouterr()
    assert cli.main(["check"]) == 0  # warnings, not errors: the build of everyone else goes on
    out, err = capsys.readouterr()
    story_line = (in_project / "catalog/dapur-baru/index.md").read_text().splitlines().index(STORY_PLACEHOLDER) + 1
    assert f"catalog/dapur-baru/index.md:{story_line}: peringatan: cerita: cerita masih berisi contoh dari 'umkm baru'" in out
    assert (
        "catalog/lama/index.md:9: peringatan: sertifikasi[0].berlaku_sampai: sertifikat Halal nomor ID32110000145680324 "
        "sudah kedaluwarsa sejak 1 Mei 2026" in out
    )
    assert "katalog: tidak ada galat (2 peringatan)" in err


def test_new_asks_again_for_an_unknown_sector_and_suggests_by_meaning(
    in_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    shutil.copytree(ROOT / "impor", in_project / "impor")  # the import mappings' translations
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["Dapur Baru", "makanan", "", "Karang Bahagia", "Masakan rumahan."])
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or next(answers))
    assert cli.main(["new", "dapur-baru"]) == 0
    # `makanan` is close in spelling to `pertanian` but means `kuliner` (the import mapping knows
    # "Makanan dan Minuman"): that is offered first, and Enter takes it.
    assert "'makanan' tidak dikenal; maksud Anda 'kuliner' atau 'pertanian'?" in capsys.readouterr().err
    assert questions[2].endswith("[kuliner]: ")
    from generator.builder.load import load_entry

    raw, _ = load_entry(in_project / "catalog" / "dapur-baru")
    assert raw is not None and (raw.doc.data["sektor"], raw.doc.data["kecamatan"]) == ("kuliner", "Karangbahagia")


def test_new_refuses_an_unknown_sector_option_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["new", "bengkel", "--nama", "Bengkel", "--sektor", "fashion", "--kecamatan", "Setu", "--ringkasan", "Las."])
    assert "--sektor 'fashion' tidak dikenal; maksud Anda 'fesyen'?" in capsys.readouterr().err


def test_new_hints_carry_no_real_looking_values(in_project: Path) -> None:
    args = ["new", "dapur-baru", "--nama", "Dapur Baru", "--sektor", "kuliner", "--kecamatan", "Setu", "--ringkasan", "Masakan rumahan."]
    assert cli.main(args) == 0
    text = (in_project / "catalog" / "dapur-baru" / "index.md").read_text()
    samples = [(ROOT / "catalog").glob("*/index.md")]
    real = {value for path in samples[0] for value in _quoted_values(path.read_text())}
    hints = _quoted_values(text)
    assert hints and not (hints & real)
    assert '# nib: "1234567890123"' in text and "ID00000000000000000" in text and "Nama Pemilik" in text


def _quoted_values(text: str) -> set[str]:
    import re

    return set(re.findall(r'"([0-9][0-9 -]{6,})"', text)) | set(re.findall(r"\b(ID[0-9]{10,})\b", text))


def test_an_nib_shared_by_two_entries_is_an_error_in_both(make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("satu", {"nib": "9120301745821"})
    make_entry("dua", {"nama": "Usaha Dua", "nib": "9120 3017 45821"})
    make_entry("tiga", {"nama": "Usaha Tiga", "nib": "9120301745822"})
    assert cli.main(["check"]) == 1
    out = capsys.readouterr().out
    assert "catalog/satu/index.md:6: nib: NIB 9120301745821 juga dipakai usaha lain (dua); satu NIB hanya untuk satu usaha" in out
    assert "catalog/dua/index.md:6: nib: NIB 9120301745821 juga dipakai usaha lain (satu)" in out
    assert "tiga" not in out


def _shell_blocks(path: Path) -> list[list[str]]:
    """The command lines of every ```sh block of a document, comments and blank lines dropped."""
    import re

    blocks = re.findall(r"^```sh\n(.*?)^```", path.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    return [[line.split("  #")[0].strip() for line in block.splitlines() if line.strip() and not line.startswith("#")] for block in blocks]


@pytest.mark.parametrize("document", ["README.md", "CONTRIBUTING.md"])
def test_every_documented_command_works_as_written_on_a_fresh_clone(document: str) -> None:
    """`umkm` is in .venv/bin, not on the PATH: a block calls it by that path or activates the venv
    first; every `umkm` subcommand and `make` target it names exists; `make serve`, which never
    ends, is the last command of its block."""
    import re
    import shlex

    subcommands = set(cli._parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    blocks = _shell_blocks(ROOT / document)
    assert blocks
    for block in blocks:
        active = False
        for number, line in enumerate(block):
            for command in (shlex.split(part) for part in line.split("&&")):
                if command[:1] in (["."], ["source"]) and command[1:] == [".venv/bin/activate"]:
                    active = True
                elif command[:1] == ["umkm"]:
                    assert active, f"{document}: '{line}' needs .venv/bin/umkm or '. .venv/bin/activate' before it"
                    assert command[1] in subcommands, line
                elif command[:1] == [".venv/bin/umkm"]:
                    assert command[1] in subcommands, line
                elif command[:1] == ["make"]:
                    assert command[1] in targets, line
                    assert command[1] != "serve" or number == len(block) - 1, f"{document}: nothing runs after '{line}'"
# --- the language rule: Indonesian names, the old spellings still accepted ----------------------

OLD_NAMES = {
    "check": "periksa",
    "new": "baru",
    "build": "bangun",
    "serve": "tayangkan",
    "schema": "skema",
    "from-issue": "dari-issue",
    "import": "impor",
    "from-pesan": "dari-pesan",
}


@pytest.mark.parametrize("old,new", sorted(OLD_NAMES.items()))
def test_old_command_names_are_aliases_of_the_indonesian_ones(old: str, new: str) -> None:
    parser = cli._parser()
    subparsers = next(a for a in parser._actions if a.dest == "==SUPPRESS==" and hasattr(a, "choices") and a.choices)
    assert subparsers.choices[old] is subparsers.choices[new]
    # The help lists the Indonesian name first: "periksa (check)".
    assert f"{new} ({old})" in parser.format_help()


def test_old_option_spellings_still_work(make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("satu")
    assert cli.main(["--config-file", "mkdocs.yml", "check", "--format", "github"]) == 0
    old = capsys.readouterr()
    assert cli.main(["--konfigurasi", "mkdocs.yml", "periksa", "--bentuk", "github"]) == 0
    assert capsys.readouterr() == old
    args = cli._parser().parse_args(["serve", "--only", "satu", "--dev-addr", "127.0.0.1:9000"])
    assert (args.only, args.dev_addr) == (["satu"], "127.0.0.1:9000")
    assert cli._parser().parse_args(["bangun", "--site-dir", "x"]).site_dir == cli._parser().parse_args(["bangun", "--folder-situs", "x"]).site_dir
    assert cli._parser().parse_args(["impor", "a.csv", "--dry-run"]).dry_run and cli._parser().parse_args(["impor", "a.csv", "--coba"]).dry_run


def test_new_entry_offers_every_field_of_the_schema_and_each_example_is_valid(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The skeleton is made from the schema: every field an owner may fill in is there as an example,
    # and an owner who removes every '#' gets an entry the validator accepts.
    from generator.builder.pipeline import check_catalog
    from generator.core.problems import errors_in
    from generator.core.schema import ENTRY_FIELDS

    assert cli.main(["baru", "contoh-lengkap", "--nama", "Contoh Lengkap", "--sektor", "kuliner", "--kecamatan", "Cibitung", "--ringkasan", "Contoh."]) == 0
    index = in_project / "catalog" / "contoh-lengkap" / "index.md"
    text = index.read_text(encoding="utf-8")
    for field in ENTRY_FIELDS:
        if not field.staff_only or field.name == "pengelola":
            assert f"{field.name}:" in text, field.name
    index.write_text(re.sub(r"(?m)^# (\s*(?:- )?\w+:)", r"\1", text), encoding="utf-8")
    write_image(index.parent / "foto" / "sampul.jpg", (800, 600))
    settings = cli.load_settings("mkdocs.yml")
    catalog, problems = check_catalog(settings, only=[index.parent])
    assert errors_in(problems) == []
    assert catalog is not None and catalog.entries[0].kontak.whatsapp and catalog.entries[0].produk and catalog.entries[0].pembinaan
