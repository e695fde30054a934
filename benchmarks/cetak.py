"""Print benchmark: `umkm cetak katalog` (the whole catalog as one PDF) on synthetic catalogs.

    python benchmarks/cetak.py              # 1,000 businesses (target: under 3 minutes, under 300 MB)
    python benchmarks/cetak.py --sizes 100,1000,3000

For each size it runs `umkm cetak katalog` twice as a subprocess: cold ("dingin": empty cache, so
validation, photos and rendering too, in worker processes) and warm ("hangat": entries, photos
and rendered parts from the cache, as after `umkm build`). It samples the memory of the whole process tree every 50 ms from /proc,
the umkm process and every Chromium process it starts, and prints the peak of the summed RSS
(the issue's measure: counts the pages processes share once per process, so it over-states),
the peak of the summed PSS (shared pages divided among their processes) and the largest single
process; the PDF's pages and size; wall and CPU seconds (CPU time does not grow with the machine's
load: on a busy machine it tells what the run needs), seconds per 100 businesses. Ratios from one run stay
comparable on a noisy machine. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth import make_project

TODAY = "2026-11-28"
PRINTED_ON = "2026-12-03"
ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 180
LIMIT_MB = 300


@dataclass
class Peak:
    rss_mb: float = 0.0  # summed over the tree
    pss_mb: float = 0.0  # summed over the tree
    largest_mb: float = 0.0  # RSS of the largest single process
    processes: int = 0  # most processes alive at once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000", help="comma-separated sizes, e.g. 100,1000")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"umkm cetak katalog — {time.strftime('%Y-%m-%d')}, beban mesin (load average 1 menit) {load:.1f}, {os.cpu_count()} inti")
    header = "| usaha | jalan | waktu | waktu CPU | s / 100 usaha | halaman | PDF | RSS puncak (jumlah pohon proses) | PSS puncak | proses terbesar (RSS) | proses sekaligus |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    failed = False
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"umkm-cetak-{n}-") as folder:
            project = make_project(Path(folder) / "proyek", n)
            for label in ("dingin", "hangat"):
                cpu_before = _cpu_seconds()
                seconds, peak = run(project)
                cpu = _cpu_seconds() - cpu_before
                pdf = project / "cetak" / "katalog.pdf"
                print(
                    f"| {n:,} | {label} | {seconds:.1f} s | {cpu:.1f} s | {seconds / n * 100:.2f} s | {count_pages(pdf)} | {pdf.stat().st_size / 1e6:.1f} MB "
                    f"| {peak.rss_mb:.0f} MB | {peak.pss_mb:.0f} MB | {peak.largest_mb:.0f} MB | {peak.processes} |",
                    flush=True,
                )
                failed = failed or (n == 1000 and (seconds > LIMIT_SECONDS or peak.rss_mb > LIMIT_MB))
    print(f"(beban mesin sesudahnya: {os.getloadavg()[0]:.1f})")
    if failed:
        print(f"1.000 usaha: di atas target ({LIMIT_SECONDS} s, {LIMIT_MB} MB)")


def run(project: Path) -> tuple[float, Peak]:
    """`umkm cetak katalog` in `project`: wall time and the process tree's memory peaks."""
    env = {**os.environ, "UMKM_TANGGAL": TODAY, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "generator.cli", "cetak", "katalog", "--tanggal-cetak", PRINTED_ON]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = Peak()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = pss = largest = 0.0
            alive = tree(process.pid)
            for pid in alive:
                one_rss, one_pss = memory(pid)
                rss, pss, largest = rss + one_rss, pss + one_pss, max(largest, one_rss)
            peak.rss_mb, peak.pss_mb = max(peak.rss_mb, rss), max(peak.pss_mb, pss)
            peak.largest_mb, peak.processes = max(peak.largest_mb, largest), max(peak.processes, len(alive))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"umkm cetak gagal:\n{out}\n{err}")
    return seconds, peak


def _cpu_seconds() -> float:
    """User + system CPU time of every finished descendant (umkm, its child and every Chromium):
    what the run costs whatever else the machine is doing."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MB; zeros once it has gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss / 1024, pss / 1024


def count_pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


if __name__ == "__main__":
    main()
