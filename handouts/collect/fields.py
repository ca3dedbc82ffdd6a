"""What a returned record sheet says, independent of its file format.

The readers (read_pdf, read_docx) find raw cell texts; this module turns
them into values: the sheet's branch and month from its title, 学习形式
from check marks, 学习时间 without the unfilled 时/分 blanks, head counts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# The summary's fields in order: key, the sheet's label (spaces removed).
FIELDS: tuple[tuple[str, str], ...] = (
    ("time", "学习时间"),
    ("place", "学习地点"),
    ("host", "主持人"),
    ("recorder", "记录人"),
    ("expected", "应到人数"),
    ("present", "实到人数"),
    ("absent", "缺席人员及原因"),
    ("mode", "学习形式"),
    ("discussion", "学习讨论"),
)
LABELS = {label: key for key, label in FIELDS}
# The options of 学习形式 and their PDF check boxes (issue 21).
MODES: tuple[tuple[str, str], ...] = (
    ("mode_group", "集中学习"),
    ("mode_seminar", "专题研讨"),
    ("mode_self", "自学"),
    ("mode_other", "其他"),
)
CHECKED_MARKS = "☑☒■√✓✔✅▣☛●"
UNCHECKED_MARKS = "□☐○"

_TITLE = re.compile(r"(?P<branch>.+?)教职工政治理论学习(?P<kind>记录表?|签到表)"
                    r"[（(](?P<year>\d{4})年(?P<month>\d{1,2})月[)）]")
_TITLE_NO_MONTH = re.compile(r"(?P<branch>.+?)教职工政治理论学习(?P<kind>记录表?|签到表)")
_SPACE = re.compile(r"[\s\u3000\u00a0]+")


@dataclass(frozen=True)
class Title:
    branch: str
    kind: str  # record | signin
    year: int | None
    month: int | None

    @property
    def month_text(self) -> str:
        return f"{self.year}年{self.month}月" if self.year else "（未写月份）"


def squeeze(text: str) -> str:
    """Without any white space: how titles and labels are compared."""
    return _SPACE.sub("", text)


def tidy(text: str) -> str:
    """Runs of white space (full-width ones too) as one space, ends trimmed;
    line breaks kept, blank lines dropped."""
    lines = (_SPACE.sub(" ", ln).strip() for ln in text.replace("\r", "\n").split("\n"))
    return "\n".join(ln for ln in lines if ln)


def parse_title(text: str) -> Title | None:
    """The branch and month of a sheet from its title text (any white space)."""
    flat = squeeze(text)
    m = _TITLE.search(flat) or _TITLE_NO_MONTH.search(flat)
    if not m:
        return None
    kind = "signin" if m["kind"] == "签到表" else "record"
    year = int(m["year"]) if "year" in m.groupdict() and m["year"] else None
    month = int(m["month"]) if year else None
    return Title(m["branch"], kind, year, month)


def modes_from_text(text: str) -> list[str]:
    """Checked options of a 学习形式 cell typed as text: ☑ 集中学习 □ 自学…

    An option counts as checked when the nearest mark before it (after the
    previous option) is a checked one. 其他 keeps what follows it
    (其他：线上学习 → 其他（线上学习）)."""
    spots = sorted((text.find(name), name) for _, name in MODES if name in text)
    out: list[str] = []
    prev_end = 0
    for i, (at, name) in enumerate(spots):
        gap = text[prev_end:at]
        marks = [c for c in gap if c in CHECKED_MARKS or c in UNCHECKED_MARKS]
        end = at + len(name)
        if marks and marks[-1] in CHECKED_MARKS:
            label = name
            if name == "其他":
                stop = spots[i + 1][0] if i + 1 < len(spots) else len(text)
                extra = text[end:stop].strip(" \u3000:：()（）" + UNCHECKED_MARKS + CHECKED_MARKS)
                if extra:
                    label = f"其他（{extra}）"
            out.append(label)
        prev_end = end
    return out


def join_modes(names: list[str]) -> str:
    return "、".join(names)


_DATE = re.compile(r"(?:(?P<y>\d{4})\s*[年\-/.．]\s*)?(?P<m>\d{1,2})\s*[月\-/.．]\s*(?P<d>\d{1,2})\s*日?")
_HAS_TIME = re.compile(r"\d\s*(?:时|点|:|：)")


def clean_time(text: str) -> str:
    """学习时间 as the branch left it, without the printed blanks
    (“2025年3月11日　　时　　分至　　时　　分” untouched → “2025年3月11日”)."""
    s = tidy(text).replace("\n", " ")
    m = _DATE.search(s)
    if m and not _HAS_TIME.search(s[m.end():]):
        rest = re.sub(r"[时分至点 ]", "", s[m.end():])
        if not rest:
            return s[: m.end()].strip()
    return s


def study_date(text: str, default_year: int) -> dt.date | None:
    """The first date in 学习时间 (a year left out is the sheet's year)."""
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m["y"] or default_year), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def head_count(text: str) -> int | None:
    """应到/实到人数: “32”, “32人”, “３２”, “三十二人” → 32; anything else None."""
    s = squeeze(text).translate({0xFF10 + i: 0x30 + i for i in range(10)}).rstrip("人名")
    if s.isdigit():
        return int(s)
    if s and all(c in _CN_DIGITS or c in "十百" for c in s):
        return _chinese_number(s)
    return None


def _chinese_number(s: str) -> int | None:
    total, digit = 0, None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in "十百":
            unit = 10 if c == "十" else 100
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


@dataclass
class Sheet:
    """One returned record sheet, read."""

    file: str  # as shown in messages: relative to the collected folder
    title: Title
    source: str  # pdf-form | pdf-text | docx
    values: dict[str, str] = field(default_factory=dict)  # FIELDS keys → text
    modes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader noticed

    def value(self, key: str) -> str:
        if key == "mode":
            return join_modes(self.modes)
        return self.values.get(key, "")

    @property
    def filled(self) -> int:
        return sum(1 for key, _ in FIELDS if self.value(key))

    def take(self, cells: dict[str, str]) -> None:
        """The text of labelled cells, as a Word table or a flattened page gives them."""
        for key, text in cells.items():
            if key == "mode":
                self.modes = modes_from_text(text)
            elif key == "time":
                self.values[key] = clean_time(text)
            else:
                self.values[key] = tidy(text)


def label_key(text: str) -> str | None:
    """The field a label cell names; "" for labels that end a field's text
    (学习内容, the signature line), None for a cell that is no label."""
    label = squeeze(text)
    if label.startswith("学习讨论"):
        return "discussion"
    if label == "学习内容" or label.startswith("主持人签字"):
        return ""
    return LABELS.get(label)


def labelled(rows: list[list[str | None]]) -> dict[str, str]:
    """Label cell → the text of the cell after it, for every known label.

    None is a cell covered by a merged one (a PDF table's row split by the
    handwriting rules in its value cell): a row with no label of its own
    continues the field above it."""
    out: dict[str, str] = {}
    last: str | None = None
    for row in rows:
        cells = [c for c in row if c is not None]
        keys = [label_key(c) for c in cells]
        if not any(k is not None for k in keys):
            if last and cells:
                out[last] = "\n".join(t for t in (out[last], *cells) if t.strip())
            continue
        last = None
        for i, key in enumerate(keys):
            if key is None or i + 1 >= len(cells) or keys[i + 1] is not None:
                continue
            if key and key not in out:
                out[key] = cells[i + 1]
                last = key
    return out


def labelled_lines(text: str) -> dict[str, str]:
    """Labels and values from page text alone, line by line (a flattened
    PDF whose table rules no longer form cells): “学习地点 会议室”,
    “主 持 人 张三 记 录 人 李四”. Spaces inside values are lost."""
    keys = {**LABELS, "缺席人员": "absent", "学习讨论": "discussion"}  # labels set on two lines
    names = sorted(keys, key=len, reverse=True)
    out: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        flat = squeeze(line)
        for rest in ("及原因", "（发言", "摘要）"):  # a label's second line
            flat = flat.removeprefix(rest)
        if flat.startswith(("学习内容", "主持人签字")):
            last = None
            continue
        spots = sorted((flat.find(n), n) for n in names if n in flat)
        spots = [(at, n) for at, n in spots if not any(a < at < a + len(m) for a, m in spots if m != n)]
        if not spots or spots[0][0] != 0:
            if last and flat:
                out[last] = "\n".join(v for v in (out[last], flat) if v)
            continue
        for i, (at, name) in enumerate(spots):
            end = spots[i + 1][0] if i + 1 < len(spots) else len(flat)
            key = keys[name]
            out.setdefault(key, flat[at + len(name):end])
            last = key
    return out
