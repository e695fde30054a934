"""Synthetic catalogs for benchmarks: N businesses, three products each, fixed seed.

    python benchmarks/synth.py DEST --n 1000

writes a complete project (mkdocs.yml, wilayah.yml, theme/, halaman/, catalog/) into DEST.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent

KECAMATAN = [
    "Tarumajaya", "Babelan", "Sukawangi", "Tambelang", "Tambun Utara", "Tambun Selatan", "Cibitung",
    "Cikarang Barat", "Cikarang Utara", "Karangbahagia", "Cikarang Timur", "Kedungwaringin", "Pebayuran",
    "Sukakarya", "Sukatani", "Cabangbungin", "Muaragembong", "Setu", "Cikarang Selatan", "Cikarang Pusat",
    "Serang Baru", "Cibarusah", "Bojongmangu",
]  # fmt: skip
PRODUCTS = {
    "kuliner": ["Keripik Singkong Balado", "Rempeyek Kacang", "Sambal Bawang", "Dodol Betawi", "Kue Akar Kelapa", "Madu Hutan", "Kopi Robusta Bubuk", "Abon Ikan Bandeng"],
    "fesyen": ["Batik Tulis", "Kemeja Batik Cap", "Seragam Sekolah", "Tas Rajut", "Kerudung Segi Empat", "Sarung Tenun"],
    "kriya": ["Besek Bambu", "Tas Eceng Gondok", "Kap Lampu Anyaman", "Ukiran Kayu", "Gerabah Hias"],
    "pertanian": ["Jamur Tiram Segar", "Sayur Hidroponik", "Bibit Cabai", "Beras Pandan Wangi", "Pupuk Kompos"],
    "kesehatan-kecantikan": ["Sabun Sereh", "Minyak Urut", "Jamu Kunyit Asam", "Lulur Tradisional"],
    "jasa": ["Servis Pompa Air", "Las Teralis", "Jahit Seragam", "Katering Nasi Kotak"],
    "teknologi-digital": ["Aplikasi Kasir", "Pembuatan Situs", "Foto Produk", "Desain Kemasan"],
    "lainnya": ["Paving Block Plastik", "Pot Daur Ulang", "Tas Belanja Kain"],
}
FIRST = ["Sari", "Berkah", "Makmur", "Jaya", "Lestari", "Mandiri", "Sejahtera", "Barokah", "Sinar", "Maju", "Rizki", "Amanah"]
SECOND = ["Rasa", "Abadi", "Bersama", "Sentosa", "Utama", "Kencana", "Harapan", "Mulia", "Bekasi", "Asri"]
_TEXT = (
    "usaha kami berdiri sejak lama dan melayani pelanggan dari seluruh kabupaten bekasi dengan bahan pilihan "
    "diolah setiap hari tanpa pengawet dikemas rapi siap kirim melalui toko daring maupun pesan langsung lewat whatsapp "
    "kami juga menerima pesanan dalam jumlah besar untuk acara kantor sekolah dan pengadaan pemerintah"
)
WORDS = _TEXT.split()
PLATFORMS = [("tokopedia", "https://www.tokopedia.com/{}"), ("shopee", "https://shopee.co.id/{}"), ("padi-umkm", "https://padiumkm.id/toko/{}")]


def make_project(dest: Path, n: int, *, seed: int = 20261128, photo_every: int = 10) -> Path:
    """Write a project folder with `n` synthetic businesses; returns its path."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, dest / name)
    for folder in ("theme", "halaman"):
        shutil.copytree(ROOT / folder, dest / folder, dirs_exist_ok=True)
    catalog = dest / "catalog"
    catalog.mkdir(exist_ok=True)
    rng = random.Random(seed)
    for i in range(n):
        write_business(catalog, i, rng, with_photo=photo_every > 0 and i % photo_every == 0)
    return dest


def write_business(catalog: Path, i: int, rng: random.Random, *, with_photo: bool) -> Path:
    sector = rng.choice(list(PRODUCTS))
    name = f"{rng.choice(FIRST)} {rng.choice(SECOND)} {i}"
    slug = f"usaha-{i:05d}"
    folder = catalog / slug
    folder.mkdir(exist_ok=True)
    products = []
    for j, product in enumerate(rng.sample(PRODUCTS[sector], k=min(3, len(PRODUCTS[sector])))):
        products.append(
            {"nama": f"{product} {name.split()[0]}", "harga": str(rng.randrange(5, 500) * 1000), "satuan": "buah", "deskripsi": sentence(rng, 12)}
        )
        if with_photo and j == 0:
            products[-1]["foto"] = ["foto/produk.jpg"]
    meta: dict[str, object] = {
        "nama": name,
        "sektor": sector,
        "kecamatan": rng.choice(KECAMATAN),
        "ringkasan": sentence(rng, 14)[:150],
        "nib": f"{rng.randrange(10**12, 10**13)}",
        "kontak": {"whatsapp": f"0812{rng.randrange(10**7, 10**8)}"},
        "produk": products,
        "diperbarui": f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}",
    }
    if rng.random() < 0.6:
        platform, url = rng.choice(PLATFORMS)
        meta["toko_online"] = [{"platform": platform, "url": url.format(slug)}]
    if rng.random() < 0.5:
        meta["sertifikasi"] = [{"jenis": "halal", "nomor": f"ID3216{rng.randrange(10**12, 10**13)}"}]
    if with_photo:
        meta["foto"] = ["foto/sampul.jpg"]
        make_photo(folder / "foto" / "sampul.jpg", rng)
        make_photo(folder / "foto" / "produk.jpg", rng)
    story = "\n\n".join(sentence(rng, 40) for _ in range(3))
    (folder / "index.md").write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + story + "\n", encoding="utf-8")
    return folder


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def make_photo(path: Path, rng: random.Random) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (1200, 900), tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(1100), rng.randrange(800)
        draw.ellipse((x, y, x + 100, y + 100), fill=tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    img.save(path, quality=80)


def main() -> None:
    parser = argparse.ArgumentParser(description="Buat katalog sintetis untuk benchmark (synthetic catalog).")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    make_project(args.dest, args.n, seed=args.seed)
    print(f"{args.n} usaha ditulis ke {args.dest / 'catalog'}")


if __name__ == "__main__":
    main()
