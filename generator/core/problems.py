"""Problems found in user data, reported compiler style and in Indonesian."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.core.privacy import redact_text

ERROR = "galat"
WARNING = "peringatan"
INFO = "info"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) in a file, at a line, in a field."""

    path: Path
    line: int | None
    field: str
    message: str
    level: str = ERROR

    def format(self, base: Path | None = None) -> str:
        where = display_path(self.path, base)
        if self.line:
            where = f"{where}:{self.line}"
        prefix = "" if self.level == ERROR else f"{self.level}: "
        subject = f"{self.field}: " if self.field else ""
        # A last guard for public CI logs: whatever a message echoes, a NIK-shaped number is masked.
        return f"{where}: {prefix}{subject}{redact_text(self.message)}"

    def sort_key(self) -> tuple[str, int, str, str]:
        return (str(self.path), self.line or 0, self.field, self.message)


def display_path(path: Path, base: Path | None = None) -> str:
    """The path as the user typed it: relative to the working folder when inside it."""
    base = base or Path.cwd()
    try:
        return Path(os.path.relpath(path, base)).as_posix() if _is_inside(path, base) else path.as_posix()
    except ValueError:
        return path.as_posix()


def _is_inside(path: Path, base: Path) -> bool:
    try:
        Path(os.path.abspath(path)).relative_to(os.path.abspath(base))
    except ValueError:
        return False
    return True


class CatalogError(Exception):
    """Raised once, after every entry was checked, when any problem is an error."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__(format_problems(self.problems))


def format_problems(problems: list[Problem], base: Path | None = None) -> str:
    lines = [p.format(base) for p in sorted(problems, key=Problem.sort_key)]
    errors = sum(p.level == ERROR for p in problems)
    if errors:
        lines.append(f"{errors} galat ditemukan; perbaiki lalu jalankan lagi (errors found).")
    return "\n".join(lines)


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == ERROR]
