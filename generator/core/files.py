"""Writing files and folders so that a reader sees the old one or the whole new one, never half.

Every stage that writes into a place someone else reads (the cache, the photo store, a PDF for the
print shop, an owner's entry folder, the published site) goes through these two functions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, data: bytes | str | Callable[[BinaryIO], object], mode: int = 0o644) -> None:
    """Write `data` (bytes, text as UTF-8, or a function that writes into an open binary file)
    to a temporary file beside `path`, then `os.replace` it over `path`.

    On any failure the temporary file is removed and `path` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, str):
                out.write(data.encode("utf-8"))
            elif isinstance(data, bytes):
                out.write(data)
            else:
                data(out)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def swap_in(new: Path, target: Path) -> None:
    """Put the folder `new` in the place of `target` (which may not exist) by two renames in
    `target`'s parent folder; `new` must be on the same file system.

    If the second rename fails, the old `target` is put back. The old folder is removed last."""
    old = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.lama-", dir=target.parent))
        old.rmdir()
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        if old.is_symlink() or not old.is_dir():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)
