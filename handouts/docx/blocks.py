"""Paragraphs, blank lines and the signature as WordprocessingML (LAYOUT.md L10, L12).

One method per block type of the layout tree; each returns the body elements
it makes. Runs carry a character style where their font role differs from
the paragraph's, and an East Asian font hint where Word would otherwise pick
the Latin face (handouts.docx.oxml).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ..compose.document import Blank, Paragraph, Signature
from ..compose.style import ParagraphStyle, StyleSheet
from ..typeset.titles import TITLE_ROLE, balance_title, title_measure
from .oxml import el, needs_east_asian_hint, on_off, set_ppr, text_run, twips, width_in_chars
from .styles import BODY_KEY, justification, role_style_id, style_id, tracking

# A range mark between digits ("2024—2035", "1—2"): LibreOffice and Word
# would break at the dash; the PDF never does (L21). Hyphen-minus and ASCII
# tilde are left alone: Unicode line breaking (UAX #14) never breaks them
# before a digit, so dates such as 2025-03-28 stay as typed.
_RANGE = re.compile(r"(?<=\d)([—～–])(?=\d)")
WORD_JOINER = "\u2060"


def join_ranges(text: str) -> str:
    """Word joiners around a range mark between digits, so that Word and
    LibreOffice keep the range on one line as the PDF does (L21, issue 21)."""
    return _RANGE.sub(WORD_JOINER + r"\1" + WORD_JOINER, text)


class BlockWriter:
    """Paragraph-level blocks; embed: PreparedFonts to measure the signature with, or None."""

    def __init__(self, style: StyleSheet, embed: Any | None = None) -> None:
        self.style = style
        self.embed = embed

    def paragraph(self, block: Paragraph, *, align: str | None = None) -> list[etree._Element]:
        pstyle = self.style[block.style]
        p = el("w:p")
        if block.style != BODY_KEY:
            set_ppr(p, el("w:pStyle", val=style_id(block.style)))
        if align:
            set_ppr(p, el("w:jc", val=justification(align)))
        if pstyle.keep_with_next and any(r.role and r.role != pstyle.role for r in block.runs):
            # A run-in heading carries its body text: keeping the whole paragraph
            # with the next one (LibreOffice moves it entire) would leave gaps.
            # As in the PDF, only its first lines must not end a page.
            set_ppr(p, on_off("w:keepNext", False))
            set_ppr(p, on_off("w:widowControl"))
        if pstyle.role == TITLE_ROLE:
            # Word would wrap a long title anywhere; give it the balanced
            # phrase breaks the PDF uses (LAYOUT.md L10).
            for i, line in enumerate(self._title_lines(block, pstyle)):
                if i:
                    p.append(el("w:r", el("w:br")))
                p.append(text_run(join_ranges(line), rpr(None, line)))
            return [p]
        for run in block.runs:
            if run.br:
                p.append(el("w:r", el("w:br")))
                continue
            char_style = role_style_id(run.role) if run.role and run.role != pstyle.role else None
            p.append(text_run(join_ranges(run.text), rpr(char_style, run.text)))
        return [p]

    def _title_lines(self, block: Paragraph, pstyle: ParagraphStyle) -> list[str]:
        page = self.style.page
        width = page.block_width - (pstyle.left_indent + pstyle.right_indent) * page.body_size
        lines = ["".join(r.text for r in runs) for runs in block.lines()]
        return balance_title(lines, title_measure(pstyle.size), width)

    def blank(self, block: Blank) -> list[etree._Element]:
        """Empty body lines: one grid line each."""
        return [el("w:p") for _ in range(max(block.lines, 0))]

    def signature(self, block: Signature) -> list[etree._Element]:
        """署名 and 成文日期 as LAYOUT.md L12 (GB/T 9704 §7.3.5.2).

        The names form a left-aligned column whose right edge is the signature
        style's right indent from the block's edge; the date starts the date
        style's offset right of the column. If the date would then reach into
        its own right indent, the date keeps that indent and the column moves
        left. Both are right-aligned paragraphs with a per-line right indent
        in 字, so Word places the lines without tab stops.
        """
        sig, date = self.style[block.style], self.style[block.date_style]
        names = [n for n in block.names if n]
        widths = [self._width(sig.role, n) for n in names]
        column = max(widths, default=0.0)
        date_width = self._width(date.role, block.date) if block.date else 0.0
        offset = date.date_offset
        # Distance of the column's start from the block's right edge, in 字.
        start = column + sig.right_indent
        if block.date:
            start = max(start, date_width + date.right_indent + offset) if names else (
                date_width + date.right_indent)
        out: list[etree._Element] = []
        for name, width in zip(names, widths, strict=True):
            out.append(self._placed(block.style, name, start - width))
        if block.date:
            out.append(self._placed(block.date_style, block.date,
                                    start - (offset if names else 0) - date_width))
        for p in out[:-1]:
            set_ppr(p, on_off("w:keepNext"))
        for p in out:
            set_ppr(p, on_off("w:keepLines"))
        return out

    def _width(self, role: str, text: str) -> float:
        """Width in 字: measured in the embedded faces when there are any, else estimated."""
        if self.embed is None:
            return width_in_chars(text)
        size = self.style.page.body_size
        points = self.embed.width(role, text, size) + len(text) * tracking(self.style) / 20
        return points / size

    def _placed(self, style_key: str, text: str, right_chars: float) -> etree._Element:
        right_chars = max(right_chars, 0.0)
        p = el("w:p")
        set_ppr(p, el("w:pStyle", val=style_id(style_key)))
        set_ppr(p, el("w:ind", right=twips(right_chars * self.style.page.body_size),
                      rightChars=round(right_chars * 100), firstLine=0, firstLineChars=0))
        set_ppr(p, el("w:jc", val="right"))
        p.append(text_run(text, rpr(None, text)))
        return p



def rpr(char_style: str | None, text: str) -> etree._Element | None:
    hint = needs_east_asian_hint(text)
    if not (char_style or hint):
        return None
    return el(
        "w:rPr",
        el("w:rStyle", val=char_style) if char_style else None,
        el("w:rFonts", hint="eastAsia") if hint else None,
    )

