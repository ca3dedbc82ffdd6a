"""Checks on a parsed package: what a careful reader would query (issues 2, 20).

Warnings name the line and, where it helps, the place in the line. Doubts say
what the parser had to guess, so the clerk can look before printing.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator

from . import textrules as tr
from .package import Attachment, Block, Note, Package

Warn = Callable[[int, str], None]

# Date slips, as a table: (pattern, message). Group "all" is the slip as written.
_DATE_SLIPS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "20259月": the 年 is missing between year and month.
    (re.compile(r"(?<![0-9])(?P<all>(?:19|20)[0-9]{2}(?:[1-9]|1[0-2])\s*月)"), "年份后缺少“年”"),
    # "328日": the 月 is missing between month and day. Not "120日内" (a period).
    (re.compile(r"(?<![0-9月第约近共满期限./\-])(?P<all>(?:[1-9]|1[0-2])(?:[0-2][0-9]|3[01])日)"
                r"(?!内|以内|之内|后|以后|左右|以上|以下|起|止)"), "月份和日期之间缺少“月”"),
)
_MONTH_DAY = re.compile(r"(?:(?P<y>[0-9]{4})\s*年\s*)?(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日")
_MONTH_ONLY = re.compile(r"[0-9]{4}\s*年\s*(?P<m>[0-9]{1,2})\s*月")
_ODD_SPACES = {"\u00a0": "不换行空格（NBSP）", "\u3000": "全角空格", "\u2002": "半角空格（EN SPACE）",
               "\u2003": "全角空格（EM SPACE）", "\u202f": "窄不换行空格"}
_SPACE_IN_SENTENCE = re.compile("(?<=\\S)[\u00a0\u3000\u2002\u2003\u202f]+(?=\\S)")
# Blocks that hold sentences. Elsewhere a space is layout on purpose: organs
# side by side in a signature, a headline and its subtitle in a title or item.
_SENTENCE_KINDS = ("paragraph", "heading", "addressee")


def check_package(package: Package, warn: Warn) -> None:
    check_attachments(package, warn)
    check_items(package, warn)
    check_dates(package, warn)
    check_spaces(package, warn)
    check_sheet(package, warn)


def check_attachments(package: Package, warn: Warn) -> None:
    seen: dict[int, int] = {}
    expected = 1
    for att in package.attachments:
        if att.number in seen:
            warn(att.line, f"{att.label} 编号重复（第 {seen[att.number]} 行已有附件{att.number}）"
                 + _duplicate_hint(package, att))
        else:
            seen[att.number] = att.line
        if att.number > expected:
            missing = "、".join(f"附件{n}" for n in range(expected, att.number))
            warn(att.line, f"缺少{missing}（{att.label} 之前）")
        expected = max(expected, att.number + 1)
        if not att.title and not att.blocks:
            warn(att.line, f"{att.label} 没有内容")
        elif not att.blocks:
            warn(att.line, f"{att.label} 只有标题，没有正文")


def _duplicate_hint(package: Package, att: Attachment) -> str:
    """Which study item a second 附件N matches, so the clerk renumbers the right one."""
    items = package.notice.items if package.notice else []
    if not items or not att.title:
        return ""
    n = _best_item(items, "".join(att.title))
    if n is None:
        return "；它与通知中的任何一项学习内容都不相符"
    return f"；它的标题与通知第 {n} 项学习内容相符，应为附件{n}"


def _best_item(items: list[Block], title: str) -> int | None:
    """The number of the item a title matches best, if it matches at all."""
    n, best = max(((n, _overlap(i.text, title)) for n, i in enumerate(items, start=1)),
                  key=lambda p: p[1])
    return n if best >= 0.5 else None


def check_items(package: Package, warn: Warn) -> None:
    notice = package.notice
    if not notice or not notice.items:
        return
    items = notice.items
    _check_numbering(notice.blocks, warn)
    if package.attachments and len(items) != len(package.attachments):
        warn(items[0].line, f"通知列出 {len(items)} 项学习内容，但有 {len(package.attachments)} 个附件")
    first: dict[int, Attachment] = {}
    for a in package.attachments:
        first.setdefault(a.number, a)
    # A second 附件N stands for the item its title matches (its warning said so).
    meant = {_best_item(items, "".join(a.title)) for a in package.attachments
             if first[a.number] is not a and a.title}
    for n, item in enumerate(items, start=1):
        att = first.get(n)
        if att is None:
            if package.attachments and n not in meant:
                warn(item.line, f"通知第 {n} 项学习内容没有对应的附件{n}")
            continue
        if att.title and _overlap(item.text, "".join(att.title)) < 0.5:
            warn(item.line, f"通知第 {n} 项与附件{n}的标题差别较大，请核对顺序")


def _check_numbering(blocks: list[Block], warn: Warn) -> None:
    """Gaps and repeats in the items' own numbers. Group headings and the
    items beside them are one list; the items of a group are another, which
    starts at 1 or runs on from the group before."""
    groups = {b.group for b in blocks if b.kind == "item" and b.group is not None}
    outer: list[Block] = []
    inner: dict[str, list[Block]] = {}
    for b in blocks:
        if b.kind == "heading" and b.full_text in groups:
            outer.append(b)
        elif b.kind == "item":
            (outer if b.group is None else inner.setdefault(b.group, [])).append(b)
    _check_sequence(outer, 1, warn)
    last = 0
    for members in inner.values():
        first = _number(members[0]) if members else None
        last = _check_sequence(members, 1 if first == 1 or not last else last + 1, warn)


def _number(b: Block) -> int | None:
    return tr.label_number(b.label if b.kind == "item" else (b.lead or ""))


def _check_sequence(entries: list[Block], start: int, warn: Warn) -> int:
    previous = start - 1
    seen: dict[int, int] = {}
    for b in entries:
        number = _number(b)
        if number is None:
            continue
        found = tr.item_label(b.full_text)
        label = ((b.label or "") if b.kind == "item" else (found[1] if found else "")).strip()
        if number in seen:
            warn(b.line, f"学习内容编号“{label}”重复（第 {seen[number]} 行已有）")
        elif number > previous + 1:
            missing = "、".join(str(k) for k in range(previous + 1, number))
            where = "开始，前面" if not seen else "之前"
            warn(b.line, f"学习内容编号{'从' if not seen else '不连续：'}“{label}”{where}缺少第 {missing} 项")
        seen.setdefault(number, b.line)
        previous = max(previous, number)
    return previous


def _texts(package: Package) -> Iterator[tuple[int, str, str]]:
    """(line, kind, text) of everything the handout prints."""
    from .parse import iter_blocks

    if package.notice and package.notice.title:
        yield package.notice.title_line, "title", "".join(package.notice.title)
    for att in package.attachments:
        if att.title:
            yield att.title_line, "title", "".join(att.title)
    for b in iter_blocks(package):
        if b.kind != "table":
            yield b.line, b.kind, b.full_text


def check_dates(package: Package, warn: Warn) -> None:
    year = package.issue_date.year if package.issue_date else None
    for line, kind, text in _texts(package):
        if kind == "date":
            continue  # a date line that does not parse is reported by the parser
        s = text.translate(tr._DIGITS)
        for pattern, message in _DATE_SLIPS:
            for m in pattern.finditer(s):
                warn(line, f"日期“{m.group('all')}”有误：{message}")
        for m in _MONTH_ONLY.finditer(s):
            if not 1 <= int(m.group("m")) <= 12:
                warn(line, f"日期“{m.group(0)}”有误：没有{int(m.group('m'))}月")
        for m in _MONTH_DAY.finditer(s):
            month, day = int(m.group("m")), int(m.group("d"))
            if not 1 <= month <= 12:
                continue  # reported above, or not a date
            y = int(m.group("y")) if m.group("y") else year
            last = calendar.monthrange(y, month)[1] if y else (29 if month == 2 else
                                                               calendar.monthrange(2001, month)[1])
            if not 1 <= day <= last:
                warn(line, f"日期“{m.group(0)}”有误：{month}月没有{day}日")


def check_spaces(package: Package, warn: Warn) -> None:
    """A NBSP or full-width space inside a sentence prints as a gap (issue 20)."""
    for line, kind, text in _texts(package):
        if kind not in _SENTENCE_KINDS:
            continue
        for m in _SPACE_IN_SENTENCE.finditer(text):
            name = "、".join(dict.fromkeys(_ODD_SPACES[c] for c in m.group(0)))
            before, after = text[max(0, m.start() - 8):m.start()], text[m.end():m.end() + 8]
            warn(line, f"句中有{name}：“{before}［空格］{after}”（第 {m.start() + 1} 个字处），"
                       "打印时会留出空白，请核对")


def check_sheet(package: Package, warn: Warn) -> None:
    """The record sheet must not go out with an empty 学习内容 or month (issue 20)."""
    line = package.notice.title_line if package.notice else package.title_line
    if not package.study_items or not any(t.strip() for t in package.study_items):
        warn(line, "学习记录表的“学习内容”将是空的：通知中没有找到学习篇目，也没有附件标题")
    if not (package.study_date or package.issue_date):
        warn(line, "学习记录表的月份将是空的：没有找到学习日期，也没有通知的成文日期")


def _han(text: str) -> set[str]:
    return {c for c in text if "\u4e00" <= c <= "\u9fff"}


def _overlap(a: str, b: str) -> float:
    ha, hb = _han(a), _han(b)
    if not ha or not hb:
        return 1.0
    return len(ha & hb) / min(len(ha), len(hb))


def doubts(package: Package, items_fallback: bool, title_guessed: bool) -> list[Note]:
    """What the parser guessed, per notice (issue 20, point 6)."""
    notice = package.notice
    if notice is None:
        return []
    out: list[Note] = []

    def doubt(line: int, code: str, message: str) -> None:
        out.append(Note(line, message, severity="doubt", code=code))

    if not notice.title:
        doubt(notice.title_line, "title-missing", "没有找到通知标题，文件名按输入文件命名")
    elif title_guessed:
        doubt(notice.title_line, "title-guessed",
              f"通知标题“{''.join(notice.title)}”是推断的（不以“通知”等文种结尾），请核对")
    if not notice.items:
        doubt(notice.title_line, "no-items", "通知中没有找到学习篇目"
              + ("，学习记录表改列附件标题" if package.attachments else ""))
    elif items_fallback:
        doubt(notice.items[0].line, "items-outside-study-part",
              "通知中没有“学习内容如下”之类的引导语，学习篇目是按编号推断的，请核对")
    return out
