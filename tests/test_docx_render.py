"""The .docx as LibreOffice renders it (issue 5; LAYOUT.md L02, L14, L16, L24).

The handout is written with its fonts embedded, so LibreOffice sets it in the
same faces as the PDF writer instead of whatever fontconfig substitutes for
仿宋_GB2312; then it is converted to PDF and read back with pdfplumber.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from handouts.compose.document import Document
from handouts.compose.style import StyleSheet
from handouts.docx.writer import write_docx
from handouts.fonts.fontset import FontSet
from handouts.read.source import read_source

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) 未安装，跳过 Word 渲染测试")

TOL = 1.5  # L02
FOLIO_BAND = 750.0  # below the block: page numbers only


@dataclass
class Rendered:
    docx: Path
    pdf: Path
    pages: list[list[dict]]  # chars per page


def render(docx: Path, out_dir: Path) -> Path:
    profile = out_dir / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
        check=True, capture_output=True, timeout=600,
    )
    pdf = out_dir / (docx.stem + ".pdf")
    assert pdf.exists(), "LibreOffice 没有生成 PDF"
    return pdf


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return FontSet.load()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, handout: Document, style: StyleSheet,
             fonts: FontSet) -> Rendered:
    from handouts.pdf.writer import pdf_text_by_role

    out = tmp_path_factory.mktemp("docx-render")
    path = out / "handout.docx"
    write_docx(handout, path, style=style, fonts=fonts,
               embed=fonts.prepare(pdf_text_by_role(handout, style)))
    pdf = render(path, out)
    with pdfplumber.open(pdf) as doc:
        pages = [list(p.chars) for p in doc.pages]
    return Rendered(path, pdf, pages)


def _body_chars(page: list[dict]) -> list[dict]:
    return [c for c in page if c["top"] < FOLIO_BAND and c["text"].strip()]


def _squash(text: str) -> str:
    return "".join(text.split())


def test_all_input_text_present_in_order(rendered: Rendered) -> None:
    """L24 on the rendered pages."""
    source = _squash("".join(read_source(SEED).lines))
    text = _squash("".join(c["text"] for page in rendered.pages for c in _body_chars(page)))
    assert text == source


def test_no_text_outside_the_text_block(rendered: Rendered, style: StyleSheet) -> None:
    """L02, page numbers excepted (no punctuation hangs in LibreOffice: see docx_styles)."""
    page = style.page
    left, right = page.block_left - TOL, page.block_right + TOL
    top, bottom = page.block_top - TOL, page.block_bottom + TOL
    outside = []
    for n, chars in enumerate(rendered.pages, start=1):
        for c in _body_chars(chars):
            if c["x0"] < left or c["x1"] > right or c["top"] < top or c["bottom"] > bottom:
                outside.append((n, c["text"], round(c["x0"], 1), round(c["x1"], 1), round(c["top"], 1)))
    assert not outside, outside[:10]


def _first_line(chars: list[dict]) -> str:
    body = _body_chars(chars)
    if not body:
        return ""
    top = min(c["top"] for c in body)
    return "".join(c["text"] for c in sorted(body, key=lambda c: c["x0"]) if abs(c["top"] - top) < 3)


def attachment_starts(pages: list[list[dict]]) -> dict[str, int]:
    starts: dict[str, int] = {}
    for n, chars in enumerate(pages, start=1):
        m = re.fullmatch(r"(附件\d+)", _first_line(chars))
        if m:
            starts[m.group(1)] = n
    return starts


def test_each_attachment_starts_a_new_page(rendered: Rendered, handout: Document, style: StyleSheet) -> None:
    """L14: the label alone on the first line of a page, at the block's left edge."""
    starts = attachment_starts(rendered.pages)
    assert list(starts) == [s.name for s in handout.sections[1:]]
    for n in starts.values():
        label = next(c for c in _body_chars(rendered.pages[n - 1]) if c["text"] == "附")
        assert abs(label["x0"] - style.page.block_left) <= 2
        assert label["top"] < style.page.block_top + style.page.line_pitch


def test_page_numbers(rendered: Rendered) -> None:
    """L16, L17: "— N —" 14 pt under the block, odd pages right, even pages left, no gaps."""
    for n, chars in enumerate(rendered.pages, start=1):
        folio = sorted((c for c in chars if c["top"] >= FOLIO_BAND), key=lambda c: c["x0"])
        assert "".join(c["text"] for c in folio).replace(" ", "") == f"—{n}—"
        assert abs(min(c["top"] for c in folio) - 762.5) <= 8.5
        assert all(abs(c["size"] - 14) < 0.2 for c in folio)
        if n % 2:
            assert abs(folio[-1]["x1"] - 505.6) <= 4
        else:
            assert abs(folio[0]["x0"] - 95.4) <= 4


# -- against the PDF writer ------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_writer_info(handout: Document, style: StyleSheet, fonts: FontSet, tmp_path_factory):
    from handouts.pdf.writer import pdf_text_by_role, write_pdf

    out = tmp_path_factory.mktemp("pdf-writer") / "handout.pdf"
    return write_pdf(handout, out, style=style, fonts=fonts.prepare(pdf_text_by_role(handout, style)))


def test_pages_close_to_the_pdf_writer(rendered: Rendered, pdf_writer_info) -> None:
    """Within one page, overall and for every attachment's first page.

    Word and LibreOffice break lines themselves, and not quite as the PDF
    writer does: where a closing mark does not fit, the PDF writer squeezes
    its blank half (or those of adjacent marks such as ”、“) into the line or
    pushes the last character down with it; LibreOffice only pushes. Lines
    drift by a few per attachment; this bound holds for any input, the exact
    comparison on the March package is the next test.
    """
    starts = attachment_starts(rendered.pages)
    assert abs(len(rendered.pages) - pdf_writer_info.pages) <= 1
    for name, page in pdf_writer_info.sections[1:]:
        assert abs(starts[name] - page) <= 1, (name, starts[name], page)


def test_pages_match_the_pdf_writer(rendered: Rendered, pdf_writer_info) -> None:
    """The exact match: keep-with-next now runs through blank lines in the
    .docx as in the PDF, so line-level differences stay inside attachments."""
    starts = attachment_starts(rendered.pages)
    assert len(rendered.pages) == pdf_writer_info.pages
    assert [starts[name] for name, _ in pdf_writer_info.sections[1:]] == [
        page for _, page in pdf_writer_info.sections[1:]]


@pytest.mark.parametrize("kind", ["record-sheet", "signin-sheet"])
def test_sheets_fill_as_many_pages_in_word_as_in_the_pdf(tmp_path: Path, style: StyleSheet,
                                                         fonts: FontSet, kind: str) -> None:
    # Cell text is off the page grid in both writers (tables.cell_line_factor):
    # on the grid, Word's rows were half as tall again and the sign-in sheet's
    # last rows, the record sheet's discussion box, fell onto a second page.
    from handouts.cli import load
    from handouts.compose.sheets import compose_sheet, sheet_kinds
    from handouts.pdf.writer import pdf_text_by_role, write_pdf

    sheet = compose_sheet(next(k for k in sheet_kinds() if k.kind == kind), load(SEED), "商学院党总支")
    prepared = fonts.prepare(pdf_text_by_role(sheet, style))
    ours = tmp_path / "ours.pdf"
    # Without a form, the PDF prints its fields' initial values (学习时间) as
    # page text, as Word shows its controls' text; the check boxes are drawn
    # squares in the PDF, ☐ glyphs in Word (issue 21).
    from dataclasses import replace

    info = write_pdf(replace(sheet, fillable=False), ours, style=style, fonts=prepared)
    docx = tmp_path / "sheet.docx"
    write_docx(sheet, docx, style=style, fonts=fonts, embed=prepared)
    with pdfplumber.open(render(docx, tmp_path)) as word, pdfplumber.open(ours) as pdf:
        assert len(word.pages) == info.pages
        for got, want in zip(word.pages, pdf.pages, strict=True):
            assert _squash(got.extract_text() or "").replace("☐", "") == _squash(want.extract_text() or "")
