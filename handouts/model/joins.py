"""Sentences broken across lines in the source (issue 20, point 4).

Text copied from a web page or a PDF often keeps the line ends of its old
layout: "各单位要把学习任务落实" / "到每一名教职工。". Left alone, the PDF would
break the sentence mid-word. A line is joined to the one before when both are
body text of one paragraph (no blank line between) and the one before ends
without closing punctuation. Deliberate short lines are left alone: titles
and labelled lines never reach here as paragraphs, signatures and dates are
other block kinds, and a short line or a "联系人：张三" line stays as typed.
"""

from __future__ import annotations

import re

from . import textrules as tr
from .package import Block, Note

# A line shorter than this is typed short on purpose (a name, a caption).
_MIN_BROKEN = 14
# "联系人：张三", "地点：会议室": a key and its value, one per line by design.
_KEYED = re.compile(r"^[^，。；：:]{1,8}[：:]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
# A line this short without any punctuation reads as a subheading, not as
# the first half of a sentence (web text breaks at 30 字 and more).
_HEADING_LIKE = 30
_PUNCT = set("，。；：、,;:")


def join_broken(blocks: list[Block], gap_before: set[int], notes: list[Note]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if prev is not None and b.line not in gap_before and _joinable(prev, b):
            _append(prev, b.text)
            notes.append(Note(b.line, f"第 {b.line} 行是上一行（第 {prev.line} 行）在句中断开的续行，"
                                      "已接成一段"))
            continue
        out.append(b)
    return out


def _joinable(prev: Block, b: Block) -> bool:
    if b.kind != "paragraph" or not b.text or _KEYED.match(b.text) or tr.item_label(b.text):
        return False  # a labelled line (●, 《…》, 主题一：) starts an entry of its own
    text = prev.full_text
    if tr.unclosed(text) and prev.kind in ("paragraph", "heading"):
        return True  # an open 《 or （ carries on whatever the length
    if tr.item_label(text):
        return False  # a list entry is short on purpose
    if prev.kind == "heading" and not prev.text:
        return False  # a heading standing alone on its line
    if prev.kind not in ("paragraph", "heading") or text[-1] in tr.CLOSING:
        return False
    if len(text) <= _HEADING_LIKE and not (_PUNCT & set(text)):
        return False  # "坚持以人民为中心的发展思想": an unnumbered subheading
    return len(text) >= _MIN_BROKEN and not _KEYED.match(text)


def _append(prev: Block, more: str) -> None:
    tail = prev.text or prev.lead or ""
    space = " " if _ASCII_WORD.match(tail[-1:]) and _ASCII_WORD.match(more[:1]) else ""
    if prev.kind == "heading" and not prev.text:
        # A standalone heading left open (《…): the continuation is part of
        # it; set it again as one run-in heading or a numbered paragraph.
        full = (prev.lead or "") + space + more
        prev.lead, prev.text = tr.split_lead(full)
        if not prev.text and prev.lead[-1:] not in "。：:":
            prev.lead, prev.text = full, ""
        return
    prev.text = prev.text + space + more
