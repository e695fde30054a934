"""Photos: turn owners' phone pictures into small, private, responsive images.

Every photo an entry references is decoded once, turned upright, converted to sRGB and written
as WebP at a few widths, plus 4:3 card thumbnails in WebP; every browser a buyer uses shows
WebP. One JPEG is written too, at the largest width, for the clients that need it: link
previews (`og:image`, read by WhatsApp and others) and the no-JavaScript full-size link. Outputs carry no
metadata at all (no EXIF, GPS, ICC or XMP) and originals are never published. Results live in a
cache folder keyed by the source bytes' hash and the options, so a rebuild with unchanged photos
decodes nothing. No MkDocs here: the adapter publishes `ProcessedPhoto.cache_files`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from generator.builder.load import scan_folder
from generator.core.files import write_atomic
from generator.core.fingerprint import code_fingerprint
from generator.core.imaging import (
    MAX_PHOTO_BYTES,
    MAX_PHOTO_MB,
    MAX_SIDE,
    RefusedPhoto,
    decode,
    decoders,
    flatten,
    open_image,
    private_metadata,
    upright_size,
)
from generator.core.models import Entry, ImageVariant, ProcessedPhoto
from generator.core.problems import ERROR, WARNING, Problem

FULL_WIDTHS = (320, 640, 1280)  # responsive widths of the whole photo
THUMB_WIDTHS = (320, 640)  # card thumbnails
THUMB_ASPECT = (4, 3)  # every card thumbnail is cropped to this ratio so grids line up
MIN_PHOTO_SIDE = 400  # long side under this looks blurry on a phone: warned about
WEBP_QUALITY = 80
WEBP_METHOD = 4
JPEG_QUALITY = 82
PHOTO_DIR = "photos"  # processed variants, in the cache folder
MANIFEST_NAME = "photos.json"  # what each variant was made from
_T = TypeVar("_T")


@dataclass(frozen=True)
class PhotoStats:
    """What the last `process_photos` call did: decoded photos versus cache hits."""

    processed: int = 0  # photos decoded and encoded in this run
    cached: int = 0  # photos served from the cache without decoding
    failed: int = 0  # photos refused with an error


last_stats = PhotoStats()  # set by every `process_photos` call


def process_photos(
    entries: Iterable[Entry], cache_dir: Path, *, workers: int | None = None, prune: bool = False
) -> tuple[dict[Path, ProcessedPhoto], list[Problem]]:
    """Make the responsive variants of every referenced photo, keyed by absolute source path.

    `prune` (a build of the whole catalog) drops from the cache every variant this run did not use:
    those of removed or changed photos and those made by other code or options."""
    global last_stats
    jobs, problems = _collect_jobs(entries)
    cache_dir = Path(cache_dir).resolve()
    manifest = _read_manifest(cache_dir)
    fingerprint = options_fingerprint()
    if jobs:
        decoders()  # as when every job went to the pool: decoders registered even if nothing is decoded
    # Photos unchanged since the last run cost a few stat calls: served here, not handed to threads,
    # whose start-up and locking cost more than that. The rest are processed in parallel.
    cached = [_cached_outcome(job, manifest, cache_dir, fingerprint) for job in jobs]
    misses = [job for job, outcome in zip(jobs, cached, strict=True) if outcome is None]
    fresh = iter(_run_parallel(lambda job: _process_job(job, manifest, cache_dir, fingerprint), misses, workers))
    outcomes = [outcome if outcome is not None else next(fresh) for outcome in cached]

    photos: dict[Path, ProcessedPhoto] = {}
    new_records: dict[str, Any] = {}
    new_sources: dict[str, Any] = {}
    for outcome in outcomes:
        problems.extend(outcome.problems)
        if outcome.photo is not None:
            photos[outcome.job.path] = outcome.photo
        if outcome.record is not None and outcome.digest is not None:
            new_records[outcome.digest] = outcome.record
        known = manifest.sources.get(str(outcome.job.path))
        if outcome.stat_sha is not None and known != outcome.stat_sha:
            new_sources[str(outcome.job.path)] = outcome.stat_sha
    if new_records or new_sources or prune:
        used = {o.digest for o in outcomes if o.photo is not None and o.digest is not None} if prune else None
        _update_manifest(cache_dir, new_records, new_sources, used)

    last_stats = PhotoStats(
        processed=sum(o.processed for o in outcomes),
        cached=sum(o.photo is not None and not o.processed for o in outcomes),
        failed=sum(o.photo is None for o in outcomes),
    )
    return photos, sorted(problems, key=Problem.sort_key)


def check_photos(entries: Iterable[Entry], *, workers: int | None = None) -> list[Problem]:
    """Report every photo problem `process_photos` would, without writing anything."""
    jobs, problems = _collect_jobs(entries)
    for found in _run_parallel(_check_job, jobs, workers):
        problems.extend(found)
    return sorted(problems, key=Problem.sort_key)


def photo_field(entry: Entry, rel: str) -> str:
    """The first field that references a photo: `foto[0]` or `produk[1].foto[0]`."""
    for i, path in enumerate(entry.foto):
        if path == rel:
            return f"foto[{i}]"
    for j, product in enumerate(entry.produk):
        for i, path in enumerate(product.foto):
            if path == rel:
                return f"produk[{j}].foto[{i}]"
    return "foto"


def photo_source(entry: Entry, rel: str) -> Path:
    """The key of a photo in `process_photos`' result: its absolute, resolved path."""
    return _resolved(entry.folder / rel)


def _resolved(path: Path) -> Path:
    """`path.resolve()`; a symlink loop (which `resolve` raises on) stays unresolved, so reading
    it fails later with a message rather than crashing the check."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return Path(os.path.abspath(path))


def options_fingerprint() -> str:
    """A short hash of everything besides the source bytes that shapes the output bytes."""
    options = {
        "code": code_fingerprint(__name__),  # this module, core/imaging.py and the libraries' versions
        "full": FULL_WIDTHS,
        "thumb": THUMB_WIDTHS,
        "aspect": THUMB_ASPECT,
        "max_side": MAX_SIDE,
        "webp": [WEBP_QUALITY, WEBP_METHOD],
        "jpeg": JPEG_QUALITY,
    }
    return hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:16]


# Messages. Indonesian first, English after, each naming the file as written in the field.


def _msg_not_found(rel: str) -> str:
    return f"foto '{rel}' tidak ditemukan (photo file not found)"


def _msg_outside(rel: str) -> str:
    return f"foto '{rel}' harus berada di dalam folder entri (photo must be inside the entry folder)"


def _msg_unreadable(rel: str) -> str:
    return f"foto '{rel}' tidak dapat dibaca (photo file cannot be read)"


def _msg_too_large_file(rel: str, size: int) -> str:
    return (
        f"foto '{rel}' berukuran {size / 1024 / 1024:.1f} MB, melebihi batas {MAX_PHOTO_MB} MB"
        " (MAX_PHOTO_BYTES); perkecil dulu (photo file too large)"
    )


def _msg_too_small(rel: str, size: tuple[int, int]) -> str:
    return (
        f"foto '{rel}' terlalu kecil ({size[0]}x{size[1]} piksel); sisi terpanjang sebaiknya"
        f" minimal {MIN_PHOTO_SIDE} piksel (photo too small)"
    )


def _msg_private_metadata(rel: str, found: Sequence[str]) -> str:
    return (
        f"foto '{rel}' memuat {', '.join(found)} dan repositori ini publik; "
        f"jalankan 'umkm bersihkan-foto' lalu commit ulang (photo holds personal metadata)"
    )


def _msg_unused(rel: str) -> str:
    return f"foto tidak dipakai: '{rel}' tidak dirujuk oleh field mana pun (unused photo)"


@dataclass(frozen=True)
class _Job:
    """One unique source photo and the first field that references it."""

    path: Path  # absolute, resolved
    rel: str  # as written in the field
    field: str
    entry_source: Path
    slug: str

    def problem(self, message: str, level: str = ERROR) -> Problem:
        return Problem(self.entry_source, None, self.field, message, level)


@dataclass
class _Manifest:
    sources: dict[str, Any] = field(default_factory=dict)  # path -> [stat key..., sha256]
    photos: dict[str, Any] = field(default_factory=dict)  # digest -> record


@dataclass(frozen=True)
class _Outcome:
    job: _Job
    photo: ProcessedPhoto | None = None
    problems: tuple[Problem, ...] = ()
    processed: bool = False
    digest: str | None = None
    record: dict[str, Any] | None = None  # set only when freshly processed
    stat_sha: list[Any] | None = None  # stat key and sha256 of the source, for the manifest


@dataclass(frozen=True)
class _Plan:
    """The pixel sizes to produce from a source whose upright size is known."""

    full: tuple[tuple[int, int], ...]
    thumbs: tuple[tuple[int, int], ...]
    crop: tuple[float, float, float, float]  # thumbnail crop, as fractions of the upright image
    scale: float  # smallest fraction of the source that still serves every output


def _collect_jobs(entries: Iterable[Entry]) -> tuple[list[_Job], list[Problem]]:
    jobs: dict[Path, _Job] = {}
    problems: list[Problem] = []
    parents: dict[Path, Path] = {}  # the catalog folder, resolved once rather than per entry
    for entry in entries:
        folder = _resolve_folder(entry.folder, parents)
        # In the walk's order; photos in hidden folders are left alone (neither used nor unused).
        listing = dict.fromkeys(p.as_posix() for p in scan_folder(folder)[0] if not any(part.startswith(".") for part in p.parts))
        referenced: set[Path] = set()
        for rel in entry.photo_paths():
            path = _resolve_photo(folder, rel, listing)
            if path == folder or not path.is_relative_to(folder):
                problems.append(Problem(entry.source, None, photo_field(entry, rel), _msg_outside(rel)))
                continue
            referenced.add(path)
            if path not in jobs:
                jobs[path] = _Job(path, rel, photo_field(entry, rel), entry.source, entry.slug)
        problems.extend(_find_unused(entry, folder, referenced, listing))
    return list(jobs.values()), problems


def _resolve_folder(folder: Path, parents: dict[Path, Path]) -> Path:
    """`folder.resolve()`, resolving the folder's parent only once for all its siblings."""
    parent, name = folder.parent, folder.name
    if name in ("", ".", ".."):
        return _resolved(folder)
    if parent not in parents:
        parents[parent] = _resolved(parent)
    resolved = parents[parent] / name
    try:
        if stat.S_ISLNK(os.lstat(resolved).st_mode):
            return _resolved(folder)
    except OSError:
        return _resolved(folder)
    return resolved


def _resolve_photo(folder: Path, rel: str, listing: dict[str, None]) -> Path:
    """`(folder / rel).resolve()`, answered from the folder's photos (never symlinks) when it is one."""
    path = folder / rel
    depth = len(folder.parts)
    below = path.parts[depth:]
    if below and path.parts[:depth] == folder.parts and "/".join(below) in listing:
        return path
    return _resolved(path)


def _find_unused(entry: Entry, folder: Path, referenced: set[Path], listing: dict[str, None]) -> list[Problem]:
    # The folder is resolved and no photo is a symlink, so a photo's path is its resolved path.
    return [Problem(entry.source, None, "", _msg_unused(rel), WARNING) for rel in listing if folder / rel not in referenced]


def _run_parallel(fn: Callable[[_Job], _T], jobs: Sequence[_Job], workers: int | None) -> list[_T]:
    if not jobs:
        return []
    decoders()  # register the HEIF opener once, before threads race to do it
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        return [fn(job) for job in jobs]
    # Pillow releases the GIL while decoding, resizing and encoding, so threads use every core.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="umkm-foto") as pool:
        return list(pool.map(fn, jobs))


def _cached_outcome(job: _Job, manifest: _Manifest, cache_dir: Path, fingerprint: str) -> _Outcome | None:
    """`_process_job`'s outcome for a photo unchanged since the last run and intact in the cache, or
    None for any other photo (left to `_process_job`, which reports what is wrong with it)."""
    try:
        key = _stat_key(_stat_source(job))
    except RefusedPhoto:
        return None
    known = manifest.sources.get(str(job.path))
    if not (isinstance(known, list) and known[:-1] == key):
        return None
    return _outcome_from_cache(job, key, known[-1], manifest, cache_dir, fingerprint)


def _outcome_from_cache(job: _Job, key: list[int], sha: Any, manifest: _Manifest, cache_dir: Path, fingerprint: str) -> _Outcome | None:
    digest = _digest(sha, fingerprint)
    record = manifest.photos.get(digest)
    if record is not None and _cache_intact(record, cache_dir):
        photo = _photo_from_record(job, digest, record, cache_dir)
        if photo is not None:
            warnings = tuple(_size_warnings(job, record["size"]))
            return _Outcome(job, photo, warnings, digest=digest, stat_sha=[*key, sha])
    return None


def _process_job(job: _Job, manifest: _Manifest, cache_dir: Path, fingerprint: str) -> _Outcome:
    try:
        key = _stat_key(_stat_source(job))
        data: bytes | None = None
        known = manifest.sources.get(str(job.path))
        if isinstance(known, list) and known[:-1] == key:
            sha = known[-1]  # unchanged since last run: not even read
        else:
            data = _read_source(job)
            sha = hashlib.sha256(data).hexdigest()
        cached = _outcome_from_cache(job, key, sha, manifest, cache_dir, fingerprint)
        if cached is not None:
            return cached
        if data is None:
            data = _read_source(job)
            sha = hashlib.sha256(data).hexdigest()
        digest = _digest(sha, fingerprint)
        record = _render(job, data, digest, cache_dir)
    except RefusedPhoto as error:
        return _Outcome(job, problems=(job.problem(error.message),))
    photo = _photo_from_record(job, digest, record, cache_dir)
    assert photo is not None  # a record we just made is well formed
    warnings = tuple(_size_warnings(job, record["size"]))
    return _Outcome(job, photo, warnings, True, digest, record, [*key, sha])


def _check_job(job: _Job) -> list[Problem]:
    try:
        image = open_image(_read_source(job), job.rel)
        size = upright_size(image)
        personal = private_metadata(image)
        if image.format == "JPEG":
            image.draft(None, (1, 1))  # decode at 1/8 scale: still reads every byte
        decode(image, job.rel)
    except RefusedPhoto as error:
        return [job.problem(error.message)]
    if personal:
        # The original is about to enter a public git history: an error (a pull request's check
        # lowers it to a warning for entries the pull request does not touch).
        return [*_size_warnings(job, size), job.problem(_msg_private_metadata(job.rel, personal))]
    return _size_warnings(job, size)


def _size_warnings(job: _Job, size: Sequence[int]) -> list[Problem]:
    width, height = size
    if max(width, height) < MIN_PHOTO_SIDE:
        return [job.problem(_msg_too_small(job.rel, (width, height)), WARNING)]
    return []


def _stat_source(job: _Job) -> os.stat_result:
    try:
        info = job.path.stat()
    except FileNotFoundError:
        raise RefusedPhoto(_msg_not_found(job.rel)) from None
    except OSError:
        raise RefusedPhoto(_msg_unreadable(job.rel)) from None
    if not stat.S_ISREG(info.st_mode):
        raise RefusedPhoto(_msg_unreadable(job.rel))
    if info.st_size > MAX_PHOTO_BYTES:
        raise RefusedPhoto(_msg_too_large_file(job.rel, info.st_size))
    return info


def _stat_key(info: os.stat_result) -> list[int]:
    # ctime cannot be set from user space, so a rewrite that keeps mtime still shows.
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _read_source(job: _Job) -> bytes:
    _stat_source(job)
    try:
        with job.path.open("rb") as file:
            data = file.read(MAX_PHOTO_BYTES + 1)  # bounded even if the file grows meanwhile
    except FileNotFoundError:
        raise RefusedPhoto(_msg_not_found(job.rel)) from None
    except OSError:
        raise RefusedPhoto(_msg_unreadable(job.rel)) from None
    if len(data) > MAX_PHOTO_BYTES:
        raise RefusedPhoto(_msg_too_large_file(job.rel, len(data)))
    return data


def _digest(sha: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{sha}:{fingerprint}".encode()).hexdigest()


def _plan(width: int, height: int) -> _Plan:
    """Widths never upscale and never pass MAX_SIDE; a narrow photo keeps its own width."""
    cap = max(1, min(width, MAX_SIDE, width * MAX_SIDE // height))
    largest = min(cap, FULL_WIDTHS[-1])
    full_widths = [w for w in FULL_WIDTHS if w < largest] + [largest]
    full = tuple((w, max(1, round(w * height / width))) for w in full_widths)

    ax, ay = THUMB_ASPECT
    if width * ay > height * ax:
        crop_w, crop_h = height * ax / ay, float(height)
    else:
        crop_w, crop_h = float(width), width * ay / ax
    thumb_cap = max(1, min(int(crop_w), MAX_SIDE))
    largest = min(thumb_cap, THUMB_WIDTHS[-1])
    thumb_widths = [w for w in THUMB_WIDTHS if w < largest] + [largest]
    thumbs = tuple((w, max(1, round(w * ay / ax))) for w in thumb_widths)
    crop = (
        (width - crop_w) / 2 / width,
        (height - crop_h) / 2 / height,
        (width + crop_w) / 2 / width,
        (height + crop_h) / 2 / height,
    )
    scale = min(1.0, max(full[-1][0] / width, thumbs[-1][0] / crop_w))
    return _Plan(full, thumbs, crop, scale)


def _render(job: _Job, data: bytes, digest: str, cache_dir: Path) -> dict[str, Any]:
    """Decode one photo, write its variants to the cache and return its manifest record."""
    image = open_image(data, job.rel)
    width, height = upright_size(image)
    plan = _plan(width, height)
    if image.format == "JPEG":
        # Let libjpeg downscale by 1/2, 1/4 or 1/8 while decoding: most of the speed.
        need = (math.ceil(width * plan.scale), math.ceil(height * plan.scale))
        if (width, height) != image.size:
            need = (need[1], need[0])
        image.draft(None, need)
    upright = decode(image, job.rel)

    variants = _resize_variants(upright, plan)
    files = []
    placeholder = ""
    for kind, (w, h), variant in variants:
        if not placeholder:
            placeholder = _average_colour(flatten(variant))
        outputs = [("webp", _encode_webp(variant))]
        if kind == "full" and (w, h) == plan.full[-1]:
            outputs.append(("jpg", _encode_jpeg(flatten(variant))))  # the one JPEG: link previews, no-JavaScript link
        for fmt, body in outputs:
            name = f"{digest[:16]}-{kind}-{w}w.{fmt}"
            write_atomic(cache_dir / PHOTO_DIR / name, body)
            files.append(
                {
                    "kind": kind,
                    "format": fmt,
                    "width": w,
                    "height": h,
                    "name": name,
                    "bytes": len(body),
                }
            )
    return {"size": [width, height], "placeholder": placeholder, "files": files}


def _resize_variants(upright: Image.Image, plan: _Plan) -> list[tuple[str, tuple[int, int], Image.Image]]:
    """Every variant, each from the smallest image made so far with at least twice its width.

    Halving steps with Lanczos look the same as one long step and cost a fraction of it.
    """
    made: dict[tuple[str, tuple[int, int]], Image.Image] = {}
    targets = [("full", size) for size in reversed(plan.full)]
    targets += [("thumb", size) for size in reversed(plan.thumbs)]
    for kind, size in targets:
        base, box = upright, _region(upright, "full", kind, plan)
        for (made_kind, _), candidate in made.items():
            if kind == "full" and made_kind == "thumb":
                continue
            region = _region(candidate, made_kind, kind, plan)
            if region[2] - region[0] >= 2 * size[0] and candidate.width < base.width:
                base, box = candidate, region
        made[(kind, size)] = base.resize(size, Image.Resampling.LANCZOS, box=box)
    order = [("full", size) for size in plan.full] + [("thumb", size) for size in plan.thumbs]
    return [(kind, size, made[(kind, size)]) for kind, size in order]


def _region(image: Image.Image, image_kind: str, target_kind: str, plan: _Plan) -> tuple[float, float, float, float]:
    """The part of `image` a `target_kind` variant shows: all of it, or the thumbnail crop."""
    if image_kind == target_kind:
        return (0.0, 0.0, float(image.width), float(image.height))
    left, top, right, bottom = plan.crop
    return (left * image.width, top * image.height, right * image.width, bottom * image.height)


def _average_colour(image: Image.Image) -> str:
    pixel = image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(pixel, tuple)  # an RGB image has tuple pixels
    red, green, blue = pixel[:3]
    return f"#{red:02x}{green:02x}{blue:02x}"


def _encode_webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return buffer.getvalue()


def _encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _cache_intact(record: Any, cache_dir: Path) -> bool:
    folder = cache_dir / PHOTO_DIR
    try:
        return all((folder / item["name"]).stat().st_size == item["bytes"] for item in record["files"])
    except (OSError, KeyError, TypeError):
        return False


def _photo_from_record(job: _Job, digest: str, record: Any, cache_dir: Path) -> ProcessedPhoto | None:
    """Site URIs are made here, not stored: the same bytes may be published under any entry."""
    stem = _uri_stem(job.rel)
    groups: dict[tuple[str, str], list[ImageVariant]] = {}
    cache_files = []
    folder = cache_dir / PHOTO_DIR
    try:
        for item in record["files"]:
            kind, fmt, width, height = (
                item["kind"],
                item["format"],
                int(item["width"]),
                int(item["height"]),
            )
            label = "-thumb" if kind == "thumb" else ""
            uri = f"foto/{job.slug}/{stem}-{digest[:8]}{label}-{width}w.{fmt}"
            mime = "image/webp" if fmt == "webp" else "image/jpeg"
            groups.setdefault((kind, fmt), []).append(ImageVariant(uri, width, height, mime))
            cache_files.append((uri, folder / item["name"]))
        source_width, source_height = record["size"]  # read again for the size warning
        if not (isinstance(source_width, int) and isinstance(source_height, int)):
            return None
        full_webp = groups[("full", "webp")]
        jpeg = groups[("full", "jpg")]
        if len(jpeg) != 1 or ("thumb", "jpg") in groups:
            return None  # a record of an older pipeline: processed again
        return ProcessedPhoto(
            source=job.path,
            width=full_webp[-1].width,
            height=full_webp[-1].height,
            placeholder=str(record["placeholder"]),
            webp=tuple(full_webp),
            jpeg=jpeg[0],
            thumb_webp=tuple(groups[("thumb", "webp")]),
            cache_files=tuple(cache_files),
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # a record from an older or damaged manifest: processed again


def _uri_stem(rel: str) -> str:
    """The file's stem as a URL-safe name: 'Foto Toko (1).JPG' -> 'foto-toko-1'."""
    stem = Path(rel.replace("\\", "/")).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_stem).strip("-")[:60].strip("-") or "foto"


def _read_manifest(cache_dir: Path) -> _Manifest:
    try:
        raw = json.loads((cache_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _Manifest()  # no cache yet, or a damaged one: everything is processed again
    if not isinstance(raw, dict) or raw.get("format") != options_fingerprint():
        return _Manifest()
    sources, photos = raw.get("sources"), raw.get("photos")
    return _Manifest(sources if isinstance(sources, dict) else {}, photos if isinstance(photos, dict) else {})


def _update_manifest(cache_dir: Path, records: dict[str, Any], sources: dict[str, Any], used: set[str] | None = None) -> None:
    # Merge with what is on disk now, so a run in parallel keeps what it added.
    manifest = _read_manifest(cache_dir)
    manifest.photos.update(records)
    manifest.sources.update(sources)
    live_sources = {path: key for path, key in manifest.sources.items() if os.path.exists(path)}
    if used is not None:
        manifest.photos = {digest: record for digest, record in manifest.photos.items() if digest in used}
        _remove_unlisted(cache_dir / PHOTO_DIR, manifest.photos)
    body = {"format": options_fingerprint(), "sources": live_sources, "photos": manifest.photos}
    text = json.dumps(body, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    write_atomic(cache_dir / MANIFEST_NAME, text.encode("utf-8"))


def _remove_unlisted(folder: Path, records: dict[str, Any]) -> None:
    """Delete the variant files no kept record names (a cache that cannot be cleaned only costs space)."""
    listed = {item.get("name") for record in records.values() if isinstance(record, dict) for item in record.get("files", ()) if isinstance(item, dict)}
    with contextlib.suppress(OSError), os.scandir(folder) as scan:
        for item in scan:
            if item.name not in listed and item.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(item.path)
