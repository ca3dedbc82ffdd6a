"""Table rows → slots for the PDF layout: cells, borders, ruled lines, form fields.

A row is one slot, never split across pages; header rows repeat on every page
(handouts.pdf.layout.paginate). A row's slot depends on the row only, so the
branches' sheets share theirs through the layout memo.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..compose.document import Cell, Check, Row, Run, Table
from ..compose.style import MM, ParagraphStyle, StyleSheet
from .lines import LineSetter, Metrics, RoleText, SetLine, align_shift
from .slots import FormField, Glyphs, Slot, Stroke

# A form field is multi-line when its area is taller than this many lines.
MULTILINE_LINES = 1.5
# Handwriting rules: the first needs this much of a pitch free above it, the
# last this much below it, so that neither touches text or border.
RULE_CLEAR_ABOVE = 0.6
RULE_CLEAR_BELOW = 0.25
RULE_WEIGHT = 0.5  # relative to the cell border
# Check boxes, in em of their label's size: the square's side, the space
# between square and label, and between one label and the next box (the
# two 全角空格 the printed □ list had).
CHECK_SIDE = 0.75
CHECK_GAP = 0.3
CHECK_SPACING = 2.0


class TableFlow:
    """Builds the slots of tables; rows memoised by value when given a dict."""

    def __init__(self, style: StyleSheet, metrics: Metrics, setter: LineSetter,
                 rows: dict[tuple[str, tuple[float, ...], str], Slot] | None = None) -> None:
        self.style = style
        self.page = style.page
        self.m = metrics
        self.setter = setter
        self.rows = rows  # see LayoutMemo

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
            box.checks = [self._check_line(c) for c in cell.checks]
            boxes.append(box)
        # Padding is horizontal only (style.toml); a cell line's pitch already
        # leaves a quarter em above and below its glyphs.
        height = max([(row.height_mm or 0.0) * MM] + [b.content for b in boxes])
        slot = Slot(height, grid=False, text="\t".join(c.text for c in row.cells))
        for box in boxes:
            y = 0.0 if box.cell.valign == "top" else (height - box.content) / 2
            # A field's own text is its initial value: drawn by the field.
            prefilled = bool(box.cell.field and box.lines)
            glyphs = []
            for cl in box.lines:
                avail = box.right - box.left - 2 * pad
                x = box.left + pad + align_shift(cl.align, avail, cl.line.width,
                                                  self.m.tracking(cl.line.size))
                base = self.m.baseline(cl.role, cl.line.size, y, cl.pitch)
                glyphs += self.setter.glyphs(cl.line, x, base)
                y += cl.pitch
            used = y if box.lines else 0.0  # where the text ends: rules and fields go below
            if box.checks:
                self._checks(box, y, slot)
            if box.cell.ruled:
                slot.strokes += self._rules(box.left + pad, box.right - pad, used, height)
            if box.cell.field:
                field_ = self._field(box.cell, box.left, box.right, 0.0 if prefilled else used,
                                     height, table_style)
                if prefilled:
                    field_ = self._prefill(field_, box, glyphs)
                    glyphs = []
                slot.fields.append(field_)
            slot.glyphs += glyphs
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
                for sl in self.setter.lines(RoleText.of(runs, st.role), st.size, widths, align):
                    out.append(_CellLine(sl, st.size * factor, st.role, align))
        return out

    def _check_line(self, check: Check) -> _CheckItem:
        st = self.style[check.style]
        lines = self.setter.lines(RoleText.of([Run(check.label)], st.role), st.size,
                                  [self.page.block_width], "left")
        return _CheckItem(check, lines[0], st.size, st.role,
                          st.size * self.style.tables.cell_line_factor)

    def _checks(self, box: _CellBox, y: float, slot: Slot) -> None:
        """A cell's check boxes on one line from y: a drawn square (printed
        also where there is no form), a check-box field on it, the label."""
        pad = self.style.tables.padding
        w = self.style.tables.border_pt
        x = box.left + pad
        pitch = max(item.pitch for item in box.checks)
        for item in box.checks:
            side = CHECK_SIDE * item.size
            top = y + (pitch - side) / 2
            x0, x1, y1 = x, x + side, top + side
            slot.strokes += [Stroke(x0 - w / 2, top, x1 + w / 2, top, w),
                             Stroke(x0 - w / 2, y1, x1 + w / 2, y1, w),
                             Stroke(x0, top, x0, y1, w), Stroke(x1, top, x1, y1, w)]
            slot.fields.append(FormField(item.check.field, x0, top, side, side, item.size, False,
                                         item.check.label, kind="check"))
            x = x1 + CHECK_GAP * item.size
            base = self.m.baseline(item.role, item.size, y, pitch)
            slot.glyphs += self.setter.glyphs(item.line, x, base)
            x += item.line.width + CHECK_SPACING * item.size

    def _prefill(self, f: FormField, box: _CellBox, glyphs: list[Glyphs]) -> FormField:
        """The cell's text as the field's value, its glyphs relative to the field."""
        moved = tuple(Glyphs(g.x - f.x, g.baseline - f.top, g.font, g.size, g.text, g.char_space)
                      for g in glyphs)
        return replace(f, value=box.cell.text, glyphs=moved, multiline=len(box.lines) > 1)

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
class _CheckItem:
    check: Check
    line: SetLine  # the label
    size: float
    role: str
    pitch: float


@dataclass
class _CellBox:
    cell: Cell
    left: float
    right: float
    lines: list[_CellLine] = field(default_factory=list)
    checks: list[_CheckItem] = field(default_factory=list)

    @property
    def content(self) -> float:
        checks = max((c.pitch for c in self.checks), default=0.0)
        return sum(cl.pitch for cl in self.lines) + checks

