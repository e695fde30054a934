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
    """A record as Pagefind reads it: the page's URL and `record_html` (kept in the entry cache)."""

    url: str
    html: str

    @classmethod
    def of(cls, record: SearchRecord) -> IndexedPage:
        return cls(record.url, record_html(record))


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
        _canonicalize_bundle(output)
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
    parts.append('<div data-pagefind-ignore="index">')
    parts += [f'<span data-pagefind-meta="{e(key)}">{e(value)}</span>' for key, value in record.meta]
    parts += [f'<span data-pagefind-filter="{e(key)}">{e(value)}</span>' for key, values in record.filters for value in values]
    parts += [f'<span data-pagefind-sort="{e(key)}">{e(value)}</span>' for key, value in record.sort]
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


def _canonicalize_bundle(output: Path) -> None:
    import cbor2

    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
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
        _shorten_fragment_names(output, meta[1])
        body = cbor2.dumps(meta)
        new_hash = f"{language}_{hashlib.sha256(body).hexdigest()[:10]}"
        meta_path.unlink()
        (output / f"pagefind.{new_hash}.pf_meta").write_bytes(_pack(body))
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _shorten_fragment_names(output: Path, pages: list[list[object]]) -> None:
    """Rename every record's fragment to the bundle's stamp and the record's number.

    Pagefind names a fragment by a 7-hex hash of it and lists every name in the metadata that a
    browser downloads before the first result: random hex does not compress, and at 10,000
    businesses the names were half of that file (48 of 102 KB). Numbered names compress to a
    fraction. The stamp is a hash of all the old names, so a changed record changes every name
    and no cache can serve an old fragment under a name it had before."""
    stamp = hashlib.sha256("".join(str(page[0]) for page in pages).encode()).hexdigest()[:4]
    folder = output / "fragment"
    for number, page in enumerate(pages):
        new = f"{stamp}{_base36(number)}"
        (folder / f"{page[0]}.pf_fragment").rename(folder / f"{new}.pf_fragment")
        page[0] = new


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
