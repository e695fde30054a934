"""Work that is not in the entry cache, spread over the machine's cores.

Validating and rendering an entry is pure Python, so threads would take turns on one core.
Worker processes forked from the build share everything it has loaded (region, templates,
photos) without copying it, and only each result travels back. Used for the entries the cache
did not have: a first build, a new build date, an edited template. Small batches (an edit under
`umkm serve`) stay in the build's own process, where a fork would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

MIN_BATCH = 64  # fewer items than this are done here
_T = TypeVar("_T")
_R = TypeVar("_R")

# The job of the workers being forked: set just before the fork, read by `_call` in the child.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def map_items(fn: Callable[[_T], _R], items: Sequence[_T], *, workers: int | None = None, min_batch: int | None = None) -> list[_R]:
    """`[fn(item) for item in items]`, in forked worker processes when that pays (Linux only).

    `fn` may be any callable (a closure too): the workers inherit it, nothing is pickled but each
    item's index and its result. An exception in `fn` is raised here, as it would be in a loop."""
    global _job
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(items) < (MIN_BATCH if min_batch is None else min_batch) or workers < 2 or not sys.platform.startswith("linux") or _job is not None:
        return [fn(item) for item in items]
    _job = (fn, items)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            chunk = max(1, len(items) // (workers * 8))
            return list(pool.map(_call, range(len(items)), chunksize=chunk))
    except (BrokenProcessPool, OSError):
        pass  # no process could be started or one died (out of memory, a container's limits)
    finally:
        _job = None
    return [fn(item) for item in items]


def run_apart(fn: Callable[[], _R]) -> _R:
    """`fn()` in a forked child process, whose memory goes back to the system when it ends (Linux;
    elsewhere here). For a step whose peak must not add to the next one's (umkm cetak prepares its
    documents apart, then only Chromium's memory counts). Its result and exceptions are pickled."""
    if not sys.platform.startswith("linux"):
        return fn()
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        try:
            outcome: tuple[bool, Any] = (True, fn())
        except BaseException as exc:
            outcome = (False, exc)
        writer.send(outcome)

    process = context.Process(target=child)
    process.start()
    writer.close()
    try:
        ok, value = reader.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"proses anak berhenti tanpa hasil (kode {process.exitcode}); memori habis?") from None
    finally:
        process.join()
        reader.close()
    if not ok:
        raise value
    return value  # type: ignore[no-any-return,unused-ignore]


def _call(index: int) -> Any:
    assert _job is not None  # set by map_items before the fork
    fn, items = _job
    return fn(items[index])
