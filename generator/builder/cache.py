"""Validated entries kept between builds, keyed by a fingerprint of everything they were made from.

`entries/` holds, per business, the result of loading and validating its folder (the typed entry
and every problem), keyed by the raw inputs: the bytes of `index.md`, the names and kinds of the
folder's files, the region data, the build year, and the code of the loader and validator with
the libraries' versions (`core.fingerprint`). A hit skips YAML parsing and validation, the one
per-entry step whose cost a benchmark shows worth keeping (README, Skala).

Nothing is trusted that does not match its key, and a record that cannot be read or decoded is a
miss: the build then does the work again. A full build drops the records of removed businesses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.builder import codec
from generator.core.files import write_atomic
from generator.core.fingerprint import code_fingerprint
from generator.core.models import Entry
from generator.core.problems import Problem

VALIDATION_DIR = "entries"
MAX_SCAN_DEPTH = 4  # deeper than the loader looks (load.MAX_FOLDER_DEPTH) cannot change its result


def _format() -> str:
    """The shard files' layout and the records' encoding, named by the code that writes them."""
    return code_fingerprint("generator.builder.cache")[:16]


def folder_fingerprint(folder: Path) -> str:
    """The raw inputs of one entry: `index.md`'s bytes and the names and kinds of its files."""
    digest = hashlib.sha256()
    try:
        digest.update((folder / "index.md").read_bytes())
    except OSError as exc:
        digest.update(f"\x00index.md: {type(exc).__name__}".encode())
    _scan(folder, "", 0, digest)
    return digest.hexdigest()


def _scan(folder: Path, prefix: str, depth: int, digest: Any) -> None:
    try:
        with os.scandir(folder) as items:
            found = sorted(items, key=lambda item: item.name)
    except OSError as exc:
        digest.update(f"\x00{prefix}: {type(exc).__name__}".encode())
        return
    for item in found:
        if item.is_symlink():
            kind = "l"
        elif item.is_dir(follow_symlinks=False):
            kind = "d"
        elif item.is_file(follow_symlinks=False):
            kind = "f"
        else:
            kind = "o"
        digest.update(f"\x00{prefix}{item.name}\x00{kind}".encode())
        if kind == "d" and depth < MAX_SCAN_DEPTH:
            _scan(Path(item.path), f"{prefix}{item.name}/", depth + 1, digest)


class RecordStore:
    """One folder of records by business slug, packed into a fixed number of shard files.

    A record is one line of JSON (the key, the data and the byte lengths of its texts) followed by
    the texts themselves, raw: rendered pages are most of a record, and decoding them from JSON
    strings would cost more than the rest of a cache hit. Records are packed into SHARDS files by
    a hash of the slug, because creating a file costs more than rendering a page on common disks;
    editing one entry rewrites one shard. Call `save` when done.
    """

    SHARDS = 64

    def __init__(self, folder: Path):
        self.folder = folder
        self._shards: dict[int, dict[str, bytes | memoryview]] = {}
        self._dirty: set[int] = set()

    def get(self, slug: str, key: str) -> tuple[Any, list[str]] | None:
        """The data and texts stored for `slug` under `key`; None when absent, damaged or stale."""
        return _parse_record(self._shard(slug).get(slug), key)

    def get_many(self, keys: Mapping[str, str]) -> dict[str, tuple[Any, list[str]] | None]:
        """`get` for every slug in `keys` (slug -> key), reading one shard at a time and letting it
        go once read, so a large store is never held in memory whole beside what it decodes to."""
        by_shard: dict[int, list[str]] = {}
        for slug in keys:
            by_shard.setdefault(_shard_number(slug, self.SHARDS), []).append(slug)
        found = {}
        for number, slugs in sorted(by_shard.items()):
            records = self._load(number)
            for slug in slugs:
                found[slug] = _parse_record(records.get(slug), keys[slug])
            if number not in self._dirty:
                del self._shards[number]
        return {slug: found[slug] for slug in keys}

    def put(self, slug: str, key: str, data: Any, texts: Iterable[str] = ()) -> None:
        """Keep a record, written by the next `save`."""
        blobs = [text.encode() for text in texts]
        head = json.dumps({"kunci": key, "isi": data, "teks": [len(b) for b in blobs]}, ensure_ascii=False)
        self._shard(slug)[slug] = b"".join([head.encode(), b"\n", *blobs])
        self._dirty.add(_shard_number(slug, self.SHARDS))

    def keep_only(self, slugs: Iterable[str]) -> None:
        """Drop the records of businesses no longer in the catalog (after a full build)."""
        wanted = set(slugs)
        for number in range(self.SHARDS):
            if number not in self._shards and _read_index(self.folder / f"{number:02x}.rec").keys() <= wanted:
                continue  # nothing to drop: the shard is not read whole
            records = self._load(number)
            gone = [slug for slug in records if slug not in wanted]
            for slug in gone:
                del records[slug]
            if gone:
                self._dirty.add(number)

    def save(self) -> None:
        """Write the shards that changed, each atomically, and let go of what was read.

        A cache that cannot be written only costs speed."""
        for number in sorted(self._dirty):
            records = self._shards.get(number, {})
            index, offset = {}, 0
            for slug in sorted(records):
                index[slug] = [offset, len(records[slug])]
                offset += len(records[slug])
            head = json.dumps({"format": _format(), "isi": index}, ensure_ascii=False).encode()
            path = self.folder / f"{number:02x}.rec"
            with contextlib.suppress(OSError):
                write_atomic(path, head + b"\n" + b"".join(records[slug] for slug in sorted(records)))
        self._dirty.clear()
        self._shards.clear()

    def _shard(self, slug: str) -> dict[str, bytes | memoryview]:
        return self._load(_shard_number(slug, self.SHARDS))

    def _load(self, number: int) -> dict[str, bytes | memoryview]:
        records = self._shards.get(number)
        if records is None:
            records = self._shards[number] = _read_shard(self.folder / f"{number:02x}.rec")
        return records


def _shard_number(slug: str, shards: int) -> int:
    return zlib.crc32(slug.encode()) % shards


def _parse_record(record: bytes | memoryview | None, key: str) -> tuple[Any, list[str]] | None:
    if record is None:
        return None
    raw = bytes(record)
    try:
        end = raw.index(b"\n")
        head = json.loads(raw[:end])
        if not isinstance(head, dict) or head.get("kunci") != key:
            return None
        texts, position = [], end + 1
        for size in head["teks"]:
            if not isinstance(size, int) or size < 0 or position + size > len(raw):
                return None
            texts.append(raw[position : position + size].decode())
            position += size
        if position != len(raw):
            return None
        return head.get("isi"), texts
    except (ValueError, TypeError, KeyError):
        return None


def _read_index(path: Path) -> dict[str, Any]:
    """The slugs of a shard file, from its first line only; nothing when absent or not ours."""
    try:
        with open(path, "rb") as shard:
            return _shard_index(shard.readline())
    except (OSError, ValueError):
        return {}


def _shard_index(line: bytes) -> dict[str, Any]:
    """A shard's first line: slug -> [offset, size] of its record; raises ValueError when not ours."""
    head = json.loads(line)
    if not isinstance(head, dict) or head.get("format") != _format() or not isinstance(head.get("isi"), dict):
        raise ValueError("not a shard of this format")
    index: dict[str, Any] = head["isi"]
    return index


def _read_shard(path: Path) -> dict[str, bytes | memoryview]:
    """The records of one shard file by slug; nothing when it is absent or not one of ours."""
    try:
        raw = path.read_bytes()
        end = raw.index(b"\n")
        index = _shard_index(raw[:end])
        body = memoryview(raw)[end + 1 :]
        records: dict[str, bytes | memoryview] = {}
        for slug, (offset, size) in index.items():
            if not (isinstance(offset, int) and isinstance(size, int) and offset >= 0 and offset + size <= len(body)):
                return {}
            records[slug] = body[offset : offset + size]
        return records
    except (OSError, ValueError, TypeError):
        return {}


@dataclass(frozen=True)
class _StoredProblem:
    path: str  # relative to the entry folder
    line: int | None
    field: str
    message: str
    level: str


@dataclass(frozen=True)
class _Validated:
    entry: Entry | None  # `source` relative to the entry folder
    problems: tuple[_StoredProblem, ...]


def cached_validation(store: RecordStore, folder: Path, key: str) -> tuple[Entry | None, list[Problem]] | None:
    """The entry and problems validating `folder` gave in an earlier build with the same inputs (`key`)."""
    stored = store.get(folder.name, key)
    if stored is None:
        return None
    data, _ = stored
    try:
        if isinstance(data, dict) and isinstance(data.get("entry"), dict):
            data["entry"]["source"] = str(folder / "index.md")
        found = codec.decode(_Validated, data)
    except codec.CodecError:
        return None
    return found.entry, [Problem(folder / p.path, p.line, p.field, p.message, p.level) for p in found.problems]


def store_validation(store: RecordStore, folder: Path, key: str, entry: Entry | None, problems: list[Problem]) -> None:
    """Keep what validating `folder` gave, for `cached_validation`."""
    index = folder / "index.md"
    kept = tuple(_StoredProblem(os.path.relpath(p.path, folder), p.line, p.field, p.message, p.level) for p in problems)
    if (entry is not None and entry.source != index) or any(p.path.startswith("..") for p in kept):
        return  # not expressible relative to the folder: never cached
    relative = dataclasses.replace(entry, source=Path("index.md")) if entry else None
    store.put(folder.name, key, codec.encode(_Validated(relative, kept)))
