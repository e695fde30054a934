"""`umkm`: periksa, buat, bangun dan tayangkan katalog (check, create, build and serve the catalog)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.builder.pipeline import SCHEMA_URI, Settings, attention_problems, build_date, check_catalog, enrich_businesses
from generator.core.files import swap_in
from generator.core.integrity import integrity_notes
from generator.core.models import Region
from generator.core.problems import ERROR, INFO, WARNING, Problem, display_path, errors_in
from generator.core.quality import STORY_PLACEHOLDER, quality_notes, quality_summary
from generator.core.region import load_region
from generator.core.schema import field_table, json_schema

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
    parser.add_argument("-f", "--konfigurasi", "--config-file", dest="config_file", default=DEFAULT_CONFIG, metavar="BERKAS", help="berkas konfigurasi MkDocs (bawaan: mkdocs.yml)")
    sub = parser.add_subparsers(title="perintah (commands)", metavar="PERINTAH")

    check = sub.add_parser("periksa", aliases=["check"], help="periksa entri katalog dan laporkan setiap masalah (validate entries)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="folder katalog, folder usaha atau index.md (bawaan: seluruh katalog)")
    check.add_argument("--bentuk", "--format", dest="format", choices=["teks", "github"], default="teks", help="bentuk laporan: teks, atau github (anotasi GitHub Actions)")
    check.add_argument("--tanggal", help="tanggal pemeriksaan TAHUN-BULAN-HARI (bawaan: hari ini)")
    check.add_argument(
        "--berubah-dari",
        metavar="REF",
        help="hanya entri yang berubah sejak REF git (misalnya origin/main) yang boleh gagal; masalah entri lain dilaporkan sebagai peringatan",
    )
    check.set_defaults(run=run_check)

    new = sub.add_parser("baru", aliases=["new"], help="buat kerangka entri usaha baru (create a new entry skeleton)")
    new.add_argument("slug", help="nama folder usaha: huruf kecil, angka dan tanda hubung, misalnya telaga-batik")
    new.add_argument("--nama", help="nama usaha")
    new.add_argument("--sektor", help="kunci sektor, misalnya kuliner")
    new.add_argument("--kecamatan", help="nama kecamatan")
    new.add_argument("--ringkasan", help="satu kalimat tentang usaha")
    new.add_argument(
        "--pengelola", metavar="AKUN", help="akun GitHub Anda: usaha baru dikelola akun pendaftarnya (wajib untuk pull request usaha baru)"
    )
    new.set_defaults(run=run_new)

    build = sub.add_parser("bangun", aliases=["build"], help="bangun situs ke folder site/ secara atomik (build the site atomically)")
    build.add_argument("-d", "--folder-situs", "--site-dir", dest="site_dir", type=Path, help="folder keluaran (bawaan: site_dir di mkdocs.yml)")
    build.add_argument("--tidak-ketat", "--no-strict", dest="strict", action="store_false", help="jangan gagalkan build karena peringatan")
    build.set_defaults(run=run_build)

    serve = sub.add_parser("tayangkan", aliases=["serve"], help="tayangkan situs di komputer sendiri dan muat ulang saat katalog berubah (serve with live reload)")
    serve.add_argument("-a", "--alamat", "--dev-addr", dest="dev_addr", default="127.0.0.1:8000", help="alamat:port (bawaan: 127.0.0.1:8000)")
    serve.add_argument("--hanya", "--only", dest="only", action="append", default=[], metavar="SLUG", help="pratinjau usaha ini saja, cepat untuk katalog besar (boleh diulang)")
    serve.add_argument("--penuh", "--full", dest="full", action="store_true", help="bangun ulang semua halaman setiap ada perubahan (bawaan: hanya halaman yang berubah)")
    serve.set_defaults(run=run_serve)

    clean = sub.add_parser("bersihkan-foto", help="hapus lokasi GPS dan metadata lain dari foto di katalog (strip GPS from catalog photos)")
    clean.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="folder usaha (bawaan: seluruh katalog)")
    clean.set_defaults(run=run_clean_photos)

    schema = sub.add_parser("skema", aliases=["schema"], help="tulis JSON Schema entri ke schema/entri.schema.json (write the entry JSON Schema)")
    schema.add_argument("--periksa", "--check", dest="check", action="store_true", help="hanya periksa bahwa berkas sudah sesuai")
    schema.set_defaults(run=run_schema)

    laporan = sub.add_parser(
        "laporan", help="tulis laporan tindak lanjut untuk Dinas: sertifikat, data lama, kelengkapan, hampir siap pengadaan (CSV + Markdown)"
    )
    laporan.add_argument("--tanggal", help="tanggal laporan TAHUN-BULAN-HARI (bawaan: hari ini)")
    laporan.add_argument("--keluaran", type=Path, default=Path("laporan"), help="folder laporan (bawaan: laporan/); berisi data pribadi, jangan diterbitkan")
    laporan.set_defaults(run=run_laporan)

    formulir = sub.add_parser("formulir", help="tulis formulir issue GitHub (.github/ISSUE_TEMPLATE) dari skema entri (write the issue forms)")
    formulir.add_argument("--periksa", "--check", dest="check", action="store_true", help="hanya periksa bahwa formulir sudah sesuai skema")
    formulir.set_defaults(run=run_formulir)

    from_issue = sub.add_parser("dari-issue", aliases=["from-issue"], help="ubah isi issue formulir menjadi entri katalog (turn a submitted issue form into an entry)")
    from_issue.add_argument("body", type=Path, metavar="BERKAS", help="isi issue (Markdown seperti tampil di GitHub); '-' untuk stdin")
    from_issue.add_argument("--formulir", choices=["daftar-usaha", "perbarui-usaha"], help="jenis formulir (bawaan: dikenali dari isinya)")
    from_issue.add_argument("--laporan", type=Path, help="tulis pesan untuk pengirim (Markdown) ke berkas ini, untuk dikirim sebagai komentar")
    from_issue.add_argument("--sumber-foto", action="append", metavar="AWALAN", help="awalan alamat foto yang boleh diunduh (bawaan: lampiran GitHub); boleh diulang")
    from_issue.add_argument("--tanggal", help="tanggal 'diperbarui' TAHUN-BULAN-HARI (bawaan: hari ini)")
    from_issue.add_argument(
        "--pengirim",
        metavar="AKUN",
        help="akun GitHub pembuat issue: usaha baru dikelola akun ini; pembaruan oleh akun yang bukan pengelolanya perlu verifikasi Dinas",
    )
    from_issue.add_argument("--rujukan", default="", metavar="TEKS", help="rujukan permintaan untuk pesan konfirmasi, misalnya 'issue #12'")
    from_issue.set_defaults(run=run_from_issue)

    periksa_pr = sub.add_parser(
        "periksa-pr",
        help="pemeriksaan Keutuhan data satu pull request: siapa yang meminta, apa yang berubah, bolehkah (check a pull request's integrity)",
    )
    periksa_pr.add_argument("--event", type=Path, help="payload event pull request, atau objek PR dari API GitHub (bawaan: $GITHUB_EVENT_PATH)")
    periksa_pr.add_argument("--ulasan", type=Path, help="daftar ulasan PR (JSON dari GET /pulls/N/reviews); persetujuan petugas Dinas pada commit terakhir memverifikasi")
    periksa_pr.add_argument("--issue", type=Path, help="issue asal PR formulir (JSON dari GET /issues/N): penulisnya yang meminta")
    periksa_pr.add_argument("--hak-tulis", default="none", metavar="IZIN", help="izin penulis PR di repositori: admin, maintain, write, read atau none (bawaan: none)")
    periksa_pr.add_argument("--dasar", metavar="REF", help="cabang tujuan (bawaan: origin/<cabang tujuan PR>)")
    periksa_pr.add_argument("--kepala", metavar="REF", help="commit terakhir PR (bawaan: head.sha dari event)")
    periksa_pr.add_argument("--laporan", type=Path, help="tulis laporan (Markdown, publik) ke berkas ini, untuk komentar PR")
    periksa_pr.add_argument("--status", type=Path, help="tulis status commit (JSON: sha, state, context, description) ke berkas ini")
    periksa_pr.add_argument("--tanggal", help="tanggal pemeriksaan TAHUN-BULAN-HARI (bawaan: hari ini)")
    periksa_pr.set_defaults(run=run_periksa_pr)

    cetak = sub.add_parser(
        "cetak", help="tulis PDF untuk dicetak: katalog (seluruhnya, per sektor, per kecamatan), stiker etalase (A6) dan flyer (A5) setiap usaha"
    )
    cetak.add_argument(
        "sasaran",
        nargs="*",
        metavar="SASARAN",
        help="yang dicetak (bawaan: semua): katalog, sektor, sektor/KUNCI, kecamatan, kecamatan/NAMA, stiker, stiker/SLUG, flyer, flyer/SLUG, usaha/SLUG",
    )
    cetak.add_argument("--keluaran", type=Path, default=Path("cetak"), help="folder PDF (bawaan: cetak/)")
    cetak.add_argument("--tanggal", help="tanggal data TAHUN-BULAN-HARI, tertulis 'Data per ...' (bawaan: seperti umkm bangun)")
    cetak.add_argument("--tanggal-cetak", help="tanggal cetak TAHUN-BULAN-HARI yang tertulis di setiap halaman (bawaan: hari ini)")
    cetak.set_defaults(run=run_cetak)

    from_pesan = sub.add_parser(
        "dari-pesan",
        aliases=["from-pesan"],
        help="ubah pesan dari formulir di ponsel (WhatsApp/email) menjadi entri katalog (turn a phone-form message into an entry)",
    )
    from_pesan.add_argument("message", type=Path, metavar="BERKAS", help="isi pesan yang ditempel ke berkas teks; '-' untuk stdin")
    from_pesan.add_argument("--foto", type=Path, metavar="FOLDER", help="folder berisi foto yang dikirim bersama pesan itu (disimpan dari chat)")
    from_pesan.add_argument("--dari", metavar="NOMOR", help="nomor pengirim seperti tampil di WhatsApp; dibandingkan dengan WhatsApp usaha yang tercatat")
    from_pesan.add_argument(
        "--terverifikasi", action="store_true", help="pemilik sudah membenarkan perubahan lewat kontak yang tercatat: tulis walau pengirimnya nomor lain"
    )
    from_pesan.add_argument("-n", "--coba", action="store_true", help="periksa dan tampilkan perubahan sebagai diff tanpa menulis apa pun")
    from_pesan.add_argument("--tanggal", help="tanggal 'diperbarui' TAHUN-BULAN-HARI (bawaan: hari ini)")
    from_pesan.set_defaults(run=run_from_pesan)

    impor = sub.add_parser("impor", aliases=["import"], help="impor lembar kerja CSV/XLSX menjadi entri katalog (import a spreadsheet)")
    impor.add_argument("sheet", type=Path, metavar="BERKAS", help="berkas .csv atau .xlsx")
    impor.add_argument("-p", "--pemetaan", default="dinas", help="berkas pemetaan kolom, atau nama di folder impor/: dinas, google-forms (bawaan: dinas)")
    impor.add_argument("--lembar", help="nama lembar (sheet) XLSX (bawaan: dari pemetaan, atau lembar pertama)")
    impor.add_argument("-n", "--coba", "--dry-run", dest="dry_run", action="store_true", help="tampilkan perubahan sebagai diff tanpa menulis apa pun")
    impor.add_argument("--sumber-foto", action="append", metavar="AWALAN", help="hanya unduh foto dari alamat berawalan ini (bawaan: alamat https publik mana pun)")
    impor.add_argument(
        "--foto", action="append", type=Path, default=[], metavar="FOLDER", help="folder lain tempat berkas foto boleh dibaca (bawaan: hanya folder lembar kerja); boleh diulang"
    )
    impor.add_argument("--tanggal", help="tanggal 'diperbarui' TAHUN-BULAN-HARI (bawaan: hari ini)")
    impor.add_argument(
        "--izinkan-nama-beda",
        action="store_true",
        help="terapkan juga baris yang NIB-nya cocok dengan usaha bernama lain (periksa dulu dengan --coba)",
    )
    impor.set_defaults(run=run_import)
    return parser


def load_settings(config_file: str, today: str | None = None) -> Settings:
    """The plugin's settings as `mkdocs.yml` states them (without running a build)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    config_path = Path(config_file).resolve()
    if not config_path.is_file():
        _fail(f"{config_file}: berkas konfigurasi tidak ditemukan; jalankan umkm dari folder proyek")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    config = load_config(str(config_path))
    plugin = config.plugins.get("umkm")
    if plugin is None:
        _fail(f"{config_file}: plugin 'umkm' belum dipasang di bagian plugins")
    try:
        settings = plugin.settings(config)  # type: ignore[attr-defined]
    except PluginError as exc:
        _fail(str(exc).removeprefix("umkm: "))
    if today:
        try:
            settings = Settings(**{**settings.__dict__, "today": build_date(today)})
        except ValueError:
            _fail(f"--tanggal harus berbentuk TAHUN-BULAN-HARI (ditemukan '{today}')")
    return settings  # type: ignore[no-any-return]


def run_check(args: argparse.Namespace) -> int:
    settings = load_settings(args.config_file, args.tanggal)
    only = _entry_folders(args.paths, settings.catalog_dir)
    catalog, problems = check_catalog(settings, only=only)
    businesses = enrich_businesses(settings, catalog) if catalog is not None else []
    problems += attention_problems(businesses)  # expired certificates, the placeholder story: line-numbered warnings
    if args.berubah_dari:
        problems = scope_to_changes(problems, changed_files(args.berubah_dari), settings, Path(args.config_file).resolve())
    if only:
        problems += quality_notes(businesses, settings.rules)  # the owner's score and hints, as info
        problems += integrity_notes(catalog.entries if catalog is not None else ())
    print_problems(problems, args.format)
    errors = len(errors_in(problems))
    warnings = sum(p.level == WARNING for p in problems)
    if args.format == "teks":
        scope = f"{len(only)} entri" if only else "katalog"
        if errors:
            print(f"\n{scope}: {errors} galat, {warnings} peringatan. Perbaiki galat lalu jalankan lagi.", file=sys.stderr)
        else:
            print(f"{scope}: tidak ada galat ({warnings} peringatan). (no errors)", file=sys.stderr)
        if not only and businesses:
            print(quality_summary(businesses, settings.rules), file=sys.stderr)
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


def changed_files(ref: str) -> list[Path]:
    """Files changed between the merge base of `ref` and HEAD (what a pull request touches)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            _fail(f"--berubah-dari {ref}: git gagal ({detail.strip()}); pastikan REF ada (misalnya fetch-depth: 0 di actions/checkout)")
        return ""

    root = Path(git("rev-parse", "--show-toplevel").strip())
    names = git("diff", "--name-only", "-z", "--no-renames", f"{ref}...HEAD").split("\0")
    return [root / name for name in names if name]


def scope_to_changes(problems: list[Problem], changed: list[Path], settings: Settings, config_file: Path) -> list[Problem]:
    """Keep the problems of changed entries as they are; those of untouched entries cannot block.

    A change to the region data, the configuration or the generator can break any entry, so then
    every problem counts.
    """
    catalog = settings.catalog_dir.resolve()
    package = Path(__file__).resolve().parent
    everything = {settings.region_file.resolve(), config_file, package.parent / "pyproject.toml"}
    if any(p.resolve() in everything or p.resolve().is_relative_to(package) for p in changed):
        return problems
    touched = {p.resolve().relative_to(catalog).parts[0] for p in changed if p.resolve().is_relative_to(catalog) and p.resolve() != catalog}
    lower = {ERROR: WARNING, WARNING: INFO, INFO: INFO}
    scoped = []
    for problem in problems:
        path = problem.path.resolve()
        if not path.is_relative_to(catalog) or path == catalog or path.relative_to(catalog).parts[0] in touched:
            scoped.append(problem)
        else:
            scoped.append(dataclasses.replace(problem, level=lower[problem.level], message=f"{problem.message} [tidak diubah di sini]"))
    return scoped


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




def run_new(args: argparse.Namespace) -> int:
    from generator.builder.load import SLUG
    from generator.intake.write import entry_skeleton

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
    root = Path(args.config_file).resolve().parent
    values = {
        "nama": args.nama or _ask("Nama usaha"),
        "sektor": _ask_choice(f"Sektor ({sectors})", args.sektor, lambda text: _known_sector(region, root, text), "--sektor"),
        "kecamatan": _ask_choice("Kecamatan", args.kecamatan, lambda text: _known_kecamatan(region, text), "--kecamatan"),
        "ringkasan": args.ringkasan or _ask("Ringkasan (satu kalimat, paling banyak 160 karakter)"),
    }
    schema_path = Path(os.path.relpath(settings.catalog_dir.parent / SCHEMA_URI, folder)).as_posix()
    data: dict[str, object] = {**values, "diperbarui": settings.today.isoformat()}
    notes = []
    if args.pengelola:  # a pull request for a new business names its author as its manager (core/integrity.py)
        data["pengelola"] = [args.pengelola.strip().removeprefix("@")]
    else:
        notes.append("# pengelola: [akun-github-anda]    # wajib untuk pull request usaha baru: akun GitHub Anda")
    text = entry_skeleton(data, STORY_PLACEHOLDER, region, schema_ref=schema_path, notes=notes)
    folder.mkdir(parents=True)
    (folder / "foto").mkdir()
    (folder / "index.md").write_text(text, encoding="utf-8")
    print(f"Dibuat: {display_path(folder / 'index.md')} (letakkan foto di {display_path(folder / 'foto')}/)")
    _, problems = check_catalog(settings, only=[folder])
    print_problems(problems)
    return 1 if errors_in(problems) else 0


def run_laporan(args: argparse.Namespace) -> int:
    """Write the follow-up reports; print only counts, business names and masked numbers."""
    from generator.outputs.report import build_reports, summary_lines, write_reports

    settings = load_settings(args.config_file, args.tanggal)
    catalog, problems = check_catalog(settings, photos=False)
    if catalog is None or errors_in(problems):
        print_problems(errors_in(problems))
        print("Laporan tidak dibuat: perbaiki galat katalog lalu jalankan lagi. (reports not written)", file=sys.stderr)
        return 1
    businesses = enrich_businesses(settings, catalog)
    reports = build_reports(
        businesses, catalog.region, today=settings.today, rules=settings.rules, catalog_name=settings.site_name, expiring_days=settings.expiring_days
    )
    write_reports(reports, args.keluaran, today=settings.today, title=settings.site_name)
    for line in summary_lines(reports, args.keluaran):
        print(line)
    return 0


def run_formulir(args: argparse.Namespace) -> int:
    from generator.intake.forms import form_files

    settings = load_settings(args.config_file)
    region = _region_or_exit(settings)
    outputs = form_files(Path(args.config_file).resolve().parent, region)
    return write_generated(outputs, check=args.check, command="umkm formulir", ok="formulir issue sesuai dengan skema")


# `umkm from-issue` wrote the entry, but it is an update by someone else: the Dinas verifies it first.
EXIT_NEEDS_VERIFICATION = 3


def run_from_issue(args: argparse.Namespace) -> int:
    from generator.core.integrity import Requester
    from generator.intake.fetch import GITHUB_PHOTO_SOURCES
    from generator.intake.issues import entry_from_issue, report_markdown

    settings = load_settings(args.config_file, args.tanggal)
    region = _region_or_exit(settings)
    body = _read_text(args.body)
    result = entry_from_issue(
        body,
        catalog_dir=settings.catalog_dir,
        region=region,
        today=settings.today,
        check=_entry_check(settings),
        kind=args.formulir,
        photo_sources=args.sumber_foto or GITHUB_PHOTO_SOURCES,
        schema_ref=_schema_ref(settings),
        requester=Requester.github(args.pengirim) if args.pengirim else Requester.unknown(),
    )
    for message in result.messages:
        print(message.format())
    if args.laporan:
        args.laporan.parent.mkdir(parents=True, exist_ok=True)
        page = f"{settings.site_url.rstrip('/')}/usaha/{result.slug}/" if settings.site_url.startswith("https://") and result.slug else ""
        text = report_markdown(result, region=region, catalog_name=settings.site_name, reference=args.rujukan, page_url=page)
        args.laporan.write_text(text, encoding="utf-8")
    if result.needs_verification:
        print(f"Ditulis, PERLU VERIFIKASI Dinas (bukan pengelola usaha ini): {display_path(settings.catalog_dir / result.slug / 'index.md')}", file=sys.stderr)
        return EXIT_NEEDS_VERIFICATION
    if result.ok:
        print(f"Ditulis: {display_path(settings.catalog_dir / result.slug / 'index.md')}", file=sys.stderr)
        return 0
    print("Tidak ada yang ditulis: perbaiki isian formulir lalu jalankan lagi. (nothing written)", file=sys.stderr)
    return 1


def run_periksa_pr(args: argparse.Namespace) -> int:
    """The "Keutuhan data" check of one pull request (generator/intake/pullrequest.py); exit 1 when it fails."""
    from generator.intake.pullrequest import (
        WRITERS,
        CheckError,
        check_pull_request,
        read_pull_request,
        read_reviews,
        requester_of,
        status_json,
        verdict_markdown,
    )

    settings = load_settings(args.config_file, args.tanggal)
    region = _region_or_exit(settings)
    event = args.event or (Path(os.environ["GITHUB_EVENT_PATH"]) if os.environ.get("GITHUB_EVENT_PATH") else None)
    if event is None:
        _fail("periksa-pr: --event BERKAS wajib (atau jalankan di GitHub Actions, yang mengisi GITHUB_EVENT_PATH)")
    try:
        pr = read_pull_request(_read_json(event))
        reviews = read_reviews(_read_text(args.ulasan)) if args.ulasan else []
        issue = _read_json(args.issue) if args.issue else None
        requester = requester_of(pr, issue if isinstance(issue, dict) else None)
        verdict = check_pull_request(
            pr,
            repo=Path(args.config_file).resolve().parent,
            base=args.dasar or f"origin/{pr.base_ref}",
            head=args.kepala or pr.head_sha,
            region=region,
            requester=requester,
            reviews=reviews,
            writer=args.hak_tulis.strip().lower() in WRITERS,
            check=_entry_check(settings),
        )
    except CheckError as exc:
        _fail(f"periksa-pr: {exc}")
    # Printed for the public CI log: slugs, kinds and the requester only (no numbers, no managers).
    for c in verdict.classifications:
        print(f"{c.slug}: {c.label}" + ("; DITOLAK" if c.refused else ""))
    for problem in sorted(verdict.problems, key=Problem.sort_key):
        print(problem.format())
    print(f"Keutuhan data: {verdict.description()} (diminta oleh {verdict.requester.public_name()})", file=sys.stderr)
    if args.laporan:
        args.laporan.parent.mkdir(parents=True, exist_ok=True)
        args.laporan.write_text(verdict_markdown(verdict, region=region, catalog_name=settings.site_name, site_url=settings.site_url), encoding="utf-8")
    if args.status:
        args.status.parent.mkdir(parents=True, exist_ok=True)
        args.status.write_text(status_json(verdict) + "\n", encoding="utf-8")
    return 0 if verdict.passed else 1


def _read_text(path: Path) -> str:
    """A text file the user names; `-` is stdin."""
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: tidak dapat dibaca ({exc})")
    return ""


def _read_json(path: Path) -> object:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        _fail(f"{path}: bukan JSON ({exc.msg}, baris {exc.lineno})")
    return None


def run_from_pesan(args: argparse.Namespace) -> int:
    """A message the phone form composed, pasted by the clerk, written as an entry when it passes."""
    from generator.intake.issues import errors_in_messages
    from generator.intake.phone import entry_from_message, sender_report

    settings = load_settings(args.config_file, args.tanggal)
    region = _region_or_exit(settings)
    text = _read_text(args.message)
    if args.foto is not None and not args.foto.is_dir():
        _fail(f"--foto {args.foto}: folder tidak ditemukan")
    result = entry_from_message(
        text,
        catalog_dir=settings.catalog_dir,
        region=region,
        today=settings.today,
        check=_entry_check(settings),
        site_name=settings.site_name,
        photos_dir=args.foto,
        sender=args.dari,
        verified=args.terverifikasi,
        dry_run=args.coba,
        schema_ref=_schema_ref(settings),
    )
    for message in result.messages:
        print(message.format())
    if result.written is not None and result.written.diff and not errors_in_messages(result.messages):
        print(result.written.diff, end="" if result.written.diff.endswith("\n") else "\n")
    for line in sender_report(result, region=region, catalog_name=settings.site_name):
        print(line, file=sys.stderr)
    if result.ok:
        print(f"Ditulis: {display_path(settings.catalog_dir / result.slug / 'index.md')}", file=sys.stderr)
        return 0
    waiting = result.classification is not None and result.classification.needs_verification
    if args.coba and result.written is not None and not errors_in_messages(result.messages):
        print("Coba saja (--coba): tidak ada yang ditulis. (dry run: nothing written)", file=sys.stderr)
        return 3 if waiting and not args.terverifikasi else 0
    if waiting and result.written is not None and not errors_in_messages(result.messages):
        print("Belum ditulis: perlu verifikasi (lihat di atas). (not written: needs verification)", file=sys.stderr)
        return 3
    print("Tidak ada yang ditulis: perbaiki pesannya (atau minta pengirim mengirim ulang dari formulir) lalu jalankan lagi. (nothing written)", file=sys.stderr)
    return 1


def run_import(args: argparse.Namespace) -> int:
    from generator.intake.importer import format_row_problem, import_sheet, load_mapping, resolve_mapping

    settings = load_settings(args.config_file, args.tanggal)
    region = _region_or_exit(settings)
    mapping, problems = load_mapping(resolve_mapping(args.pemetaan, Path(args.config_file).resolve().parent))
    print_problems(problems)
    if mapping is None:
        return 1
    if args.lembar:
        mapping = dataclasses.replace(mapping, sheet=args.lembar)
    report = import_sheet(
        args.sheet,
        mapping,
        catalog_dir=settings.catalog_dir,
        region=region,
        today=settings.today,
        check=_entry_check(settings),
        dry_run=args.dry_run,
        photo_sources=args.sumber_foto,
        schema_ref=_schema_ref(settings),
        allow_other_name=args.izinkan_nama_beda,
        photo_folders=tuple(args.foto),
    )
    for diff in report.diffs:
        print(diff, end="" if diff.endswith("\n") else "\n")
    if report.sensitive:
        print("Perubahan penting (sebelum → sesudah):")
        for slug, change in report.sensitive:
            print(f"  {slug}: {change.label}: {change.before or '—'} → {change.after or '—'}")
    for problem in report.problems:
        print(format_row_problem(problem))
    verb = "Akan ditulis (coba, tidak ada yang diubah)" if args.dry_run else "Diimpor"
    summary = f"{verb}: {len(report.created)} baru, {len(report.updated)} diperbarui, {len(report.unchanged)} tidak berubah"
    if report.held:
        summary += f"; {len(report.held)} ditahan karena NIB-nya milik usaha bernama lain ({', '.join(report.held)}; --izinkan-nama-beda)"
    if report.failed_rows:
        summary += f"; {len(report.failed_rows)} baris bermasalah tidak ditulis (baris {', '.join(map(str, report.failed_rows))})"
    print(summary + ".", file=sys.stderr)
    return 1 if errors_in(report.problems) else 0


def run_cetak(args: argparse.Namespace) -> int:
    """Print documents to PDF files; the documents are prepared in a child process, so Chromium's
    memory never adds to the build stages' (generator/outputs/pdf.py)."""
    from datetime import date

    from generator.core.formatting import format_tanggal
    from generator.core.workers import run_apart
    from generator.outputs import pdf

    settings = load_settings(args.config_file, args.tanggal)
    try:
        renderer = pdf.find_renderer()
        pdf.require_pypdf()
    except pdf.PrintError as exc:
        _fail(f"cetak: {exc}")
    if not settings.site_url:
        _fail("cetak: site_url di mkdocs.yml kosong; kode QR perlu alamat situs (isi site_url atau UMKM_SITE_URL)")
    try:
        printed_on = build_date(args.tanggal_cetak) if args.tanggal_cetak else date.today()
    except ValueError:
        _fail(f"--tanggal-cetak harus berbentuk TAHUN-BULAN-HARI (ditemukan '{args.tanggal_cetak}')")
    with tempfile.TemporaryDirectory(prefix="umkm-cetak-") as work:
        problems, plan, refused = run_apart(lambda: _prepare_print(settings, args.sasaran, Path(work)))
        if refused:
            _fail(f"cetak: {refused}")
        print_problems(errors_in(problems))
        if plan is None:
            print("Tidak ada yang dicetak: perbaiki galat katalog lalu jalankan lagi. (nothing printed)", file=sys.stderr)
            return 1
        sheets: dict[str, int] = {}

        def report(written: pdf.Written) -> None:
            if written.path.parent.name in (pdf.STICKER, pdf.FLYER) and written.path.parent.parent == args.keluaran:
                sheets[written.path.parent.name] = sheets.get(written.path.parent.name, 0) + 1
            else:
                print(f"Ditulis: {display_path(written.path)} ({written.pages} halaman)")

        try:
            pdf.print_plan(plan, renderer, args.keluaran, print_date=format_tanggal(printed_on), report=report)
        except pdf.PrintError as exc:
            _fail(f"cetak: {exc}")
        for kind, count in sorted(sheets.items()):
            print(f"Ditulis: {count} {kind} di {display_path(args.keluaran / kind)}/")
    return 0


_TARGETS = "katalog, sektor, sektor/KUNCI, kecamatan, kecamatan/NAMA, stiker, stiker/SLUG, flyer, flyer/SLUG, usaha/SLUG"


def _prepare_print(settings: Settings, targets: list[str], work: Path) -> tuple[list[Problem], Any, str]:
    """(problems, the print plan or None, a refusal of the targets or "") — run in a child process."""
    from generator.builder.pipeline import print_content
    from generator.outputs import pdf
    from generator.outputs.generated import TEMPLATES_DIR

    catalog, problems = check_catalog(settings, photos=False)
    if catalog is None or errors_in(problems):
        return problems, None, ""
    content, more = print_content(settings, catalog)
    problems += more
    if content is None or errors_in(problems):
        return problems, None, ""
    try:
        names, sheets = print_targets(targets, content.businesses, catalog.region)
    except ValueError as exc:
        return problems, None, str(exc)
    assets = (settings.templates_dir or TEMPLATES_DIR).parent.parent / "assets"
    plan = pdf.prepare_plan(
        content.site, content.businesses, content.printed, content.files, assets, work, catalogs=lambda c: c.name in names, sheets=sheets
    )
    if not plan.catalogs and not plan.sheets:
        return problems, None, "tidak ada yang dicetak: sasaran itu belum punya usaha"
    return problems, plan, ""


def print_targets(targets: list[str], businesses: list[Any], region: Region) -> tuple[set[str], dict[str, list[str]]]:
    """What `umkm cetak SASARAN...` names: (printed catalogs' names, {"stiker"/"flyer": slugs})."""
    slugs = sorted(b.slug for b in businesses)
    sectors = {s.key for s in region.sectors}
    kecamatan = {k.slug: k.slug for k in region.kecamatan} | {k.nama.casefold(): k.slug for k in region.kecamatan}
    names: set[str] = set()
    sheets: dict[str, list[str]] = {"stiker": [], "flyer": []}
    for target in targets or ["semua"]:
        kind, _, value = target.strip().strip("/").partition("/")
        if kind == "semua" and not value:
            names |= {"katalog", *(f"katalog-{key}" for key in sectors), *(f"katalog-kecamatan-{k}" for k in kecamatan.values())}
            sheets = {"stiker": list(slugs), "flyer": list(slugs)}
        elif kind == "katalog" and not value:
            names.add("katalog")
        elif kind == "sektor":
            if value and value not in sectors:
                raise ValueError(f"sektor '{value}' tidak ada di wilayah; pilih salah satu: {', '.join(sorted(sectors))}")
            names |= {f"katalog-{key}" for key in ([value] if value else sectors)}
        elif kind == "kecamatan":
            if value and value.casefold() not in kecamatan:
                raise ValueError(f"kecamatan '{value}' tidak ada di wilayah (tulis nama atau slug, misalnya cibitung)")
            names |= {f"katalog-kecamatan-{k}" for k in ([kecamatan[value.casefold()]] if value else kecamatan.values())}
        elif kind in ("stiker", "flyer", "usaha"):
            if value and value not in slugs:
                raise ValueError(f"usaha '{value}' tidak ada di katalog")
            if kind == "usaha" and not value:
                raise ValueError("usaha/SLUG: sebutkan slug usaha, misalnya usaha/keripik-sari-rasa")
            for sheet in ("stiker", "flyer") if kind == "usaha" else (kind,):
                sheets[sheet] = sorted({*sheets[sheet], *([value] if value else slugs)})
        else:
            raise ValueError(f"sasaran '{target}' tidak dikenal; pilih: semua, {_TARGETS}")
    return names, {kind: items for kind, items in sheets.items() if items}


def _region_or_exit(settings: Settings) -> Region:
    region, problems = load_region(settings.region_file)
    if region is None:
        print_problems(problems)
        raise SystemExit(1)
    return region


def _entry_check(settings: Settings) -> Callable[[Path], list[Problem]]:
    """The validator for one entry folder (photos included), as the writers call it before committing."""

    def check(folder: Path) -> list[Problem]:
        _, problems = check_catalog(settings, only=[folder])
        return [p for p in problems if p.path.resolve().is_relative_to(folder.resolve())]

    return check


def _schema_ref(settings: Settings) -> str:
    """The JSON Schema as seen from an entry folder, for the `yaml-language-server` comment."""
    return Path(os.path.relpath(settings.catalog_dir.parent / SCHEMA_URI, settings.catalog_dir / "slug")).as_posix()


def _known_sector(region: Region, root: Path, text: str) -> tuple[str, list[str]]:
    """(the sector key, "") for a known sector; ("", suggestions by meaning and spelling) otherwise."""
    from generator.intake.forms import choice_suggestions, choice_value
    from generator.intake.importer import known_translations

    translations = known_translations(root, "sektor")
    value = translations.get(" ".join(text.split()).casefold()) or choice_value(region, "sektor", text)
    if value in {s.key for s in region.sectors}:
        return value, []
    return "", choice_suggestions(region, "sektor", text, translations)


def _known_kecamatan(region: Region, text: str) -> tuple[str, list[str]]:
    from generator.builder.validate import canonical_kecamatan

    name, close = canonical_kecamatan(region, text)
    return (name, []) if name else ("", [close] if close else [])


def _ask_choice(question: str, given: str | None, known: Callable[[str], tuple[str, list[str]]], option: str) -> str:
    """A value from a vocabulary: asked again until it is known; the first suggestion is the default."""
    answer = given
    default = ""
    while True:
        if answer is None:
            answer = _ask(f"{question} [{default}]" if default else question, allow_empty=bool(default)) or default
        value, suggestions = known(answer)
        if value:
            return value
        hint = f"; maksud Anda {' atau '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        if given is not None and answer == given:
            _fail(f"{option} '{given}' tidak dikenal{hint}")
        print(f"'{answer}' tidak dikenal{hint}", file=sys.stderr)
        default = suggestions[0] if suggestions else ""
        answer = None


def _ask(question: str, *, allow_empty: bool = False) -> str:
    if not sys.stdin.isatty():
        _fail(f"isi '{question}' dengan opsi baris perintah (misalnya --nama), karena tidak ada terminal untuk bertanya")
    answer = input(f"{question}: ")
    while not answer.strip() and not allow_empty:
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
    _remove_abandoned(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.baru-{os.getpid()}-", dir=target.parent))
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
    staging.chmod(0o755)
    swap_in(staging, target)
    print(f"Situs selesai dibangun: {display_path(target)}")
    return 0


def _remove_abandoned(target: Path) -> None:
    """Staging folders of builds that were killed (their process is gone) are removed."""
    for folder in target.parent.glob(f".{target.name}.baru-*-*"):
        pid = folder.name.removeprefix(f".{target.name}.baru-").split("-", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_serve(args: argparse.Namespace) -> int:
    from generator.builder.load import SLUG
    from generator.preview import serve_preview

    settings = load_settings(args.config_file)
    for slug in args.only:
        if not SLUG.match(slug) or not (settings.catalog_dir / slug / "index.md").is_file():
            _fail(f"--hanya {slug}: tidak ada entri {display_path(settings.catalog_dir / slug / 'index.md')}")
    if args.only:
        os.environ["UMKM_HANYA"] = ",".join(args.only)
    _configure_logging()
    # Dirty builds re-render only the pages whose content changed (generator/plugin.py _PageFile),
    # so an edit shows within seconds even in a catalog of thousands. A build that fails shows its
    # problems on every page until the entry is fixed (generator/preview.py).
    from mkdocs.exceptions import Abort

    try:
        serve_preview(args.config_file, args.dev_addr, dirty=not args.full)
    except (Abort, OSError) as exc:
        print(f"umkm tayangkan: {exc}", file=sys.stderr)
        return 1
    return 0


def run_clean_photos(args: argparse.Namespace) -> int:
    """Rewrite every photo that holds a GPS position, in place, before it is committed."""
    from generator.builder.load import PHOTO_SUFFIXES
    from generator.intake.photos import strip_location

    settings = load_settings(args.config_file)
    folders = _entry_folders(args.paths, settings.catalog_dir) or [settings.catalog_dir]
    cleaned = failed = 0
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in PHOTO_SUFFIXES or path.is_symlink() or not path.is_file():
                continue
            try:
                if strip_location(path):
                    cleaned += 1
                    print(f"dibersihkan: {display_path(path)}")
            except ValueError as exc:
                failed += 1
                print(f"{display_path(path)}: {exc}", file=sys.stderr)
    print(f"{cleaned} foto dibersihkan dari lokasi GPS. ({cleaned} photos cleaned)")
    return 1 if failed else 0


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
    return write_generated(outputs, check=args.check, command="umkm skema", ok="skema dan tabel kolom README sesuai")


def write_generated(outputs: dict[Path, str], *, check: bool, command: str, ok: str) -> int:
    """Write files generated from the schema, or (`check`) only say which are out of date."""
    stale = [path for path, text in outputs.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if check:
        for path in stale:
            print(f"{display_path(path)}: tidak sesuai dengan skema; jalankan '{command}' lalu commit hasilnya", file=sys.stderr)
        if not stale:
            print(ok)
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
