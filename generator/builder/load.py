"""Read `catalog/`: one folder per business, `index.md` with front matter, photos beside it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.core.problems import Problem
from generator.core.region import slugify
from generator.core.yamlstrict import YamlDoc, YamlSyntaxError, parse_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif"})
MAX_INDEX_BYTES = 256 * 1024
MAX_FOLDER_DEPTH = 3
_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class RawEntry:
    """An entry as read from disk: strict-YAML front matter and the Markdown story."""

    slug: str
    source: Path  # index.md
    doc: YamlDoc  # the front matter, every scalar as text
    body: str
    body_line: int  # file line where the story starts
    files: tuple[Path, ...]  # photo files found in the folder (relative to it)
    text: str | None = None  # the whole index.md as read, so later checks need not read it again


def load_entries(catalog_dir: Path) -> tuple[list[RawEntry], list[Problem]]:
    """Read every entry folder; return what could be read and every problem found."""
    folders, problems = entry_folders(catalog_dir)
    entries = []
    for folder in folders:
        entry, entry_problems = load_entry(folder)
        problems += entry_problems
        if entry is not None:
            entries.append(entry)
    return entries, problems


def entry_folders(catalog_dir: Path) -> tuple[list[Path], list[Problem]]:
    """The entry folders of the catalog, in slug order, and every problem with the others."""
    problems: list[Problem] = []
    if not catalog_dir.is_dir():
        return [], [Problem(catalog_dir, None, "", "folder katalog tidak ditemukan (catalog folder not found)")]
    folders = []
    seen: dict[str, Path] = {}
    # One listing with each item's kind, rather than an lstat and a stat per folder.
    with os.scandir(catalog_dir) as listing:
        items = sorted(listing, key=lambda item: item.name)
    for item in items:
        path = catalog_dir / item.name
        if path.name.startswith((".", "_")):
            continue
        if item.is_symlink():
            problems.append(Problem(path, None, "", "tautan simbolik (symlink) tidak diizinkan di katalog; salin foldernya"))
            continue
        if not _is_dir(item):
            problems.append(
                Problem(
                    path,
                    None,
                    "",
                    f"berkas liar di folder katalog; setiap usaha harus berupa folder berisi index.md (misalnya {catalog_dir.name}/{slugify(path.stem) or 'nama-usaha'}/index.md)",
                )
            )
            continue
        folded = path.name.lower()
        if folded in seen:
            problems.append(
                Problem(
                    path, None, "", f"slug ganda: folder '{path.name}' sama dengan '{seen[folded].name}' bila huruf besar/kecil diabaikan"
                )
            )
            continue
        seen[folded] = path
        if not SLUG.match(path.name):
            problems.append(
                Problem(
                    path,
                    None,
                    "",
                    f"nama folder '{path.name}' bukan slug yang valid: hanya huruf kecil a-z, angka 0-9 dan tanda hubung (coba '{slugify(path.name)}')",
                )
            )
            continue
        folders.append(path)
    return folders, problems


def load_entry(folder: Path) -> tuple[RawEntry | None, list[Problem]]:
    """Read one entry folder: its files, then its index.md."""
    index = folder / "index.md"
    problems = []
    files, layout_problems, index_found = scan_folder(folder)
    problems += layout_problems
    if index_found is None:  # the folder could not be listed: ask the file itself
        index_found = not index.is_symlink() and index.is_file()
    if not index_found:
        problems.append(Problem(index, None, "", "berkas index.md tidak ditemukan di folder usaha"))
        return None, problems
    raw = index.read_bytes()
    if len(raw) > MAX_INDEX_BYTES:
        problems.append(
            Problem(index, None, "", f"berkas terlalu besar ({-(-len(raw) // 1024)} KB; paling besar {MAX_INDEX_BYTES // 1024} KB)")
        )
        return None, problems
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(index, line, "", "berkas bukan teks UTF-8; simpan ulang dengan pengodean UTF-8"))
        return None, problems
    parsed = _split_front_matter(index, text)
    if isinstance(parsed, Problem):
        return None, [*problems, parsed]
    front, front_line, body, body_line = parsed
    try:
        doc = parse_yaml(front, front_line)
    except YamlSyntaxError as exc:
        return None, [*problems, Problem(index, exc.line, "", exc.message)]
    problems += [Problem(index, line, field, message) for line, field, message in doc.issues]
    if not isinstance(doc.data, dict):
        problems.append(Problem(index, front_line, "", "front matter harus berisi pasangan 'kunci: nilai', misalnya 'nama: Telaga Batik'"))
        return None, problems
    return RawEntry(folder.name, index, doc, body, body_line, files, text), problems


def _split_front_matter(index: Path, text: str) -> tuple[str, int, str, int] | Problem:
    """Split `---` front matter from the story; an absent or unclosed block is an error."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0].rstrip("\r\n")):
        return Problem(
            index,
            1,
            "",
            "blok front matter tidak ditemukan: baris pertama harus '---', diikuti data usaha, lalu '---' (front matter missing)",
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith(("---", "...")) and _END.match(line.rstrip("\r\n")):
            front = "".join(lines[1 : number - 1])
            body = "".join(lines[number:])
            return front, 2, body, number + 1
    return Problem(index, 1, "", "blok front matter tidak ditutup: tambahkan baris '---' setelah data usaha (front matter not closed)")


def scan_folder(folder: Path) -> tuple[tuple[Path, ...], list[Problem], bool | None]:
    """Photos in an entry folder; anything else (other files, symlinks, deep folders) is a problem.

    The one walk of an entry folder: the loader and the photo stage (`builder.images`) both use it,
    so both agree on which files are the entry's photos. A photo is never a symlink nor under one.

    Also whether `index.md` is a regular file (not a symlink), or None when the folder could not be
    listed. One `os.scandir` per folder: most entries hold only `index.md`, and its kind comes from
    the listing, so a folder costs one system call instead of a walk and a `stat` per file.
    """
    problems: list[Problem] = []
    photos: list[Path] = []
    index_found = _scan_into(folder, None, 0, photos, problems)
    return tuple(photos), problems, index_found


def _scan_into(root: Path, relative: Path | None, depth: int, photos: list[Path], problems: list[Problem]) -> bool | None:
    """One folder of `scan_folder`, then its subfolders, in the order `os.walk` visits them."""
    try:
        with os.scandir(root) as listing:
            found = list(listing)
    except OSError:
        return None  # as os.walk does: a folder that cannot be listed is passed over silently
    dirs: dict[str, os.DirEntry[str]] = {}
    files: dict[str, os.DirEntry[str]] = {}
    for item in found:
        # Follows a symlink, as os.walk does, so a linked folder counts as a folder.
        (dirs if _is_dir(item) else files)[item.name] = item
    walk = []
    for name in sorted(dirs):
        if dirs[name].is_symlink():
            problems.append(Problem(root / name, None, "", "tautan simbolik (symlink) tidak diizinkan di folder usaha"))
        elif depth + 1 > MAX_FOLDER_DEPTH:
            problems.append(Problem(root / name, None, "", f"folder terlalu dalam (paling dalam {MAX_FOLDER_DEPTH} tingkat)"))
        else:
            walk.append(name)
    index_found = False
    for name in sorted(files):
        item = files[name]
        if item.is_symlink():
            problems.append(Problem(root / name, None, "", "tautan simbolik (symlink) tidak diizinkan di folder usaha"))
        elif relative is None and name == "index.md":
            index_found = item.is_file()
        elif _suffix(name).lower() in PHOTO_SUFFIXES and not name.startswith("."):
            photos.append(relative / name if relative else Path(name))
        else:
            problems.append(
                Problem(
                    root / name,
                    None,
                    "",
                    "berkas tidak diizinkan di folder usaha: hanya index.md dan foto (JPEG, PNG, WebP, GIF, HEIC) yang boleh ada",
                )
            )
    for name in walk:
        _scan_into(root / name, relative / name if relative else Path(name), depth + 1, photos, problems)
    return index_found


def _is_dir(item: os.DirEntry[str]) -> bool:
    """`Path.is_dir()` from a listing: False when the kind cannot be read."""
    try:
        return item.is_dir()
    except OSError:
        return False


def _suffix(name: str) -> str:
    """`PurePath(name).suffix`, without building a path."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""
