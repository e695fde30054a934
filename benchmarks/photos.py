"""Benchmark the photos stage on phone-sized JPEGs: pipeline vs bare Pillow, cold vs warm.

Run from the repository root: `python benchmarks/photos.py [--n 20] [--workers N]`.
Makes N 4000x3000 JPEGs carrying EXIF orientation and GPS, then reports in one run:
- per-photo cost of the full pipeline (one thread) against a bare Pillow
  open + resize to 1280 px + save as WebP of the same photos, and their ratio;
- cold build time on all cores, into an empty cache;
- warm rebuild time with the cache, and how many photos it decoded (target: 0);
- a rebuild after every source was touched (new mtime, same bytes): re-hashed, not decoded.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageChops

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.builder import images
from generator.core.models import Entry

SIZE = (4000, 3000)


def make_texture() -> Image.Image:
    """A photo-like RGB texture: smooth gradients, mid-frequency blotches and sensor noise."""

    def channel(angle: float) -> Image.Image:
        gradient = Image.linear_gradient("L").rotate(angle).resize(SIZE, Image.Resampling.BILINEAR)
        blotches = Image.effect_noise((250, 188), 64).resize(SIZE, Image.Resampling.BICUBIC)
        grain = Image.effect_noise(SIZE, 8)
        return ImageChops.add(ImageChops.blend(gradient, blotches, 0.5), grain, 1.0, -128)

    return Image.merge("RGB", [channel(angle) for angle in (0, 45, 90)])


def phone_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Telepon"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 15.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (107.0, 8.0, 12.25)
    return exif


def make_catalog(root: Path, count: int) -> list[Entry]:
    """One entry per photo, each photo distinct bytes, a third of them rotated by EXIF."""
    texture = make_texture()
    entries = []
    for i in range(count):
        folder = root / "catalog" / f"toko-{i:03d}"
        folder.mkdir(parents=True)
        source = folder / "index.md"
        source.write_text("---\nnama: Toko\n---\n", encoding="utf-8")
        photo = ImageChops.offset(texture, i * 97, i * 53)
        orientation = (1, 6, 8)[i % 3]
        photo.save(folder / "foto.jpg", quality=92, exif=phone_exif(orientation))
        entries.append(
            Entry(
                slug=folder.name,
                source=source,
                nama=f"Toko {i}",
                sektor="kuliner",
                kecamatan="Cikarang Utara",
                ringkasan="Contoh",
                foto=("foto.jpg",),
            )
        )
    return entries


def bare_pillow(path: Path) -> int:
    """The naive way: full decode, one resize, one save. Returns the output's size."""
    buffer = io.BytesIO()
    with Image.open(path) as image:
        small = image.resize((1280, 960), Image.Resampling.LANCZOS)
        small.save(buffer, "WEBP", quality=images.WEBP_QUALITY)
    return buffer.tell()


def timed(action: Callable[..., object], *args: Any, **kwargs: Any) -> float:
    start = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="number of photos (default 20)")
    parser.add_argument("--workers", type=int, default=None, help="threads (default: all cores)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="umkm-bench-") as tmp:
        root = Path(tmp)
        print(f"membuat {args.n} foto {SIZE[0]}x{SIZE[1]} ...", flush=True)
        entries = make_catalog(root, args.n)
        paths = [entry.folder / "foto.jpg" for entry in entries]
        megabytes = sum(p.stat().st_size for p in paths) / 1024 / 1024

        # Interleaved photo by photo, so a busy machine slows both sides alike.
        bare_times, pipeline_times = [], []
        for entry, path in zip(entries, paths, strict=True):
            bare_times.append(timed(bare_pillow, path))
            pipeline_times.append(timed(images.process_photos, [entry], root / "cache-1", workers=1))
        bare, pipeline = statistics.median(bare_times), statistics.median(pipeline_times)
        cold = timed(images.process_photos, entries, root / "cache", workers=args.workers)
        cold_stats = images.last_stats
        warm = timed(images.process_photos, entries, root / "cache", workers=args.workers)
        warm_stats = images.last_stats
        for path in paths:
            os.utime(path)
        touched = timed(images.process_photos, entries, root / "cache", workers=args.workers)
        touched_stats = images.last_stats

        outputs = list((root / "cache" / "foto").iterdir())
        out_megabytes = sum(p.stat().st_size for p in outputs) / 1024 / 1024

    print(f"photos: {args.n} JPEG {SIZE[0]}x{SIZE[1]}, {megabytes / args.n:.1f} MB each")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}, workers: {args.workers or 'all'}, load average: {load}")
    print(f"bare Pillow open+resize(1280)+save WebP: {bare * 1000:7.1f} ms/photo, median (1 output)")
    print(f"full pipeline, one thread:              {pipeline * 1000:7.1f} ms/photo, median ({len(outputs) // args.n} outputs)")
    print(f"ratio pipeline / bare:                  {pipeline / bare:7.2f}")
    print(f"cold build, all cores:                  {cold:7.2f} s  ({cold_stats})")
    print(f"warm rebuild:                           {warm:7.3f} s  ({warm_stats})")
    print(f"warm rebuild after touching sources:    {touched:7.3f} s  ({touched_stats})")
    print(f"images processed in the warm rebuild:   {warm_stats.processed}")
    print(f"published bytes: {out_megabytes:.1f} MB for {megabytes:.1f} MB of originals")


if __name__ == "__main__":
    main()
