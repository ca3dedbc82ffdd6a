"""Measuring and setting lines for the PDF layout (LAYOUT.md L06, L07).

Metrics knows the advance of every character in every font role and size
(the font's own advance plus tracking) and where a baseline goes in a band;
LineSetter breaks a paragraph's text into lines (handouts.typeset.linebreak)
and sets each for its width and alignment, then cuts a set line into glyph
runs for the writer. Width tables are filled lazily, one per role and size.

Units of "字": LAYOUT.md defines 1 字 as a body-size Han character (16 pt).
Left indents of text on the character grid count grid cells instead (the
character pitch, 15.79 pt), so that an indented line still holds whole
characters (26 after a 2-字 first-line indent, L06, L07); distances measured
from the right edge or between lines (signature, date offset, page number)
use 16 pt, which the checkable rules (L12, L17) are written in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reportlab.pdfbase import pdfmetrics

from ..compose.document import Run
from ..compose.style import StyleSheet
from ..typeset.linebreak import Line, break_lines, justify_offsets
from .slots import Glyphs

EPS = 1e-6
# Whitespace is never drawn; its advance in em (LAYOUT.md, brief). Other
# spaces are thin; zero-width ones take no room.
SPACE_EM = {" ": 0.5, "\u00a0": 0.5, "\u2002": 0.5, "\u2003": 1.0, "\u3000": 1.0,
            "\u200b": 0.0, "\u2060": 0.0, "\ufeff": 0.0}
THIN_SPACE_EM = 0.25
# The role whose font sets empty lines and fields (LAYOUT.md: everything else is body).
BODY_ROLE = "body"


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

    def advances(self, src: RoleText, size: float) -> list[float]:
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
class RoleText:
    """A paragraph's characters with the font role of each."""

    text: str
    roles: list[str]

    @classmethod
    def of(cls, runs: Sequence[Run], default_role: str) -> RoleText:
        parts, roles = [], []
        for r in runs:
            parts.append(r.text)
            roles.extend([r.role or default_role] * len(r.text))
        return cls("".join(parts), roles)


@dataclass
class SetLine:
    """A broken line with the x offset of each character from its first cell."""

    src: RoleText
    line: Line
    offsets: list[float]
    width: float  # from the first cell's start to the last cell's end
    size: float


class LineSetter:
    def __init__(self, metrics: Metrics) -> None:
        self.m = metrics

    def lines(self, src: RoleText, size: float, widths: Sequence[float], align: str) -> list[SetLine]:
        """Break a text and set every line for its width and alignment."""
        if not src.text:
            return []
        advs = self.m.advances(src, size)
        out = []
        for i, ln in enumerate(break_lines(src.text, advs, widths, size)):
            target = widths[min(i, len(widths) - 1)]
            out.append(self.set(src, ln, size, target, align == "justify" and not ln.last, advs))
        return out

    def set(self, src: RoleText, ln: Line, size: float, target: float, spread: bool,
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



def align_shift(align: str, avail: float, width: float, tracking: float) -> float:
    """Where a line of `width` cells starts inside `avail`."""
    if align == "center":
        return (avail - width) / 2
    if align == "right":
        return avail - width + tracking / 2  # the glyph box, not the cell, meets the edge
    return 0.0

