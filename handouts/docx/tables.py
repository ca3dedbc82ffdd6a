"""Tables as WordprocessingML: fixed widths, cell rules, ruled lines for handwriting.

Rows never split (w:cantSplit) and header rows repeat (w:tblHeader), as in
the PDF; a cell's lines are as tall as the PDF's (style.toml cell_line_factor),
so rows come out the same height in Word.
"""

from __future__ import annotations

import copy

from lxml import etree

from ..compose.document import Cell, Paragraph, Table
from ..compose.style import MM, StyleSheet
from .blocks import BlockWriter
from .controls import check_paragraph, text_control
from .oxml import el, on_off, set_ppr, twips

# Tables built in this process, by style sheet and value (see TableWriter.table);
# the entry keeps its style sheet alive, so the id in the key stays its own.
_TABLES: dict[tuple[int, str], tuple[StyleSheet, list[etree._Element]]] = {}
MAX_TABLES = 64


class TableWriter:
    def __init__(self, style: StyleSheet, blocks: BlockWriter) -> None:
        self.style = style
        self.blocks = blocks

    def table(self, block: Table) -> list[etree._Element]:
        # A month's sixteen sheets of a kind share their table: built once
        # per process (by value), then copied, which lxml does in C.
        key = (id(self.style), repr(block))
        known = _TABLES.get(key)
        if known is None:
            if len(_TABLES) >= MAX_TABLES:
                _TABLES.clear()
            known = _TABLES[key] = (self.style, self._table(block))
        return [copy.deepcopy(e) for e in known[1]]

    def _table(self, block: Table) -> list[etree._Element]:
        tables = self.style.tables
        widths = [twips(w * MM) for w in block.widths_mm]
        border = round(tables.border_pt * 8)  # eighths of a point
        padding = twips(tables.padding)

        def edge(tag: str) -> etree._Element:
            return el(tag, val="single", sz=border, space=0, color="000000")

        tbl = el(
            "w:tbl",
            el("w:tblPr",
               el("w:tblW", w=sum(widths), type="dxa"),
               el("w:jc", val="center"),
               el("w:tblBorders", *(edge(f"w:{side}") for side in
                                    ("top", "left", "bottom", "right", "insideH", "insideV"))),
               el("w:tblLayout", type="fixed"),
               el("w:tblCellMar",
                  el("w:top", w=0, type="dxa"), el("w:left", w=padding, type="dxa"),
                  el("w:bottom", w=0, type="dxa"), el("w:right", w=padding, type="dxa")),
               el("w:tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0, lastColumn=0,
                  noHBand=1, noVBand=1)),
            el("w:tblGrid", *(el("w:gridCol", w=w) for w in widths)),
        )
        for ri, row in enumerate(block.rows):
            tr_pr = el(
                "w:trPr",
                on_off("w:cantSplit"),
                el("w:trHeight", val=twips(row.height_mm * MM), hRule="atLeast") if row.height_mm else None,
                on_off("w:tblHeader") if ri < block.header_rows else None,
            )
            tr = el("w:tr", tr_pr)
            column = 0
            for cell in row.cells:
                span = max(cell.span, 1)
                width = sum(widths[column:column + span])
                column += span
                tc = el("w:tc", el(
                    "w:tcPr",
                    el("w:tcW", w=width, type="dxa"),
                    el("w:gridSpan", val=span) if span > 1 else None,
                    el("w:vAlign", val="top" if cell.valign == "top" else "center"),
                ))
                if cell.ruled and not cell.text.strip():
                    paragraphs = self._ruled(row.height_mm)
                else:
                    paragraphs = self._cell_paragraphs(cell, block.style)
                for p in paragraphs:
                    tc.append(p)
                tr.append(tc)
            tbl.append(tr)
        return [tbl]

    def _cell_paragraphs(self, cell: Cell, table_style: str) -> list[etree._Element]:
        # A cell must end with a paragraph: an empty one has one.
        blocks = cell.blocks or ([] if cell.checks else [Paragraph(table_style)])
        out = [p for b in blocks for p in self._cell_paragraph(b, cell.align)]
        if cell.field and cell.blocks:
            # The text is the field's initial value (学习时间): one control.
            for p in out:
                text_control(p, cell.field, cell.label)
        if cell.checks:
            first = cell.checks[0].style
            p = self._cell_paragraph(Paragraph(first), cell.align)[0]
            out.append(check_paragraph(p, cell.checks))
        return out

    def _cell_paragraph(self, block: Paragraph, align: str | None) -> list[etree._Element]:
        """A paragraph in a table cell: as in the PDF, off the page grid, each
        line its size times the cell line factor (style.toml), so that rows
        are as tall in Word as in the PDF."""
        pitch = twips(self.style[block.style].size * self.style.tables.cell_line_factor)
        made = self.blocks.paragraph(block, align=align)
        for p in made:
            set_ppr(p, el("w:spacing", before=0, after=0, line=pitch, lineRule="exact"))
        return made

    def _ruled(self, height_mm: float | None) -> list[etree._Element]:
        """Empty lines ruled for handwriting: one bottom rule per ruled pitch."""
        pitch = self.style.tables.ruled_pitch
        count = max(int((height_mm or 0) * MM // pitch) - 1, 1)
        rule = self.style.tables.border_pt * 4  # half the cell rule, in eighths of a point
        out = []
        for _ in range(count):
            p = el("w:p")
            set_ppr(p, el("w:pBdr",
                          el("w:between", val="single", sz=round(rule), space=1, color="000000"),
                          el("w:bottom", val="single", sz=round(rule), space=1, color="000000")))
            set_ppr(p, el("w:spacing", before=0, after=0, line=twips(pitch), lineRule="exact"))
            set_ppr(p, el("w:ind", firstLine=0, firstLineChars=0))
            out.append(p)
        return out

    # -- page setup, footers, settings --------------------------------------
