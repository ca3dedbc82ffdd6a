"""--collect DIR [SEED]: read the folder, tally, write the summary, report.

Exit status: 0 when the summary is written (missing branches and problem
sheets are what the report is for), 1 when the folder, the seed or the
branch list cannot be used, or the summary cannot be written.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..build import atomic_write
from ..compose.render import ComposeError
from ..compose.style import StyleError
from ..model.package import Package
from ..read.branches import read_branches, safe_filename
from ..read.source import InputError
from .columns import ColumnError, summary_layout
from .errors import NotASheet, Unreadable
from .fields import Sheet, squeeze
from .files import leftover, read_sheet, walk
from .report import report_lines
from .summary import compose_summary, summary_context, write_summary
from .tally import FileProblem, Tally, tally
from .xlsx import summary_xlsx

SUMMARY = "学习情况汇总"


@dataclass
class Folder:
    """Everything read from the collected folder."""

    sheets: list[Sheet] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    read: int = 0


def read_folder(folder: Path) -> Folder:
    got = Folder()
    for path in walk(folder):
        shown = path.relative_to(folder).as_posix()
        why = leftover(path)
        if why:
            got.skipped.append((shown, why))
            continue
        got.read += 1
        try:
            got.sheets.append(read_sheet(path, shown))
        except Unreadable as exc:
            got.problems.append(FileProblem(shown, str(exc), kind="unreadable"))
        except NotASheet as exc:
            got.problems.append(FileProblem(shown, str(exc), kind="not-sheet"))
    return got


def month_of(package: Package) -> tuple[int, int] | None:
    when = package.study_date or package.issue_date
    return (when.year, when.month) if when else None


def choose_seed(packages: list[Package], sheets: list[Sheet]) -> Package | None:
    """Without a SEED: the month most sheets are of; else the latest month."""
    dated = [(month_of(p), p) for p in packages if month_of(p)]
    if not dated:
        return packages[0] if packages else None
    votes: dict[tuple[int, int], int] = {}
    for s in sheets:
        if s.title.year:
            key = (s.title.year, s.title.month or 0)
            votes[key] = votes.get(key, 0) + 1
    return max(dated, key=lambda mp: (votes.get(mp[0], 0), mp[0]))[1]  # type: ignore[arg-type,index]


def file_branches(sheets: list[Sheet], branches: list[str]) -> dict[str, str]:
    """The listed branch a file's name names (the longest that fits)."""
    out = {}
    for s in sheets:
        name = squeeze(Path(s.file).name)
        hits = [b for b in branches if squeeze(b) in name]
        if hits:
            out[s.file] = max(hits, key=len)
    return out


def collect(folder: Path, packages: list[Package], *, out: Path, branches_path: Path,
            formats: list[str]) -> int:
    if not folder.is_dir():
        print(f"错误：{folder} 不是文件夹：--collect 后面写放收回记录表的文件夹", file=sys.stderr)
        return 1
    try:
        branches, notes = read_branches(branches_path)
    except InputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"警告：{branches_path} 第 {note.line} 行：{note.message}", file=sys.stderr)
    got = read_folder(folder)
    package = choose_seed(packages, got.sheets)
    month = month_of(package) if package else None
    if package is None or month is None:
        print("错误：无法确定学习材料的月份：请在 --collect 文件夹后写上学习材料文件（如 seeds/2025-03.txt）",
              file=sys.stderr)
        return 1
    target = out / safe_filename(Path(package.path).stem)
    inside = folder.resolve()
    if target.resolve() == inside or inside in target.resolve().parents:
        print(f"错误：汇总会写进收回记录表的文件夹 {folder}（{target}）：请用 -o 指定别的输出目录",
              file=sys.stderr)
        return 1
    t = tally(branches, *month, got.sheets, got.problems, file_branches(got.sheets, branches))
    from ..fonts.fontset import FontConfigError, MissingGlyphError

    written: list[str] = []
    error = None
    try:
        write_outputs(t, package, target, formats, got, written)
    except MissingGlyphError as exc:
        where = "、".join(s.file for s in got.sheets if any(exc.char in v for v in s.values.values()))
        error = f"错误：{where or '汇总'}：{exc}（汇总页未写出）"
    except (ColumnError, StyleError, ComposeError, FontConfigError, OSError) as exc:
        error = f"错误：无法写出汇总：{exc}"
    for line in report_lines(t, folder=str(folder), seed=package.path, read=got.read,
                             sheets=len(got.sheets), skipped=got.skipped, written=written):
        print(line)
    if error:
        print(error, file=sys.stderr)
        return 1
    return 0


def write_outputs(t: Tally, package: Package, target: Path, formats: list[str], got: Folder,
                  written: list[str]) -> None:
    """The spreadsheet first: a summary page that cannot be set (a character
    no font has) does not cost the clerk the table."""
    layout = summary_layout()
    title = layout.title.format(month=t.month_text)
    date = package.issue_date
    _write(target / f"{SUMMARY}.xlsx", summary_xlsx(t, layout, title, date, file_listing(t, got)), written)
    doc = compose_summary(summary_context(t, layout, title, package.issuer, date))
    for fmt, (data, _pages) in write_summary(doc, formats).items():
        _write(target / f"{SUMMARY}.{fmt}", data, written)


def _write(path: Path, data: bytes, written: list[str]) -> None:
    atomic_write(path, data)
    written.append(str(path))


def file_listing(t: Tally, got: Folder) -> list[tuple[str, str, str]]:
    """(file, result, note) for every file of the folder, in path order."""
    by_file: dict[str, tuple[str, str]] = {}
    for row in t.rows:
        for s in row.sheets:
            used = "汇总采用" if s is row.sheet else "未采用（同一支部的另一份）"
            by_file[s.file] = ("学习记录表", f"{row.branch}，{used}")
    kinds = {"unreadable": "无法读取", "not-sheet": "不是记录表", "sheet": "不计入本月"}
    for f in t.files:
        by_file[f.file] = (kinds[f.kind], f.message)
    for name, why in got.skipped:
        by_file[name] = ("未读取", why)
    return [(name, *by_file[name]) for name in sorted(by_file)]
