"""Document → positioned pages for the PDF writer (LAYOUT.md).

Lines and pages, nothing drawn: every block becomes slots (one grid line of
text, a blank grid line, a table row) carrying glyph runs, strokes and form
fields relative to the slot's top; pagination stacks slots on pages under the
keep rules; the page number is added last. All lengths come from the style
sheet; characters are measured with the prepared fonts.

Coordinates are PDF points from the page's top-left corner, the way
LAYOUT.md and pdfplumber state them; the writer flips them.

Units of "字": LAYOUT.md defines 1 字 as a body-size Han character (16 pt).
Left indents of text on the character grid count grid cells instead (the
character pitch, 15.79 pt), so that an indented line still holds whole
characters (26 after a 2-字 first-line indent, L06, L07); distances measured
from the right edge or between lines (signature, date offset, page number)
use 16 pt, which the checkable rules (L12, L17) are written in.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from reportlab.pdfbase import pdfmetrics

from ..compose.document import Blank, Block, Cell, Document, Paragraph, Row, Run, Section, Signature, Table
from ..compose.style import MM, ParagraphStyle, StyleSheet
from ..typeset.linebreak import Line, break_lines, justify_offsets
from ..typeset.titles import TITLE_ROLE, balance_title

EPS = 1e-6
# Whitespace is never drawn; its advance in em (LAYOUT.md, brief). Other
# spaces are thin; zero-width ones take no room.
SPACE_EM = {" ": 0.5, "\u00a0": 0.5, "\u2002": 0.5, "\u2003": 1.0, "\u3000": 1.0,
            "\u200b": 0.0, "\u2060": 0.0, "\ufeff": 0.0}
THIN_SPACE_EM = 0.25
# A form field is multi-line when its area is taller than this many lines.
MULTILINE_LINES = 1.5
# Handwriting rules: the first needs this much of a pitch free above it, the
# last this much below it, so that neither touches text or border.
RULE_CLEAR_ABOVE = 0.6
RULE_CLEAR_BELOW = 0.25
RULE_WEIGHT = 0.5  # relative to the cell border
# The role whose font sets empty lines and fields (LAYOUT.md: everything else is body).
BODY_ROLE = "body"
# Paragraph styles in this font role are titles: balanced lines (L09, L10).


class Fonts(Protocol):
    """What the layout needs of handouts.fonts.fontset.PreparedFonts."""

    def font_name(self, role: str) -> str: ...
    def segments(self, role: str, text: str) -> list[tuple[str, str]]: ...
    def advance(self, role: str, ch: str, size: float) -> float: ...


def is_space(ch: str) -> bool:
    return ch in SPACE_EM or ch.isspace() or unicodedata.category(ch) == "Zs"


class _Table(dict):  # type: ignore[type-arg]
    """A lazily filled table keyed by character."""

    def __init__(self, measure: Callable[[str], object]) -> None:
        super().__init__()
        self.measure = measure

    def __missing__(self, ch: str) -> object:
        value = self[ch] = self.measure(ch)
        return value


SPACE = _Table(is_space)


def per_char(table_of: Callable[[str], _Table], text: str, roles: Sequence[str]) -> list[Any]:
    """table_of(role)[ch] for every character of text in the role of its run,
    looked up in C (map over one table) where the text has one role, as most do."""
    first = roles[0] if roles else BODY_ROLE
    if roles.count(first) == len(roles):
        return list(map(table_of(first).__getitem__, text))
    tables = {role: table_of(role) for role in set(roles)}
    return [tables[role][ch] for ch, role in zip(text, roles, strict=True)]


# ------------------------------------------------------------------ output


@dataclass(frozen=True)
class Glyphs:
    """Characters drawn in one text state: one font, one size, even spacing."""

    x: float  # where the first glyph is drawn
    baseline: float  # from the top of the slot, then of the page
    font: str
    size: float
    text: str
    char_space: float = 0.0


@dataclass(frozen=True)
class Stroke:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float


@dataclass(frozen=True)
class FormField:
    name: str
    x: float
    top: float
    width: float
    height: float
    size: float
    multiline: bool
    label: str | None = None


@dataclass
class Slot:
    """One unit of the vertical flow; never split across pages."""

    height: float
    glyphs: list[Glyphs] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    fields: list[FormField] = field(default_factory=list)
    keep: bool = False  # a page may not end after this slot
    blank: bool = False  # dropped at the top of a page
    grid: bool = True  # starts on a grid line
    header: list[Slot] = field(default_factory=list)  # repeated above it on a new page
    text: str = ""  # what the slot sets, for tests and messages

    def moved(self, top: float) -> Slot:
        return replace(
            self,
            glyphs=[Glyphs(g.x, g.baseline + top, g.font, g.size, g.text, g.char_space)
                    for g in self.glyphs],
            # Constructors, not dataclasses.replace: this runs for every stroke of every page.
            strokes=[Stroke(s.x0, s.y0 + top, s.x1, s.y1 + top, s.width) for s in self.strokes],
            fields=[replace(f, top=f.top + top) for f in self.fields],
        )


@dataclass
class PageLayout:
    glyphs: list[Glyphs] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    fields: list[FormField] = field(default_factory=list)
    number: int | None = None  # the page number shown, if any
    section: int = 0  # index into Document.sections
    lines: list[tuple[float, str]] = field(default_factory=list)  # (top, text) of each slot


@dataclass
class Layout:
    pages: list[PageLayout]
    sections: list[tuple[str, int]]  # (name, 1-based first page)
    bookmarks: list[tuple[str, int]]  # (title, 0-based page)


# ------------------------------------------------------------------ metrics


class Metrics:
    """Advances with tracking, fonts per character, vertical placement."""

    def __init__(self, style: StyleSheet, fonts: Fonts) -> None:
        self.style = style
        self.fonts = fonts
        page = style.page
        # Tracking is set per em so that 28 body characters fill the block
        # (L06); other sizes keep the same letter fit.
        self.tracking_em = page.tracking / page.body_size
        self._font: dict[str, _Table] = {}
        self._glyphs: dict[tuple[str, float], _Table] = {}
        self._cells: dict[tuple[str, float], _Table] = {}
        self._descent: dict[str, float] = {}

    def tracking(self, size: float) -> float:
        return self.tracking_em * size

    def glyph_table(self, role: str, size: float) -> _Table:
        """character → the font's own advance (what a viewer moves by before Tc)."""
        table = self._glyphs.get((role, size))
        if table is None:
            fonts = self.fonts

            def measure(ch: str) -> float:
                if is_space(ch):
                    return SPACE_EM.get(ch, THIN_SPACE_EM) * size
                return fonts.advance(role, ch, size)

            table = self._glyphs[(role, size)] = _Table(measure)
        return table

    def cell_table(self, role: str, size: float) -> _Table:
        """character → its cell: advance plus tracking."""
        table = self._cells.get((role, size))
        if table is None:
            glyph, track = self.glyph_table(role, size), self.tracking_em * size
            table = self._cells[(role, size)] = _Table(lambda ch: glyph[ch] + track)
        return table

    def glyph_advance(self, role: str, ch: str, size: float) -> float:
        return self.glyph_table(role, size)[ch]

    def advance(self, role: str, ch: str, size: float) -> float:
        return self.cell_table(role, size)[ch]

    def advances(self, src: _Text, size: float) -> list[float]:
        """The cell of each character of src, in the role of its run."""
        return per_char(lambda role: self.cell_table(role, size), src.text, src.roles)

    def font_table(self, role: str) -> _Table:
        """character → the registered font that draws it (per-character fallback)."""
        table = self._font.get(role)
        if table is None:
            fonts = self.fonts
            table = self._font[role] = _Table(lambda ch: fonts.segments(role, ch)[0][0])
        return table

    def descent(self, role: str) -> float:
        """The role's font descent in em (negative), as PDF readers place glyph boxes."""
        name = self.fonts.font_name(role)
        d = self._descent.get(name)
        if d is None:
            d = pdfmetrics.getFont(name).face.descent / 1000
            self._descent[name] = d
        return d

    def baseline(self, role: str, size: float, band_top: float, band_height: float) -> float:
        """Baseline that centres the glyph box (descent to descent + 1 em) in a band."""
        return band_top + band_height / 2 + size / 2 + self.descent(role) * size


# ------------------------------------------------------------------ lines


@dataclass
class _Text:
    """A paragraph's characters with the font role of each."""

    text: str
    roles: list[str]

    @classmethod
    def of(cls, runs: Sequence[Run], default_role: str) -> _Text:
        parts, roles = [], []
        for r in runs:
            parts.append(r.text)
            roles.extend([r.role or default_role] * len(r.text))
        return cls("".join(parts), roles)


@dataclass
class SetLine:
    """A broken line with the x offset of each character from its first cell."""

    src: _Text
    line: Line
    offsets: list[float]
    width: float  # from the first cell's start to the last cell's end
    size: float


class LineSetter:
    def __init__(self, metrics: Metrics) -> None:
        self.m = metrics

    def lines(self, src: _Text, size: float, widths: Sequence[float], align: str) -> list[SetLine]:
        """Break a text and set every line for its width and alignment."""
        if not src.text:
            return []
        advs = self.m.advances(src, size)
        out = []
        for i, ln in enumerate(break_lines(src.text, advs, widths, size)):
            target = widths[min(i, len(widths) - 1)]
            out.append(self.set(src, ln, size, target, align == "justify" and not ln.last, advs))
        return out

    def set(self, src: _Text, ln: Line, size: float, target: float, spread: bool,
            advs: list[float]) -> SetLine:
        goal = target if spread else min(ln.natural, target)
        offsets = justify_offsets(src.text, ln, advs, goal, size)
        width = offsets[-1] + advs[ln.end - 1] if offsets else 0.0
        return SetLine(src, ln, offsets, goal if spread else width, size)

    def glyphs(self, sl: SetLine, x: float, baseline: float) -> list[Glyphs]:
        """Glyph runs of a set line whose first cell starts at x.

        Consecutive characters in one font with equal spacing become one run
        drawn with a character spacing (Tc), so a justified line is a few
        runs, not a call per character.
        """
        m, size, start, end = self.m, sl.size, sl.line.start, sl.line.end
        chars, roles = sl.src.text[start:end], sl.src.roles[start:end]
        if not chars:
            return []
        fonts = per_char(m.font_table, chars, roles)
        advances = per_char(lambda role: m.glyph_table(role, size), chars, roles)
        spaces = list(map(SPACE.__getitem__, chars))
        # A glyph box is the font's advance wide, its cell that plus tracking:
        # centring the box on the cell keeps both line ends in the block.
        x += m.tracking(size) / 2
        out: list[Glyphs] = []
        run: list[str] = []
        font = ""
        x0 = cs = last_end = 0.0
        for ch, f, off, adv, space in zip(chars, fonts, sl.offsets, advances, spaces, strict=True):
            if space:
                if run:
                    out.append(Glyphs(x0, baseline, font, size, "".join(run), cs))
                run = []
                continue
            if run and f == font:
                gap = off - last_end
                if len(run) == 1:
                    cs = gap
                if abs(gap - cs) < 1e-4:
                    run.append(ch)
                    last_end = off + adv
                    continue
            if run:
                out.append(Glyphs(x0, baseline, font, size, "".join(run), cs))
            # A run of one character has no spacing (cs 0.0) until a second joins.
            run, font, x0, cs = [ch], f, x + off, 0.0
            last_end = off + adv
        if run:
            out.append(Glyphs(x0, baseline, font, size, "".join(run), cs))
        return out


# ------------------------------------------------------------------ blocks → slots


class Flow:
    """Builds the slots of a section's blocks."""

    def __init__(self, style: StyleSheet, fonts: Fonts,
                 rows: dict[tuple[str, tuple[float, ...], str], Slot] | None = None) -> None:
        self.style = style
        self.m = Metrics(style, fonts)
        self.rows = rows  # see LayoutMemo
        self.setter = LineSetter(self.m)
        page = style.page
        self.page = page
        self.pitch = page.line_pitch
        self.cell = page.char_pitch  # left indents of grid text
        self.zi = page.body_size  # 1 字 measured from the right (L12, L17)

    # -- sections ------------------------------------------------------------

    def section(self, section: Section) -> list[Slot]:
        slots: list[Slot] = []
        for block in section.blocks:
            if isinstance(block, Signature):
                # Signature and date stay with the last lines before them (L12).
                for s in reversed(slots):
                    s.keep = True
                    if not s.blank:
                        break
            new = self.block(block)
            if isinstance(block, Blank) and slots:
                for s in new:
                    s.keep = slots[-1].keep  # a heading's blank line stays with it
            slots.extend(new)
        return slots

    def block(self, block: Block) -> list[Slot]:
        if isinstance(block, Paragraph):
            return self.paragraph(block)
        if isinstance(block, Blank):
            return [Slot(self.pitch, blank=True) for _ in range(max(0, block.lines))]
        if isinstance(block, Signature):
            return self.signature(block)
        if isinstance(block, Table):
            return self.table(block)
        raise TypeError(f"unknown block {type(block).__name__}")

    # -- paragraphs ------------------------------------------------------------

    def _hard_lines(self, p: Paragraph, st: ParagraphStyle, width: float) -> list[_Text]:
        parts = [_Text.of(runs, st.role) for runs in p.lines()]
        if st.role != TITLE_ROLE:
            return parts
        # Titles: balanced lines (L10). Every output line is a slice of the
        # input lines joined, so it keeps its characters' roles.
        joined = _Text("".join(t.text for t in parts), [r for t in parts for r in t.roles])
        advs = self.m.advances(joined, st.size)

        def measure(text: str) -> float:
            start = max(0, joined.text.find(text))
            return sum(advs[start : start + len(text)])

        out: list[_Text] = []
        pos = 0
        for line in balance_title([t.text for t in parts], measure, width):
            i = joined.text.find(line, pos)
            if i < 0:  # cannot happen for slices; stay safe
                out.append(_Text(line, [st.role] * len(line)))
                continue
            out.append(_Text(line, joined.roles[i : i + len(line)]))
            pos = i + len(line)
        return out

    def paragraph(self, p: Paragraph) -> list[Slot]:
        st = self.style[p.style]
        size = st.size
        left = self.page.block_left + st.left_indent * self.cell
        width = self.page.block_right - st.right_indent * self.zi - left
        first = st.first_indent * self.cell
        t = self.m.tracking(size)
        slots: list[Slot] = []
        lead_end = _lead_end(p, st)
        consumed = 0
        for h, src in enumerate(self._hard_lines(p, st, width)):
            widths = [width - first, width] if h == 0 else [width]
            for i, sl in enumerate(self.setter.lines(src, size, widths, st.align)):
                indent = first if h == 0 and i == 0 else 0.0
                avail = widths[min(i, len(widths) - 1)]
                x = left + indent + _align_shift(st.align, avail, sl.width, t)
                base = self.m.baseline(st.role, size, 0.0, self.pitch)
                slots.append(Slot(
                    self.pitch,
                    glyphs=self.setter.glyphs(sl, x, base),
                    keep=st.keep_with_next and consumed + sl.line.start < lead_end,
                    text=src.text[sl.line.start:sl.line.end],
                ))
            consumed += len(src.text)
        if not slots:  # an empty paragraph still takes its line
            slots.append(Slot(self.pitch, blank=True, keep=st.keep_with_next))
        return slots

    # -- signature ---------------------------------------------------------------

    def signature(self, sig: Signature) -> list[Slot]:
        """Names as a left-aligned column, the date under it (LAYOUT.md L12)."""
        st, dst = self.style[sig.style], self.style[sig.date_style]
        page = self.page
        limit = page.block_right - st.right_indent * self.zi
        date_limit = page.block_right - dst.right_indent * self.zi
        names: list[SetLine] = []
        for name in sig.names:
            src = _Text.of([Run(name)], st.role)
            names += self.setter.lines(src, st.size, [limit - page.block_left], "left")
        date = None
        if sig.date:
            date = self.setter.lines(_Text.of([Run(sig.date)], dst.role), dst.size,
                                     [date_limit - page.block_left], "left")
        t_sig, t_date = self.m.tracking(st.size), self.m.tracking(dst.size)
        offset = dst.date_offset * self.zi
        # Ink right edge = last cell's end - tracking / 2 (see LineSetter.glyphs).
        x_sig = limit - max((n.width for n in names), default=0.0) + t_sig / 2
        x_date = x_sig + offset
        if date:
            d = date[-1].width
            if not names or x_date + d - t_date / 2 > date_limit + EPS:
                x_date = date_limit - d + t_date / 2
                x_sig = min(x_sig, x_date - offset) if names else x_sig
        x_sig = max(x_sig, page.block_left)
        slots = [self._line_slot(n, x_sig, st.role, keep=True) for n in names]
        slots += [self._line_slot(d, x_date, dst.role, keep=False) for d in date or []]
        if slots:
            slots[-1].keep = False
        return slots

    def _line_slot(self, sl: SetLine, x: float, role: str, keep: bool) -> Slot:
        base = self.m.baseline(role, sl.size, 0.0, self.pitch)
        return Slot(self.pitch, glyphs=self.setter.glyphs(sl, x, base), keep=keep,
                    text=sl.src.text[sl.line.start:sl.line.end])

    # -- tables --------------------------------------------------------------------

    def table(self, table: Table) -> list[Slot]:
        """One slot per row: rows never split; header rows repeat on every page."""
        page = self.page
        widths = [w * MM for w in table.widths_mm] or [page.block_width]
        scale = min(1.0, page.block_width / sum(widths))  # too wide: shrink in proportion
        edges = [page.block_left + (page.block_width - sum(widths) * scale) / 2]
        for w in widths:
            edges.append(edges[-1] + w * scale)
        header: list[Slot] = []
        slots: list[Slot] = []
        for r, row in enumerate(table.rows):
            slot = self._row(row, edges, table.style)
            if r < table.header_rows:
                slot.keep = True  # a header row never ends a page
                header.append(slot)
            else:
                slot.header = header
            slots.append(slot)
        if slots:
            slots[-1].keep = False
        return slots

    def _row(self, row: Row, edges: list[float], table_style: str) -> Slot:
        if self.rows is None:
            return self.row(row, edges, self.style[table_style])
        key = (repr(row), tuple(edges), table_style)
        known = self.rows.get(key)
        if known is None:
            known = self.rows[key] = self.row(row, edges, self.style[table_style])
        # A copy: table() and section() set keep and header on the slot they get.
        return replace(known, glyphs=list(known.glyphs), strokes=list(known.strokes),
                       fields=list(known.fields), header=list(known.header))

    def row(self, row: Row, edges: list[float], table_style: ParagraphStyle) -> Slot:
        pad = self.style.tables.padding
        boxes: list[_CellBox] = []
        col = 0
        for cell in row.cells:
            span = max(1, cell.span)
            last = len(edges) - 1
            box = _CellBox(cell, edges[min(col, last)], edges[min(col + span, last)])
            col += span
            box.lines = self._cell_lines(cell, box.right - box.left - 2 * pad)
            boxes.append(box)
        # Padding is horizontal only (style.toml); a cell line's pitch already
        # leaves a quarter em above and below its glyphs.
        height = max([(row.height_mm or 0.0) * MM] + [b.content for b in boxes])
        slot = Slot(height, grid=False, text="\t".join(c.text for c in row.cells))
        for box in boxes:
            y = 0.0 if box.cell.valign == "top" else (height - box.content) / 2
            for cl in box.lines:
                avail = box.right - box.left - 2 * pad
                x = box.left + pad + _align_shift(cl.align, avail, cl.line.width,
                                                  self.m.tracking(cl.line.size))
                base = self.m.baseline(cl.role, cl.line.size, y, cl.pitch)
                slot.glyphs += self.setter.glyphs(cl.line, x, base)
                y += cl.pitch
            used = y if box.lines else 0.0  # where the text ends: rules and fields go below
            if box.cell.ruled:
                slot.strokes += self._rules(box.left + pad, box.right - pad, used, height)
            if box.cell.field:
                slot.fields.append(self._field(box.cell, box.left, box.right, used, height,
                                               table_style))
        xs = [b.left for b in boxes] + [edges[-1]]
        slot.strokes += self._borders(edges[0], edges[-1], xs, height)
        return slot

    def _cell_lines(self, cell: Cell, inner: float) -> list[_CellLine]:
        out = []
        factor = self.style.tables.cell_line_factor
        for p in cell.blocks:
            st = self.style[p.style]
            align = cell.align or st.align
            first = st.first_indent * st.size
            for h, runs in enumerate(p.lines()):
                widths = [inner - first, inner] if h == 0 else [inner]
                for sl in self.setter.lines(_Text.of(runs, st.role), st.size, widths, align):
                    out.append(_CellLine(sl, st.size * factor, st.role, align))
        return out

    def _rules(self, x0: float, x1: float, used: float, height: float) -> list[Stroke]:
        pitch = self.style.tables.ruled_pitch
        weight = self.style.tables.border_pt * RULE_WEIGHT
        out = []
        k = 1
        while (y := k * pitch) < height - RULE_CLEAR_BELOW * pitch:
            if y - used >= RULE_CLEAR_ABOVE * pitch:
                out.append(Stroke(x0, y, x1, y, weight))
            k += 1
        return out

    def _field(self, cell: Cell, a: float, b: float, used: float, height: float,
               st: ParagraphStyle) -> FormField:
        """A fillable field over the cell's empty part, in the table style's size."""
        inset = self.style.tables.border_pt
        h = height - used - 2 * inset
        assert cell.field is not None
        return FormField(cell.field, a + inset, used + inset, b - a - 2 * inset, h, st.size,
                         h > MULTILINE_LINES * st.size * self.style.tables.cell_line_factor, cell.label)

    def _borders(self, left: float, right: float, xs: list[float], height: float) -> list[Stroke]:
        w = self.style.tables.border_pt
        out = [Stroke(left, 0.0, right, 0.0, w), Stroke(left, height, right, height, w)]
        out += [Stroke(x, 0.0, x, height, w) for x in xs]
        return out


@dataclass
class _CellLine:
    line: SetLine
    pitch: float
    role: str
    align: str


@dataclass
class _CellBox:
    cell: Cell
    left: float
    right: float
    lines: list[_CellLine] = field(default_factory=list)

    @property
    def content(self) -> float:
        return sum(cl.pitch for cl in self.lines)


def _align_shift(align: str, avail: float, width: float, tracking: float) -> float:
    """Where a line of `width` cells starts inside `avail`."""
    if align == "center":
        return (avail - width) / 2
    if align == "right":
        return avail - width + tracking / 2  # the glyph box, not the cell, meets the edge
    return 0.0


def _lead_end(p: Paragraph, st: ParagraphStyle) -> int:
    """Characters up to the end of the heading-face lead (runs in the style's own role)."""
    end = pos = 0
    for r in p.runs:
        if r.br:
            continue
        pos += len(r.text)
        if r.role is None or r.role == st.role:
            end = pos
    return end


# ------------------------------------------------------------------ pages


def paginate(slots: list[Slot], top: float, bottom: float, pitch: float) -> list[list[tuple[Slot, float]]]:
    """Stack slots on pages: keep rules, repeated table headers, blank lines
    dropped at a page's top, grid slots snapped to the line grid."""
    pages: list[list[tuple[Slot, float]]] = []
    i, n = 0, len(slots)
    while i < n:
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
            pages.append(PageLayout(section=index))  # the blank back of a leaf: no number
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
    src = _Text.of([Run(text)], fo.role)
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


def text_by_role(doc: Document, style: StyleSheet) -> dict[str, str]:
    """Every character each font role must set, including what layout adds."""
    out = doc.text_by_role(style.roles_of_style())
    out.setdefault(BODY_ROLE, "")  # the canvas's initial font, even if nothing is set in it
    digits = "0123456789"
    folio_text = style.folio.format.replace("{n}", "") + digits
    out[style.folio.role] = out.get(style.folio.role, "") + folio_text
    return out
