"""The layout tree that templates compose and writers write (DESIGN.md, "compose").

A Document is format-neutral: sections that start pages, blocks with a style
name from templates/style.toml, runs that name a font role. Writers turn
the same tree into .pdf and .docx, one method per block type.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Run:
    text: str
    role: str | None = None  # font role; None: the paragraph style's role
    br: bool = False  # a line break (text is empty)


@dataclass
class Paragraph:
    style: str
    runs: list[Run] = field(default_factory=list)
    line: int | None = None  # source line, for messages

    @property
    def text(self) -> str:
        return "".join("\n" if r.br else r.text for r in self.runs)

    def lines(self) -> list[list[Run]]:
        """The runs split at explicit line breaks (titles keep the input's breaks)."""
        out: list[list[Run]] = [[]]
        for r in self.runs:
            if r.br:
                out.append([])
            else:
                out[-1].append(r)
        return out


@dataclass
class Blank:
    """Empty grid lines: 公文 spacing is counted in lines, not points."""

    lines: int = 1


@dataclass
class Signature:
    """署名 lines and the date under them; placement follows LAYOUT.md L12."""

    names: list[str]
    date: str | None
    line: int | None = None
    style: str = "signature"
    date_style: str = "date"


@dataclass
class Check:
    """A check box with its label: a PDF check-box field, a Word check-box control."""

    field: str  # the form field's name
    label: str  # printed after the box, and what the field asks for
    style: str = "cell-text"


@dataclass
class Cell:
    blocks: list[Paragraph] = field(default_factory=list)
    span: int = 1
    # A fillable form field's name (PDF AcroForm, Word content control); the
    # cell's text, if any, is the field's initial value.
    field: str | None = None
    label: str | None = None  # what the field asks for, shown by viewers (/TU)
    ruled: bool = False  # ruled lines for handwriting across the cell
    align: str | None = None  # override: left | center | right
    valign: str = "middle"  # top | middle
    checks: list[Check] = dataclasses.field(default_factory=list)  # on one line after the text

    @property
    def text(self) -> str:
        lines = [p.text for p in self.blocks]
        if self.checks:
            lines.append("　".join(c.label for c in self.checks))
        return "\n".join(lines)


@dataclass
class Row:
    cells: list[Cell]
    height_mm: float | None = None  # at least this tall


@dataclass
class Table:
    widths_mm: list[float]
    rows: list[Row]
    style: str = "table"
    line: int | None = None
    header_rows: int = 0  # repeated at the top of every page


Block = Paragraph | Blank | Signature | Table


@dataclass
class Section:
    blocks: list[Block] = field(default_factory=list)
    bookmark: str | None = None  # outline entry (PDF bookmarks, Word heading map)
    numbered: bool = True  # page numbers in the footer
    odd_start: bool = False  # start on an odd page (duplex bundles)
    restart_numbering: bool = False
    name: str = ""  # "notice", "附件1", a branch name…; for messages and tests


@dataclass
class Document:
    title: str
    sections: list[Section] = field(default_factory=list)
    author: str = ""
    subject: str = ""
    keywords: list[str] = field(default_factory=list)
    date: dt.date | None = None  # fixes creation dates so builds are reproducible
    fillable: bool = True  # cells with a field become PDF form fields
    # Printed small on a page left blank so that a section starts on an odd
    # page (the print bundle), in this paragraph style; "" leaves it empty.
    padding_note: str = ""
    padding_style: str = ""

    def paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    out.append(block)
                elif isinstance(block, Table):
                    for row in block.rows:
                        for cell in row.cells:
                            out.extend(cell.blocks)
                            out.extend(Paragraph(c.style, [Run(c.label)]) for c in cell.checks)
        return out

    def text_by_role(self, roles_of_style: dict[str, str]) -> dict[str, str]:
        """All characters each font role must be able to set (for font preparation)."""
        acc: dict[str, list[str]] = {}

        def add(role: str, text: str) -> None:
            acc.setdefault(role, []).append(text)

        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Signature):
                    add(roles_of_style[block.style], "".join(block.names))
                    add(roles_of_style[block.date_style], block.date or "")
        for p in self.paragraphs():
            for r in p.runs:
                add(r.role or roles_of_style[p.style], r.text)
        return {role: "".join(parts) for role, parts in acc.items()}
