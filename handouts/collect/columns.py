"""The summary's columns (templates/summary.toml) and each row's cell values."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .fields import LABELS
from .tally import Row

_OWN_KEYS = {"index", "branch", "rate", "status", "problems", "files"}
# Columns of short values, centred in their cells (spreadsheet and page).
CENTRED = frozenset({"index", "expected", "present", "rate", "status", "host", "recorder"})


class ColumnError(Exception):
    """templates/summary.toml names an unknown column."""


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width_mm: float = 0.0
    xlsx_width: float = 10.0
    short: float = 0.0  # cut to this many 字 on the page; 0: never
    page: bool = True


@dataclass(frozen=True)
class Layout:
    title: str  # with {month}
    columns: tuple[Column, ...]

    @property
    def page_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.page)


def summary_layout(template_dir: Path | None = None) -> Layout:
    """templates/summary.toml: template_dir's, else the user's copy, else the built-in one."""
    from ..places.resources import current

    return _summary_layout(template_dir / "summary.toml" if template_dir
                           else current().template("summary.toml").path)


@lru_cache(maxsize=2)
def _summary_layout(path: Path) -> Layout:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    columns = tuple(Column(**c) for c in data["column"])
    known = _OWN_KEYS | set(LABELS.values())
    for c in columns:
        if c.key not in known:
            raise ColumnError(f"{path}：未知的栏目 key = “{c.key}”（可用：{'、'.join(sorted(known))}）")
    return Layout(data["title"], columns)


def cell_value(row: Row, index: int, key: str) -> str | int | float | None:
    """The typed value for the spreadsheet: numbers stay numbers."""
    if key == "index":
        return index
    if key == "branch":
        return row.branch
    if key == "rate":
        return row.rate
    if key == "status":
        return row.status
    if key == "problems":
        return "\n".join(str(p) for p in row.problems)
    if key == "files":
        return "\n".join(s.file for s in row.sheets)
    if key in ("expected", "present"):
        count = row.expected if key == "expected" else row.present
        return count if count is not None else row.value(key)
    return row.value(key)


def cell_text(row: Row, index: int, key: str) -> str:
    """The text for the page."""
    if key == "rate":
        return row.rate_text
    value = cell_value(row, index, key)
    return "" if value is None else str(value)
