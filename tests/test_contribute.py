"""The ways in: PR checks and workflows, entry writing, photo fetching, form links on the site."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli
from generator.builder.enrich import enrich_catalog
from generator.builder.pipeline import Settings, check_catalog
from generator.core.problems import ERROR, Problem
from generator.core.yamlstrict import parse_yaml
from generator.intake.fetch import PhotoError, fetch_photo, read_photo
from generator.intake.write import Change, Match, apply_changes, dump_entry, write_entry
from generator.outputs.pages import render_pages, render_register_page
from tests.conftest import ROOT, TODAY, MakeEntry, git, write_image

WORKFLOWS = ROOT / ".github" / "workflows"


# --- umkm check on a pull request -------------------------------------------------------------------


@pytest.fixture
def repo(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose main branch already has a broken entry nobody is touching now."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    make_entry("lama-rusak", {"sektor": "kulinerr"})
    make_entry("baik")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "awal")
    git(project, "switch", "-qc", "usulan")
    return project


def test_pr_check_fails_only_for_the_entries_it_touches(repo: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    make_entry("baru", {"kontak": {"whatsapp": "021-89951234"}})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "tambah baru")
    assert cli.main(["periksa", "--bentuk", "github", "--berubah-dari", "main"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith(
            "::error file=catalog/baru/index.md,line=7,title=kontak.whatsapp::catalog/baru/index.md:7: kontak.whatsapp: bukan nomor HP"
        )
        for line in lines
    )
    assert (
        "::warning file=catalog/lama-rusak/index.md,line=3,title=sektor::catalog/lama-rusak/index.md:3: peringatan: sektor: sektor usaha tidak dikenal 'kulinerr' (maksud Anda 'kuliner'?) [tidak diubah di sini]"
        in lines
    )
    assert not any(line.startswith("::error") and "lama-rusak" in line for line in lines)


def test_pr_check_passes_when_the_touched_entry_is_good(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = repo / "catalog" / "baik" / "index.md"
    index.write_text(index.read_text().replace("Cerita usaha.", "Cerita usaha yang lebih panjang."))
    git(repo, "commit", "-qam", "ubah baik")
    assert cli.main(["periksa", "--bentuk", "github", "--berubah-dari", "main"]) == 0
    assert "::warning file=catalog/lama-rusak/index.md" in capsys.readouterr().out


def test_pr_that_changes_the_region_data_checks_everything(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    region = repo / "wilayah.yml"
    region.write_text(region.read_text() + "\n")
    git(repo, "commit", "-qam", "ubah wilayah")
    assert cli.main(["check", "--berubah-dari", "main"]) == 1
    assert "catalog/lama-rusak/index.md:3: sektor: sektor usaha tidak dikenal" in capsys.readouterr().out


def test_pr_check_with_an_unknown_ref(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["check", "--berubah-dari", "origin/tidak-ada"])
    assert "--berubah-dari origin/tidak-ada: git gagal" in capsys.readouterr().err


def test_github_annotations_escape_their_text(capsys: pytest.CaptureFixture[str]) -> None:
    cli.print_problems([Problem(Path("catalog/x/index.md"), 4, "produk[0].nama", "50% diskon,\nbaris dua", ERROR)], "github")
    assert (
        capsys.readouterr().out
        == "::error file=catalog/x/index.md,line=4,title=produk[0].nama::catalog/x/index.md:4: produk[0].nama: 50%25 diskon,%0Abaris dua\n"
    )


# --- workflows and review rules ---------------------------------------------------------------------


def load_workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_workflows_are_valid_and_use_official_actions_only(name: str) -> None:
    workflow = load_workflow(name)
    assert workflow["name"] and workflow["on"] and workflow["jobs"]
    for step in steps(workflow):
        if "uses" in step:
            # GitHub's own actions only, pinned to a commit (a tag can be moved); the tag in a comment.
            assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    pins = re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", (WORKFLOWS / name).read_text(encoding="utf-8"), re.MULTILINE)
    assert len(pins) == sum("uses" in s for s in steps(workflow))
    for action, comment in pins:
        assert re.fullmatch(r"\s+#\s*v[0-9]+(?:\.[0-9]+)*\s*", comment), f"{action}: tag tidak disebut di komentar"
    if "pull_request_target" in workflow["on"]:
        # Runs with the base branch's token: it must never check out or run the pull request's code.
        assert not any("uses" in s and s["uses"].startswith("actions/checkout") for s in steps(workflow))
        assert not any("pip install" in s.get("run", "") or "umkm" in s.get("run", "") for s in steps(workflow))


def test_pr_workflow_checks_changed_entries_builds_and_uploads_a_preview() -> None:
    workflow = load_workflow("pr.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    runs = " ".join(s.get("run", "") for s in steps(workflow))
    assert 'umkm periksa --bentuk github --berubah-dari "origin/$BASE_REF"' in runs and "umkm bangun" in runs
    uses = [s["uses"].split("@")[0] for s in steps(workflow) if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/upload-artifact"]


def test_issue_form_workflow_keeps_untrusted_text_out_of_scripts() -> None:
    workflow = load_workflow("issue-form.yml")
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["baca"]["permissions"] == {"contents": "read"}
    for step in steps(workflow):
        assert "github.event.issue" not in step.get("run", "")  # only through env variables
    writer = " ".join(s.get("run", "") for s in jobs["tulis"]["steps"])
    assert not re.search(r"^\s*(umkm|python|pip)\b", writer, re.MULTILINE)  # the job with a write token runs no project code
    assert "daftar-usaha" in jobs["baca"]["if"] and "perbarui-usaha" in jobs["baca"]["if"]


def test_review_rules_and_templates_exist() -> None:
    owners = (ROOT / ".github" / "CODEOWNERS").read_text()
    assert re.search(r"^/catalog/\s+@", owners, re.MULTILINE) and re.search(r"^/\.github/\s+@", owners, re.MULTILINE)
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text()
    assert "NIK" in template and "- [ ]" in template
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    for topic in ("Formulir daring", "Pull request", "Impor lembar kerja", "catalog/<slug>/", "umkm impor"):
        assert topic in contributing
    assert "CONTRIBUTING.md" in (ROOT / "README.md").read_text()


# --- writing entries ---------------------------------------------------------------------------------


TRICKY = [
    "NO",
    "yes",
    "10:30",
    "0274512345",
    "15.000",
    "1e3",
    "~",
    "null",
    "- x",
    "a: b",
    "#tag",
    "@akun",
    'it\'s "q"',
    "[x]",
    "{y}",
    " spasi",
    "2017-13-45",
    "",
    "é ñ 漢",
]


@pytest.mark.parametrize("value", TRICKY)
def test_written_front_matter_reads_back_exactly(value: str) -> None:
    data = {
        "nama": value or "x",
        "kapasitas": value,
        "produk": [{"nama": "A", "harga": "12000", "foto": [value or "f.jpg", "foto/b.jpg"]}],
        "berdiri": "2017",
    }
    text = dump_entry(data, "Cerita.\n")
    front = text.split("---\n")[1]
    expected = {k: v for k, v in data.items() if v != ""}
    assert parse_yaml(front).data == expected
    assert "berdiri: 2017\n" in front and "harga: 12000\n" in front  # numbers the schema types stay plain


def test_changes_address_list_items_by_key() -> None:
    data = {"sertifikasi": [{"jenis": "halal", "nomor": "ID1"}], "produk": [{"nama": "A"}]}
    changed, origins = apply_changes(
        data,
        [
            Change(("sertifikasi", Match("jenis", "Halal"), "nomor"), "ID2", "Halal"),
            Change(("sertifikasi", Match("jenis", "pirt"), "nomor"), "2063216010123-29", "P-IRT"),
            Change(("produk", 0, "harga"), "5000", "Harga"),
            Change(("produk", 0, "nama"), None),
        ],
    )
    assert changed == {
        "sertifikasi": [{"jenis": "halal", "nomor": "ID2"}, {"jenis": "pirt", "nomor": "2063216010123-29"}],
        "produk": [{"harga": "5000"}],
    }
    assert origins == {"sertifikasi[0].nomor": "Halal", "sertifikasi[1].nomor": "P-IRT", "produk[0].harga": "Harga"}
    assert data["sertifikasi"][0]["nomor"] == "ID1"  # the input is not touched


def test_an_entry_with_errors_is_not_written_at_all(project: Path) -> None:
    folder = project / "catalog" / "baru"
    result = write_entry(
        folder, {"nama": "Baru"}, "", {"foto/a.jpg": b"x"}, check=lambda staged: [Problem(staged / "index.md", 2, "nama", "salah")]
    )
    assert not result.written
    assert result.problems == [Problem(folder / "index.md", 2, "nama", "salah")]  # named where it would have been
    assert list((project / "catalog").iterdir()) == []  # no folder, no staging left behind


def test_photos_no_longer_referenced_are_removed(project: Path, make_entry: MakeEntry) -> None:
    index = make_entry("ada", {"foto": ["foto/lama.jpg"]}, photos={"foto/lama.jpg": (800, 600)})
    result = write_entry(index.parent, {"nama": "Ada", "foto": ["foto/baru.jpg"]}, "Cerita.\n", {"foto/baru.jpg": b"jpeg"})
    assert result.written
    assert sorted(p.name for p in (index.parent / "foto").iterdir()) == ["baru.jpg"]
    assert "foto baru: catalog/ada/foto/baru.jpg" in result.diff.replace(str(project) + "/", "")
    assert sorted(p.name for p in (project / "catalog").iterdir()) == ["ada"]


# --- fetching photos ---------------------------------------------------------------------------------


def test_photo_download_is_bounded_and_checked(photo_server: tuple[str, Path]) -> None:
    host, served = photo_server
    write_image(served / "ok.png", (640, 480), fmt="PNG")
    (served / "bukan.jpg").write_text("<!doctype html><p>Login</p>")
    photo = fetch_photo(f"{host}ok.png", sources=[host])
    # An opaque PNG screenshot is stored as a clean JPEG copy; see test_stored_photos_carry_no_gps.
    assert photo.suffix == ".jpg" and re.fullmatch(r"foto/[0-9a-f]{12}\.jpg", photo.name)
    with pytest.raises(PhotoError, match=r"terlalu besar \(lebih dari 1000 byte\)"):
        fetch_photo(f"{host}ok.png", sources=[host], max_bytes=1000)
    with pytest.raises(PhotoError, match="bukan foto yang didukung"):
        fetch_photo(f"{host}bukan.jpg", sources=[host])
    with pytest.raises(PhotoError, match=r"\(HTTP 404\)"):
        fetch_photo(f"{host}hilang.jpg", sources=[host])
    with pytest.raises(PhotoError, match="foto hanya boleh berasal dari lampiran GitHub"):
        fetch_photo(f"{host}ok.png")  # the default allows GitHub's attachment hosts only
    # Plain http is refused before anything is fetched (the local server is trusted for this test only).
    with pytest.raises(PhotoError, match="harus diawali https://"):
        fetch_photo("http://foto.example.id/ok.png", sources=None)


def test_local_photos_are_checked_too(tmp_path: Path) -> None:
    write_image(tmp_path / "a.jpg")
    assert read_photo(tmp_path / "a.jpg").suffix == ".jpg"
    (tmp_path / "skrip.jpg").write_text("<svg onload=alert(1)>")
    with pytest.raises(PhotoError, match="bukan foto yang didukung"):
        read_photo(tmp_path / "skrip.jpg")
    with pytest.raises(PhotoError, match="tidak ditemukan"):
        read_photo(tmp_path / "tidak-ada.jpg")


# --- links on the site -------------------------------------------------------------------------------


def business_html(project: Path, repo_url: str) -> str:
    settings = Settings(catalog_dir=project / "catalog", region_file=project / "wilayah.yml", cache_dir=project / ".cache", today=TODAY)
    catalog, problems = check_catalog(settings, photos=False)
    assert catalog is not None and not [p for p in problems if p.level == ERROR]
    businesses = enrich_catalog(catalog, today=TODAY)
    pages = {p.src_uri: p for p in render_pages(businesses, catalog.region, {}, today=TODAY, site_name="Katalog", repo_url=repo_url)}
    return pages["usaha/keripik-sari-rasa.md"].html


def test_business_pages_open_the_phone_form_for_the_business(project: Path, make_entry: MakeEntry) -> None:
    make_entry()
    for repo_url in ("https://github.com/dinas-kukm-bekasi/katalog-umkm", ""):  # no account and no repository needed
        html = business_html(project, repo_url)
        assert '<a class="umkm-button umkm-button--small" href="../../daftar/?perbarui=keripik-sari-rasa">Perbarui data</a>' in html
        assert '<a class="umkm-button umkm-button--small" href="../../daftar/?laporkan=keripik-sari-rasa">Laporkan kesalahan</a>' in html


def test_register_page_offers_the_ways_in_in_order_of_ease(project: Path) -> None:
    import dataclasses

    from generator.core.region import load_region

    region, _ = load_region(project / "wilayah.yml")
    assert region is not None
    page = render_register_page(region, site_name="Katalog UMKM", repo_url="https://github.com/dinas-kukm-bekasi/katalog-umkm")
    assert page.src_uri == "daftar/index.md" and page.title == "Daftarkan Usaha" and page.template == "register_page.html"
    assert page.html.count("<h1>") == 1
    headings = ["1. Isi formulir di ponsel ini, kirim lewat WhatsApp", "2. Lewat petugas Dinas", "3. Lewat GitHub"]
    assert [page.html.index(h) for h in headings] == sorted(page.html.index(h) for h in headings)
    assert page.html.index("data-umkm-formulir") < page.html.index("2. Lewat petugas Dinas")  # the form itself comes first
    assert (
        'href="https://github.com/dinas-kukm-bekasi/katalog-umkm/issues/new?template=daftar-usaha.yml&amp;title=Daftar+usaha%3A+"'
        in page.html
    )
    assert "CONTRIBUTING.md" in page.html
    # The Dinas' Google Form, when configured, comes second.
    google = render_register_page(dataclasses.replace(region, dinas_google_form="https://forms.gle/contoh"), site_name="Katalog UMKM")
    assert google.html.index("2. Formulir Google dari Dinas") < google.html.index("3. Lewat petugas Dinas") < google.html.index("4. Lewat GitHub")
    assert 'href="https://forms.gle/contoh"' in google.html
    bare = render_register_page(region, site_name="Katalog UMKM")
    assert "github.com" not in bare.html and "data-umkm-formulir" in bare.html
    assert "repo_url: https://github.com/" in (ROOT / "mkdocs.yml").read_text()
    assert "daftar/index.md" in (ROOT / "mkdocs.yml").read_text()


def test_stored_photos_carry_no_gps(photo_server: tuple[str, Path]) -> None:
    from PIL import Image

    host, served = photo_server
    exif = Image.Exif()
    exif[0x0112] = 6  # held upright, stored sideways
    exif.get_ifd(0x8825)[2] = (6.0, 17.0, 24.0)
    Image.new("RGB", (600, 800), (20, 90, 160)).save(served / "hp.jpg", exif=exif)
    Image.new("RGBA", (500, 400), (200, 0, 0, 100)).save(served / "logo.png")
    photo = fetch_photo(f"{host}hp.jpg", sources=[host])
    with Image.open(io.BytesIO(photo.data)) as stored:
        assert stored.size == (800, 600)  # turned upright before the EXIF went
        assert not stored.getexif() and "exif" not in stored.info
    logo = fetch_photo(f"{host}logo.png", sources=[host])
    assert logo.suffix == ".png"
    with Image.open(io.BytesIO(logo.data)) as stored:
        assert stored.mode == "RGBA"
