"""Hostile input to the ways in (issue 14): photo addresses that reach inside the network, slow
servers, paths outside the sheet's folder, and files built to exhaust memory.

The hostile files are made here, small on disk as an attacker would send them; each run of the
real command happens in a child process whose peak memory is read from the kernel
(`RUSAGE_CHILDREN` of a fresh parent, so nothing else this test process ran counts).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from generator.intake import fetch
from generator.intake.fetch import Budget, PhotoError, fetch_photo, is_public_address
from tests.conftest import ROOT, TODAY, MakeEntry, from_issue, recorded, serve_recorded_photos, write_image

PEAK_LIMIT_MB = 300


# --- local servers ------------------------------------------------------------------------------------


class _Server:
    """A local HTTP server answering every path with `reply`; counts the requests it got."""

    def __init__(self, reply: Any) -> None:
        self.hits = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                reply(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[list[_Server]]:
    made: list[_Server] = []
    yield made
    for server in made:
        server.close()


def _png_bytes(size: tuple[int, int] = (600, 400)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 140, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def _send_png(handler: http.server.BaseHTTPRequestHandler) -> None:
    body = _png_bytes()
    handler.send_response(200)
    handler.send_header("Content-Type", "image/png")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def http_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local test servers speak http: allowed here, so that what refuses them is the address rule."""
    monkeypatch.setattr(fetch, "SCHEMES", ("https", "http"))


# --- where a photo may come from -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False), ("169.254.169.254", False),
        ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False), ("fd00::1", False),
        ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("8.8.8.8", True), ("140.82.112.3", True), ("2606:4700::1111", True),
    ],
)  # fmt: skip
def test_only_public_addresses_are_public(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_a_photo_on_a_local_server_is_refused_before_any_request(servers: list[_Server], http_allowed: None) -> None:
    server = _Server(_send_png)
    servers.append(server)
    with pytest.raises(PhotoError, match=r"alamat jaringan dalam \('127\.0\.0\.1' = 127\.0\.0\.1\)"):
        fetch_photo(f"{server.url}foto.png", sources=None)
    with pytest.raises(PhotoError, match="alamat jaringan dalam"):
        fetch_photo(f"http://localhost:{server.httpd.server_port}/foto.png", sources=None)  # a name is resolved first
    assert server.hits == 0


def test_a_redirect_to_a_local_server_is_refused(servers: list[_Server], http_allowed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = _Server(_send_png)

    def redirect(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", f"{inner.url}rahasia.png")
        handler.end_headers()

    outer = _Server(redirect)
    servers += [inner, outer]
    # The first server stands in for a public host; the address it sends the request on to is local.
    monkeypatch.setattr(fetch, "TRUSTED_ORIGINS", frozenset({outer.origin}))
    with pytest.raises(PhotoError, match="alamat jaringan dalam"):
        fetch_photo(f"{outer.url}foto.png", sources=None)
    assert outer.hits == 1 and inner.hits == 0
    # The same trusted host serving the photo itself is fine: the rule is about addresses.
    monkeypatch.setattr(fetch, "TRUSTED_ORIGINS", frozenset({outer.origin, inner.origin}))
    assert fetch_photo(f"{outer.url}foto.png", sources=None).data


def test_a_name_that_resolves_inside_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)), (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(PhotoError, match=r"'foto\.example\.id' = 10\.0\.0\.7"):
        fetch_photo("https://foto.example.id/a.jpg", sources=None)  # one inner address among public ones is enough


def _fetch_from_a_trickle(servers: list[_Server], monkeypatch: pytest.MonkeyPatch, head: bytes, byte: bytes) -> tuple[str, float]:
    """Fetch (1.5 s allowed) from a server that sends `head`, then `byte` every 0.2 s for up to 8 s:
    (the PhotoError message, seconds it took)."""
    stop = threading.Event()

    def trickle(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(head)
        give_up = time.monotonic() + 8  # so that a missing deadline fails the test instead of hanging it
        while not stop.is_set() and time.monotonic() < give_up:
            try:
                handler.wfile.write(byte)
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.2)

    server = _Server(trickle)
    servers.append(server)
    monkeypatch.setattr(fetch, "TRUSTED_ORIGINS", frozenset({server.origin}))
    started = time.monotonic()
    try:
        with pytest.raises(PhotoError) as refused:
            fetch_photo(f"{server.url}lambat.png", sources=None, timeout=1.5)
    finally:
        stop.set()
    return refused.value.message, time.monotonic() - started


def test_a_slow_server_cannot_stretch_the_download(servers: list[_Server], monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte of body every 0.2 s never trips a per-read timeout; the photo's total deadline does."""
    message, seconds = _fetch_from_a_trickle(servers, monkeypatch, b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n", b"\0")
    assert "waktu habis setelah 1.5 detik" in message and seconds < 5


def test_a_server_trickling_its_headers_is_cut_at_the_deadline(servers: list[_Server], monkeypatch: pytest.MonkeyPatch) -> None:
    """Headers are read line by line, each wait under the socket timeout: only the deadline's
    watchdog, which shuts the socket, ends a header line sent a byte every 0.2 s."""
    message, seconds = _fetch_from_a_trickle(servers, monkeypatch, b"HTTP/1.1 200 OK\r\nX-Lambat: ", b"a")
    assert "waktu habis setelah 1.5 detik" in message and seconds < 5


def test_a_run_whose_time_is_spent_fetches_nothing_more(servers: list[_Server], monkeypatch: pytest.MonkeyPatch) -> None:
    server = _Server(_send_png)
    servers.append(server)
    monkeypatch.setattr(fetch, "TRUSTED_ORIGINS", frozenset({server.origin}))
    spent = Budget(seconds=0)
    with pytest.raises(PhotoError, match="waktu untuk mengunduh foto sudah habis"):
        fetch_photo(f"{server.url}a.png", sources=None, budget=spent)
    assert server.hits == 0
    assert fetch_photo(f"{server.url}a.png", sources=None, budget=Budget(seconds=60)).data


# --- local photo paths in a sheet ---------------------------------------------------------------------


def _import(project: Path, rows: list[list[str]], *args: str) -> tuple[int, str]:
    from generator import cli

    header = ["Nama usaha", "Sektor usaha", "Kecamatan", "Ringkasan usaha (satu kalimat)", "Foto usaha", "Saya setuju data usaha ini ditampilkan di katalog publik"]
    sheet = project / "lembar" / "jawaban.csv"
    sheet.parent.mkdir(exist_ok=True)
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    sheet.write_text(buffer.getvalue(), encoding="utf-8")
    code = cli.main(["import", str(sheet), "--pemetaan", str(ROOT / "impor" / "google-forms.yml"), *args])
    return code, str(sheet)


@pytest.mark.parametrize("where", ["../rahasia/ktp.jpg", "ABSOLUTE"])
def test_a_sheet_cannot_read_photos_outside_its_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    outside = write_image(project / "rahasia" / "ktp.jpg", (800, 600))
    ref = str(outside) if where == "ABSOLUTE" else where
    code, _ = _import(project, [["Sambal Bu Ani", "Kuliner", "Cibitung", "Sambal.", ref, "Ya"]])
    out = capsys.readouterr().out
    assert code == 1 and "berada di luar" in out and "--foto" in out
    assert not (project / "catalog" / "sambal-bu-ani").exists()
    # Named with --foto, that folder is allowed.
    code, _ = _import(project, [["Sambal Bu Ani", "Kuliner", "Cibitung", "Sambal.", ref, "Ya"]], "--foto", str(project / "rahasia"))
    assert code == 0, capsys.readouterr().out
    assert len(list((project / "catalog" / "sambal-bu-ani" / "foto").iterdir())) == 1


def test_a_symlink_in_the_sheet_folder_cannot_lead_outside(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    outside = write_image(project / "rahasia" / "ktp.jpg", (800, 600))
    (project / "lembar").mkdir()
    (project / "lembar" / "foto.jpg").symlink_to(outside)
    code, _ = _import(project, [["Sambal Bu Ani", "Kuliner", "Cibitung", "Sambal.", "foto.jpg", "Ya"]])
    assert code == 1 and "berada di luar" in capsys.readouterr().out


def test_an_import_has_one_deadline_for_all_its_photos(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    monkeypatch.setattr(fetch, "RUN_SECONDS", 0)
    code, _ = _import(project, [["Sambal Bu Ani", "Kuliner", "Cibitung", "Sambal.", "https://foto.example.id/a.jpg", "Ya"]])
    assert code == 1 and "waktu untuk mengunduh foto sudah habis" in capsys.readouterr().out


def test_an_issue_has_one_deadline_for_all_its_photos(
    project: Path, photo_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue form's photos share one run deadline too: spent, nothing is fetched or written."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", TODAY.isoformat())
    host, served = photo_server
    body = recorded("issue-daftar-usaha.md", host)
    serve_recorded_photos(body, served)
    monkeypatch.setattr(fetch, "RUN_SECONDS", 0)
    assert from_issue(project, body, "--sumber-foto", host) == 1
    assert "waktu untuk mengunduh foto sudah habis" in capsys.readouterr().out
    assert not (project / "catalog" / "dapur-mpok-siti").exists()
    monkeypatch.setattr(fetch, "RUN_SECONDS", 60)  # with time left the same issue is written
    assert from_issue(project, body, "--sumber-foto", host) == 0, capsys.readouterr().out
    assert (project / "catalog" / "dapur-mpok-siti" / "index.md").is_file()


# --- files built to exhaust memory: clean errors, peak memory measured ------------------------------------

_PEAK = """
import json, resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": result.returncode, "out": result.stdout, "err": result.stderr,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run_measured(project: Path, *args: str) -> tuple[int, str, float]:
    """`umkm ARGS` in a child of a fresh parent: (exit code, stdout + stderr, peak RSS in MB)."""
    env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat(), "PYTHONPATH": str(ROOT)}
    wrapper = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-m", "generator.cli", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    result = json.loads(wrapper.stdout)
    return result["code"], result["out"] + result["err"], result["peak_kb"] / 1024


def _dinas_xlsx(path: Path, rows: int = 1) -> None:
    workbook = Workbook()
    sheet = workbook.active
    header = (ROOT / "impor" / "templat-dinas.csv").read_text(encoding="utf-8").strip().split(",")
    sheet.append(header)
    values = {"Slug": "usaha-{}", "Nama Usaha": "Usaha {}", "Sektor": "Kuliner", "Kecamatan": "Cibitung", "Deskripsi Singkat": "Usaha {}.", "Persetujuan Tayang": "Ya"}
    for i in range(rows):
        sheet.append([values.get(h, "").format(i) for h in header])
    workbook.save(path)


def _rewrite_zip(path: Path, name: str, edit: Any) -> None:
    """Replace (or add) one member of a zip file, streaming, so a huge member never sits in this process."""
    temp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as target:
        old = source.read(name) if name in source.namelist() else b""
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as out:
            edit(old, out)
    temp.replace(path)


def _edit_member(name: str, old: bytes, new: bytes) -> tuple[str, Any]:
    def edit(xml: bytes, out: Any) -> None:
        assert old in xml, (name, old)
        out.write(xml.replace(old, new, 1))

    return name, edit


def test_an_xlsx_claiming_16384_columns_is_read_within_bounds(project: Path) -> None:
    """38 KB on disk; its `dimension` made openpyxl pad every row to 16,384 cells (411 MB)."""
    path = project / "lebar.xlsx"
    _dinas_xlsx(path)

    def widen(xml: bytes, out: Any) -> None:
        xml, claimed = re.subn(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD3000"/>', xml)
        assert claimed == 1
        out.write(xml.replace(b"</sheetData>", b'<row r="3000"><c r="XFD3000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))

    _rewrite_zip(path, "xl/worksheets/sheet1.xml", widen)
    assert path.stat().st_size < 50_000
    code, out, peak = run_measured(project, "import", str(path), "--coba", "--pemetaan", str(ROOT / "impor" / "dinas.yml"))
    assert code == 0 and "Traceback" not in out, out
    assert "1 baru" in out, out  # the one real row is read; the padding is not
    assert peak < PEAK_LIMIT_MB, f"{peak:.0f} MB"


def test_an_xlsx_with_a_cell_past_column_200_is_refused(project: Path) -> None:
    path = project / "kolom.xlsx"
    _dinas_xlsx(path)

    def widen(xml: bytes, out: Any) -> None:
        out.write(xml.replace(b"</row></sheetData>", b'<c r="GS2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))

    _rewrite_zip(path, "xl/worksheets/sheet1.xml", widen)
    code, out, _ = run_measured(project, "import", str(path), "--coba", "--pemetaan", str(ROOT / "impor" / "dinas.yml"))
    assert code == 1 and "baris 2 berisi terlalu banyak kolom (201; paling banyak 200)" in out, out


def test_an_xlsx_with_a_300_mb_shared_string_is_refused_unread(project: Path) -> None:
    """297 KB on disk, 300 MB once unpacked: refused from the zip's own directory (611 MB before)."""
    path = project / "besar.xlsx"
    _dinas_xlsx(path)

    def grow(xml: bytes, out: Any) -> None:
        out.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
        chunk = b"a" * (1 << 20)
        for _ in range(300):
            out.write(chunk)
        out.write(b"</t></si></sst>")

    # openpyxl writes inline strings: the table is added, declared and used, as Excel writes it.
    _rewrite_zip(path, *_edit_member("[Content_Types].xml", b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    _rewrite_zip(path, *_edit_member("xl/worksheets/sheet1.xml", b'<c r="G2" t="inlineStr" />', b'<c r="G2" t="s"><v>0</v></c>'))
    _rewrite_zip(path, "xl/sharedStrings.xml", grow)  # last: the huge part is never copied again
    assert path.stat().st_size < 1_000_000
    code, out, peak = run_measured(project, "import", str(path), "--coba", "--pemetaan", str(ROOT / "impor" / "dinas.yml"))
    assert code == 1 and "Traceback" not in out
    assert "terlalu besar setelah dibuka" in out, out
    assert peak < PEAK_LIMIT_MB, f"{peak:.0f} MB"


def test_a_csv_field_over_128_kb_is_a_clean_error(project: Path) -> None:
    header = (ROOT / "impor" / "templat-dinas.csv").read_text(encoding="utf-8").strip()
    (project / "panjang.csv").write_text(f"{header}\nusaha-a,{'x' * 200_000},\n", encoding="utf-8")
    code, out, peak = run_measured(project, "import", "panjang.csv", "--pemetaan", str(ROOT / "impor" / "dinas.yml"))
    assert code == 1 and "Traceback" not in out and "_csv.Error" not in out
    assert "sel lebih dari 32.767 karakter" in out, out
    assert peak < PEAK_LIMIT_MB


def _huge_png(path: Path, side: int = 7000) -> None:
    """A 7000x7000 PNG of one colour, about 143 KB, written row by row (never a whole image here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\0" + b"\x80" * (side * 3)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def test_a_7000_pixel_png_is_refused_by_check_build_and_import(project: Path, make_entry: MakeEntry) -> None:
    make_entry(meta={"foto": ["foto/besar.png"]})
    _huge_png(project / "catalog" / "keripik-sari-rasa" / "foto" / "besar.png")
    assert (project / "catalog" / "keripik-sari-rasa" / "foto" / "besar.png").stat().st_size < 300_000
    for args in (("check",), ("build",)):
        code, out, peak = run_measured(project, *args)
        assert code == 1 and "Traceback" not in out, out
        assert "7000x7000 piksel" in out and "megapiksel" in out, out
        assert peak < PEAK_LIMIT_MB, f"umkm {args[0]}: {peak:.0f} MB"
    _huge_png(project / "lembar" / "besar.png")
    rows = "Nama usaha,Sektor usaha,Kecamatan,Ringkasan usaha (satu kalimat),Foto usaha,Saya setuju data usaha ini ditampilkan di katalog publik\n"
    (project / "lembar" / "jawaban.csv").write_text(rows + "Sambal Bu Ani,Kuliner,Cibitung,Sambal.,besar.png,Ya\n", encoding="utf-8")
    code, out, peak = run_measured(project, "import", "lembar/jawaban.csv", "--pemetaan", str(ROOT / "impor" / "google-forms.yml"))
    assert code == 1 and "Traceback" not in out and "7000x7000 piksel" in out, out
    assert peak < PEAK_LIMIT_MB, f"umkm import: {peak:.0f} MB"
