"""What the PDF layout produces: slots of the vertical flow and positioned pages.

Coordinates are PDF points from the page's top-left corner, the way
LAYOUT.md and pdfplumber state them; the writer flips them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


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
    kind: str = "text"  # text | check
    value: str = ""  # a text field's initial value
    # The initial value as set, relative to the field's top-left corner: the
    # field's appearance in a form, the page's text where there is no form.
    glyphs: tuple[Glyphs, ...] = ()


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

