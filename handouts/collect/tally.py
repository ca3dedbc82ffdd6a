"""Returned sheets → one row per branch with its status and problems.

Decisions (README, 收回记录表):
- a sheet belongs to the branch its title names; the file name only helps
  when the title is gone, and a file name naming another branch is noted;
- a sheet of another month never counts as this month's; a branch that sent
  only such a sheet is 有问题, not 未提交, so that the clerk sees why;
- two sheets of one branch (say the Word file and its PDF) are 有问题: the
  summary shows the one with more fields filled (ties: file name order);
- 已提交 means one sheet of this month without any problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .fields import FIELDS, Sheet, head_count, squeeze, study_date

SUBMITTED, MISSING, PROBLEM = "已提交", "未提交", "有问题"


@dataclass
class FileProblem:
    """A file that gave no sheet of this month for a listed branch."""

    file: str
    message: str
    branch: str | None = None  # the branch it concerns, when known
    kind: str = "sheet"  # unreadable | not-sheet | sheet (another month, unknown branch)


@dataclass(frozen=True)
class Problem:
    text: str
    file: str = ""  # the file it was found in

    def __str__(self) -> str:
        return f"{self.text}（{self.file}）" if self.file else self.text


@dataclass
class Row:
    branch: str
    status: str = MISSING
    sheet: Sheet | None = None  # the one the summary shows
    sheets: list[Sheet] = field(default_factory=list)  # every sheet of this month received
    problems: list[Problem] = field(default_factory=list)

    def value(self, key: str) -> str:
        return self.sheet.value(key) if self.sheet else ""

    @property
    def expected(self) -> int | None:
        return head_count(self.value("expected"))

    @property
    def present(self) -> int | None:
        return head_count(self.value("present"))

    @property
    def rate(self) -> float | None:
        """实到 / 应到, when both are numbers and 应到 is not 0."""
        e, p = self.expected, self.present
        return p / e if e and p is not None else None

    @property
    def rate_text(self) -> str:
        r = self.rate
        return f"{r * 100:.1f}%" if r is not None else ""


@dataclass
class Tally:
    year: int
    month: int
    rows: list[Row]
    files: list[FileProblem]  # files that are not this month's sheet of a listed branch

    def by_status(self, status: str) -> list[Row]:
        return [r for r in self.rows if r.status == status]

    @property
    def month_text(self) -> str:
        return f"{self.year}年{self.month}月"


def tally(branches: list[str], year: int, month: int, sheets: list[Sheet],
          problems: list[FileProblem], file_branch: dict[str, str]) -> Tally:
    """file_branch: the listed branch a file's name names (for the note when
    the title names another one)."""
    key_of = {squeeze(b): b for b in branches}
    rows = {b: Row(b) for b in branches}
    files = list(problems)
    for sheet in sheets:
        branch = key_of.get(squeeze(sheet.title.branch))
        if branch is None:
            files.append(FileProblem(sheet.file, f"表中的支部“{sheet.title.branch}”不在二级党组织名单中"))
            continue
        named = file_branch.get(sheet.file)
        if named and named != branch:
            sheet.notes.append(f"文件名是{named}，表中写的是{branch}，按表中内容计")
        if (sheet.title.year, sheet.title.month) != (year, month):
            wrong = f"是{sheet.title.month_text}的记录表，不是{year}年{month}月的"
            files.append(FileProblem(sheet.file, wrong, branch))
            continue
        rows[branch].sheets.append(sheet)
        _choose(rows[branch], sheet)
    for row in rows.values():
        _judge(row, year, month, [f for f in files if f.branch == row.branch])
    return Tally(year, month, list(rows.values()), files)


def _choose(row: Row, sheet: Sheet) -> None:
    if row.sheet is None or sheet.filled > row.sheet.filled:  # ties: the earlier file
        row.sheet = sheet


def _judge(row: Row, year: int, month: int, stray: list[FileProblem]) -> None:
    if row.sheet is None:
        if stray:
            row.status = PROBLEM
            row.problems += [Problem(f"未交本月记录表，收到的文件{f.message}", f.file) for f in stray]
        return
    sheet = row.sheet
    problems = row.problems
    if len(row.sheets) > 1:
        agree = "内容相同" if all(_same(sheet, s) for s in row.sheets) else "内容不同"
        names = "、".join(s.file for s in row.sheets)
        problems.append(Problem(f"收到 {len(row.sheets)} 份记录表（{names}），{agree}，"
                                f"汇总采用 {sheet.file}"))
    if all(not sheet.value(k) for k, _ in FIELDS if k != "time"):  # time is printed
        problems.append(Problem("记录表没有填写", sheet.file))
    else:
        problems.extend(_checks(sheet, row, year, month))
    problems.extend(Problem(n, sheet.file) for n in sheet.notes)
    problems.extend(Problem(f"另有一份文件{f.message}", f.file) for f in stray)
    row.status = PROBLEM if problems else SUBMITTED


def _checks(sheet: Sheet, row: Row, year: int, month: int) -> list[Problem]:
    out: list[str] = []
    if not sheet.value("host"):
        out.append("主持人未填写")
    for key, label in (("expected", "应到人数"), ("present", "实到人数")):
        text = sheet.value(key)
        if not text:
            out.append(f"{label}未填写")
        elif head_count(text) is None:
            out.append(f"{label}“{text}”不是人数")
    e, p = row.expected, row.present
    if e is not None and p is not None and p > e:
        out.append(f"实到人数（{p}）大于应到人数（{e}）")
    when = sheet.value("time")
    day = study_date(when, year)
    if when and day is None:
        out.append(f"学习时间“{when}”中没有日期")
    elif not when:
        out.append("学习时间未填写")
    elif day is not None and (day.year, day.month) != (year, month):
        out.append(f"学习时间 {day.year}年{day.month}月{day.day}日 不在{year}年{month}月")
    return [Problem(text, sheet.file) for text in out]


def _same(a: Sheet, b: Sheet) -> bool:
    return all(a.value(k) == b.value(k) for k, _ in FIELDS)
