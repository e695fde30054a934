"""Import a spreadsheet (CSV or XLSX) into the catalog, one entry folder per row.

A mapping file (YAML, read strictly) names which sheet column fills which entry field, e.g.
`No. WA: kontak.whatsapp` or `No. Sertifikat Halal: sertifikasi[jenis=halal].nomor`. Every row is
checked by the same validator as a hand-written entry; a row's problems are reported as
`FILE:ROW:COLUMN: message` and do not stop the other rows. Re-importing is safe: a row updates
the entry it matches (by slug, then by NIB, then by the slug of its name), changing only the
fields the sheet fills and keeping the story, the photos and every other field.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.builder.load import SLUG, load_entry
from generator.builder.validate import clean_text
from generator.core.integrity import FieldChange, Requester, classify_change
from generator.core.models import Region
from generator.core.privacy import find_niks, nik_message, redact_text
from generator.core.problems import ERROR, WARNING, Problem, display_path, errors_in
from generator.core.schema import ENTRY, PHOTO_LIST, STORY, Field
from generator.core.yamlstrict import YamlSyntaxError, parse_yaml
from generator.intake.fetch import Budget, Photo, PhotoError, fetch_photo, read_photo
from generator.intake.forms import choice_value
from generator.intake.issues import slug_for
from generator.intake.write import Change, FieldPath, Match, apply_changes, origin_of, value_at, write_entry

# Bounds that keep a hostile sheet from taking the machine: peak memory stays under 300 MB for any
# file (tests/test_hostile_input.py measures it).
MAX_SHEET_BYTES = 20 * 1024 * 1024  # on disk
MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_CELLS = 1_000_000  # cells with content, over the whole sheet
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_XLSX_UNPACKED = 100 * 1024 * 1024  # every part of an XLSX together, unpacked
MAX_XLSX_STRINGS = 20 * 1024 * 1024  # its shared strings (read whole by openpyxl), unpacked
CONSENT = "persetujuan"  # the owner's consent to publish: recorded as the entry's `persetujuan` date
SPECIAL = ("slug", STORY.name, CONSENT)  # targets read specially (consent is checked, then dated)
_YES = ("ya", "yes", "y", "setuju", "ya, setuju", "ya, saya setuju", "true", "1", "✓", "v", "x")
_TARGET = re.compile(r"^[a-z_]+(?:\[(?:[0-9]+|[a-z_]+=[^\]]+)\])?(?:\.[a-z_]+(?:\[(?:[0-9]+|[a-z_]+=[^\]]+)\])?)*$")
_STEP = re.compile(r"([a-z_]+)(?:\[([0-9]+|[a-z_]+=[^\]]+)\])?")
_DMY = re.compile(r"^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})$")
_RUPIAH = re.compile(r"^(?:Rp\.?\s*)?([0-9]{1,3}(?:[.\s][0-9]{3})+|[0-9]+)(?:,(?:-|00?))?$", re.IGNORECASE)
_SPLIT_PHOTOS = re.compile(r"\s*[,;\n]\s*")


@dataclass(frozen=True)
class Target:
    """Where one sheet column goes."""

    column: str  # as the mapping names it
    path: FieldPath  # e.g. ("sertifikasi", Match("jenis", "halal"), "nomor"); (name,) for special targets
    spec: Field  # the entry field it fills
    special: str = ""  # "slug", "cerita" or CONSENT


@dataclass(frozen=True)
class ColumnMap:
    """A mapping file: the sheet layout and where each column goes."""

    source: Path
    title: str
    sheet: str  # XLSX sheet name; "" for the first
    header_row: int
    targets: tuple[Target, ...]
    values: dict[str, dict[str, str]]  # field name -> {sheet text (casefolded) -> entry value}


@dataclass
class ImportReport:
    """What an import did and everything it found wrong."""

    problems: list[Problem] = field(default_factory=list)  # row problems: path = sheet, line = row, field = column
    diffs: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed_rows: list[int] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # matched by NIB under another name: not applied (dry run: shown)
    sensitive: list[tuple[str, FieldChange]] = field(default_factory=list)  # (slug, change) before → after, masked


# --- the mapping file --------------------------------------------------------------------------------


def load_mapping(path: Path) -> tuple[ColumnMap | None, list[Problem]]:
    """Read and check a mapping file against the entry schema."""
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        return None, [Problem(path, None, "", f"berkas pemetaan tidak dapat dibaca ({exc.strerror})")]
    except YamlSyntaxError as exc:
        return None, [Problem(path, exc.line, "", exc.message)]
    problems = [Problem(path, line, name, message) for line, name, message in doc.issues]
    data = doc.data if isinstance(doc.data, dict) else {}
    columns = data.get("kolom")
    if not isinstance(columns, dict) or not columns:
        problems.append(
            Problem(
                path,
                doc.line(("kolom",)),
                "kolom",
                "wajib berisi pasangan 'Judul kolom di lembar: kolom entri', misalnya 'Nama Usaha: nama'",
            )
        )
        return None, problems
    targets = []
    for column, text in columns.items():
        target, message = parse_target(str(column), text)
        if target is None:
            problems.append(Problem(path, doc.line(("kolom", column)), f"kolom.{column}", message))
        else:
            targets.append(target)
    if targets and not any(t.special == CONSENT for t in targets):
        problems.append(
            Problem(
                path,
                doc.line(("kolom",)),
                "kolom",
                "tidak ada kolom persetujuan: setiap baris harus mencatat bahwa pemilik setuju datanya ditampilkan untuk umum; "
                "tambahkan misalnya 'Persetujuan Tayang: persetujuan'",
            )
        )
    if not any(t.path == ("nama",) for t in targets) and not any(t.special == "slug" for t in targets):
        problems.append(
            Problem(
                path, doc.line(("kolom",)), "kolom", "tidak ada kolom untuk 'nama' atau 'slug'; baris tidak dapat dicocokkan dengan usaha"
            )
        )
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("nilai") or {}
    if not isinstance(raw_values, dict):
        problems.append(Problem(path, doc.line(("nilai",)), "nilai", "harus berisi pasangan 'kolom entri: {teks di lembar: nilai}'"))
        raw_values = {}
    for name, table in raw_values.items():
        if not isinstance(table, dict):
            problems.append(Problem(path, doc.line(("nilai", name)), f"nilai.{name}", "harus berisi pasangan 'teks di lembar: nilai'"))
            continue
        values[str(name)] = {" ".join(str(k).split()).casefold(): str(v) for k, v in table.items()}
    header_text = str(data.get("baris_judul") or "1")
    if not header_text.isdigit() or int(header_text) < 1:
        problems.append(
            Problem(path, doc.line(("baris_judul",)), "baris_judul", f"harus nomor baris, misalnya 1 (ditemukan '{header_text}')")
        )
        header_text = "1"
    if errors_in(problems):
        return None, problems
    return (
        ColumnMap(path, str(data.get("judul") or path.stem), str(data.get("lembar") or ""), int(header_text), tuple(targets), values),
        problems,
    )


def parse_target(column: str, text: Any) -> tuple[Target | None, str]:
    """`sertifikasi[jenis=halal].nomor` → a target checked against the schema, or why not."""
    if not isinstance(text, str) or not _TARGET.match(text.strip()):
        return (
            None,
            f"tujuan kolom tidak valid ('{text}'); tulis misalnya nama, kontak.whatsapp, sertifikasi[jenis=halal].nomor atau produk[0].harga",
        )
    text = text.strip()
    if text in SPECIAL:
        spec = STORY if text == STORY.name else Field(text, "text", text)
        return Target(column, (text,), spec, special=text), ""
    spec = ENTRY
    path: list[Any] = []
    for name, selector in _STEP.findall(text):
        child = spec.child(name)
        if child is None:
            return None, f"kolom entri '{'.'.join([*(str(p) for p in path if isinstance(p, str)), name])}' tidak ada di skema"
        path.append(name)
        if selector:
            if child.type != "list" or not child.fields:
                return None, f"'{name}' bukan daftar isian; '[...]' hanya untuk toko_online, sertifikasi, produk atau pembinaan"
            if selector.isdigit():
                path.append(int(selector))
            else:
                key, _, value = selector.partition("=")
                if child.child(key) is None:
                    return None, f"'{key}' bukan kolom dari {name}"
                path.append(Match(key, value.strip()))
        elif child.type == "list" and child.fields:
            return None, f"'{name}' adalah daftar; pilih butirnya, misalnya {name}[0].{child.fields[0].name}"
        spec = child
    if spec.type == "object":
        return None, f"'{text}' berisi beberapa kolom; pilih salah satu, misalnya {text}.{spec.fields[0].name}"
    return Target(column, tuple(path), spec), ""


def known_translations(project_root: Path, field_name: str) -> dict[str, str]:
    """What every mapping in the project's `impor/` folder translates for a field (`Mamin` → `kuliner`)."""
    found: dict[str, str] = {}
    for path in sorted((project_root / "impor").glob("*.yml")):
        mapping, _ = load_mapping(path)
        if mapping is not None:
            found.update(mapping.values.get(field_name, {}))
    return found


def resolve_mapping(name: str, project_root: Path) -> Path:
    """A mapping named on the command line: a file, or one of the project's `impor/<name>.yml`."""
    path = Path(name)
    if path.suffix in (".yml", ".yaml") or path.exists():
        return path
    return project_root / "impor" / f"{name}.yml"


# --- reading sheets ----------------------------------------------------------------------------------


def read_sheet(path: Path, sheet: str = "") -> tuple[list[list[Any]], list[Problem]]:
    """Every row of a CSV or XLSX file as a list of cell values (text, numbers, dates)."""
    if not path.is_file():
        return [], [Problem(path, None, "", "berkas lembar kerja tidak ditemukan")]
    if path.stat().st_size > MAX_SHEET_BYTES:
        return [], [
            Problem(
                path, None, "", f"berkas terlalu besar (paling besar {MAX_SHEET_BYTES // 1024 // 1024} MB); pecah menjadi beberapa berkas"
            )
        ]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    return [], [Problem(path, None, "", f"jenis berkas '{suffix}' tidak didukung; simpan sebagai CSV atau XLSX (Excel)")]


class _SheetTooBig(Exception):
    """A sheet past one of the bounds above, with the Indonesian reason."""


def _bounded_rows(rows: Any, path: Path) -> list[list[Any]]:
    """Rows with trailing empty cells dropped, within MAX_ROWS, MAX_COLUMNS, MAX_CELLS and MAX_CELL_CHARS."""
    out: list[list[Any]] = []
    cells = 0
    for number, row in enumerate(rows, start=1):
        values = list(row)
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        if len(values) > MAX_COLUMNS:
            raise _SheetTooBig(f"baris {number} berisi terlalu banyak kolom ({len(values)}; paling banyak {MAX_COLUMNS})")
        for value in values:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise _SheetTooBig(f"baris {number}: sel lebih dari {MAX_CELL_CHARS:,} karakter".replace(",", "."))
        cells += len(values)
        if cells > MAX_CELLS:
            raise _SheetTooBig(f"terlalu banyak sel berisi (lebih dari {MAX_CELLS:,}); pecah menjadi beberapa berkas".replace(",", "."))
        out.append(values)
        if len(out) > MAX_ROWS:
            break
    return out


def _read_csv(path: Path) -> tuple[list[list[Any]], list[Problem]]:
    problems = []
    encoding = "utf-8-sig"
    try:
        with path.open(encoding=encoding, newline="") as file:
            sample = file.read(8192)
            while file.read(1 << 20):  # the whole file must be UTF-8: decoded in chunks, not kept
                pass
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page, not UTF-8.
        encoding = "cp1252"
        with path.open(encoding=encoding, errors="replace", newline="") as file:
            sample = file.read(8192)
        problems.append(
            Problem(
                path,
                None,
                "",
                "berkas bukan UTF-8; dibaca sebagai Windows-1252. Simpan sebagai 'CSV UTF-8' agar huruf khusus tidak rusak",
                WARNING,
            )
        )
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)  # a longer field is an error, not a 128 KB string per cell
    try:
        with path.open(encoding=encoding, errors="replace", newline="") as file:
            rows = _bounded_rows(csv.reader(file, dialect), path)
    except _SheetTooBig as exc:
        return [], [*problems, Problem(path, None, "", str(exc))]
    except csv.Error as exc:
        line = getattr(exc, "line_num", None)
        reason = f"sel lebih dari {MAX_CELL_CHARS:,} karakter".replace(",", ".") if "field larger" in str(exc) else f"CSV rusak ({exc})"
        return [], [*problems, Problem(path, line, "", f"{reason}; periksa berkasnya, lalu simpan ulang sebagai CSV UTF-8")]
    finally:
        csv.field_size_limit(limit)
    return rows, problems


def _read_xlsx(path: Path, sheet: str) -> tuple[list[list[Any]], list[Problem]]:
    import zipfile

    from openpyxl import load_workbook

    # The zip's own directory says how large each part is once unpacked (and reading never goes
    # past that size), so a small file that unpacks to hundreds of MB is refused unread.
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        return [], [Problem(path, None, "", f"berkas XLSX tidak dapat dibaca ({exc}); buka di Excel lalu simpan ulang")]
    unpacked = sum(p.file_size for p in parts)
    strings = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
    if unpacked > MAX_XLSX_UNPACKED or strings > MAX_XLSX_STRINGS:
        size = max(unpacked, strings) // (1024 * 1024)
        return [], [
            Problem(path, None, "", f"berkas XLSX terlalu besar setelah dibuka ({size} MB); simpan sebagai CSV atau pecah menjadi beberapa berkas")
        ]
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return [], [Problem(path, None, "", f"berkas XLSX tidak dapat dibaca ({exc}); buka di Excel lalu simpan ulang")]
    try:
        if sheet and sheet not in workbook.sheetnames:
            return [], [Problem(path, None, "", f"lembar '{sheet}' tidak ada; yang ada: {', '.join(workbook.sheetnames)}")]
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        # The sheet's own `dimension` may claim 16,384 columns: openpyxl would pad every row to it.
        worksheet.reset_dimensions()  # type: ignore[union-attr]
        try:
            return _bounded_rows(worksheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), path), []
        except _SheetTooBig as exc:
            return [], [Problem(path, None, "", str(exc))]
    finally:
        workbook.close()


def cell_text(value: Any, spec: Field) -> str:
    """A cell as entry text: whole numbers without `.0`, dates as TAHUN-BULAN-HARI, phone numbers with their 0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        # A spreadsheet stores 0812... as the number 812...: give the phone number its 0 back.
        return f"0{text}" if spec.type == "phone" and text.startswith("8") else text
    text = clean_text(str(value), multiline=spec is STORY)
    if spec.type == "date" and (match := _DMY.match(text)):
        # Indonesian sheets write day first; the entry wants TAHUN-BULAN-HARI.
        return f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    if spec.type == "integer" and (match := _RUPIAH.match(text)):
        return re.sub(r"[^0-9]", "", match.group(1))  # `Rp15.000` as sheets format prices
    return text


# --- importing ---------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    changes: list[Change]
    photos: list[tuple[Target, list[str]]]
    story: str
    slug: str = ""
    slug_column: str = ""


def import_sheet(
    sheet_path: Path,
    mapping: ColumnMap,
    *,
    catalog_dir: Path,
    region: Region,
    today: date,
    check: Callable[[Path], list[Problem]],
    dry_run: bool = False,
    photo_sources: Sequence[str] | None = None,
    fetch: Callable[..., Photo] = fetch_photo,
    schema_ref: str | None = None,
    allow_other_name: bool = False,
    photo_folders: Sequence[Path] = (),
) -> ImportReport:
    """Import every row; a bad row is reported and skipped, the others are written.

    An import is a Dinas change (integrity.py), but a row that matches an existing entry by NIB
    under another business name may be someone else's business with a mistyped NIB: it is shown
    in a dry run and applied only with `allow_other_name`. Local photos are read from the sheet's
    folder or `photo_folders` only; downloads share one deadline."""
    report = ImportReport()
    photos = _PhotoSource(photo_sources, fetch, (sheet_path.parent, *photo_folders), Budget())
    rows, problems = read_sheet(sheet_path, mapping.sheet)
    report.problems += problems
    if errors_in(problems):
        return report
    if len(rows) > MAX_ROWS + mapping.header_row:
        report.problems.append(Problem(sheet_path, None, "", f"lebih dari {MAX_ROWS} baris; pecah menjadi beberapa berkas"))
        return report
    if len(rows) < mapping.header_row:
        report.problems.append(Problem(sheet_path, None, "", f"baris judul {mapping.header_row} tidak ada; berkas kosong?"))
        return report
    header = [" ".join(str(h or "").split()).casefold() for h in rows[mapping.header_row - 1]]
    columns: list[tuple[int, Target]] = []
    for target in mapping.targets:
        wanted = " ".join(target.column.split()).casefold()
        if wanted in header:
            columns.append((header.index(wanted), target))
        elif target.special == CONSENT:
            report.problems.append(
                Problem(
                    sheet_path,
                    mapping.header_row,
                    target.column,
                    "kolom persetujuan tidak ada di lembar; tanpa persetujuan pemilik tidak ada baris yang diimpor",
                )
            )
        else:
            report.problems.append(
                Problem(
                    sheet_path,
                    mapping.header_row,
                    target.column,
                    f"kolom tidak ada di lembar (pemetaan {display_path(mapping.source)})",
                    WARNING,
                )
            )
    if errors_in(report.problems):
        return report
    nib_index = _nib_index(catalog_dir) if any(t.path == ("nib",) for _, t in columns) else {}
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[mapping.header_row :], start=mapping.header_row + 1):
        if not any(str(c).strip() for c in cells if c is not None):
            continue
        row_problems = _import_row(
            number, cells, columns, mapping, sheet_path, report, seen, nib_index,
            catalog_dir=catalog_dir, region=region, today=today, check=check, dry_run=dry_run,
            photos=photos, schema_ref=schema_ref, allow_other_name=allow_other_name,
        )  # fmt: skip
        report.problems += row_problems
        if errors_in(row_problems):
            report.failed_rows.append(number)
    return report


def _import_row(
    number: int,
    cells: list[Any],
    columns: list[tuple[int, Target]],
    mapping: ColumnMap,
    sheet_path: Path,
    report: ImportReport,
    seen: dict[str, int],
    nib_index: dict[str, str],
    *,
    catalog_dir: Path,
    region: Region,
    today: date,
    check: Callable[[Path], list[Problem]],
    dry_run: bool,
    photos: _PhotoSource,
    schema_ref: str | None,
    allow_other_name: bool = False,
) -> list[Problem]:
    def problem(column: str, message: str, level: str = ERROR) -> Problem:
        return Problem(sheet_path, number, column, message, level)

    row = _Row(number, [], [], "")
    problems: list[Problem] = []
    for index, target in columns:
        raw = cells[index] if index < len(cells) else None
        text = cell_text(raw, target.spec)
        for match in find_niks(text):
            problems.append(problem(target.column, nik_message(match)))
        if target.special == CONSENT:
            # A blank consent cell is no consent: the row is not published (existing entries are not
            # touched either: the sheet's other values could change what the owner agreed to).
            if not _consents(text):
                problems.append(problem(target.column, "pemilik belum menyetujui data ditampilkan untuk umum; baris dilewati"))
            else:
                row.changes.append(Change(("persetujuan",), today.isoformat(), target.column))
            continue
        if not text:
            continue
        if target.special == "slug":
            row.slug, row.slug_column = text.lower(), target.column
        elif target.special == STORY.name:
            row.story = text.strip("\n") + "\n"
        elif target.spec is PHOTO_LIST:
            row.photos.append((target, [p for p in _SPLIT_PHOTOS.split(text) if p]))
        elif target.spec.type == "list" and target.spec.item is not None:
            row.changes.append(Change(target.path, [p for p in _SPLIT_PHOTOS.split(text) if p], target.column))
        else:
            row.changes.append(Change(target.path, _value(text, target.spec, mapping, region), target.column))
    if errors_in(problems):
        return problems

    slug, slug_column, problem_text = _match_slug(row, columns, catalog_dir, nib_index)
    if problem_text:
        return [*problems, problem(slug_column, problem_text)]
    if slug in seen:
        return [
            *problems,
            problem(slug_column, f"baris ini menunjuk usaha yang sama dengan baris {seen[slug]} ('{slug}'); gabungkan kedua baris"),
        ]
    seen[slug] = number

    folder = catalog_dir / slug
    existing: dict[str, Any] = {}
    existing_story = ""
    story = row.story
    if (folder / "index.md").is_file():
        raw_entry, load_problems = load_entry(folder)
        if raw_entry is None or not isinstance(raw_entry.doc.data, dict):
            first = errors_in(load_problems)[0].format() if errors_in(load_problems) else "tidak dapat dibaca"
            return [*problems, problem(slug_column, f"entri yang ada tidak dapat dibaca ({first}); perbaiki dulu, lalu impor lagi")]
        existing, existing_story = dict(raw_entry.doc.data), raw_entry.body
        story = existing_story if existing_story.strip() else row.story  # a hand-written story is never replaced
    held = _other_name(row, columns, existing, slug, nib_index) if existing and not allow_other_name else ""
    if held and not dry_run:
        return [*problems, problem(held_column(columns), held)]
    if held:
        problems.append(problem(held_column(columns), held, WARNING))

    files: dict[str, bytes] = {}
    changes = list(row.changes)
    for target, refs in row.photos:
        if value_at(existing, target.path):
            continue  # the entry has photos there already: keep them
        names = []
        for ref in refs:
            try:
                photo = photos.load(ref)
            except PhotoError as exc:
                problems.append(problem(target.column, exc.message))
                continue
            files[photo.name] = photo.data
            names.append(photo.name)
        changes.append(Change(target.path, list(dict.fromkeys(names)), target.column))
    blocked = bool(errors_in(problems))  # still checked below, so the row's every problem is reported at once

    data, origins = apply_changes(existing, changes)
    is_new = not existing
    if not is_new and not blocked and data == existing and story == existing_story and not files:
        report.unchanged.append(slug)
        return problems
    if not any(c.path == ("diperbarui",) for c in changes):
        data["diperbarui"] = today.isoformat()
    kwargs = {"schema_ref": schema_ref} if schema_ref else {}
    written = write_entry(folder, data, story, files, check=check, dry_run=dry_run or blocked, **kwargs)
    for p in written.problems:
        column = origin_of(p.field, origins)
        if column:
            problems.append(problem(column, p.message, p.level))
        else:
            problems.append(problem("", f"{p.format()}", p.level))
    if blocked or errors_in(written.problems):
        return problems
    if dry_run:
        report.diffs.append(written.diff)
    if existing:  # a new entry's every value is new: the diff shows them
        report.sensitive += [(slug, c) for c in classify_change(existing, data, Requester.staff("umkm import"), region, slug=slug).changes]
    (report.held if held else report.created if is_new else report.updated).append(slug)
    return problems


def _other_name(row: _Row, columns: list[tuple[int, Target]], existing: dict[str, Any], slug: str, nib_index: dict[str, str]) -> str:
    """Why a row matched by NIB is held: the entry with that NIB has another name (or "")."""
    nib = next((re.sub(r"[ .-]", "", str(c.value)) for c in row.changes if c.path == ("nib",) and c.value), "")
    if row.slug or not nib or nib_index.get(nib) != slug:
        return ""
    nama = next((str(c.value) for c in row.changes if c.path == ("nama",) and c.value), "")
    old = str(existing.get("nama") or "")
    if not nama or " ".join(nama.split()).casefold() == " ".join(old.split()).casefold():
        return ""
    return (
        f"NIB {nib} cocok dengan usaha '{old}' ({slug}), tetapi nama di lembar '{nama}' berbeda: bisa jadi NIB salah ketik dan ini "
        "usaha lain. Baris ini tidak diterapkan; bila memang usaha yang sama (berganti nama), impor lagi dengan --izinkan-nama-beda"
    )


def held_column(columns: list[tuple[int, Target]]) -> str:
    return next((t.column for _, t in columns if t.path == ("nib",)), "")


def _consents(text: str) -> bool:
    """A consent cell that says yes: a Google Forms checkbox's own text, `ya`, `setuju`, a tick."""
    folded = " ".join(text.split()).casefold()
    if not folded or "tidak" in folded or "belum" in folded or folded in ("no", "n", "false", "0"):
        return False
    return "setuju" in folded or folded in _YES


def _value(text: str, spec: Field, mapping: ColumnMap, region: Region) -> str:
    table = mapping.values.get(spec.name, {})
    folded = " ".join(text.split()).casefold()
    if folded in table:
        return table[folded]
    return choice_value(region, spec.vocabulary, text) if spec.type == "choice" else text


def _match_slug(row: _Row, columns: list[tuple[int, Target]], catalog_dir: Path, nib_index: dict[str, str]) -> tuple[str, str, str]:
    """(slug, column to blame, problem): by the slug column, then NIB, then the name."""
    name_column = next((t.column for _, t in columns if t.path == ("nama",)), "")
    nib_column = next((t.column for _, t in columns if t.path == ("nib",)), "")
    nib = next((re.sub(r"[ .-]", "", str(c.value)) for c in row.changes if c.path == ("nib",) and c.value), "")
    if row.slug:
        if not SLUG.match(row.slug):
            return "", row.slug_column, f"slug '{row.slug}' tidak valid: hanya huruf kecil a-z, angka 0-9 dan tanda hubung"
        return row.slug, row.slug_column, ""
    if nib and nib in nib_index:
        return nib_index[nib], nib_column, ""
    nama = next((str(c.value) for c in row.changes if c.path == ("nama",) and c.value), "")
    if not nama:
        return "", name_column, "wajib diisi: nama usaha menjadi alamat halamannya (atau isi kolom slug)"
    slug = slug_for(nama)
    if not slug:
        return "", name_column, "nama usaha harus memuat huruf atau angka latin"
    known = next((n for n, s in nib_index.items() if s == slug), "")
    if nib and known and known != nib:
        return "", name_column, f"slug '{slug}' sudah dipakai usaha lain dengan NIB berbeda; isi kolom slug untuk usaha ini"
    return slug, name_column, ""


def _nib_index(catalog_dir: Path) -> dict[str, str]:
    """NIB (digits) → slug of every readable entry, for matching rows to entries."""
    index: dict[str, str] = {}
    if not catalog_dir.is_dir():
        return index
    for folder in sorted(catalog_dir.iterdir()):
        if folder.name.startswith((".", "_")) or not (folder / "index.md").is_file():
            continue
        raw, _ = load_entry(folder)
        if raw is not None and isinstance(raw.doc.data, dict):
            nib = re.sub(r"[ .-]", "", str(raw.doc.data.get("nib") or ""))
            if nib:
                index.setdefault(nib, folder.name)
    return index


@dataclass(frozen=True)
class _PhotoSource:
    """Where a sheet's photo cells may read from: URLs (checked by `fetch`), or files in `folders`."""

    sources: Sequence[str] | None
    fetch: Callable[..., Photo]
    folders: tuple[Path, ...]
    budget: Budget

    def load(self, ref: str) -> Photo:
        if re.match(r"^https?://", ref, re.IGNORECASE):
            return self.fetch(_direct_url(ref), sources=self.sources, budget=self.budget)
        path = Path(ref)
        return read_photo(path if path.is_absolute() else self.folders[0] / path, within=self.folders)


def _direct_url(url: str) -> str:
    """Google Forms exports uploads as Drive 'open' links; the file itself is behind `uc?export=download`."""
    parts = urlsplit(url)
    if parts.hostname == "drive.google.com":
        ids = parse_qs(parts.query).get("id") or re.findall(r"/file/d/([^/]+)", parts.path)
        if ids:
            return f"https://drive.google.com/uc?export=download&id={ids[0]}"
    return url


def format_row_problem(problem: Problem) -> str:
    """`FILE:ROW:COLUMN: message`, the way editors and CI logs make clickable."""
    where = display_path(problem.path)
    if problem.line:
        where += f":{problem.line}"
    if problem.field:
        where += f":{problem.field}"
    prefix = "" if problem.level == ERROR else f"{problem.level}: "
    return f"{where}: {prefix}{redact_text(problem.message)}"
