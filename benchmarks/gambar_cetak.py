"""The README's pictures of the printed formats, rendered from the sample catalog (not a benchmark).

    make gambar-cetak        # or: python benchmarks/gambar_cetak.py docs/cetak

Copies the sample catalog to a temporary project, prints the whole and the kuliner catalog and the sticker and
flyer of one business with `umkm cetak` (fixed data and print dates, so the pictures change only
when the documents do), and writes small PNGs of their pages (palette PNG, each well under 200 KB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-28"
PRINTED_ON = "2026-12-03"
BUSINESS = "keripik-sari-rasa"
# (picture, PDF under cetak/, page, width in pixels)
PICTURES = (
    ("stiker.png", f"stiker/{BUSINESS}.pdf", 0, 300),
    ("flyer.png", f"flyer/{BUSINESS}.pdf", 0, 420),
    ("katalog-sampul.png", "katalog-kuliner.pdf", 0, 420),
    ("katalog-daftar-isi.png", "katalog.pdf", 1, 420),
    ("katalog-halaman.png", "katalog-kuliner.pdf", 2, 420),
)
MAX_BYTES = 200_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path, nargs="?", default=ROOT / "docs" / "cetak")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="umkm-gambar-") as folder:
        project = Path(folder)
        for name in ("mkdocs.yml", "wilayah.yml"):
            shutil.copy(ROOT / name, project / name)
        for name in ("theme", "halaman", "catalog"):
            shutil.copytree(ROOT / name, project / name)
        env = {**os.environ, "UMKM_TANGGAL": TODAY, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "generator.cli", "cetak", "katalog", "sektor/kuliner", f"usaha/{BUSINESS}", "--tanggal-cetak", PRINTED_ON]
        subprocess.run(command, cwd=project, env=env, check=True)
        args.dest.mkdir(parents=True, exist_ok=True)
        for picture, pdf, page, width in PICTURES:
            document = pdfium.PdfDocument(str(project / "cetak" / pdf))
            page_width = document[page].get_width()
            image = document[page].render(scale=width / page_width).to_pil().convert("RGB")
            document.close()
            image = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            target = args.dest / picture
            image.save(target, optimize=True)
            size = target.stat().st_size
            if size > MAX_BYTES:
                raise SystemExit(f"{target}: {size} bytes, more than {MAX_BYTES}")
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: {image.width}×{image.height}, {size // 1024} KB")


if __name__ == "__main__":
    main()
