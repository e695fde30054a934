"""Fuzz the entry loader and validator, the story sanitizer and the photo pipeline, for as long as you like.

    python benchmarks/fuzz_entry.py                      # every target, 10 minutes
    python benchmarks/fuzz_entry.py --target foto --menit 120
    python benchmarks/fuzz_entry.py --ulang fuzz-temuan/entri-1a2b3c.bin
    python benchmarks/fuzz_entry.py --atheris --target entri   # coverage-guided, if atheris is installed

Inputs are random bytes that Hypothesis turns into test cases (`fuzz_one_input`) with the same
strategies and checks as tests/test_properties.py, so a failure found here is a failing property
there. Each failing input is saved under fuzz-temuan/ to replay with --ulang, and Hypothesis keeps
it in .hypothesis/, so the next `pytest tests/test_properties.py` runs it first.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FINDINGS = ROOT / "fuzz-temuan"
TARGET_NAMES = {
    "entri": ("test_any_index_md_gives_an_entry_or_clean_problems", "test_any_mapping_gives_an_entry_or_clean_problems"),
    "cerita": ("test_sanitized_story_never_holds_live_script",),
    "foto": ("test_processed_photos_never_keep_exif", "test_any_bytes_as_a_photo_give_a_photo_or_a_problem"),
}


def load_targets(names: list[str]) -> list[tuple[str, Callable[[bytes], object]]]:
    """(name, fuzz function) for each property of the chosen targets."""
    from tests import test_properties

    return [(f"{name}:{test}", getattr(test_properties, test).hypothesis.fuzz_one_input) for name in names for test in TARGET_NAMES[name]]


def run(targets: list[tuple[str, Callable[[bytes], object]]], seconds: float, seed: int) -> int:
    """Feed random inputs round-robin until time is up; return how many failed."""
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    runs = failures = 0
    while time.monotonic() < deadline:
        for name, fuzz in targets:
            buffer = rng.randbytes(rng.choice((16, 64, 256, 1024, 4096, 16384)))
            runs += 1
            try:
                fuzz(buffer)
            except Exception:
                failures += 1
                saved = save_finding(name, buffer)
                print(f"\nGAGAL {name} (disimpan: {saved.relative_to(ROOT)})", file=sys.stderr)
                traceback.print_exc()
        if runs % 500 < len(targets):
            print(f"\r{runs} masukan, {failures} gagal, sisa {max(0, deadline - time.monotonic()):.0f} detik", end="", file=sys.stderr)
    print(f"\nSelesai: {runs} masukan, {failures} gagal (seed {seed}).", file=sys.stderr)
    return failures


def save_finding(name: str, buffer: bytes) -> Path:
    FINDINGS.mkdir(exist_ok=True)
    path = FINDINGS / f"{name.split(':')[0]}-{hashlib.sha256(buffer).hexdigest()[:12]}.bin"
    path.write_bytes(buffer)
    return path


def replay(targets: list[tuple[str, Callable[[bytes], object]]], path: Path) -> int:
    buffer = path.read_bytes()
    for name, fuzz in targets:
        print(f"ulang {name}", file=sys.stderr)
        fuzz(buffer)  # raises, with Hypothesis' report of the failing example
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=sorted(TARGET_NAMES), action="append", help="target yang diuji (bawaan: semua)")
    parser.add_argument("--menit", type=float, default=10, help="lama pengujian dalam menit (bawaan: 10)")
    parser.add_argument("--seed", type=int, default=None, help="benih acak, untuk mengulang satu sesi")
    parser.add_argument("--ulang", type=Path, help="jalankan ulang satu masukan yang tersimpan")
    parser.add_argument("--atheris", action="store_true", help="pakai atheris (dipandu cakupan kode) bila terpasang")
    args, rest = parser.parse_known_args(argv)
    names = args.target or sorted(TARGET_NAMES)
    if args.ulang:
        return replay(load_targets([args.ulang.name.split("-")[0]] if not args.target else names), args.ulang)
    if args.atheris:
        import atheris  # not a test dependency: `pip install atheris` where it builds

        with atheris.instrument_imports():
            for module in ("generator.builder.load", "generator.builder.validate", "generator.outputs.story", "generator.builder.images"):
                importlib.import_module(module)
        targets = load_targets(names)
        fuzz = targets[0][1] if len(targets) == 1 else (lambda data: [f(data) for _, f in targets])
        atheris.Setup([sys.argv[0], *rest], fuzz)
        atheris.Fuzz()
        return 0
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    return 1 if run(load_targets(names), args.menit * 60, seed) else 0


if __name__ == "__main__":
    sys.exit(main())
