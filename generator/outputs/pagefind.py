"""The Pagefind index of the search records: written after the build, byte-identical per input.

The only code that speaks Pagefind. `index_site` hands each record (`record_html`: the record as a
small HTML page with Pagefind's `data-pagefind-*` attributes) to the Pagefind binary shipped in
the `pagefind[bin]` wheel, then rewrites the bundle's files in a canonical order so the same
catalog gives the same bytes. A rebuild whose records did not change keeps the bundle it has.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.core.fingerprint import code_fingerprint
from generator.outputs.search import SearchRecord

BUNDLE_DIR = "pagefind"
SEARCH_DIR = "search"  # in the cache folder: the record pages Pagefind reads, kept between builds


LANGUAGE = "id"


_EXIT_TIMEOUT_S = 120  # for the service to finish writing and exit


# Pagefind's prebuilt UI bundles: we ship our own small script (theme/assets/cari.js).
_UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


@dataclass(frozen=True)
class IndexedPage:
    """A record as the search reads it: `record_html` for Pagefind, its filter and sort values for
    the record files the search page fetches on demand (`write_record_files`)."""

    url: str
    html: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, record: SearchRecord) -> IndexedPage:
        return cls(record.url, record_html(record), record.filters, record.sort)


@dataclass(frozen=True)
class IndexStats:
    records: int
    files: int
    bytes: int
    seconds: float


class SearchIndexError(Exception):
    """The search index could not be built (a broken or missing Pagefind binary)."""


def index_site(
    site_dir: Path, records: Sequence[SearchRecord | IndexedPage], *, bundle_dir: str = BUNDLE_DIR, work_dir: Path | None = None
) -> IndexStats:
    """Write the Pagefind bundle for `records` into `site_dir/pagefind/`, byte-identical per input.

    `work_dir` keeps the record pages Pagefind reads between builds (the entry cache's folder), so a
    rebuild rewrites only the records that changed; without it they go to a temporary folder."""
    start = time.perf_counter()
    output = site_dir / bundle_dir
    indexed = [r if isinstance(r, IndexedPage) else IndexedPage.of(r) for r in records]
    marker = work_dir.with_name(work_dir.name + ".json") if work_dir else None
    digest = _records_digest(indexed)
    if marker is not None and records and _bundle_is_current(marker, output, digest):
        # A rebuild (umkm serve) whose records did not change keeps the bundle it already has.
        files = [p for p in output.rglob("*") if p.is_file()]
        return IndexStats(len(records), len(files), sum(p.stat().st_size for p in files), time.perf_counter() - start)
    if marker is not None:
        marker.unlink(missing_ok=True)
    if output.exists():
        shutil.rmtree(output)
    if not records:
        # A new catalog with no entry yet still builds; the search page says it cannot search.
        return IndexStats(records=0, files=0, bytes=0, seconds=time.perf_counter() - start)
    try:
        _write_index(indexed, output, work_dir)
    except (FileNotFoundError, PermissionError) as exc:
        raise SearchIndexError(f"Pagefind tidak ditemukan ({exc}); pasang dependensi proyek: pip install -e .") from exc
    except subprocess.TimeoutExpired as exc:
        raise SearchIndexError(f"Pagefind tidak selesai dalam {exc.timeout:.0f} detik") from exc
    for name in _UNUSED_BUNDLE_FILES:
        (output / name).unlink(missing_ok=True)
    try:
        stamp, urls = _canonicalize_bundle(output)
        write_record_files(output / RECORDS_DIR, stamp, urls, indexed)
    except (OSError, ValueError, LookupError) as exc:
        raise SearchIndexError(f"indeks pencarian Pagefind tidak lengkap ({exc})") from exc
    files = [p for p in output.rglob("*") if p.is_file()]
    if marker is not None:
        _remember_bundle(marker, output, digest, files)
    return IndexStats(
        records=len(records),
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        seconds=time.perf_counter() - start,
    )


def _records_digest(records: Sequence[IndexedPage]) -> str:
    # The records and the code that indexes them (this module, Pagefind's version): a new Pagefind
    # writes a new bundle even from the same records.
    digest = hashlib.sha256(code_fingerprint(__name__).encode())
    for record in sorted(records, key=lambda r: r.url):
        digest.update(record.url.encode() + b"\0" + record.html.encode() + b"\0")
        digest.update(json.dumps([record.filters, record.sort]).encode() + b"\0")
    return digest.hexdigest()


def _bundle_is_current(marker: Path, output: Path, digest: str) -> bool:
    """Whether `output` is still the bundle made from records with this digest (every file as written)."""
    try:
        known = json.loads(marker.read_text(encoding="utf-8"))
        if known.get("catatan") != digest or known.get("bundel") != str(output):
            return False
        files = known["berkas"]
        return (
            bool(files)
            and all((output / name).stat().st_size == size for name, size in files.items())
            and sum(1 for p in output.rglob("*") if p.is_file()) == len(files)
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False


def _remember_bundle(marker: Path, output: Path, digest: str, files: Sequence[Path]) -> None:
    sizes = {p.relative_to(output).as_posix(): p.stat().st_size for p in files}
    with contextlib.suppress(OSError):
        marker.write_text(json.dumps({"catatan": digest, "bundel": str(output), "berkas": sizes}), encoding="utf-8")


def record_html(record: SearchRecord) -> str:
    """The record as the small HTML document Pagefind indexes (every value escaped)."""
    e = html.escape
    parts = [
        f'<!doctype html><html lang="{LANGUAGE}"><head><title>{e(record.title)}</title></head>',
        "<body><main data-pagefind-body>",
        f"<h1>{e(record.title)}</h1>",
        f'<p data-pagefind-weight="2">{e(record.summary)}</p>',
        f"<p>{e(record.keywords)}</p>",
    ]
    if record.story:
        parts.append(f'<div data-pagefind-weight="0.5">{record.story}</div>')
    for section in record.sections:
        parts.append(f'<h2 id="{e(section.anchor)}">{e(section.title)}</h2>')
        if section.text:
            parts.append(f"<p>{e(section.text)}</p>")
    # Only what a result shows. Filters and sort orders are not Pagefind's (`write_record_files`):
    # its sort keys are a list of every record in the metadata fetched before the first result.
    parts.append('<div data-pagefind-ignore="index">')
    parts += [f'<span data-pagefind-meta="{e(key)}">{e(value)}</span>' for key, value in record.meta]
    parts.append("</div></main></body></html>")
    return "".join(parts)


def _write_index(records: Sequence[IndexedPage], output: Path, work_dir: Path | None = None) -> None:
    """Run Pagefind's own command line over one small page per record.

    Not its Python service: that replies "files written" while the writes are still queued on
    background threads, and its process may end before they land (an empty
    `pagefind-entry.json`, seen under load). The command finishes its writes before it exits.
    Pagefind orders the records itself when it writes, so the bundle does not depend on the
    order of the files.
    """
    from pagefind.service import get_executable

    executable = get_executable()
    if executable is None:
        raise FileNotFoundError("pagefind")
    with tempfile.TemporaryDirectory(prefix="umkm-cari-") as tmp:
        pages = work_dir or Path(tmp) / "halaman"
        _sync_record_pages(records, pages)
        command = [str(executable), "--site", str(pages), "--output-path", str(output), "--force-language", LANGUAGE, "--silent"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=_EXIT_TIMEOUT_S * 10, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind gagal membangun indeks pencarian: {(result.stderr or result.stdout).strip()[-500:]}")


def _sync_record_pages(records: Sequence[IndexedPage], pages: Path) -> None:
    """Make `pages` hold exactly one page per record: unchanged files are left alone."""
    pages.mkdir(parents=True, exist_ok=True)
    wanted = {pages / record.url / "index.html": record.html.encode() for record in records}
    for path in pages.rglob("*"):
        if path.is_file() and path not in wanted:
            path.unlink()
    for path, data in wanted.items():
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


_SIGNATURE = b"pagefind_dcd"


def _canonicalize_bundle(output: Path) -> tuple[str, list[str]]:
    """Rewrite the bundle in a canonical order; returns the fragments' stamp and the record URLs by number."""
    import cbor2

    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    if len(entry["languages"]) != 1:
        raise ValueError(f"satu bahasa diharapkan, ditemukan {sorted(entry['languages'])}")
    for language, info in entry["languages"].items():
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = cbor2.loads(_unpack(meta_path.read_bytes()))
        renamed = []
        for name, old_hash in meta[3]:
            filter_path = output / "filter" / f"{old_hash}.pf_filter"
            data = cbor2.loads(_unpack(filter_path.read_bytes()))
            data[1] = sorted(data[1], key=lambda item: item[0])
            body = cbor2.dumps(data)
            new_hash = f"{language}_{hashlib.sha256(body).hexdigest()[:7]}"
            filter_path.unlink()
            (output / "filter" / f"{new_hash}.pf_filter").write_bytes(_pack(body))
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed)
        meta[4] = sorted(meta[4], key=lambda item: item[0])  # sort keys, each with its record order
        stamp, urls = _shorten_fragment_names(output, meta[1])
        body = cbor2.dumps(meta)
        new_hash = f"{language}_{hashlib.sha256(body).hexdigest()[:10]}"
        meta_path.unlink()
        (output / f"pagefind.{new_hash}.pf_meta").write_bytes(_pack(body))
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return stamp, urls


def _shorten_fragment_names(output: Path, pages: list[list[object]]) -> tuple[str, list[str]]:
    """Rename every record's fragment to the bundle's stamp and the record's number.

    Pagefind names a fragment by a 7-hex hash of it and lists every name in the metadata that a
    browser downloads before the first result: random hex does not compress, and at 10,000
    businesses the names were half of that file (48 of 102 KB). Numbered names compress to a
    fraction. The stamp is a hash of all the old names, so a changed record changes every name
    and no cache can serve an old fragment under a name it had before."""
    stamp = hashlib.sha256("".join(str(page[0]) for page in pages).encode()).hexdigest()[:STAMP_LENGTH]
    folder = output / "fragment"
    urls = []
    for number, page in enumerate(pages):
        new = f"{stamp}{_base36(number)}"
        path = folder / f"{new}.pf_fragment"
        (folder / f"{page[0]}.pf_fragment").rename(path)
        urls.append(json.loads(_unpack(path.read_bytes()))["url"])
        page[0] = new
    return stamp, urls


# --- the record files: filters and sort orders by record number, fetched only when used ---------

RECORDS_DIR = "umkm"  # in the bundle: saring.json, urut-<key>.json
STAMP_LENGTH = 4
_MAX_BITS = 52  # a code is a JavaScript number: exact up to 2**53
_CODE_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"


def write_record_files(folder: Path, stamp: str, urls: Sequence[str], records: Sequence[IndexedPage]) -> None:
    """Write the filter values and sort orders of every record, by its number in the bundle.

    Pagefind's own filters and sort keys cost too much on a phone at 10,000 businesses (README,
    *Cari*): each sort key puts a list of every record into the metadata fetched before the first
    result (21 KB each), and its filter index is about 2.2 bytes per business per filter. Here one
    column of fixed-width codes per filter (`saring.json`) and one rank per record per sort key
    (`urut-<key>.json`) are fetched only when the buyer filters, opens the filter panel or sorts;
    `theme/assets/cari.js` maps a Pagefind result to its record by the number in its fragment's
    name (`_shorten_fragment_names`). Codes are digits of base 64, a fixed number per record, so
    gzip finds the repeats."""
    by_url = {f"/{record.url.lstrip('/')}": record for record in records}
    ordered = [by_url[url] for url in urls]
    head = {"stamp": stamp, "count": len(ordered)}
    folder.mkdir(parents=True, exist_ok=True)
    groups: dict[str, None] = {}
    for record in ordered:
        groups.update(dict.fromkeys(key for key, _ in record.filters))
    columns = {}
    for group in groups:
        rows = [dict(record.filters).get(group, ()) for record in ordered]
        values = sorted({value for row in rows for value in row})
        multi = any(len(row) > 1 for row in rows)
        if multi and len(values) > _MAX_BITS:
            raise ValueError(f"saringan {group}: lebih dari {_MAX_BITS} nilai")
        index = {value: number for number, value in enumerate(values)}
        # One value a record: its number + 1 (0: none); several: one bit per value.
        codes = [sum(1 << index[v] for v in row) if multi else (index[row[0]] + 1 if row else 0) for row in rows]
        width = _code_width(max(codes, default=0))
        columns[group] = {"values": values, "multi": multi, "width": width, "codes": "".join(_code(c, width) for c in codes)}
    _write_json(folder / "saring.json", {**head, "columns": columns})
    keys: dict[str, None] = {}
    for record in ordered:
        keys.update(dict.fromkeys(key for key, _ in record.sort))
    for key in keys:
        # Records without the key sort last; equal values share a rank (the page keeps their order).
        sort_values = [dict(record.sort).get(key) for record in ordered]
        ranks = {value: rank for rank, value in enumerate(sorted({v for v in sort_values if v is not None}))}
        missing = len(ranks)
        codes = [ranks[v] if v is not None else missing for v in sort_values]
        width = _code_width(max(codes, default=0))
        _write_json(folder / f"urut-{key}.json", {**head, "width": width, "codes": "".join(_code(c, width) for c in codes)})


def _code_width(largest: int) -> int:
    width = 1
    while largest >= len(_CODE_DIGITS) ** width:
        width += 1
    return width


def _code(number: int, width: int) -> str:
    digits = ""
    for _ in range(width):
        number, rest = divmod(number, len(_CODE_DIGITS))
        digits = _CODE_DIGITS[rest] + digits
    return digits


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
        if not number:
            return digits


def _unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(_SIGNATURE):
        raise SearchIndexError("berkas indeks Pagefind tidak dikenal (versi Pagefind berubah?)")
    return raw[len(_SIGNATURE) :]


def _pack(body: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + body, compresslevel=9, mtime=0)
