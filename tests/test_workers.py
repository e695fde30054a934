"""Work spread over worker processes gives exactly what the build's own process gives."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from generator.core import workers
from tests.conftest import MakeEntry, build_site, rich_catalog


def test_results_come_back_in_order_from_other_processes() -> None:
    items = list(range(40))
    result = workers.map_items(lambda n: (n * n, os.getpid()), items, workers=2, min_batch=1)
    assert [square for square, _ in result] == [n * n for n in items]
    if sys.platform.startswith("linux"):  # forked workers elsewhere would not be used
        assert {pid for _, pid in result} != {os.getpid()}


def test_small_batches_stay_in_this_process() -> None:
    assert {pid for pid in workers.map_items(lambda _: os.getpid(), list(range(5)), workers=2)} == {os.getpid()}


def test_an_error_in_a_worker_is_raised_here() -> None:
    def fail(n: int) -> int:
        if n == 7:
            raise ValueError("entri tujuh rusak")
        return n

    with pytest.raises(ValueError, match="entri tujuh rusak"):
        workers.map_items(fail, list(range(20)), workers=2, min_batch=1)


def test_a_site_built_by_workers_is_byte_identical(
    project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rich_catalog(make_entry)
    monkeypatch.setattr(workers, "MIN_BATCH", 10**6)
    alone = build_site(project, monkeypatch)
    # Validated entries and rendered stories forgotten: the next build makes them all again, in workers.
    for shard in (project / ".cache" / "umkm" / "entries").iterdir():
        shard.unlink()
    (project / ".cache" / "umkm" / "stories.json").unlink()
    monkeypatch.setattr(workers, "MIN_BATCH", 1)
    spread = build_site(project, monkeypatch)
    assert spread == alone


def test_without_worker_processes_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(workers, "ProcessPoolExecutor", refuse)
    assert workers.map_items(lambda n: n + 1, list(range(10)), workers=2, min_batch=1) == list(range(1, 11))
