"""Personal data (UU 27/2022 PDP): one NIK definition that every path uses, one masking rule.

Each bypass found by the review (issue 14) is a case here, run through the path a real submission
takes: `umkm check`, the post-build audit, the photo check, the issue form reader and the
spreadsheet import. The cases written before the fix failed on the code of that day.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from generator.builder.load import load_entries
from generator.builder.validate import validate_entries
from generator.core.region import load_region
from generator.outputs.audit import audit_site
from tests.conftest import ROOT, TODAY, MakeEntry

NIK = "3216014508900001"
MASKED = "3216************"
SRC = "catalog/keripik-sari-rasa/index.md"
BASE = "---\nnama: Keripik Sari Rasa\nsektor: kuliner\nkecamatan: Cibitung\nringkasan: Keripik singkong balado renyah.\n"

# How a NIK was slipped past the checks of the day, and how it reads in the file.
BYPASSES = {
    "glued to letters": f"KTP{NIK}",
    "slashes": "3216/0145/0890/0001",
    "underscores": "3216_0145_0890_0001",
    "double spaces": "3216  0145  0890  0001",
    "fullwidth digits": "".join(chr(0xFF10 + int(d)) for d in NIK),
    "zero-width space": "3216\u200b014508900001",
    "soft hyphen": "3216\u00ad0145\u00ad0890\u00ad0001",
    "word joiner": "32160145\u206008900001",
    "arabic-indic digits": "".join(chr(0x0660 + int(d)) for d in NIK),
    "next to a phone number": f"{NIK} / 0812-1934-5521",
}
SHEET_BYPASSES = ["glued to letters", "fullwidth digits", "zero-width space", "underscores"]
# Numbers owners write that are no NIK: none of these may be refused.
NOT_NIK = {
    "NIB grouped": "NIB 0220 0098 61929",
    "NIB": "NIB 9120301745821",
    "BPOM 15 digits": "BPOM MD 224510001234123",
    "BPOM glued": "MD224510001234123",
    "halal": "Halal ID32110000145680323",
    "P-IRT": "P-IRT 2063216010123-27",
    "P-IRT spaced": "P-IRT 2063216010123 - 27",
    "phone": "Hubungi +62 812-3456-7890",
    "two phones": "WA 0812-1934-5521 / 0813-2222-3333",
    "phone and landline": "+62 812-3456-7890 / 021-8995-1234",
    "price range": "Rp 15.000.000 - 25.000.000",
    "dates": "12-10-2026 13-10-2026",
    "SNI with a date": "SPPT-SNI 3532:2016/0457 2025-09-30",
    "opening hours": "08:00-17:00 08:00-12:00",
    "longer number": f"1{NIK}",
}


def check(project: Path) -> list[str]:
    region, problems = load_region(project / "wilayah.yml")
    assert region is not None, problems
    raw, problems = load_entries(project / "catalog")
    _, more = validate_entries(raw, region, today=TODAY)
    return [p.format(project) for p in problems + more]


@pytest.mark.parametrize("written", BYPASSES.values(), ids=BYPASSES.keys())
def test_umkm_check_refuses_a_nik_however_it_is_written(project: Path, make_entry: MakeEntry, written: str) -> None:
    make_entry(text=f"{BASE}pemilik: Ibu Rohimah ({written})\n---\nCerita usaha.\n")
    messages = check(project)
    assert len(messages) == 1 and messages[0].startswith(f"{SRC}:6: pemilik: nomor 16 angka seperti NIK"), messages
    assert MASKED in messages[0] and NIK not in messages[0]


@pytest.mark.parametrize("written", BYPASSES.values(), ids=BYPASSES.keys())
def test_umkm_check_refuses_a_nik_in_the_story(project: Path, make_entry: MakeEntry, written: str) -> None:
    make_entry(text=f"{BASE}---\nCerita usaha.\nNomor saya {written} ya.\n")
    messages = check(project)
    assert [m.split(": ", 2)[:2] for m in messages] == [[f"{SRC}:8", "cerita"]], messages


@pytest.mark.parametrize("written", NOT_NIK.values(), ids=NOT_NIK.keys())
def test_numbers_owners_write_are_not_mistaken_for_a_nik(project: Path, make_entry: MakeEntry, written: str) -> None:
    make_entry(text=f"{BASE}kapasitas: {written}\n---\nCerita usaha: {written}.\n")
    assert check(project) == []


def test_a_nik_split_over_two_lines_of_the_story_is_found(project: Path, make_entry: MakeEntry) -> None:
    make_entry(text=f"{BASE}---\nNIK saya 3216 0145\n0890 0001.\n")
    assert [m.split(": ", 2)[:2] for m in check(project)] == [[f"{SRC}:7", "cerita"]]


def test_a_nik_in_a_photo_file_name_is_refused(project: Path, make_entry: MakeEntry) -> None:
    """The file name is part of the photo's published address (foto/<slug>/<name>-<hash>-640w.webp)."""
    make_entry(meta={"foto": [f"foto/ktp_{NIK}.jpg"]}, photos={f"foto/ktp_{NIK}.jpg": (800, 600)})
    messages = check(project)
    assert any(m.startswith(f"catalog/keripik-sari-rasa/foto/ktp_{NIK}.jpg: nama folder atau berkas: nomor 16 angka") for m in messages), messages
    assert not any(MASKED not in m for m in messages)


def test_a_nik_in_a_folder_name_is_refused(project: Path, make_entry: MakeEntry) -> None:
    make_entry(f"usaha-{NIK}")
    messages = check(project)
    assert messages == [
        f"catalog/usaha-{NIK}: nama folder atau berkas: nomor 16 angka seperti NIK (nomor KTP) tidak boleh dimuat karena katalog ini publik; "
        f"hapus nomor tersebut (ditemukan {MASKED}); ganti namanya"
    ]


# --- the audit: the same definition over the built site ---------------------------------------------


@pytest.mark.parametrize("written", BYPASSES.values(), ids=BYPASSES.keys())
def test_the_audit_finds_a_nik_however_it_is_written(tmp_path: Path, written: str) -> None:
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    (site / "data" / "bocor.csv").write_text(f"nama,catatan\nIbu Siti,{written}\n", encoding="utf-8")
    problems = audit_site(site)
    assert [(p.path, p.line, p.field) for p in problems] == [(Path("data/bocor.csv"), 2, "NIK")]
    assert MASKED in problems[0].message


def test_the_audit_leaves_business_numbers_and_drawings_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    numbers = "\n".join(NOT_NIK.values())
    icon = '<svg viewBox="0 0 24 24"><path d="m17.75 4.09-2.53 1.94.91 3.06-2.63-1.81-2.63 1.81.91-3.06-2.53-1.94L12.44 4l1.06-3 1.06"/></svg>'
    (site / "index.html").write_text(f"<!DOCTYPE html><html><body><p>{numbers}</p>{icon}</body></html>\n", encoding="utf-8")
    assert audit_site(site) == []


# --- photos: EXIF text and GPS in committed originals --------------------------------------------------


def _photo_with(exif_tags: dict[int, object], gps: bool = False) -> bytes:
    exif = Image.Exif()
    for tag, value in exif_tags.items():
        exif[tag] = value
    if gps:
        exif.get_ifd(0x8825)[2] = (6.0, 17.0, 24.0)
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("tags", "gps", "named"),
    [
        ({0x013B: f"Ibu Siti {NIK}"}, False, "nama orang di EXIF Artist"),  # the review's case: an Artist tag with a NIK
        ({0x010E: f"KTP {NIK}"}, False, "nomor seperti NIK di EXIF ImageDescription"),
        ({0x9C9C: f"NIK {NIK}".encode("utf-16-le")}, False, "nomor seperti NIK di EXIF XPComment"),
        ({}, True, "lokasi GPS"),
    ],
)
def test_umkm_check_refuses_a_photo_with_personal_metadata(
    project: Path, make_entry: MakeEntry, tags: dict[int, object], gps: bool, named: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator import cli

    index = make_entry(meta={"foto": ["foto/sampul.jpg"]})
    (index.parent / "foto").mkdir()
    (index.parent / "foto" / "sampul.jpg").write_bytes(_photo_with(tags, gps))
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    assert cli.main(["check"]) == 1
    out = capsys.readouterr().out
    assert f"{SRC}: foto[0]: foto 'foto/sampul.jpg' memuat {named}" in out and "umkm bersihkan-foto" in out, out
    assert NIK not in out
    # `umkm bersihkan-foto` is the way out: after it the check passes.
    assert cli.main(["bersihkan-foto"]) == 0
    capsys.readouterr()
    assert cli.main(["check"]) == 0, capsys.readouterr().out


def test_a_photo_with_gps_fails_a_pull_request_only_for_the_entries_it_changes(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The PR check (`umkm check --berubah-dari`): an error for the entries the PR changes, so the
    original never lands in the public history; a warning for entries already on main."""
    from generator import cli
    from tests.conftest import git

    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    for slug in ("lama", "baru"):
        if slug == "baru":
            git(project, "init", "-q", "-b", "main")
            git(project, "add", "-A")
            git(project, "commit", "-qm", "awal")
            git(project, "switch", "-qc", "usulan")
        index = make_entry(slug, {"nama": slug.title(), "foto": ["foto/sampul.jpg"]})
        (index.parent / "foto").mkdir()
        (index.parent / "foto" / "sampul.jpg").write_bytes(_photo_with({}, True))
    git(project, "add", "-A")
    git(project, "commit", "-qm", "tambah baru")
    assert cli.main(["check", "--berubah-dari", "main"]) == 1
    out = capsys.readouterr().out
    assert "catalog/baru/index.md: foto[0]: foto 'foto/sampul.jpg' memuat lokasi GPS" in out and "umkm bersihkan-foto" in out, out
    assert "catalog/lama/index.md: peringatan: foto[0]: foto 'foto/sampul.jpg' memuat lokasi GPS" in out, out


def test_a_camera_description_is_no_personal_metadata() -> None:
    from generator.builder.images import private_metadata

    with Image.open(io.BytesIO(_photo_with({0x010E: "OLYMPUS DIGITAL CAMERA", 0x010F: "OLYMPUS"}))) as image:
        assert private_metadata(image) == []


# --- the ways in: issue bodies and spreadsheet cells --------------------------------------------------


def test_a_nik_anywhere_in_an_issue_body_is_refused_and_never_repeated(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import from_issue, recorded

    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    body = recorded("issue-daftar-usaha.md").replace("### Cerita usaha\n\n", "### Cerita usaha\n\nNIK saya 3216\u200b0145 0890 0001.\n\n")
    laporan = project / "laporan.md"
    assert from_issue(project, body, "--laporan", str(laporan)) == 1
    out = capsys.readouterr().out
    reply = laporan.read_text(encoding="utf-8")
    assert "isi issue memuat nomor seperti NIK" in out and "isi issue memuat nomor seperti NIK" in reply
    for text in (out, reply):
        assert "0890 0001" not in text and "08900001" not in text
    assert list((project / "catalog").iterdir()) == []


SHEET_HEADER = ["Nama usaha", "Sektor usaha", "Kecamatan", "Alamat usaha", "Ringkasan usaha (satu kalimat)", "Saya setuju data usaha ini ditampilkan di katalog publik"]


@pytest.mark.parametrize("written", [BYPASSES[k] for k in SHEET_BYPASSES], ids=SHEET_BYPASSES)
def test_a_nik_in_a_sheet_cell_is_refused_and_never_repeated(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    import csv

    from generator import cli

    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    with (project / "jawaban.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([SHEET_HEADER, ["Sambal Bu Ani", "Kuliner", "Cibitung", f"Jl. Melati 3, {written}", "Sambal bawang.", "Ya"]])
    code = cli.main(["import", "jawaban.csv", "--pemetaan", str(ROOT / "impor" / "google-forms.yml")])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code == 1 and "jawaban.csv:2:Alamat usaha:" in out and MASKED in out, out
    assert "0890" not in out.replace(MASKED, "")
    assert not (project / "catalog" / "sambal-bu-ani").exists()


def test_a_nik_stored_as_a_number_in_an_xlsx_cell_is_refused(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel keeps a typed-in NIK as a number (16 digits fit a double exactly)."""
    from openpyxl import Workbook

    from generator import cli

    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    workbook = Workbook()
    workbook.active.append(SHEET_HEADER)
    workbook.active.append(["Sambal Bu Ani", "Kuliner", "Cibitung", int(NIK), "Sambal bawang.", "Ya"])
    workbook.save(project / "jawaban.xlsx")
    code = cli.main(["import", "jawaban.xlsx", "--pemetaan", str(ROOT / "impor" / "google-forms.yml")])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code == 1 and "jawaban.xlsx:2:Alamat usaha:" in out and MASKED in out, out
    assert NIK not in out
    assert not (project / "catalog" / "sambal-bu-ani").exists()


def test_masking_is_one_rule() -> None:
    from generator.core.privacy import mask_nik, mask_phone, redact_text

    assert mask_phone("0812-1934-5521") == "0812****5521"
    assert mask_phone("+6281219345521") == "+6281*****5521"
    assert mask_nik("3216 0145 0890 0001") == MASKED
    assert redact_text(f"pemilik KTP{NIK}, HP 0812-1934-5521") == f"pemilik KTP{MASKED}, HP 0812-1934-5521"


def test_no_other_module_defines_a_nik_pattern() -> None:
    """One definition: the old patterns of problems.py, validate.py and audit.py are gone."""
    from tests.conftest import ROOT

    for path in sorted((ROOT / "generator").rglob("*.py")):
        if path.name == "privacy.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "{16}" not in text and "{15}" not in text and "_NIK" not in text, path.name
        assert "def mask_" not in text, f"{path.name}: masking lives in privacy.py"

