"""Search benchmark: Pagefind against Material's built-in search on one synthetic catalog.

    python benchmarks/search.py --n 1000       # about 3 minutes on 2 cores
    python benchmarks/search.py --n 10000

Builds a synthetic catalog (benchmarks/synth.py: fixed seed, three products per business, no
photos) once, with Material's search plugin switched on beside ours so both indexes come from
the same pages, then reports:
- the time to build the Pagefind index (generator.outputs.pagefind.index_site over the records) and its size;
- the bytes a browser downloads before the first result of a one-word query (a cold visit to
  `cari/?q=WORD`), gzip-compressed as a static host serves them, against what Material's search
  downloads before its first result (its whole index plus its search worker);
- what follows on a phone (the rest of the first page of results; the filter panel starts closed,
  so no filter counts), what opening the filter panel downloads for its counts, and what choosing
  "Harga terendah" downloads;
- the bytes before the first result of a link that only filters (no words), opened cold;
- the time from typing a word to results on the page in headless Chromium, after a first query
  (median and slowest of several words; our script waits 120 ms for typing to pause, included).
Every number is measured in this run; nothing is assumed.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth import make_project

from generator.builder.images import process_photos
from generator.builder.pipeline import check_catalog, enrich_businesses
from generator.cli import load_settings
from generator.outputs.pagefind import index_site
from generator.outputs.search import Spelling, search_records
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

TODAY = "2026-11-28"
TYPING_DELAY_MS = 120  # as in theme/assets/cari.js
FIRST_WORD = "keripik"
BROWSE = "kecamatan=Setu&sertifikasi=halal"  # a filter-only link
TYPED_WORDS = ["batik", "madu", "sambal", "jamur", "seragam", "kopi", "sabun", "aplikasi", "bambu", "dodol"]
# Files a static host sends as they are: Pagefind compresses its index files itself.
PRECOMPRESSED = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="number of businesses (default 1000)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="umkm-cari-") as tmp:
        project = args.keep or Path(tmp) / "proyek"
        report(measure(project, args.n))


def measure(project: Path, n: int) -> dict[str, Any]:
    started = time.perf_counter()
    make_project(project, n, photo_every=0)
    results: dict[str, Any] = {"n": n, "generate_s": time.perf_counter() - started}
    config = project / "mkdocs.yml"
    # Material's search plugin beside ours, for its index of the very same pages.
    config.write_text(config.read_text(encoding="utf-8").replace("\nplugins:\n", "\nplugins:\n  - search\n", 1), encoding="utf-8")
    started = time.perf_counter()
    env = {**os.environ, "UMKM_TANGGAL": TODAY, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    if build.returncode != 0:
        sys.exit(f"build gagal:\n{build.stderr[-3000:]}")
    results["build_s"] = time.perf_counter() - started
    site = project / "site"
    results.update(index_time(project))
    bundle = site / "pagefind"
    results["records"] = n
    results["pagefind_files"] = sum(1 for p in bundle.rglob("*") if p.is_file())
    results["pagefind_mb"] = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 1e6
    material_index = site / "search" / "search_index.json"
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    results["material_index_raw"] = material_index.stat().st_size
    results["material_index_gz"] = gzipped(material_index)
    results["material_worker_gz"] = gzipped(worker)
    results.update(browser_figures(site))
    return results


def index_time(project: Path) -> dict[str, float]:
    """Our stages up to the records, then the Pagefind index alone, timed in this process."""
    os.chdir(project)
    settings = load_settings("mkdocs.yml", TODAY)
    catalog, _ = check_catalog(settings, photos=False)
    assert catalog is not None
    photos, _ = process_photos(catalog.entries, settings.cache_dir)
    started = time.perf_counter()
    records = search_records(enrich_businesses(settings, catalog), photos, Spelling.of(catalog.region))
    records_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="umkm-indeks-") as out:
        stats = index_site(Path(out), records)
    return {"records_s": records_s, "index_s": stats.seconds}


def browser_figures(site: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    figures: dict[str, Any] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            # Cold: a shared link to `cari/?q=keripik` opened with an empty cache.
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            requests: list[Any] = []
            page.on("requestfinished", lambda request: requests.append(request))
            started = time.perf_counter()
            page.goto(f"{base}cari/?q={FIRST_WORD}")
            page.wait_for_selector('[data-cari="hasil"], [data-cari="siap"]', timeout=120_000)
            figures["first_query_s"] = time.perf_counter() - started
            page.wait_for_selector('[data-cari="siap"]', timeout=120_000)
            # Requests started before the first card was on the page (both clocks in epoch ms).
            shown_at = page.evaluate("() => performance.timeOrigin + performance.getEntriesByName('cari:hasil')[0].startTime")
            before_first = _search_files([r.url for r in requests if r.timing["startTime"] <= shown_at])
            with_counts = _search_files([r.url for r in requests])
            figures["first_result_gz"] = sum(served_size(site, path) for path in before_first)
            figures["first_result_files"] = len(before_first)
            figures["first_result_breakdown"] = _breakdown(site, before_first)
            # On a phone the filter panel starts closed and its counts are not fetched: what
            # opening it downloads is measured separately.
            figures["counts_gz"] = sum(served_size(site, path) for path in with_counts - before_first)
            figures["counts_breakdown"] = _breakdown(site, with_counts - before_first)
            # Opened by script: Material's search, switched on beside ours, also reads `?q=` and
            # lays its result overlay over the page.
            page.evaluate("() => { document.querySelector('[data-cari-panel]').open = true; }")
            page.wait_for_function("() => [...document.querySelectorAll('[data-cari-count]')].every((c) => c.textContent !== '')")
            opened = _search_files([r.url for r in requests]) - with_counts
            figures["panel_gz"] = sum(served_size(site, path) for path in opened)
            figures["panel_breakdown"] = _breakdown(site, opened)
            page.evaluate("() => { document.querySelector('[data-cari-panel]').open = false; }")  # typing below is a phone's
            # Choosing an order downloads that order alone.
            seen = _search_files([r.url for r in requests])
            page.select_option("#cari-urut", "harga-naik")
            page.wait_for_selector('[data-cari="siap"]', timeout=120_000)
            sorted_files = _search_files([r.url for r in requests]) - seen
            figures["sort_gz"] = sum(served_size(site, path) for path in sorted_files if not path.startswith("pagefind/fragment/"))
            figures["sort_breakdown"] = _breakdown(site, sorted_files)
            page.select_option("#cari-urut", "")
            page.wait_for_selector('[data-cari="siap"]', timeout=120_000)
            figures["first_hits"] = page.locator("[data-cari-status]").inner_text()
            # Warm: typing one word after another, as a buyer refines a search.
            latencies = []
            for word in TYPED_WORDS:
                page.fill("#cari-q", word)
                page.wait_for_selector('[data-cari="hasil"], [data-cari="siap"]', timeout=60_000)
                latencies.append(
                    page.evaluate(
                        """() => {
                          const last = (name) => performance.getEntriesByName(name).at(-1).startTime;
                          return last("cari:hasil") - last("cari:ketik");
                        }"""
                    )
                )
                page.wait_for_selector('[data-cari="siap"]', timeout=60_000)
            figures["typing_ms_median"] = statistics.median(latencies)
            figures["typing_ms_max"] = max(latencies)
            context.close()
            # A shared link that only filters (no words), opened cold.
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            requests = []
            page.on("requestfinished", lambda request: requests.append(request))
            page.goto(f"{base}cari/?{BROWSE}")
            page.wait_for_selector('[data-cari="hasil"], [data-cari="siap"]', timeout=120_000)
            page.wait_for_selector('[data-cari="siap"]', timeout=120_000)
            shown_at = page.evaluate("() => performance.timeOrigin + performance.getEntriesByName('cari:hasil')[0].startTime")
            before_first = _search_files([r.url for r in requests if r.timing["startTime"] <= shown_at])
            figures["browse_gz"] = sum(served_size(site, path) for path in before_first)
            figures["browse_breakdown"] = _breakdown(site, before_first)
            figures["browse_hits"] = page.locator("[data-cari-status]").inner_text()
            context.close()
            browser.close()
    finally:
        server.shutdown()
    return figures


def _search_files(urls: list[str]) -> set[str]:
    """Site paths of what the search itself fetched (Pagefind's files, not the page or its theme)."""
    paths = {unquote(urlsplit(url).path).lstrip("/") for url in urls}
    return {p for p in paths if p.startswith("pagefind/")}


def _breakdown(site: Path, paths: set[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    filters = _filter_names(site)
    for path in paths:
        name = Path(path).name
        kind = (
            "fragments"
            if path.startswith("pagefind/fragment/")
            else "index chunks"
            if path.startswith("pagefind/index/")
            else f"filter {filters.get(Path(path).stem, '?')}"
            if path.startswith("pagefind/filter/")
            else "metadata"
            if name.endswith(".pf_meta")
            else "wasm"
            if name.endswith(".pagefind")
            else name
        )
        kinds[kind] = kinds.get(kind, 0) + served_size(site, path)
    return dict(sorted(kinds.items(), key=lambda item: -item[1]))


def _filter_names(site: Path) -> dict[str, str]:
    """Each filter file's hash -> the filter it holds, from the bundle's metadata."""
    import cbor2

    from generator.outputs.pagefind import _unpack

    bundle = site / "pagefind"
    names: dict[str, str] = {}
    for info in json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"].values():
        meta = cbor2.loads(_unpack((bundle / f"pagefind.{info['hash']}.pf_meta").read_bytes()))
        names.update({file_hash: name for name, file_hash in meta[3]})
    return names


def served_size(site: Path, path: str) -> int:
    """Bytes on the wire from a host that gzips text (as GitHub Pages, Netlify and nginx do)."""
    file = site / path
    return file.stat().st_size if file.name.endswith(PRECOMPRESSED) else gzipped(file)


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def print_breakdown(sizes: dict[str, int]) -> None:
    """One line per kind of file under a total: its gzip size in KB."""
    for kind, size in sizes.items():
        print(f"      {kind:<40} {size / 1024:8.1f} KB")


def report(r: dict[str, Any]) -> None:
    kb = 1024
    material = r["material_index_gz"] + r["material_worker_gz"]
    print(f"Katalog sintetis (synthetic catalog): {r['n']:,} usaha, {3 * r['n']:,} produk; mesin {os.cpu_count()} inti")
    print(f"  build penuh MkDocs + Pagefind + Material search ............ {r['build_s']:8.1f} s")
    print(f"  rekaman pencarian (search records from the catalog) ....... {r['records_s']:8.2f} s")
    print(
        f"  indeks Pagefind (index build) ............................. {r['index_s']:8.2f} s  ({r['pagefind_files']:,} berkas, {r['pagefind_mb']:.1f} MB)"
    )
    print(f"  unduhan sebelum hasil pertama, '{FIRST_WORD}' (bytes before the first result, gzip):")
    print(
        f"    Pagefind ................................................ {r['first_result_gz'] / kb:8.1f} KB  ({r['first_result_files']} berkas)"
    )
    print_breakdown(r["first_result_breakdown"])
    print(f"    + setelah hasil pertama, panel saringan tertutup ......... {r['counts_gz'] / kb:8.1f} KB")
    print_breakdown(r["counts_breakdown"])
    print(f"    + membuka panel saringan: hitungan (filter counts) ...... {r['panel_gz'] / kb:8.1f} KB")
    print_breakdown(r["panel_breakdown"])
    print(f"    + memilih urutan 'Harga terendah' (sort order) ........... {r['sort_gz'] / kb:8.1f} KB  (tanpa data hasil)")
    print_breakdown(r["sort_breakdown"])
    print(f"  tautan saringan tanpa kata cari/?{BROWSE} → hasil pertama: {r['browse_gz'] / kb:.1f} KB  ({r['browse_hits']})")
    print_breakdown(r["browse_breakdown"])
    print(
        f"    Material search ......................................... {material / kb:8.1f} KB  "
        f"(indeks {r['material_index_gz'] / kb:.1f} KB gzip, {r['material_index_raw'] / kb / kb:.1f} MB mentah; worker {r['material_worker_gz'] / kb:.1f} KB)"
    )
    print(f"    rasio Material / Pagefind ............................... {material / r['first_result_gz']:8.1f} ×")
    print(f"  kueri pertama, tautan dibuka dingin (cold first query) ..... {r['first_query_s'] * 1000:8.0f} ms  ({r['first_hits']})")
    print(
        f"  mengetik → hasil (typing to results, {len(TYPED_WORDS)} words) .......... median {r['typing_ms_median']:.0f} ms, "
        f"terlama {r['typing_ms_max']:.0f} ms (termasuk jeda ketik {TYPING_DELAY_MS} ms)"
    )


if __name__ == "__main__":
    main()
