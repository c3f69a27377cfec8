"""What every spreadsheet import shares: row errors in Chinese, the result, and cell reading.

Imports are all-or-nothing: they run in one transaction and raise `Rollback` to leave it without
writing anything (errors found, or a dry run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None  # as the spreadsheet numbers it; None for a problem with the whole file or sheet
    column: str
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (f"第{self.row}行" if self.row else "", self.column) if p)
        return f"{self.sheet} {where}：{self.message}" if where else f"{self.sheet}：{self.message}"


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    committed: bool = False


class Rollback(Exception):
    """Leave the import's transaction without writing anything."""


def cell_text(value) -> str:
    """A cell as text: whole floats without .0, dates as ISO, full-width spaces folded, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).replace("\u3000", " ").strip()


def whole_number(value) -> int | None:
    """A non-negative whole number; Excel gives 12.0 for 12, and text cells give "12"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    match = re.fullmatch(r"(\d+)(\.0*)?", cell_text(value))
    return int(match.group(1)) if match else None
