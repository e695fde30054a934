"""Every CSV the project writes, in one shape and with one escaping rule.

RFC 4180 (UTF-8, comma, CRLF, a header row). A spreadsheet program runs a cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return as a formula (CSV injection: `=HYPERLINK(...)`,
`=cmd|...`), so such a cell is written with a leading apostrophe, which spreadsheets show as text
and hide. Used by the open data (`export.py`) and the Dinas' reports (`report.py`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

# What a spreadsheet reads as the start of a formula (OWASP "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """One cell as text: booleans as true/false, dates as TAHUN-BULAN-HARI, numbers as they are,
    text that a spreadsheet would run as a formula defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)  # a number (-697 days) is a value to a spreadsheet, not a formula
    text = str(value)
    if text.startswith(FORMULA_START):
        return f"'{text}"
    return text


def csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text, every cell through `safe_cell`."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
