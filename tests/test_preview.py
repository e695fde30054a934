"""`umkm serve`: a broken entry shows its problems on the page, which turns back into the site once fixed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, TODAY, MakeEntry

TIMEOUT = 120  # a rebuild on a loaded two-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def serve(project: Path) -> Iterator[Callable[[], str]]:
    """Start `umkm serve` in the project; yields a function that starts it and returns its base URL."""
    processes: list[subprocess.Popen[str]] = []

    def start() -> str:
        port = free_port()
        env = {**os.environ, "UMKM_TANGGAL": TODAY.isoformat(), "PYTHONPATH": str(ROOT), "UMKM_SITE_URL": f"http://127.0.0.1:{port}/"}
        process = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip
        processes.append(process)
        return f"http://127.0.0.1:{port}/"

    yield start
    for process in processes:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(url: str) -> tuple[int, str]:
    """One request, never allowed to hang: MkDocs' own server held it forever after a failed build."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(url: str, condition: Callable[[int, str], bool]) -> str:
    deadline = time.monotonic() + TIMEOUT
    last = (0, "")
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
            continue
        if condition(*last):
            return last[1]
        time.sleep(0.3)
    raise AssertionError(f"{url} never matched; last answer {last[0]}: {last[1][:500]}")


def is_error_page(status: int, body: str) -> bool:
    return status == 500 and "Katalog belum dapat ditampilkan" in body


def test_a_broken_entry_shows_its_problems_and_the_page_recovers_when_fixed(
    project: Path, make_entry: MakeEntry, serve: Callable[[], str]
) -> None:
    index = make_entry("keripik-sari-rasa")
    good = index.read_text()
    base = serve()
    page = base + "usaha/keripik-sari-rasa/"
    wait_for(page, lambda status, body: status == 200 and "Keripik Sari Rasa" in body)
    index.write_text(good.replace("sektor: kuliner", "sektor: kulinerr"))
    body = wait_for(page, is_error_page)
    assert "catalog/keripik-sari-rasa/index.md:3: sektor: sektor usaha tidak dikenal &#39;kulinerr&#39; (maksud Anda &#39;kuliner&#39;?)" in body
    assert "/livereload/" in body  # MkDocs' reload script: the page reloads itself once fixed
    assert is_error_page(*fetch(base))  # every page says so, not only the broken business
    index.write_text(good)
    wait_for(page, lambda status, body: status == 200 and "Keripik Sari Rasa" in body)


def test_a_catalog_broken_from_the_start_is_served_with_its_problems(project: Path, make_entry: MakeEntry, serve: Callable[[], str]) -> None:
    index = make_entry("keripik-sari-rasa", {"kecamatan": "Bekasi Barat"})
    base = serve()
    body = wait_for(base, is_error_page)
    assert "catalog/keripik-sari-rasa/index.md:4: kecamatan: kecamatan tidak dikenal &#39;Bekasi Barat&#39;" in body
    index.write_text(index.read_text().replace("Bekasi Barat", "Cibitung"))
    wait_for(base + "usaha/keripik-sari-rasa/", lambda status, body: status == 200 and "Keripik Sari Rasa" in body)
