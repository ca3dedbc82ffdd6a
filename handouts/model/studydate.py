"""The study date: the day the notice sets for the month's study (issue 2).

It is the first date in a line that speaks of 学习时间 (else of 学习), or in
the line under a heading 「一、学习时间」. A date there that cannot be right
(「4月31日」, 「20259月」) is not replaced by some other date of the notice:
checks.py reports the slip and the record sheet leaves the day blank.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from . import textrules as tr
from .package import Block, Package

_SLIPPED = re.compile(r"[0-9]{3,}\s*[月日]|[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日")


def _texts(blocks: list[Block]) -> list[tuple[int, str]]:
    """(line, text) per block; a bare 「学习时间」 heading lends its words to the next line."""
    out: list[tuple[int, str]] = []
    for i, b in enumerate(blocks):
        if b.kind not in ("paragraph", "item", "heading"):
            continue
        text = b.full_text
        if b.kind == "heading" and not b.text and "学习时间" in text and i + 1 < len(blocks):
            nxt = blocks[i + 1]
            out.append((nxt.line, text + nxt.full_text))
            continue
        out.append((b.line, text))
    return out


def find_study_date(package: Package, year: int | None, warn: Callable[[int, str], None]) -> None:
    notice = package.notice
    if not notice:
        return
    candidates = sorted(
        _texts(notice.blocks),
        key=lambda lt: ("学习时间" not in lt[1] and "学习日" not in lt[1], "学习" not in lt[1], lt[0]),
    )
    for line, text in candidates:
        if "学习" not in text:
            break
        for m in tr.INLINE_DATE.finditer(text):
            y = int(m.group(1)) if m.group(1) else year
            if y is None:
                continue
            try:
                day = dt.date(y, int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue  # checks.py names the slip
            issued = package.issue_date
            if not m.group(1) and issued and (day - issued).days < -180:
                day = day.replace(year=y + 1)  # a December notice for January
            package.study_date, package.study_date_line = day, line
            return
        if "学习时间" in text and _SLIPPED.search(text.translate(tr._DIGITS)):
            warn(line, "学习时间中的日期有误，学习记录表的学习日期留空，请改正后重新生成")
            return
    warn(notice.title_line, "通知中没有找到学习日期（如“3月11日为教职工政治理论学习时间”）")
