"""A section's blocks → slots of the vertical flow (LAYOUT.md L06–L12).

One slot per grid line of text or blank line, set with handouts.pdf.lines;
tables are handouts.pdf.tables' part. Keep flags carry the rules that decide
where a page may end (a heading stays with its text, the signature with the
last lines before it); handouts.pdf.layout stacks the slots on pages.
"""

from __future__ import annotations

from ..compose.document import Blank, Block, Paragraph, Run, Section, Signature, Table
from ..compose.style import ParagraphStyle, StyleSheet
from ..typeset.titles import TITLE_ROLE, balance_title, title_measure
from .lines import EPS, Fonts, LineSetter, Metrics, RoleText, SetLine, align_shift
from .slots import Slot
from .tables import TableFlow


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
        self.tables = TableFlow(style, self.m, self.setter, rows)

    # -- sections ------------------------------------------------------------

    def section(self, section: Section) -> list[Slot]:
        slots: list[Slot] = []
        heading = False  # the last text was a heading or title kept with what follows
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
            elif isinstance(block, Paragraph):
                if heading and len(new) == 1:
                    new[0].keep = True  # L28: a heading takes two lines of its text along
                heading = bool(new) and new[-1].keep and self.style[block.style].keep_with_next
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
            return self.tables.table(block)
        raise TypeError(f"unknown block {type(block).__name__}")

    # -- paragraphs ------------------------------------------------------------

    def _hard_lines(self, p: Paragraph, st: ParagraphStyle, width: float) -> list[RoleText]:
        parts = [RoleText.of(runs, st.role) for runs in p.lines()]
        if st.role != TITLE_ROLE:
            return parts
        # Titles: balanced lines (L10), decided as the Word writer decides
        # them (title_measure). Every output line is a slice of the input
        # lines joined, so it keeps its characters' roles.
        joined = RoleText("".join(t.text for t in parts), [r for t in parts for r in t.roles])
        out: list[RoleText] = []
        pos = 0
        for line in balance_title([t.text for t in parts], title_measure(st.size), width):
            i = joined.text.find(line, pos)
            if i < 0:  # cannot happen for slices; stay safe
                out.append(RoleText(line, [st.role] * len(line)))
                continue
            out.append(RoleText(line, joined.roles[i : i + len(line)]))
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
                x = left + indent + align_shift(st.align, avail, sl.width, t)
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
        if len(slots) >= 2:
            # L27: neither the first line alone at a page's foot (orphan) nor
            # the last alone at the top of the next (widow).
            slots[0].keep = slots[-2].keep = True
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
            src = RoleText.of([Run(name)], st.role)
            names += self.setter.lines(src, st.size, [limit - page.block_left], "left")
        date = None
        if sig.date:
            date = self.setter.lines(RoleText.of([Run(sig.date)], dst.role), dst.size,
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

