"""Scale benchmark: synthetic catalogs of 100, 1,000 and 10,000 businesses, measured in one run.

    python benchmarks/run.py            # 100, 1,000 and 10,000 businesses
    python benchmarks/run.py --quick    # 100 and 1,000 (under 3 minutes)

For each size it prints: cold build time and per-business milliseconds, split into our stages
(load + validate, photos + enrich + render, post-build steps) and MkDocs' own rendering, for the
first build (empty cache) and for the rebuild after touching one entry (entry records cached, as
`umkm build` does it), plus that rebuild as `umkm serve` does it; peak
RSS; site size and the largest page; and the ratio of our build to a plain MkDocs + Material
build of the same number of simple pages (the engine's floor). Ratios measured in one run stay
comparable on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth import make_project

TODAY = "2026-11-28"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 businesses only")
    parser.add_argument("--sizes", help="comma-separated sizes, e.g. 100,1000")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child[0], Path(args.child[1]))))
        return
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([100, 1000] if args.quick else [100, 1000, 10000])
    print(f"Mesin (machine): {os.cpu_count()} inti/cores, Python {sys.version.split()[0]}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="umkm-bench-") as tmp:
        for n in sizes:
            rows.append(measure(Path(tmp) / str(n), n))
            print_row(rows[-1])
    print_table(rows)


def measure(project: Path, n: int) -> dict[str, float]:
    started = time.perf_counter()
    make_project(project, n)
    generated = time.perf_counter() - started
    cold = child("cold", project)
    site = project / "site"
    pages = list(site.rglob("*.html"))
    business_pages = list((site / "usaha").glob("*/index.html"))
    warm = child("warm", project)
    dirty = child("dirty", project)
    floor = child("floor", project.with_name(f"{n}-floor"), n)
    return {
        "n": n,
        "generate_s": generated,
        **{f"cold_{k}": v for k, v in cold.items()},
        "warm_s": warm["total_s"],
        **{f"warm_{k}": v for k, v in warm.items() if k != "total_s"},
        "dirty_s": dirty["rebuild_s"],
        "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6,
        "largest_page_kb": max(p.stat().st_size for p in pages) / 1e3,
        "business_page_kb": max(p.stat().st_size for p in business_pages) / 1e3,
        "floor_s": floor["total_s"],
    }


def child(mode: str, project: Path, n: int = 0) -> dict[str, float]:
    """Run one build in a fresh interpreter so its time and peak memory are its own."""
    if mode == "floor":
        make_floor(project, n)
    env = {**os.environ, "UMKM_TANGGAL": TODAY}
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(project)], env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"benchmark {mode} gagal:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(mode: str, project: Path) -> dict[str, float]:
    import logging
    import resource

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.basicConfig(level=logging.ERROR)
    os.chdir(project)
    timers = _instrument() if mode != "floor" else {}
    if mode == "warm":
        index = sorted((project / "catalog").iterdir())[0] / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\nDiperbarui untuk benchmark.\n", encoding="utf-8")
    if mode == "dirty":
        # What `umkm serve` does: a first build, an edit, then a dirty rebuild in the same process.
        site = tempfile.mkdtemp(prefix="umkm-serve-")
        build(load_config("mkdocs.yml", site_dir=site, strict=False), dirty=True)
        index = sorted((project / "catalog").iterdir())[1] / "index.md"
        index.write_text(index.read_text(encoding="utf-8").replace("nama: ", "nama: Baru ", 1), encoding="utf-8")
        started = time.perf_counter()
        build(load_config("mkdocs.yml", site_dir=site, strict=False), dirty=True)
        shutil.rmtree(site, ignore_errors=True)
        return {"rebuild_s": time.perf_counter() - started}
    started = time.perf_counter()
    build(load_config("mkdocs.yml", strict=False))
    total = time.perf_counter() - started
    result = {
        "total_s": total,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # The largest child: a worker process (workers.py) or the Pagefind indexer.
        "child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    for name, seconds in timers.items():
        result[f"{name}_s"] = seconds
    if timers:
        result["content_s"] -= timers["photos"]
        result["mkdocs_s"] = total - sum(v for k, v in timers.items() if k != "photos")
    return result


def _instrument() -> dict[str, float]:
    """Time our stages by wrapping the plugin's hooks and the pipeline's entry points."""
    from generator import plugin
    from generator.builder import images, pipeline

    timers: dict[str, float] = {"load_validate": 0.0, "content": 0.0, "photos": 0.0, "pre_build_other": 0.0, "post_build": 0.0}

    def wrap(owner: object, attr: str, key: str) -> None:
        original = getattr(owner, attr)

        def timed(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers[key] += time.perf_counter() - started

        setattr(owner, attr, timed)

    wrap(plugin, "check_catalog", "load_validate")
    wrap(plugin, "build_content", "content")
    wrap(images, "process_photos", "photos")  # inside build_content: subtracted below
    wrap(plugin.UmkmPlugin, "on_post_build", "post_build")
    original_pre = plugin.UmkmPlugin.on_pre_build

    def pre_build(self: object, **kwargs: object) -> None:
        started = time.perf_counter()
        before = timers["load_validate"] + timers["content"]
        original_pre(self, **kwargs)  # type: ignore[arg-type]
        timers["pre_build_other"] += time.perf_counter() - started - (timers["load_validate"] + timers["content"] - before)

    plugin.UmkmPlugin.on_pre_build = pre_build  # type: ignore[method-assign]
    assert pipeline  # imported so the plugin's names resolve to the wrapped functions
    return timers


def make_floor(project: Path, n: int) -> None:
    """A plain MkDocs + Material project of `n` simple pages, none in the navigation."""
    docs = project / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Beranda\n\nHalaman awal.\n")
    for i in range(n):
        (docs / f"halaman-{i:05d}.md").write_text(f"# Halaman {i}\n\nSebuah paragraf sederhana untuk halaman {i}.\n")
    (project / "mkdocs.yml").write_text(
        "site_name: Lantai\ntheme:\n  name: material\n  language: id\n  font: false\nplugins: []\nnav:\n  - Beranda: index.md\n"
        "validation:\n  nav:\n    omitted_files: ignore\n"
    )


def print_row(row: dict[str, float]) -> None:
    print(
        f"{row['n']:>6} usaha: dingin {row['cold_total_s']:.1f} s, hangat {row['warm_s']:.1f} s, serve {row['dirty_s']:.1f} s, "
        f"lantai MkDocs {row['floor_s']:.1f} s, RSS {row['cold_peak_rss_mb']:.0f} MB (anak {row['cold_child_rss_mb']:.0f} MB)",
        flush=True,
    )


def per_business(row: dict[str, float], build: str) -> tuple[float, float]:
    """Milliseconds per business of our stages and of MkDocs' own work, in one build."""
    n = row["n"]
    ours = (row[f"{build}_load_validate_s"] + row[f"{build}_content_s"]) / n * 1000
    return ours, row[f"{build}_mkdocs_s"] / n * 1000


def print_table(rows: list[dict[str, float]]) -> None:
    print()
    print(
        "| usaha | build dingin | foto | ms/usaha dingin: kami / MkDocs | rasio dingin | ms/usaha ulang: kami / MkDocs | rasio ulang |"
        " setelah build | ulang (umkm build) | ulang (umkm serve) | RSS puncak (+ anak terbesar) | situs | halaman terbesar | halaman usaha | lantai MkDocs | rasio ke lantai |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cold_ours, cold_engine = per_business(r, "cold")
        warm_ours, warm_engine = per_business(r, "warm")
        print(
            f"| {r['n']:,} | {r['cold_total_s']:.1f} s | {r['cold_photos_s']:.1f} s | {cold_ours:.2f} / {cold_engine:.2f} | {cold_ours / cold_engine:.2f} | "
            f"{warm_ours:.2f} / {warm_engine:.2f} | {warm_ours / warm_engine:.2f} | {r['cold_post_build_s']:.1f} s | "
            f"{r['warm_s']:.1f} s | {r['dirty_s']:.1f} s | {r['cold_peak_rss_mb']:.0f} MB + {r['cold_child_rss_mb']:.0f} MB | {r['site_mb']:.0f} MB | "
            f"{r['largest_page_kb']:.0f} KB | {r['business_page_kb']:.0f} KB | {r['floor_s']:.1f} s | {r['cold_total_s'] / r['floor_s']:.2f} |"
        )
    print("\n'dingin' = first build, empty cache; 'ulang' = the next build after one entry changed (entry records cached);")
    print("'kami' = load + validate + enrich + render per business (photos apart); 'foto' = photo processing, cold (a tenth")
    print("of the businesses have two photos); 'setelah build' = post-build steps (search index, security audit, CSP headers);")
    print("'lantai' = plain MkDocs + Material, same number of simple pages; 'anak' = the largest child process")
    print("(a worker, which shares most of its memory with the build, or the Pagefind indexer).")


if __name__ == "__main__":
    main()
