"""Issue 21, point 5: study items cut between words, sign-in rows from the
branch's member count, and the print bundle's padding pages that say so."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from handouts.cli import load
from handouts.compose.document import Table
from handouts.compose.render import shorten, zi_width
from handouts.compose.sheets import ITEM_LIMIT, SIGNIN_ROWS, compose_bundle, compose_sheet, sheet_kinds
from handouts.fonts.fontset import FontSet
from handouts.pdf.writer import fonts_text, write_pdf
from handouts.typeset.words import word_boundaries

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"
NOTE = "（此页为双面打印空白页）"


def kind(name: str):
    return next(k for k in sheet_kinds() if k.kind == name)


@pytest.fixture(scope="module")
def package():
    return load(SEED)


# -- study items --------------------------------------------------------------


def assert_cut_between_words(shown: str, source: str) -> None:
    """shown is source shortened: the kept part ends where source has a word boundary."""
    kept = shown.replace("……", "").removesuffix("》")
    start = source.index(kept)
    end = start + len(kept)
    assert end in word_boundaries(source), (shown, source)
    if kept.startswith("《"):  # and between the words of the quoted name itself
        name = source[start + 1:source.index("》", start)]
        assert len(kept) - 1 in word_boundaries(name), (shown, name)


def test_no_item_line_of_the_march_record_sheet_ends_inside_a_word(package) -> None:
    record = compose_sheet(kind("record-sheet"), package, "商学院党总支")
    lines = [p.text for p in record.paragraphs() if p.style == "cell-small"]
    assert len(lines) == len(package.study_items) == 7
    cut = 0
    for n, (line, item) in enumerate(zip(lines, package.study_items, strict=True), 1):
        shown = line.removeprefix(f"{n}.")
        assert zi_width(shown) <= ITEM_LIMIT
        if "……" in shown:
            cut += 1
            assert_cut_between_words(shown, item)
    assert cut == 2
    # The fault the issue found: 「…五年行动计……》」 divided 计划.
    assert lines[6] == "7.《重庆市深入实施以人为本的新型城镇化战略五年……》"


@pytest.mark.parametrize("limit", range(10, 28))
def test_any_cut_of_a_long_name_falls_between_words(limit: int) -> None:
    item = "重庆市人民政府印发《重庆市深入实施以人为本的新型城镇化战略五年行动计划实施方案》"
    shown = shorten(item, limit)
    assert zi_width(shown) <= limit and shown.endswith("……》")
    assert_cut_between_words(shown, item)


# -- sign-in rows ---------------------------------------------------------------


def signin_rows(doc) -> int:
    table = next(b for s in doc.sections for b in s.blocks if isinstance(b, Table))
    return len(table.rows) - table.header_rows


@pytest.mark.parametrize(("members", "rows"), [(None, SIGNIN_ROWS), (12, SIGNIN_ROWS), (45, 45)])
def test_signin_rows_follow_the_member_count(package, members, rows) -> None:
    doc = compose_sheet(kind("signin-sheet"), package, "商学院党总支", members=members)
    assert signin_rows(doc) == rows


@pytest.fixture(scope="module")
def large(package, style):
    """PDFs of a 45-member branch's sheets and of a bundle with it first."""
    fontset = FontSet.load()
    big = [compose_sheet(kind(k), package, "马克思主义学院党总支", members=45)
           for k in ("record-sheet", "signin-sheet")]
    small = [compose_sheet(kind(k), package, "商学院党总支") for k in ("record-sheet", "signin-sheet")]
    bundle = compose_bundle(package, [("马克思主义学院党总支", big), ("商学院党总支", small)])
    prepared = fontset.prepare(fonts_text([*big, *small, bundle], style))
    out = {}
    for name, doc in (("record", big[0]), ("signin", big[1]), ("bundle", bundle)):
        buf = io.BytesIO()
        out[name] = (write_pdf(doc, buf, style=style, fonts=prepared).pages, buf.getvalue())
    return out


def page_text(data: bytes, page: int, tmp_path: Path) -> str:
    path = tmp_path / "p.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")


def test_a_large_branch_gets_a_continuation_page_with_the_header(large, tmp_path) -> None:
    pages, data = large["signin"]
    assert pages == 2
    first, second = (page_text(data, n, tmp_path) for n in (1, 2))
    numbers = [[int(ln.split()[0]) for ln in t.splitlines() if ln.split() and ln.split()[0].isdigit()]
               for t in (first, second)]
    assert numbers[0][0] == 1 and numbers[1][-1] == 45
    assert numbers[0] + numbers[1] == list(range(1, 46))  # every row once, in order
    for header in ("序号", "姓名", "部门/职务", "签名", "备注"):
        assert header in second  # the header row is repeated
    assert "负责人签字" in second and "负责人签字" not in first
    reader = pypdf.PdfReader(io.BytesIO(data))
    on_page = [{a.get_object()["/T"] for a in p.get("/Annots", [])} for p in reader.pages]
    assert {"name_1", "name_22"} <= on_page[0] and {"name_45", "note_45"} <= on_page[1]


def test_the_member_count_prefills_expected_attendance(large) -> None:
    fields = pypdf.PdfReader(io.BytesIO(large["record"][1])).get_fields()
    assert fields["expected"]["/V"] == "45"
    assert fields["present"].get("/V") is None


# -- the bundle's padding pages ---------------------------------------------------


def test_no_note_where_no_page_is_left_blank(large, tmp_path) -> None:
    pages, data = large["bundle"]
    # 马克思主义学院党总支: record sheet 2 pages, sign-in 2 pages: no padding;
    # 商学院党总支 from page 5: record 2 + sign-in 1, nothing after it.
    big = large["record"][0] + large["signin"][0]
    assert pages == big + 3
    texts = [page_text(data, n, tmp_path).strip() for n in range(1, pages + 1)]
    assert NOTE not in "".join(texts)


def test_a_padding_page_carries_the_note_and_nothing_else(package, style, tmp_path) -> None:
    small = [compose_sheet(kind(k), package, b) for b in ("商学院党总支", "财经学院党总支")
             for k in ("record-sheet", "signin-sheet")]
    bundle = compose_bundle(package, [("商学院党总支", small[:2]), ("财经学院党总支", small[2:])])
    prepared = FontSet.load().prepare(fonts_text([*small, bundle], style))
    out = {}
    for name, doc in (("note", bundle), ("bare", replace(bundle, padding_note=""))):
        buf = io.BytesIO()
        out[name] = (write_pdf(doc, buf, style=style, fonts=prepared).pages, buf.getvalue())
    # Record sheet 2 + sign-in 1 = 3 pages: page 4 is the blank back of the leaf.
    assert out["note"][0] == out["bare"][0] == 7  # the note adds no page
    texts = [page_text(out["note"][1], n, tmp_path).strip() for n in range(1, 8)]
    assert texts[3] == NOTE
    assert [n for n, t in enumerate(texts, 1) if NOTE in t] == [4]
    assert page_text(out["bare"][1], 4, tmp_path).strip() == ""
    with pdfplumber.open(io.BytesIO(out["note"][1])) as pdf:
        chars = pdf.pages[3].chars
        sizes = {round(c["size"]) for c in chars}
        assert sizes == {12}  # small: the body is 16 pt
        x = (min(c["x0"] for c in chars) + max(c["x1"] for c in chars)) / 2
        y = (min(c["top"] for c in chars) + max(c["bottom"] for c in chars)) / 2
        page = pdf.pages[3]
        # centred in the text block (28 mm left, 26 mm right; 37 mm top, 35 mm bottom)
        mm = 72 / 25.4
        assert abs(x - (28 * mm + (page.width - 26 * mm)) / 2) < 2
        assert abs(y - (37 * mm + (page.height - 35 * mm)) / 2) < 3


def test_word_sign_in_sheet_has_a_row_per_member_under_a_repeated_header(package, style) -> None:
    import zipfile

    from lxml import etree

    from handouts.docx.writer import write_docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    buf = io.BytesIO()
    write_docx(compose_sheet(kind("signin-sheet"), package, "马克思主义学院党总支", members=45), buf,
               style=style, fonts=FontSet.load())
    xml = etree.fromstring(zipfile.ZipFile(buf).read("word/document.xml"))
    rows = xml.findall(f".//{w}tbl/{w}tr")
    assert len(rows) == 46
    assert rows[0].find(f"{w}trPr/{w}tblHeader") is not None
    assert all(r.find(f"{w}trPr/{w}tblHeader") is None for r in rows[1:])
