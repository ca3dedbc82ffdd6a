"""Document → PDF with ReportLab (DESIGN.md "write", LAYOUT.md).

handouts.pdf.layout decides where every glyph, rule and field goes; this
module only draws the pages, adds bookmarks and metadata, and makes the file
reproducible: the same input gives byte-identical output (invariant mode,
dates fixed from the document's date), and PDF/A-2b (handouts.pdf.archive).

Fonts are prepared by the caller (handouts.fonts.fontset), once for many documents:
pass it pdf_text_by_role() of each document.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from .. import __version__
from ..compose.document import Document
from ..compose.style import StyleSheet
from ..fonts.reuse import reuse_compression
from .archive import LANG, PDF_VERSION, apply_to_canvas, finish_canvas
from .fonts import DocumentFonts
from .form import FieldFont, FormFields
from .layout import BODY_ROLE, Fonts, LayoutMemo, lay_out, text_by_role
from .slots import Glyphs, Layout, PageLayout

FALLBACK_DATE = dt.date(2000, 1, 1)


@dataclass
class PdfInfo:
    pages: int
    sections: list[tuple[str, int]] = field(default_factory=list)  # (name, 1-based first page)


def pdf_text_by_role(doc: Document, style: StyleSheet) -> dict[str, str]:
    """Every character each font role must set in this document's PDF,
    page numbers included, for FontSet.prepare()."""
    return text_by_role(doc, style)


def fonts_text(docs: Iterable[Document], style: StyleSheet) -> dict[str, str]:
    """The characters per role of several documents, for one FontSet.prepare()."""
    acc: dict[str, set[str]] = {}
    for doc in docs:
        for role, text in pdf_text_by_role(doc, style).items():
            acc.setdefault(role, set()).update(text)
    return {role: "".join(sorted(chars)) for role, chars in acc.items()}


@contextmanager
def _binary_streams() -> Iterator[None]:
    # ReportLab wraps compressed streams in ASCII85 by default, which its pure
    # Python fallback encodes slowly (a third of the drawing time) and makes
    # the file 25 % larger; binary streams are fine for every reader.
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def write_pdf(doc: Document, out: Path | BinaryIO, *, style: StyleSheet, fonts: Fonts,
              memo: LayoutMemo | None = None) -> PdfInfo:
    """memo: see pdf_layout.LayoutMemo; share one between documents that repeat sections."""
    layout = lay_out(doc, style, fonts, memo)
    reuse_compression()
    with _binary_streams():
        _write(doc, layout, out, style, fonts)
    return PdfInfo(len(layout.pages), list(layout.sections))


def _write(doc: Document, layout: Layout, out: Path | BinaryIO, style: StyleSheet,
           fonts: Fonts) -> None:
    target = str(out) if isinstance(out, Path) else out
    page = style.page
    with _without_source_date_epoch():
        canv = Canvas(
            target,
            pagesize=(page.width, page.height),
            invariant=1,
            pageCompression=1,
            # The canvas's initial font would be Helvetica, never embedded (L23).
            initialFontName=fonts.font_name("body"),
            pdfVersion=PDF_VERSION,
            lang=LANG,
        )
    _metadata(canv, doc)
    apply_to_canvas(canv)
    used = DocumentFonts(canv._doc)
    form = FormFields(canv, FieldFont.of(fonts.font_name(BODY_ROLE)))
    marks: dict[int, list[tuple[int, str]]] = {}
    for n, (title, at) in enumerate(layout.bookmarks):
        marks.setdefault(at, []).append((n, title))
    for index, pl in enumerate(layout.pages):
        for n, title in marks.get(index, []):
            canv.bookmarkPage(f"section{n}")
            canv.addOutlineEntry(title, f"section{n}", level=0)
        if not doc.fillable:
            # No form: what a field shows as its initial value is page text.
            pl = replace(pl, glyphs=pl.glyphs + [
                Glyphs(g.x + f.x, g.baseline + f.top, g.font, g.size, g.text, g.char_space)
                for f in pl.fields for g in f.glyphs])
        _draw_page(canv, pl, page.height, used)
        for f in pl.fields if doc.fillable else ():
            form.add(f, page.height, used)
        canv.showPage()
    form.finish()
    used.finish()
    if layout.bookmarks:
        canv.showOutline()
    finish_canvas(canv)
    canv.save()


@contextmanager
def _without_source_date_epoch() -> Iterator[None]:
    """SOURCE_DATE_EPOCH is ignored everywhere (README, issue 19.5).

    Every date in the files is the notice's own date, so the same input gives
    the same bytes on any machine; ReportLab alone would seed the trailer /ID
    from the variable when its document is made."""
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _metadata(canv: Canvas, doc: Document) -> None:
    canv.setTitle(doc.title)
    canv.setAuthor(doc.author)
    canv.setSubject(doc.subject)
    canv.setKeywords(list(doc.keywords))
    canv.setCreator(f"handouts {__version__}")
    stamp = (doc.date or FALLBACK_DATE).strftime("D:%Y%m%d000000+08'00'")
    # Creation and modification dates: the document's date, not the clock.
    canv.setDateFormatter(lambda *_: stamp)


def _draw_page(canv: Canvas, pl: PageLayout, height: float, fonts: DocumentFonts) -> None:
    if pl.strokes:
        canv.setStrokeColorRGB(0, 0, 0)
        by_width: dict[float, list[tuple[float, float, float, float]]] = {}
        for s in pl.strokes:
            by_width.setdefault(s.width, []).append((s.x0, height - s.y0, s.x1, height - s.y1))
        for width, lines in by_width.items():
            canv.setLineWidth(width)
            canv.lines(lines)
    if pl.glyphs:
        canv.addLiteral(_text_operators(pl.glyphs, height, fonts))


def _text_operators(glyphs: list[Glyphs], height: float, fonts: DocumentFonts) -> str:
    """PDF text operators for a page's glyph runs, black.

    Written directly because ReportLab's text object formats every number
    and re-measures every string, a third of the build time. Each run is
    one string at an explicit position (one composite font per face, see
    handouts.pdf.fonts).
    """
    ops = ["BT 0 g"]
    append = ops.append
    state: tuple[str, float] | None = None
    cs = None
    for g in glyphs:
        if g.char_space != cs:
            cs = g.char_space
            append(f"{cs:.4f} Tc")
        resource, codes = fonts.show(g.font, g.text)
        if state != (resource, g.size):
            state = (resource, g.size)
            append(f"/{resource} {g.size:g} Tf")
        append(f"1 0 0 1 {g.x:.3f} {height - g.baseline:.3f} Tm <{codes}> Tj")
    append("ET")
    return "\n".join(ops)
