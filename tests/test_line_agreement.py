"""One line-breaking decision for both files (issue 21, LAYOUT-additions L29).

The handout's PDF and the LibreOffice render of its .docx (fonts embedded, as
in test_docx_render, so both set the same faces) are read line by line with
pdfplumber; the share of identical lines and every attachment's start page
are compared.
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from handouts.compose.document import Document
from handouts.compose.style import StyleSheet
from handouts.docx.writer import write_docx
from handouts.fonts.fontset import FontSet

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) 未安装，跳过 Word 渲染测试")
FOLIO = re.compile(r"—\d+—")


def page_lines(pdf: Path) -> list[tuple[int, str]]:
    out = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            rows: dict[int, list[dict]] = {}
            for ch in page.chars:
                if ch["text"].strip():
                    rows.setdefault(round(ch["top"] / 4), []).append(ch)
            for key in sorted(rows):
                text = "".join(c["text"] for c in sorted(rows[key], key=lambda c: c["x0"]))
                text = re.sub(r"\s+", "", text)
                if text and not FOLIO.fullmatch(text):
                    out.append((number, text))
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, handout: Document, style: StyleSheet
         ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    from test_docx_render import render

    from handouts.pdf.writer import pdf_text_by_role, write_pdf

    out = tmp_path_factory.mktemp("agree")
    prepared = FontSet.load().prepare(pdf_text_by_role(handout, style))
    pdf = out / "handout.pdf"
    write_pdf(handout, pdf, style=style, fonts=prepared)
    docx = out / "handout.docx"
    write_docx(handout, docx, style=style, fonts=FontSet.load(), embed=prepared)
    return page_lines(pdf), page_lines(render(docx, out))


def test_L29_line_breaks_agree_with_libreoffice(both) -> None:
    pdf, lo = both
    a, b = [t for _, t in pdf], [t for _, t in lo]
    same = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    assert len(a) > 1000
    assert same / len(a) >= 0.95, f"{same}/{len(a)} identical lines"


def test_L14_attachments_start_on_the_same_pages(both) -> None:
    pdf, lo = both

    def starts(lines: list[tuple[int, str]]) -> list[int]:
        return [n for n, t in lines if re.fullmatch(r"附件\d+", t)]

    assert starts(pdf) and starts(pdf) == starts(lo)
    assert pdf[-1][0] == lo[-1][0]  # as many pages
