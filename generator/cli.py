"""`umkm`: periksa, buat, bangun dan tayangkan katalog (check, create, build and serve the catalog)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from generator.pipeline import SCHEMA_URI, Settings, build_date, check_catalog
from generator.problems import ERROR, INFO, WARNING, Problem, display_path, errors_in
from generator.region import load_region
from generator.schema import field_table, json_schema

DEFAULT_CONFIG = "mkdocs.yml"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    return int(args.run(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="umkm",
        description="Katalog UMKM: periksa entri, buat entri baru, bangun dan tayangkan situs.\n"
        "(UMKM catalog: check entries, create a new entry, build and serve the site.)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-f", "--config-file", default=DEFAULT_CONFIG, help="berkas konfigurasi MkDocs (bawaan: mkdocs.yml)")
    sub = parser.add_subparsers(title="perintah (commands)", metavar="PERINTAH")

    check = sub.add_parser("check", help="periksa entri katalog dan laporkan setiap masalah (validate entries)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="folder katalog, folder usaha atau index.md (bawaan: seluruh katalog)")
    check.add_argument("--format", choices=["teks", "github"], default="teks", help="bentuk laporan: teks, atau github (anotasi GitHub Actions)")
    check.add_argument("--tanggal", help="tanggal pemeriksaan TAHUN-BULAN-HARI (bawaan: hari ini)")
    check.set_defaults(run=run_check)

    new = sub.add_parser("new", help="buat kerangka entri usaha baru (create a new entry skeleton)")
    new.add_argument("slug", help="nama folder usaha: huruf kecil, angka dan tanda hubung, misalnya telaga-batik")
    new.add_argument("--nama", help="nama usaha")
    new.add_argument("--sektor", help="kunci sektor, misalnya kuliner")
    new.add_argument("--kecamatan", help="nama kecamatan")
    new.add_argument("--ringkasan", help="satu kalimat tentang usaha")
    new.set_defaults(run=run_new)

    build = sub.add_parser("build", help="bangun situs ke folder site/ secara atomik (build the site atomically)")
    build.add_argument("-d", "--site-dir", type=Path, help="folder keluaran (bawaan: site_dir di mkdocs.yml)")
    build.add_argument("--tidak-ketat", "--no-strict", dest="strict", action="store_false", help="jangan gagalkan build karena peringatan")
    build.set_defaults(run=run_build)

    serve = sub.add_parser("serve", help="tayangkan situs di komputer sendiri dan muat ulang saat katalog berubah (serve with live reload)")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="alamat:port (bawaan: 127.0.0.1:8000)")
    serve.set_defaults(run=run_serve)

    schema = sub.add_parser("schema", help="tulis JSON Schema entri ke schema/entri.schema.json (write the entry JSON Schema)")
    schema.add_argument("--periksa", "--check", dest="check", action="store_true", help="hanya periksa bahwa berkas sudah sesuai")
    schema.set_defaults(run=run_schema)
    return parser


def load_settings(config_file: str, today: str | None = None) -> Settings:
    """The plugin's settings as `mkdocs.yml` states them (without running a build)."""
    from mkdocs.config import load_config

    config_path = Path(config_file).resolve()
    if not config_path.is_file():
        _fail(f"{config_file}: berkas konfigurasi tidak ditemukan; jalankan umkm dari folder proyek")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    config = load_config(str(config_path))
    plugin = config.plugins.get("umkm")
    if plugin is None:
        _fail(f"{config_file}: plugin 'umkm' belum dipasang di bagian plugins")
    settings = plugin.settings(config)  # type: ignore[attr-defined]
    if today:
        try:
            settings = Settings(**{**settings.__dict__, "today": build_date(today)})
        except ValueError:
            _fail(f"--tanggal harus berbentuk TAHUN-BULAN-HARI (ditemukan '{today}')")
    return settings  # type: ignore[no-any-return]


def run_check(args: argparse.Namespace) -> int:
    settings = load_settings(args.config_file, args.tanggal)
    only = _entry_folders(args.paths, settings.catalog_dir)
    _, problems = check_catalog(settings, only=only)
    print_problems(problems, args.format)
    errors = len(errors_in(problems))
    warnings = sum(p.level == WARNING for p in problems)
    if args.format == "teks":
        scope = f"{len(only)} entri" if only else "katalog"
        if errors:
            print(f"\n{scope}: {errors} galat, {warnings} peringatan. Perbaiki galat lalu jalankan lagi.", file=sys.stderr)
        else:
            print(f"{scope}: tidak ada galat ({warnings} peringatan). (no errors)", file=sys.stderr)
    return 1 if errors else 0


def print_problems(problems: list[Problem], fmt: str = "teks") -> None:
    for problem in sorted(problems, key=Problem.sort_key):
        if fmt == "github":
            kind = {ERROR: "error", WARNING: "warning", INFO: "notice"}[problem.level]
            where = f"file={display_path(problem.path)}" + (f",line={problem.line}" if problem.line else "")
            title = f",title={_gh_escape(problem.field, prop=True)}" if problem.field else ""
            print(f"::{kind} {where}{title}::{_gh_escape(problem.format())}")
        else:
            print(problem.format())


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _entry_folders(paths: list[Path], catalog_dir: Path) -> list[Path] | None:
    """Entry folders named on the command line; None means the whole catalog."""
    if not paths:
        return None
    folders = []
    for path in paths:
        if path.name == "index.md":
            path = path.parent
        if not path.exists():
            _fail(f"{path}: tidak ditemukan")
        if path.resolve() == catalog_dir.resolve():
            return None
        folders.append(path)
    return folders


_SKELETON = """\
---
# yaml-language-server: $schema={schema}
# Entri Katalog UMKM. Baris yang diawali '#' adalah petunjuk; hapus '#' untuk mengisi kolom.
# Panduan lengkap: README.md (bagian "Format entri").
nama: {nama}
sektor: {sektor}
kecamatan: {kecamatan}
ringkasan: {ringkasan}
# desa: Wanasari
# alamat: Kp. Telaga RT 02/05
# pemilik: Ibu Rohimah
# berdiri: 2017
# nib: "9120301745821"            # 13 angka dari OSS
# kapasitas: 3.000 potong per bulan
# kontak:
#   whatsapp: "0812-1934-5521"
#   email: nama@example.id
#   instagram: namaakun
# toko_online:
#   - platform: tokopedia
#     url: https://www.tokopedia.com/namatoko
# sertifikasi:
#   - jenis: halal                # halal, sni, bpom, pirt, haki, lainnya
#     nomor: ID32110000145680323
#     berlaku_sampai: 2027-08-30  # TAHUN-BULAN-HARI; kosongkan bila tidak ada
# produk:
#   - nama: Nama Produk
#     harga: 25000                # rupiah, angka tanpa titik
#     satuan: bungkus
#     foto: [foto/produk.jpg]
# foto: [foto/sampul.jpg]         # foto pertama menjadi sampul
diperbarui: {today}
---
Ceritakan usaha Anda di sini: sejak kapan berdiri, apa keunggulan produk, siapa pelanggannya.
"""


def run_new(args: argparse.Namespace) -> int:
    from generator.load import SLUG

    settings = load_settings(args.config_file)
    if not SLUG.match(args.slug):
        _fail(f"slug '{args.slug}' tidak valid: hanya huruf kecil a-z, angka 0-9 dan tanda hubung, misalnya telaga-batik")
    folder = settings.catalog_dir / args.slug
    if folder.exists():
        _fail(f"{display_path(folder)}: folder sudah ada; pilih slug lain atau ubah entri yang ada")
    region, problems = load_region(settings.region_file)
    if region is None:
        print_problems(problems)
        return 1
    sectors = ", ".join(s.key for s in region.sectors)
    values = {
        "nama": args.nama or _ask("Nama usaha"),
        "sektor": args.sektor or _ask(f"Sektor ({sectors})"),
        "kecamatan": args.kecamatan or _ask("Kecamatan"),
        "ringkasan": args.ringkasan or _ask("Ringkasan (satu kalimat, paling banyak 160 karakter)"),
    }
    schema_path = Path(os.path.relpath(settings.catalog_dir.parent / SCHEMA_URI, folder)).as_posix()
    text = _SKELETON.format(schema=schema_path, today=settings.today.isoformat(), **{k: json.dumps(v, ensure_ascii=False) for k, v in values.items()})
    folder.mkdir(parents=True)
    (folder / "foto").mkdir()
    (folder / "index.md").write_text(text, encoding="utf-8")
    print(f"Dibuat: {display_path(folder / 'index.md')} (letakkan foto di {display_path(folder / 'foto')}/)")
    _, problems = check_catalog(settings, only=[folder])
    print_problems(problems)
    return 1 if errors_in(problems) else 0


def _ask(question: str) -> str:
    if not sys.stdin.isatty():
        _fail(f"isi '{question}' dengan opsi baris perintah (misalnya --nama), karena tidak ada terminal untuk bertanya")
    answer = ""
    while not answer.strip():
        answer = input(f"{question}: ")
    return answer.strip()


def run_build(args: argparse.Namespace) -> int:
    """Build into a temporary folder beside the target; swap it in only when the build succeeded."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    _configure_logging()
    try:
        config = load_config(args.config_file, strict=args.strict)
    except (ConfigurationError, Abort) as exc:
        _fail(str(exc))
    target = Path(args.site_dir or config.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.baru-", dir=target.parent))
    config.site_dir = str(staging)
    try:
        build(config)
    except (PluginError, Abort, ConfigurationError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(str(exc), file=sys.stderr)
        print(f"Build gagal; {display_path(target)} tidak diubah. (build failed; the site folder was left as it was)", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(staging, target)
    print(f"Situs selesai dibangun: {display_path(target)}")
    return 0


def _swap_in(staging: Path, target: Path) -> None:
    staging.chmod(0o755)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.lama-", dir=target.parent))
        old.rmdir()
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    _configure_logging()
    serve(config_file=args.config_file, dev_addr=args.dev_addr, livereload=True)
    return 0


def run_schema(args: argparse.Namespace) -> int:
    settings = load_settings(args.config_file)
    region, problems = load_region(settings.region_file)
    if region is None:
        print_problems(problems)
        return 1
    root = settings.catalog_dir.parent
    outputs = {
        root / SCHEMA_URI: json.dumps(json_schema(region), ensure_ascii=False, indent=2) + "\n",
        root / "README.md": readme_with_field_table((root / "README.md").read_text(encoding="utf-8")),
    }
    stale = [path for path, text in outputs.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{display_path(path)}: tidak sesuai dengan skema; jalankan 'umkm schema' lalu commit hasilnya", file=sys.stderr)
        if not stale:
            print("skema dan tabel kolom README sesuai")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(outputs[path], encoding="utf-8")
        print(f"Ditulis: {display_path(path)}")
    return 0


def readme_with_field_table(readme: str) -> str:
    """The README with the field table between its markers replaced by the schema's table."""
    start, end = "<!-- kolom:mulai -->", "<!-- kolom:selesai -->"
    if start not in readme or end not in readme:
        return readme
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{field_table()}\n{end}{tail}"


def _configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    root = logging.getLogger("mkdocs")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _fail(message: str) -> None:
    print(f"umkm: {message}", file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    sys.exit(main())
