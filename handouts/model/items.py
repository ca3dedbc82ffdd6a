"""The study items of a notice (issue 20, point 2).

The items are the labelled lines (numbered, bulleted, 「主题一：」, 《…》-led)
of the study-content part only: the part opened by words such as
「学习内容」「主要学习内容如下」「学习篇目」 and closed by the next part
(「三、工作要求」), a requirement sentence or the closing instruction.
Inside it, a labelled line followed by lines of another label style is a
group heading (「1.重要讲话」 over 「（1）…」), as is a short unlabelled line
followed by items; every item remembers its group for the record sheet.

Without such a part the parser falls back on the first run of labelled
non-sentence lines and says so (a doubt, see checks.py): the clerk should
look before printing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import textrules as tr
from .package import Block

# Labels that may stand for items when no study-content part was found:
# 一、/（一） there are the notice's own sections.
_FALLBACK_STYLES = ("arabic", "arabic-paren", "arabic-half", "circled", "bullet", "book", "theme")
_LISTABLE = ("paragraph", "heading", "item")


@dataclass
class ItemsOutcome:
    intro: Block | None  # the line that opened the study-content part
    fallback: bool  # items taken from outside a study-content part
    count: int


def mark_items(blocks: list[Block]) -> ItemsOutcome:
    """Turn the study items among the notice's body blocks into item blocks."""
    intro: Block | None = None
    for i, b in enumerate(blocks):
        if _is_intro(b):
            intro = intro or b
            count = _mark_part(blocks, i + 1, _heading_style(b))
            if count:
                return ItemsOutcome(b, False, count)
    if intro is not None:
        # "学习内容如下：" with nothing listed under it: the items are the
        # attachments; numbered lines elsewhere are requirements.
        return ItemsOutcome(intro, False, 0)
    return ItemsOutcome(None, True, _mark_fallback(blocks)) if blocks else ItemsOutcome(None, False, 0)


def _is_intro(b: Block) -> bool:
    if b.kind not in ("paragraph", "heading"):
        return False
    text = b.full_text
    # The words must open what follows: "…学习内容见附件。请按以下要求：" does not.
    last = re.split(r"[。！？]", text.rstrip("：:"))[-1]
    if not tr.STUDY_INTRO.search(last):
        return False
    return text.endswith(("：", ":")) or "如下" in last or (
        b.kind == "heading" and not b.text) or len(text) <= 16


def _heading_style(b: Block) -> str | None:
    """The label style of a heading intro ("二、学习内容"): its sibling ends the part."""
    found = tr.item_label(b.full_text)
    return found[0] if found and b.kind == "heading" else None


def _rest(text: str) -> str:
    found = tr.item_label(text)
    return text[len(found[1]):] if found else text


def _mark_part(blocks: list[Block], start: int, intro_style: str | None) -> int:
    outer: str | None = None
    group: str | None = None
    labelled_group = False  # the current group heading has the outer label style
    count = 0
    for i in range(start, len(blocks)):
        b = blocks[i]
        if b.kind not in _LISTABLE:
            break
        text = b.full_text
        found = tr.item_label(text)
        if (found and found[0] == intro_style) or tr.STUDY_END.match(_rest(text)):
            break
        following = _label_of(blocks, i + 1, intro_style)
        if found and not tr.is_sentence(text):
            style, label = found
            outer = outer or style
            if style == outer and style != "bullet" and following and following[0] not in (
                    style, "book"):
                group, labelled_group = _make_group(b), True
            else:
                if style == outer and labelled_group:
                    group = None  # "3.…" beside "1.重要讲话", not inside it
                _make_item(b, label, group)
                count += 1
        elif found:  # a numbered requirement sentence
            if count:
                break
        elif following and _may_head_group(text):
            group, labelled_group = _make_group(b), False
        elif count and len(text) > 16:
            break  # the closing instruction after the list
    return count


def _label_of(blocks: list[Block], i: int, intro_style: str | None) -> tuple[str, str] | None:
    """The label of the next line if it is an entry of the same part."""
    if i >= len(blocks) or blocks[i].kind not in _LISTABLE:
        return None
    text = blocks[i].full_text
    found = None if tr.is_sentence(text) else tr.item_label(text)
    if found and (found[0] == intro_style or tr.STUDY_END.match(text[len(found[1]):])):
        return None  # the next part's heading: no item below this line
    return found


def _may_head_group(text: str) -> bool:
    return len(text) <= 30 and "。" not in text and (
        text.endswith(("：", ":")) or tr.is_title_like(text))


def _make_item(b: Block, label: str, group: str | None) -> None:
    text = b.full_text
    b.kind, b.label, b.text, b.lead, b.level, b.group = "item", label, text[len(label):], None, None, group


def _make_group(b: Block) -> str:
    """A group heading of the item list: a heading line in the handout."""
    text = b.full_text
    heading = tr.heading_level(text)
    b.kind, b.lead, b.text, b.label = "heading", text, "", None
    b.level = heading[0] if heading else 3
    return text


def _mark_fallback(blocks: list[Block]) -> int:
    """No study-content part: the first run of labelled title-like lines."""
    count = 0
    for b in blocks:
        text = b.full_text
        found = tr.item_label(text) if b.kind in _LISTABLE else None
        usable = (found and found[0] in _FALLBACK_STYLES and not tr.is_sentence(text)
                  and not text.endswith(("。", "；", ";")) and not _keyed(_rest(text)))
        if usable and found:
            _make_item(b, found[1], None)
            count += 1
        elif count:
            break
    return count


def _keyed(text: str) -> bool:
    """"时间：4月15日": a line that gives a value, not a document's name."""
    head, sep, _ = text.partition("：")
    return bool(sep) and len(head) <= 6
