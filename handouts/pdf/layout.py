"""Document → positioned pages for the PDF writer (LAYOUT.md).

Lines and pages, nothing drawn: every block becomes slots (one grid line of
text, a blank grid line, a table row) carrying glyph runs, strokes and form
fields relative to the slot's top (handouts.pdf.flow, .tables, .lines);
pagination here stacks slots on pages under the keep rules; the page number
is added last. All lengths come from the style sheet; characters are
measured with the prepared fonts.

Coordinates are PDF points from the page's top-left corner, the way
LAYOUT.md and pdfplumber state them; the writer flips them.
"""

from __future__ import annotations

import math

from ..compose.document import Block, Document, Run
from ..compose.style import StyleSheet
from .flow import Flow
from .lines import BODY_ROLE, Fonts, RoleText, align_shift
from .slots import Glyphs, Layout, PageLayout, Slot

# ------------------------------------------------------------------ pages


# A section's last page should carry at least this many lines (L30).
MIN_LAST_LINES = 3


def paginate(slots: list[Slot], top: float, bottom: float, pitch: float) -> list[list[tuple[Slot, float]]]:
    """Pages for a section's slots; a last page of fewer than MIN_LAST_LINES
    lines takes lines from the page before it, if the rules let it (L30)."""
    pages = _stack(slots, top, bottom, pitch, {})
    short = len(pages) >= 2 and _lines(pages[-1]) < MIN_LAST_LINES
    if short:
        need = MIN_LAST_LINES - _lines(pages[-1])
        for less in range(need, need + 3):  # a keep may carry more than asked
            tried = _stack(slots, top, bottom, pitch, {len(pages) - 2: bottom - less * pitch})
            # Only at a break the keep rules allow, not at _stack's last resort.
            if (len(tried) == len(pages) and _lines(tried[-1]) >= MIN_LAST_LINES
                    and not tried[-2][-1][0].keep):
                return tried
    return pages


def _lines(page: list[tuple[Slot, float]]) -> int:
    return sum(1 for slot, _ in page if not slot.blank)


def _stack(slots: list[Slot], top: float, bottom: float, pitch: float, bottoms: dict[int, float]
           ) -> list[list[tuple[Slot, float]]]:
    """Stack slots on pages: keep rules, repeated table headers, blank lines
    dropped at a page's top, grid slots snapped to the line grid; bottoms
    ends given pages higher."""
    pages: list[list[tuple[Slot, float]]] = []
    full = bottom
    i, n = 0, len(slots)
    while i < n:
        bottom = bottoms.get(len(pages), full)
        while i < n and slots[i].blank:
            i += 1
        if i >= n:
            break
        placed: list[tuple[int, float]] = []  # (index into slots or -1 for a header copy, top)
        extra: list[tuple[Slot, float]] = []
        y = top
        if slots[i].header:
            for h in slots[i].header:
                extra.append((h, y))
                y += h.height
        j = i
        while j < n:
            s = slots[j]
            at = _snap(y, top, pitch) if s.grid else y
            # A slot taller than a page still goes on one (after repeated headers).
            if at + s.height > bottom + 1e-3 and placed:
                break
            placed.append((j, at))
            y = at + s.height
            j += 1
        if j < n:
            # The page ends before slot j: move back to the last slot after which a break is allowed.
            for k in range(len(placed) - 1, 0, -1):
                if not slots[placed[k][0]].keep:
                    placed = placed[: k + 1]
                    break
            j = placed[-1][0] + 1
        pages.append(extra + [(slots[k], at) for k, at in placed])
        i = j
    return pages


def _snap(y: float, top: float, pitch: float) -> float:
    lines = (y - top) / pitch
    return top + math.ceil(lines - 1e-6) * pitch


# ------------------------------------------------------------------ the document


class LayoutMemo:
    """What lay_out may reuse between the documents of one process.

    A section's pages depend on its blocks only, never on what precedes it,
    so a print bundle takes its sheets' sections as laid out (by identity of
    the block list, kept alive here). A table row's slot depends on the row
    only: the sixteen branches' sheets share their tables row for row (by
    value). One Flow serves all documents with the same style and fonts, so
    its width tables are filled once.
    """

    def __init__(self) -> None:
        self.sections: dict[int, tuple[list[Block], list[list[tuple[Slot, float]]]]] = {}
        self.rows: dict[tuple[str, tuple[float, ...], str], Slot] = {}
        self._flow: Flow | None = None

    def flow(self, style: StyleSheet, fonts: Fonts) -> Flow:
        flow = self._flow
        if flow is None or flow.style is not style or flow.m.fonts is not fonts:
            flow = self._flow = Flow(style, fonts, self.rows)
            self.rows.clear()  # slots of other fonts or styles
        return flow


def lay_out(doc: Document, style: StyleSheet, fonts: Fonts, memo: LayoutMemo | None = None
            ) -> Layout:
    """Pages for doc; share a memo between documents that repeat sections or rows."""
    flow = memo.flow(style, fonts) if memo is not None else Flow(style, fonts)
    page = style.page
    pages: list[PageLayout] = []
    sections: list[tuple[str, int]] = []
    bookmarks: list[tuple[str, int]] = []
    number = 0
    for index, section in enumerate(doc.sections):
        if section.odd_start and len(pages) % 2 == 1:
            # The blank back of a leaf: no number, maybe a note saying it is meant.
            pages.append(PageLayout(section=index, glyphs=padding_note(flow, doc)))
            number += 1
        if section.restart_numbering:
            number = 0
        known = memo.sections.get(id(section.blocks)) if memo is not None else None
        if known is not None:
            stacked = known[1]
        else:
            stacked = paginate(flow.section(section), page.block_top, page.block_bottom,
                               page.line_pitch)
            if memo is not None:
                memo.sections[id(section.blocks)] = (section.blocks, stacked)
        sections.append((section.name, len(pages) + 1))
        if section.bookmark:
            bookmarks.append((section.bookmark, len(pages)))
        for placed in stacked or [[]]:
            number += 1
            out = PageLayout(section=index, number=number if section.numbered else None)
            for slot, at in placed:
                moved = slot.moved(at)
                out.glyphs += moved.glyphs
                out.strokes += moved.strokes
                out.fields += moved.fields
                out.lines.append((at, slot.text))
            if out.number is not None:
                out.glyphs += folio(flow, out.number)
            pages.append(out)
    return Layout(pages, sections, bookmarks)


def folio(flow: Flow, number: int) -> list[Glyphs]:
    """"— N —": odd numbers right, even left, indent_chars 字 in (L16, L17)."""
    style, m = flow.style, flow.m
    fo, page = style.folio, style.page
    text = fo.format.format(n=number)
    src = RoleText.of([Run(text)], fo.role)
    sl = flow.setter.lines(src, fo.size, [page.block_width], "left")[0]
    t = m.tracking(fo.size)
    inset = fo.indent_chars * flow.zi
    if number % 2:
        x = page.block_right - inset - sl.width + t / 2
    else:
        x = page.block_left + inset - t / 2
    # The top of the glyph box lies `offset` below the block.
    box_top = page.block_bottom + fo.offset
    base = box_top + fo.size + m.descent(fo.role) * fo.size
    return flow.setter.glyphs(sl, x, base)


def padding_note(flow: Flow, doc: Document) -> list[Glyphs]:
    """The document's padding note, centred in the text block (issue 21)."""
    if not doc.padding_note:
        return []
    st, page = flow.style[doc.padding_style], flow.style.page
    src = RoleText.of([Run(doc.padding_note)], st.role)
    out: list[Glyphs] = []
    y = page.block_top + (page.block_bottom - page.block_top - st.size) / 2
    for sl in flow.setter.lines(src, st.size, [page.block_width], "center"):
        x = page.block_left + align_shift("center", page.block_width, sl.width,
                                          flow.m.tracking(st.size))
        out += flow.setter.glyphs(sl, x, flow.m.baseline(st.role, st.size, y, st.size))
        y += st.size * flow.style.tables.cell_line_factor
    return out


def text_by_role(doc: Document, style: StyleSheet) -> dict[str, str]:
    """Every character each font role must set, including what layout adds."""
    out = doc.text_by_role(style.roles_of_style())
    out.setdefault(BODY_ROLE, "")  # the canvas's initial font, even if nothing is set in it
    if doc.padding_note:
        role = style[doc.padding_style].role
        out[role] = out.get(role, "") + doc.padding_note
    digits = "0123456789"
    folio_text = style.folio.format.replace("{n}", "") + digits
    out[style.folio.role] = out.get(style.folio.role, "") + folio_text
    return out
