"""PDF files of the print documents (`umkm cetak`), rendered by headless Chromium from Debian.

Chromium lays out the very documents the site publishes (printing.py), so a PDF and a browser's
"Simpan sebagai PDF" agree: page size and margins from `@page`, blocks that never split
(`break-inside: avoid`), page-margin boxes with the page number and dates (Chromium >= 131).
What Chromium lacks is `target-counter()`, so the table of contents is numbered in two passes:
the blocks are printed first, their pages read back from the PDF's named destinations (each
block's heading links to itself), then the cover and contents are printed again with the numbers.

Memory stays bounded whatever the catalog's size: a long catalog is printed in parts of at most
`PART_SIZE` businesses, one Chromium process at a time (the old headless shell, in a single
process, where installed), each part numbered from where the previous one ended, and the parts
are joined with pypdf. Stickers and flyers are printed many to a document and split per business.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.business import Business
from generator.core.files import write_atomic
from generator.outputs.generated import qr_uri
from generator.outputs.pages import Site
from generator.outputs.printing import (
    FLYER,
    STICKER,
    PrintedBusiness,
    PrintedCatalog,
    PrintOptions,
    block_anchor,
    data_css,
    pdf_css,
    printed_catalogs,
    render_catalog,
    render_sheets,
)

# Chromium, best first: the old headless shell (`chromium-headless-shell`, one process, about half
# the memory), then the full browser in headless mode. UMKM_CHROMIUM names another program.
CHROMIUM_PROGRAMS = (
    "/usr/lib/chromium/chromium-headless-shell",
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
)
PART_SIZE = 40  # businesses per part of a printed catalog (about ten A4 pages)
CONTENTS_SIZE = 200  # entries per part of its table of contents (about two pages in two columns)
SHEETS_PER_DOCUMENT = 40  # stickers or flyers printed in one go, then split
TIMEOUT_SECONDS = 600
INSTALL_HINT = "jalankan `make cetak` (memasang paket Debian chromium-headless-shell dan pustaka pypdf)"


class PrintError(Exception):
    """A PDF could not be made; the message is for the Dinas officer, in Indonesian."""


@dataclass(frozen=True)
class Renderer:
    program: str
    single_process: bool  # the headless shell prints in one process


@dataclass(frozen=True)
class CatalogJob:
    """A printed catalog as prepared documents: the cover and contents, then its parts."""

    name: str  # file name stem, e.g. "katalog-kuliner"
    title: str
    front: tuple[Path, ...]  # the cover, then the table of contents in parts
    parts: tuple[Path, ...]
    slugs: tuple[tuple[str, ...], ...]  # the businesses of each part, in order


@dataclass(frozen=True)
class SheetJob:
    """Stickers or flyers as prepared documents of one page per business."""

    kind: str  # STICKER or FLYER
    documents: tuple[tuple[Path, tuple[str, ...]], ...]  # (document, its businesses in page order)


@dataclass(frozen=True)
class Written:
    path: Path
    pages: int


@dataclass
class Plan:
    """What `umkm cetak` prints, prepared as documents in a work folder."""

    catalogs: list[CatalogJob] = field(default_factory=list)
    sheets: list[SheetJob] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # slug -> business name, for the PDFs' titles


def find_renderer() -> Renderer:
    """The Chromium to print with, or a PrintError that says how to install one."""
    named = os.environ.get("UMKM_CHROMIUM", "").strip()
    for program in (named,) if named else CHROMIUM_PROGRAMS:
        found = shutil.which(program)
        if found:
            return Renderer(found, single_process="headless-shell" in Path(found).name)
    if named:
        raise PrintError(f"UMKM_CHROMIUM={named}: program tidak ditemukan atau tidak dapat dijalankan")
    raise PrintError(f"Chromium untuk membuat PDF tidak ditemukan; {INSTALL_HINT}, atau setel UMKM_CHROMIUM ke program Chromium/Chrome")


def require_pypdf() -> None:
    try:
        import pypdf  # noqa: F401
    except ImportError:
        raise PrintError(f"pustaka pypdf belum terpasang; {INSTALL_HINT} atau `pip install -e '.[cetak]'`") from None


# --- preparing the documents ---------------------------------------------------------------------


def prepare_plan(
    site: Site,
    businesses: Sequence[Business],
    printed: Mapping[str, PrintedBusiness],
    files: Iterable[tuple[str, Path]],
    assets_dir: Path,
    work_dir: Path,
    *,
    catalogs: Callable[[PrintedCatalog], bool],
    sheets: Mapping[str, Sequence[str]],
) -> Plan:
    """Write the documents to print into `work_dir`, laid out as the site is (so every relative link
    holds), with the processed photos linked in, never copied and never the originals.

    `catalogs` picks the printed catalogs; `sheets` maps STICKER/FLYER to the slugs to print."""
    work_dir.mkdir(parents=True, exist_ok=True)
    for uri, path in files:
        target = work_dir / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(path)
    for slug, parts in printed.items():
        if parts.qr_svg:
            _write(work_dir, qr_uri(slug), parts.qr_svg)
    (work_dir / "assets").mkdir(exist_ok=True)
    shutil.copyfile(assets_dir / "cetak.css", work_dir / "assets" / "cetak.css")
    (work_dir / "cetak").mkdir(exist_ok=True)
    (work_dir / "cetak" / "data.css").write_text(data_css(site.today, site.site_name), encoding="utf-8")
    by_slug = {b.slug: b for b in businesses}
    plan = Plan(titles={b.slug: b.nama for b in businesses})
    blocks = {slug: parts.block for slug, parts in printed.items()}
    for catalog in printed_catalogs(site, businesses):
        if catalogs(catalog):
            plan.catalogs.append(_prepare_catalog(site, catalog, by_slug, blocks, work_dir))
    for kind, slugs in sheets.items():
        documents = []
        for number, start in enumerate(range(0, len(slugs), SHEETS_PER_DOCUMENT), start=1):
            chunk = tuple(slugs[start : start + SHEETS_PER_DOCUMENT])
            src = f"pdf/{kind}-{number}.html"
            html = render_sheets(
                site, kind, [by_slug[s] for s in chunk], src=src, options=PrintOptions(pdf_css=f"{kind}-{number}.css", script=False)
            )
            documents.append((_write(work_dir, src, html), chunk))
        if documents:
            plan.sheets.append(SheetJob(kind, tuple(documents)))
    return plan


def _prepare_catalog(
    site: Site, catalog: PrintedCatalog, by_slug: Mapping[str, Business], blocks: Mapping[str, str], work_dir: Path
) -> CatalogJob:
    def document(label: str, options: PrintOptions) -> Path:
        src = f"pdf/{catalog.name}-{label}.html"
        return _write(work_dir, src, render_catalog(site, catalog, by_slug, blocks, options, uri=src))

    none = (0, 0, 0, 0)  # no blocks
    front = [
        document("sampul", PrintOptions(cover=True, contents=(0, 0), group_range=none, pdf_css=f"{catalog.name}-sampul.css", script=False))
    ]
    for start in range(0, len(catalog.slugs), CONTENTS_SIZE):
        label = f"isi-{len(front):03d}"
        part = (start, start + CONTENTS_SIZE)
        front.append(
            document(label, PrintOptions(cover=False, contents=part, group_range=none, pdf_css=f"{catalog.name}-{label}.css", script=False))
        )
    parts: list[Path] = []
    slugs: list[tuple[str, ...]] = []
    for index, group in enumerate(catalog.groups):
        # A part never spans two groups: each group (a sector of the whole catalog) starts a page anyway.
        for start in range(0, len(group.slugs), PART_SIZE):
            end = min(start + PART_SIZE, len(group.slugs))
            label = f"{len(parts) + 1:03d}"
            parts.append(
                document(
                    label,
                    PrintOptions(
                        cover=False,
                        contents=(0, 0),
                        group_range=(index, start, index, end),
                        pdf_css=f"{catalog.name}-{label}.css",
                        script=False,
                    ),
                )
            )
            slugs.append(group.slugs[start:end])
    return CatalogJob(catalog.name, catalog.title, tuple(front), tuple(parts), tuple(slugs))


def _write(work_dir: Path, src: str, html: str) -> Path:
    path = work_dir / src
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


# --- printing -------------------------------------------------------------------------------------


def print_plan(
    plan: Plan, renderer: Renderer, out_dir: Path, *, print_date: str, report: Callable[[Written], None] = lambda w: None
) -> list[Written]:
    """Print every prepared document to PDF files in `out_dir`: `<catalog>.pdf`, `stiker/<slug>.pdf`, `flyer/<slug>.pdf`."""
    require_pypdf()
    written = []
    for job in plan.catalogs:
        written.append(print_catalog(job, renderer, out_dir / f"{job.name}.pdf", print_date=print_date))
        report(written[-1])
    for sheet_job in plan.sheets:
        for item in print_sheets(sheet_job, renderer, out_dir / sheet_job.kind, print_date=print_date, titles=plan.titles):
            written.append(item)
            report(item)
    return written


def print_catalog(job: CatalogJob, renderer: Renderer, target: Path, *, print_date: str) -> Written:
    """A printed catalog as one PDF: parts numbered on from each other, contents numbered last."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory(prefix="umkm-cetak-") as scratch:
        temp = Path(scratch)

        def print_front(toc: Mapping[str, int]) -> tuple[list[Path], int]:
            pdfs, page = [], 1
            for number, document in enumerate(job.front):
                out = temp / f"depan-{number:03d}.pdf"
                _print(renderer, document, out, pdf_css(print_date=print_date, first_page=page, toc_pages=toc))
                page += len(PdfReader(out).pages)
                pdfs.append(out)
            return pdfs, page - 1

        front_pdfs, front_pages = print_front({})
        for _attempt in range(3):
            toc: dict[str, int] = {}
            part_pdfs = []
            next_page = front_pages + 1
            for number, (part, slugs) in enumerate(zip(job.parts, job.slugs, strict=True), start=1):
                part_pdf = temp / f"bagian-{number:03d}.pdf"
                _print(renderer, part, part_pdf, pdf_css(print_date=print_date, first_page=next_page))
                reader = PdfReader(part_pdf)
                found = _block_pages(reader)
                missing = [slug for slug in slugs if block_anchor(slug) not in found]
                if missing:
                    raise PrintError(f"{job.name}: halaman usaha {', '.join(missing[:3])} tidak ditemukan di PDF (Chromium terlalu lama?)")
                toc.update({slug: next_page + found[block_anchor(slug)] for slug in slugs})
                part_pdfs.append(part_pdf)
                next_page += len(reader.pages)
            front_pdfs, pages = print_front(toc)
            if pages == front_pages:
                break
            front_pages = pages  # the numbers moved the contents onto another page count: number again
        else:
            raise PrintError(f"{job.name}: daftar isi tidak stabil setelah tiga kali cetak")
        count = _join([*front_pdfs, *part_pdfs], target, title=job.title)
    return Written(target, count)


def print_sheets(job: SheetJob, renderer: Renderer, folder: Path, *, print_date: str, titles: Mapping[str, str]) -> list[Written]:
    """Stickers or flyers: each document printed once, then one PDF per business."""
    from pypdf import PdfReader, PdfWriter

    label = "Stiker" if job.kind == STICKER else "Flyer" if job.kind == FLYER else job.kind
    written = []
    with tempfile.TemporaryDirectory(prefix="umkm-cetak-") as scratch:
        for number, (document, slugs) in enumerate(job.documents, start=1):
            out = Path(scratch) / f"{number}.pdf"
            _print(renderer, document, out, pdf_css(print_date=print_date))
            reader = PdfReader(out)
            if len(reader.pages) != len(slugs):
                raise PrintError(
                    f"{job.kind}: {len(slugs)} usaha menjadi {len(reader.pages)} halaman; setiap {job.kind} harus tepat satu halaman"
                )
            folder.mkdir(parents=True, exist_ok=True)
            for slug, page in zip(slugs, reader.pages, strict=True):
                writer = PdfWriter()
                writer.add_page(page)
                writer.add_metadata({"/Title": f"{label} {titles.get(slug, slug)}", "/Creator": "Katalog UMKM (umkm cetak)"})
                target = folder / f"{slug}.pdf"
                _save(writer, target)
                written.append(Written(target, 1))
    return written


def _print(renderer: Renderer, document: Path, target: Path, css: str) -> None:
    """One document to one PDF with Chromium; `css` is the pass's stylesheet (the document links it)."""
    document.with_suffix(".css").write_text(css, encoding="utf-8")  # the document links <name>.css beside it
    result = _run_chromium(renderer, document, target)
    if result.returncode != 0 and renderer.single_process and not _complete(result, target):
        # In one process the shell now and then dies while shutting down; once more in several.
        result = _run_chromium(Renderer(renderer.program, single_process=False), document, target)
    if not _complete(result, target):
        detail = " ".join(result.stderr.split()[-30:])
        raise PrintError(f"{document.name}: Chromium gagal mencetak PDF (kode {result.returncode}): {detail}")


def _run_chromium(renderer: Renderer, document: Path, target: Path) -> subprocess.CompletedProcess[str]:
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="umkm-chromium-") as profile:
        command = [
            renderer.program,
            "--headless",
            "--no-sandbox",  # our own files, offline; the sandbox needs privileges a CI container lacks
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={target}",
            *(["--single-process", "--no-zygote"] if renderer.single_process else []),
            document.resolve().as_uri(),
        ]
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise PrintError(f"{document.name}: Chromium tidak selesai dalam {TIMEOUT_SECONDS} detik") from None
        except OSError as exc:
            raise PrintError(f"Chromium tidak dapat dijalankan ({exc}); {INSTALL_HINT}") from None


def _complete(result: subprocess.CompletedProcess[str], target: Path) -> bool:
    """The PDF was written whole: Chromium said so (it may crash after, while shutting down in one
    process) and the file ends as a PDF does."""
    if not target.is_file() or target.stat().st_size == 0:
        return False
    if result.returncode != 0 and f"written to file {target}" not in result.stderr:
        return False
    with target.open("rb") as pdf:
        pdf.seek(max(0, target.stat().st_size - 1024))
        return b"%%EOF" in pdf.read()


def _block_pages(reader: object) -> dict[str, int]:
    """Block id -> its page in this PDF (0-based), from the named destinations Chromium writes
    for every in-document link target (each block's heading links to itself)."""
    pages = {}
    for name, destination in reader.named_destinations.items():  # type: ignore[attr-defined]
        pages[str(name).lstrip("/")] = reader.get_destination_page_number(destination)  # type: ignore[attr-defined]
    return pages


def _join(parts: Sequence[Path], target: Path, *, title: str) -> int:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(part).pages:
            writer.add_page(page)
    writer.add_metadata({"/Title": title, "/Creator": "Katalog UMKM (umkm cetak)"})
    _save(writer, target)
    return len(writer.pages)


def _save(writer: object, target: Path) -> None:
    """Written whole or not at all: a PDF that a print shop gets is never half a file."""
    write_atomic(target, writer.write)  # type: ignore[attr-defined]
