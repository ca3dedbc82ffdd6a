"""The PDF handout checked against LAYOUT.md (L01-L24) on the March 2025 seed.

The PDF is built once per module and read back with pdfplumber and pypdf.
Every character drawn is paired, in order, with the character of the
Document it came from, so each rule knows which block, style and font role
a glyph belongs to without trusting the writer's own bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from reportlab.pdfbase import pdfmetrics

from handouts.compose.document import (
    Blank,
    Cell,
    Document,
    Paragraph,
    Row,
    Run,
    Section,
    Signature,
    Table,
)
from handouts.compose.style import MM, StyleSheet
from handouts.fonts.fontset import FontSet, PreparedFonts
from handouts.pdf.writer import PdfInfo, pdf_text_by_role, write_pdf
from handouts.read.source import read_source

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"

# LAYOUT.md "Figures", written out rather than taken from the style sheet so
# that a wrong style sheet fails here too.
PAGE_W, PAGE_H = 595.3, 841.9
LEFT, RIGHT, TOP, BOTTOM = 79.4, 521.6, 104.9, 742.7
CENTRE = (LEFT + RIGHT) / 2
PITCH = (BOTTOM - TOP) / 22
NEVER_START = set("、，。：；！？）】》〉」』〕”’·")
NEVER_END = set("（【《〈「『〔“‘")
TITLE_STYLES = {"title", "attachment-title", "subtitle"}
DOC_TYPES = "通知|通报|意见|决定|方案|安排|计划|函|报告|办法|规定|要点|纪要|请示|批复|公告|通告|决议|讲话|措施"
TAIL = re.compile(rf"^[的之]?(?:{DOC_TYPES})[》）”]*$")
DATE = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日$")
FOLIO = re.compile(r"^— (\d+) —$")


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def blank(ch: str) -> bool:
    return ch.isspace() or ch in "\u2002\u3000"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def doc(handout: Document) -> Document:
    return handout


@pytest.fixture(scope="module")
def fonts(doc: Document, style: StyleSheet) -> PreparedFonts:
    return FontSet.load().prepare(pdf_text_by_role(doc, style))


@dataclass
class Built:
    path: Path
    info: PdfInfo
    data: bytes


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, doc: Document, style: StyleSheet,
          fonts: PreparedFonts) -> Built:
    path = tmp_path_factory.mktemp("pdf") / "handout.pdf"
    info = write_pdf(doc, path, style=style, fonts=fonts)
    return Built(path, info, path.read_bytes())


@pytest.fixture(scope="module")
def pdf(built: Built) -> Iterator[pdfplumber.PDF]:
    with pdfplumber.open(built.path) as handle:
        yield handle


@dataclass
class Source:
    """Where a drawn character comes from."""

    block: int  # running number of the block in the Document
    style: str
    role: str
    kind: str  # paragraph | name | date


@dataclass
class Line:
    page: int  # 1-based
    top: float
    chars: list[dict] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"]

    @property
    def blocks(self) -> set[int]:
        return {s.block for s in self.sources}


def doc_chars(doc: Document, style: StyleSheet) -> list[tuple[str, Source]]:
    """Every non-blank character of the Document in reading order, with its origin."""
    out: list[tuple[str, Source]] = []
    n = 0
    for section in doc.sections:
        for block in section.blocks:
            n += 1
            if isinstance(block, Paragraph):
                own = style[block.style].role
                for r in block.runs:
                    out += [(ch, Source(n, block.style, r.role or own, "paragraph"))
                            for ch in r.text if not blank(ch)]
            elif isinstance(block, Signature):
                for name in block.names:
                    out += [(ch, Source(n, block.style, style[block.style].role, "name"))
                            for ch in name if not blank(ch)]
                    n += 1
                out += [(ch, Source(n, block.date_style, style[block.date_style].role, "date"))
                        for ch in block.date or "" if not blank(ch)]
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        for p in cell.blocks:
                            n += 1
                            out += [(ch, Source(n, p.style, style[p.style].role, "cell"))
                                    for r in p.runs for ch in r.text if not blank(ch)]
    return out


@pytest.fixture(scope="module")
def lines(pdf: pdfplumber.PDF, doc: Document, style: StyleSheet) -> list[Line]:
    """Text lines of the block (page numbers left out), each char paired with its origin."""
    expected = doc_chars(doc, style)
    out: list[Line] = []
    k = 0
    for number, page in enumerate(pdf.pages, start=1):
        by_top: dict[int, Line] = {}
        for c in page.chars:
            if c["top"] > BOTTOM or blank(c["text"]):
                continue
            # Fonts differ in descent: group by the grid line the glyph's centre is in.
            grid = int((c["top"] + c["size"] / 2 - TOP) // PITCH)
            line = by_top.setdefault(grid, Line(number, c["top"]))
            assert k < len(expected), "more characters drawn than the document holds"
            ch, src = expected[k]
            assert c["text"] == ch, f"page {number}: drawn {c['text']!r}, document has {ch!r}"
            line.chars.append(c)
            line.sources.append(src)
            k += 1
        out += [by_top[t] for t in sorted(by_top)]
    assert k == len(expected), "characters of the document missing from the PDF"
    for line in out:
        order = sorted(range(len(line.chars)), key=lambda i: line.chars[i]["x0"])
        line.chars = [line.chars[i] for i in order]
        line.sources = [line.sources[i] for i in order]
    return out


def lines_of_block(lines: list[Line]) -> dict[int, list[Line]]:
    out: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        for b in sorted(line.blocks):
            out[b].append(line)
    return out


def ps_names(fonts: PreparedFonts, role: str) -> set[str]:
    """PostScript names of the role's fonts, as the PDF names them (ReportLab
    adds "-N" for a face taken from a font collection)."""
    out = set()
    for n in fonts.font_names(role):
        face = face_name(n)
        out.add(face)
        out.update(f"{face}-{i}" for i in range(16))
    return out


def face_name(name: str) -> str:
    return pdfmetrics.getFont(name).face.name.decode("latin-1")


def font_of(char: dict) -> str:
    return char["fontname"].split("+", 1)[-1]


def below_block(page: pdfplumber.page.Page) -> pdfplumber.page.Page:
    return page.crop((0, BOTTOM + 1, page.width, page.height))


def folio_chars(page: pdfplumber.page.Page) -> list[dict]:
    return [c for c in page.chars if c["top"] > BOTTOM]


# ---------------------------------------------------------------- page and block


def test_l01_every_page_is_a4(pdf: pdfplumber.PDF, built: Built) -> None:
    assert len(pdf.pages) == built.info.pages
    for page in pdf.pages:
        assert page.width == pytest.approx(PAGE_W, abs=1)
        assert page.height == pytest.approx(PAGE_H, abs=1)


def test_l02_glyphs_inside_the_text_block(pdf: pdfplumber.PDF) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        for c in page.chars:
            if c["top"] > BOTTOM + 1.5:
                continue  # the page number
            assert c["x0"] >= LEFT - 1.5 and c["x1"] <= RIGHT + 1.5, (number, c["text"], c["x0"])
            assert c["top"] >= TOP - 1.5 and c["bottom"] <= BOTTOM + 1.5, (number, c["text"], c["top"])


def test_l04_body_glyphs_are_16pt_in_the_body_font(lines: list[Line], fonts: PreparedFonts) -> None:
    body = ps_names(fonts, "body")
    seen = 0
    for line in lines:
        for c, src in zip(line.chars, line.sources, strict=True):
            if src.role == "body":
                assert c["size"] == pytest.approx(16.0, abs=0.1)
                assert font_of(c) in body, (line.page, c["text"], c["fontname"])
                seen += 1
    assert seen > 25000


def test_l05_lines_sit_on_a_grid_of_22(lines: list[Line]) -> None:
    per_page: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        per_page[line.page].append(line)
    full = 0
    for page, page_lines in per_page.items():
        assert len(page_lines) <= 22, page
        body_tops = [ln.top for ln in page_lines if ln.chars[0]["size"] == pytest.approx(16)]
        for a, b in itertools.pairwise(body_tops):
            steps = (b - a) / PITCH
            assert steps == pytest.approx(round(steps), abs=0.02), (page, a, b)
            if round(steps) == 1:
                assert 28.5 <= b - a <= 29.5
        full += len(page_lines) == 22
    assert full >= 30  # most pages of running text are full pages


def test_l06_full_lines_hold_28_characters_and_end_at_the_edge(lines: list[Line]) -> None:
    by_block = lines_of_block(lines)
    checked = han_only = 0
    for block_lines in by_block.values():
        src = block_lines[0].sources[0]
        if src.style not in ("body", "heading1", "heading2", "item") or len(block_lines) < 2:
            continue
        for line in block_lines[:-1]:  # not the paragraph's last line
            if len(line.blocks) > 1:
                continue
            assert line.x1 == pytest.approx(RIGHT, abs=1), (line.page, line.text)
            checked += 1
            following = block_lines[block_lines.index(line) + 1].text
            # A character pushed down with a mark that may not start a line
            # ("群，") leaves a justified line of 27.
            pushed = following[0] in NEVER_START or following[1:2] in NEVER_START
            if line.x0 == pytest.approx(LEFT, abs=1) and all(map(is_han, line.text)) and not pushed:
                assert len(line.text) == 28, line.text
                han_only += 1
    assert checked > 1000 and han_only >= 3


def test_l07_first_line_indent_and_flush_wrapped_lines(lines: list[Line]) -> None:
    by_block = lines_of_block(lines)
    paragraphs = 0
    for block_lines in by_block.values():
        if block_lines[0].sources[0].style not in ("body", "heading1", "heading2", "item"):
            continue
        first, *rest = block_lines
        assert first.x0 == pytest.approx(LEFT + 32, abs=2), first.text
        for line in rest:
            assert line.x0 == pytest.approx(LEFT, abs=1), line.text
        paragraphs += 1
    assert paragraphs > 150


# ---------------------------------------------------------------- titles


def title_lines(lines: list[Line]) -> list[Line]:
    return [ln for ln in lines if ln.sources[0].style in TITLE_STYLES]


def test_l09_titles_are_22pt_centred_in_the_title_font(lines: list[Line], fonts: PreparedFonts) -> None:
    names = ps_names(fonts, "title")
    found = title_lines(lines)
    assert len(found) >= 20
    for line in found:
        assert all(c["size"] == pytest.approx(22, abs=0.1) for c in line.chars)
        assert all(font_of(c) in names for c in line.chars), line.text
        assert (line.x0 + line.x1) / 2 == pytest.approx(CENTRE, abs=3), line.text


def test_l10_title_lines_fit_and_never_hold_only_a_tail(lines: list[Line]) -> None:
    for line in title_lines(lines):
        assert line.x1 - line.x0 <= RIGHT - LEFT + 1
        assert not TAIL.match(line.text), line.text
        assert len(line.text) >= 2, line.text


def test_l10_long_titles_are_broken_into_several_lines(lines: list[Line], doc: Document) -> None:
    by_block = lines_of_block(lines)
    for block_lines in by_block.values():
        text = "".join(ln.text for ln in block_lines)
        if block_lines[0].sources[0].style == "attachment-title" and "成都双核" in text:
            # Two input lines, both too long: the joint issuers and the 关于… line.
            assert len(block_lines) >= 4
            widths = [ln.x1 - ln.x0 for ln in block_lines]
            assert max(widths) <= RIGHT - LEFT + 1
            return
    pytest.fail("附件6 title not found")


def test_l11_addressee_flush_left_under_the_title(lines: list[Line]) -> None:
    addressee = next(ln for ln in lines if ln.sources[0].style == "addressee")
    title = next(ln for ln in lines if ln.sources[0].style == "title")
    assert addressee.page == title.page == 1
    assert addressee.x0 == pytest.approx(LEFT, abs=1)
    assert addressee.text.endswith("：")
    assert addressee.top - title.top == pytest.approx(2 * PITCH, abs=3)  # one blank line between


# ---------------------------------------------------------------- signature and date


def signature_groups(lines: list[Line], doc: Document) -> list[tuple[list[Line], Line | None, Signature]]:
    """For each Signature of the document: its name lines and date line, found by their text."""
    out = []
    pos = 0
    for section in doc.sections:
        for block in section.blocks:
            if not isinstance(block, Signature):
                continue
            names: list[Line] = []
            for name in block.names:
                want = "".join(ch for ch in name if not blank(ch))
                pos = next(i for i in range(pos, len(lines))
                           if lines[i].text == want and lines[i].sources[0].kind == "name")
                names.append(lines[pos])
            date = None
            if block.date:
                pos = next(i for i in range(pos, len(lines))
                           if lines[i].text == block.date and lines[i].sources[0].kind == "date")
                date = lines[pos]
            out.append((names, date, block))
    return out


def test_l12_signature_and_date_placement(lines: list[Line], doc: Document) -> None:
    groups = signature_groups(lines, doc)
    assert len(groups) == 5
    limit = RIGHT - 32
    multi = moved = 0
    for names, date, _ in groups:
        assert names and date is not None
        for n in names:
            assert n.x1 <= limit + 0.05, n.text
            assert n.x0 == pytest.approx(names[0].x0, abs=0.5)  # one left-aligned column
        assert date.x1 <= limit + 0.05
        assert date.x0 - names[0].x0 == pytest.approx(32, abs=3), date.text
        # The longer of signature and (offset) date meets the limit: 2 字 from the edge.
        longest = max(n.x1 for n in names)
        assert max(longest, date.x1) == pytest.approx(limit, abs=0.5)
        moved += longest < limit - 0.5
        # Names and date stay on one page, on consecutive grid lines.
        block = [*names, date]
        assert len({ln.page for ln in block}) == 1
        for a, b in itertools.pairwise(block):
            assert b.top - a.top == pytest.approx(PITCH, abs=0.5)
        multi += len(names) > 1
    assert multi == 1  # 附件3: eight ministries
    assert moved >= 1  # the notice: "2025年3月4日" is longer than "党委宣传网工部"


def test_l12_signature_stays_with_the_last_body_line(lines: list[Line], doc: Document) -> None:
    for names, _, _ in signature_groups(lines, doc):
        i = lines.index(names[0])
        before = lines[i - 1]
        assert before.page == names[0].page, names[0].text


def test_l13_dates_read_without_leading_zeros(lines: list[Line], doc: Document) -> None:
    dates = [date for _, date, _ in signature_groups(lines, doc)]
    assert dates and all(d is not None and DATE.match(d.text) for d in dates)


# ---------------------------------------------------------------- attachments


def test_l14_every_attachment_starts_a_page_with_its_label(
    pdf: pdfplumber.PDF, built: Built, lines: list[Line], fonts: PreparedFonts
) -> None:
    heading = ps_names(fonts, "heading1")
    starts = dict(built.info.sections)
    assert [name for name, _ in built.info.sections] == ["notice"] + [f"附件{n}" for n in range(1, 8)]
    for n in range(1, 8):
        page = starts[f"附件{n}"]
        first = next(ln for ln in lines if ln.page == page)
        assert first.text == f"附件{n}"
        assert first.x0 == pytest.approx(LEFT, abs=1)
        assert first.top == pytest.approx(TOP + (PITCH - 16) / 2, abs=1.5)  # the block's first line
        assert all(c["size"] == pytest.approx(16) and font_of(c) in heading for c in first.chars)
        previous = [ln for ln in lines if ln.page == page - 1]
        assert previous and not any(ln.text.startswith("附件") for ln in previous[1:])


def test_l15_attachment_title_and_source_line(
    built: Built, lines: list[Line], fonts: PreparedFonts
) -> None:
    kai = ps_names(fonts, "heading2")
    for name, page in built.info.sections[1:]:
        on_page = [ln for ln in lines if ln.page == page]
        titles = [ln for ln in on_page if ln.sources[0].style == "attachment-title"]
        assert titles, name
        assert 2 * PITCH - 1 <= titles[0].top - TOP <= 3 * PITCH, name
        source = on_page[on_page.index(titles[-1]) + 1]
        assert source.sources[0].style == "source", name
        assert all(c["size"] == pytest.approx(16) and font_of(c) in kai for c in source.chars)
        assert (source.x0 + source.x1) / 2 == pytest.approx(CENTRE, abs=3)


# ---------------------------------------------------------------- page numbers


def test_l16_l17_one_page_number_per_page(pdf: pdfplumber.PDF, fonts: PreparedFonts) -> None:
    names = ps_names(fonts, "folio")
    numbers = []
    for number, page in enumerate(pdf.pages, start=1):
        chars = folio_chars(page)
        text = below_block(page).extract_text().strip()
        m = FOLIO.match(text)
        assert m, (number, text)
        numbers.append(int(m.group(1)))
        assert all(c["size"] == pytest.approx(14) and font_of(c) in names for c in chars)
        assert min(c["top"] for c in chars) == pytest.approx(762.5, abs=8.5)
        if number % 2:
            assert max(c["x1"] for c in chars) == pytest.approx(505.6, abs=4)
        else:
            assert min(c["x0"] for c in chars) == pytest.approx(95.4, abs=4)
    assert numbers == list(range(1, len(pdf.pages) + 1))


# ---------------------------------------------------------------- text


def test_l19_run_in_headings_split_fonts(lines: list[Line], doc: Document, fonts: PreparedFonts) -> None:
    faces = {role: ps_names(fonts, role) for role in ("heading1", "heading2", "body")}
    run_in = 0
    for line in lines:
        for c, src in zip(line.chars, line.sources, strict=True):
            if src.style in ("heading1", "heading2"):
                assert font_of(c) in faces[src.role], (line.text, c["text"], src.role)
                run_in += src.role == "body"
    assert run_in > 5000
    lead = next(ln for ln in lines if ln.text.startswith("一、推动服务供给提质扩面。"))
    cut = len("一、推动服务供给提质扩面。")
    assert {font_of(c) for c in lead.chars[:cut]} <= faces["heading1"]
    assert {font_of(c) for c in lead.chars[cut:]} <= faces["body"]


def test_l20_no_prohibited_marks_at_line_ends(lines: list[Line]) -> None:
    for line in lines:
        assert line.text[0] not in NEVER_START, line.text
        assert line.text[-1] not in NEVER_END, line.text


def test_l21_dashes_ellipses_and_digit_runs_are_not_split(lines: list[Line]) -> None:
    by_block = lines_of_block(lines)
    breaks = 0
    for block_lines in by_block.values():
        for a, b in itertools.pairwise(block_lines):
            end, start = a.text[-1], b.text[0]
            assert not (end in "—…" and start in "—…"), (a.text, b.text)
            assert not (end.isascii() and end.isalnum() and start.isascii() and start.isalnum()), (a.text, b.text)
            assert start not in "—…"
            breaks += 1
    assert breaks > 1000


def test_l22_no_last_line_with_a_single_han_character(lines: list[Line]) -> None:
    # Titles are excepted: their lines are phrases (L10), such as the input's
    # own last line "（2024—2035年）》".
    for block_lines in lines_of_block(lines).values():
        if len(block_lines) > 1 and block_lines[0].sources[0].style not in TITLE_STYLES:
            last = block_lines[-1]
            assert sum(map(is_han, last.text)) >= 2, last.text


def test_l23_black_text_and_embedded_fonts(pdf: pdfplumber.PDF, built: Built) -> None:
    for page in pdf.pages:
        for c in page.chars:
            color = c["non_stroking_color"]
            assert color in ((0,), (0, 0, 0), (0, 0, 0, 1), [0], [0, 0, 0]), color
            assert c["text"] != "\ufffd"
    reader = pypdf.PdfReader(io.BytesIO(built.data))
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        # One composite font per face (handouts.pdf.fonts): 2-byte codes,
        # the TrueType program embedded, a ToUnicode map for copying text.
        assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H", name
        assert "/ToUnicode" in font, name
        (cid_font,) = [f.get_object() for f in font["/DescendantFonts"]]
        assert cid_font["/Subtype"] == "/CIDFontType2" and cid_font["/BaseFont"] == name
        assert cid_font["/CIDToGIDMap"] == "/Identity"
        assert "/FontFile2" in cid_font["/FontDescriptor"], name


def test_l24_input_text_complete_and_in_order(pdf: pdfplumber.PDF) -> None:
    source = read_source(SEED)
    want = [ch for line in source.lines for ch in line if not blank(ch)]
    got = [c["text"] for page in pdf.pages for c in page.chars
           if c["top"] <= BOTTOM and not blank(c["text"])]
    assert got == want


# ---------------------------------------------------------------- file


def test_bookmarks_for_the_notice_and_each_attachment(built: Built, doc: Document) -> None:
    reader = pypdf.PdfReader(io.BytesIO(built.data))
    outline = [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline]
    assert outline == [(s.bookmark, page) for s, (_, page) in zip(doc.sections, built.info.sections,
                                                                   strict=True)]
    assert len(outline) == 8
    assert outline[1][0].startswith("附件1")


def test_metadata_and_fixed_dates(built: Built, doc: Document) -> None:
    meta = pypdf.PdfReader(io.BytesIO(built.data)).metadata
    assert meta.title == doc.title and meta.author == doc.author and meta.subject == doc.subject
    assert all(k in meta["/Keywords"] for k in doc.keywords)
    assert doc.date is not None
    assert meta["/CreationDate"].startswith(f"D:{doc.date:%Y%m%d}")
    assert meta["/ModDate"] == meta["/CreationDate"]


def test_second_build_is_byte_identical(built: Built, doc: Document, style: StyleSheet,
                                        fonts: PreparedFonts) -> None:
    again = io.BytesIO()
    info = write_pdf(doc, again, style=style, fonts=fonts)
    assert info == built.info
    assert again.getvalue() == built.data


# ---------------------------------------------------------------- small documents


def small(*sections: Section, date: dt.date | None = None) -> Document:
    return Document(title="测试", sections=list(sections), author="测试", date=date)


def para(text: str, style: str = "body") -> Paragraph:
    return Paragraph(style, [Run(text)])


def build(doc: Document, style: StyleSheet) -> tuple[PdfInfo, bytes]:
    prepared = FontSet.load().prepare(pdf_text_by_role(doc, style))
    out = io.BytesIO()
    info = write_pdf(doc, out, style=style, fonts=prepared)
    return info, out.getvalue()


def test_table_field_becomes_an_acroform_field(style: StyleSheet) -> None:
    table = Table([30, 126], [
        Row([Cell([para("学习地点", "cell-label")]), Cell(field="place")], height_mm=10),
        Row([Cell([para("讨论摘要", "cell-label")]), Cell(field="notes", ruled=True, valign="top")],
            height_mm=60),
    ])
    info, data = build(small(Section([para("记录表", "sheet-title"), table], numbered=False)), style)
    assert info.pages == 1
    fields = pypdf.PdfReader(io.BytesIO(data)).get_fields()
    assert set(fields) == {"place", "notes"}
    with pdfplumber.open(io.BytesIO(data)) as handle:
        page = handle.pages[0]
        label = next(c for c in page.chars if c["text"] == "讨")
        notes = next(a for a in page.annots if a["data"].get("T") in (b"notes", "notes"))
        # The notes field fills the cell right of the label column, level with its label.
        assert notes["x0"] >= LEFT + 30 * MM - 1 and notes["x1"] <= RIGHT + 1
        assert notes["top"] <= label["top"] <= notes["bottom"]
        assert notes["bottom"] - notes["top"] > 50 * MM
        assert int(notes["data"].get("Ff", 0)) & (1 << 12)  # multiline: a tall cell
        place = next(a for a in page.annots if a["data"].get("T") in (b"place", "place"))
        assert not int(place["data"].get("Ff", 0)) & (1 << 12)  # one line: a 10 mm row
        # Handwriting rules in the ruled cell only, one every 9 mm.
        rules = sorted(ln["top"] for ln in page.lines
                       if ln["top"] == ln["bottom"] and ln["x0"] > LEFT + 30 * MM
                       and notes["top"] < ln["top"] < notes["bottom"])
        assert len(rules) >= 5
        steps = {round(b - a, 1) for a, b in itertools.pairwise(rules)}
        assert steps == {round(9 * MM, 1)}


def test_odd_start_inserts_an_unnumbered_blank_page(style: StyleSheet) -> None:
    one = Section([para("第一节")], name="a")
    two = Section([para("第二节")], name="b", odd_start=True)
    three = Section([para("第三节")], name="c", odd_start=True, restart_numbering=True)
    info, data = build(small(one, two, three), style)
    assert info.pages == 5
    assert info.sections == [("a", 1), ("b", 3), ("c", 5)]
    with pdfplumber.open(io.BytesIO(data)) as handle:
        texts = [p.extract_text() for p in handle.pages]
    assert texts[1].strip() == "" and texts[3].strip() == ""  # blank backs carry no number
    assert "第二节" in texts[2] and "— 3 —" in texts[2]
    assert "第三节" in texts[4] and "— 1 —" in texts[4]  # restarted


def test_unnumbered_section_has_no_folio(style: StyleSheet) -> None:
    _info, data = build(small(Section([para("甲")], numbered=False), Section([para("乙")])), style)
    with pdfplumber.open(io.BytesIO(data)) as handle:
        assert not folio_chars(handle.pages[0])
        assert below_block(handle.pages[1]).extract_text().strip() == "— 2 —"


def test_table_rows_never_split_and_headers_repeat(style: StyleSheet) -> None:
    rows = [Row([Cell([para("序号", "cell-label")]), Cell([para("姓名", "cell-label")])], height_mm=9)]
    rows += [Row([Cell([para(str(n), "cell-text")], align="center"), Cell([para(f"人员{n}", "cell-text")])],
                 height_mm=12) for n in range(1, 31)]
    info, data = build(small(Section([para("签到表", "sheet-title"), Table([40, 116], rows, header_rows=1)])),
                       style)
    assert info.pages >= 2
    with pdfplumber.open(io.BytesIO(data)) as handle:
        for page in handle.pages:
            words = page.extract_words()
            heads = [w for w in words if w["text"] == "序号"]
            assert heads, "header row repeated on every page"
            first_row = min(w["top"] for w in words if w["text"].startswith("人员"))
            assert heads[0]["top"] < first_row
            horizontal = sorted({round(ln["top"], 1) for ln in page.lines if ln["top"] == ln["bottom"]})
            assert horizontal[-1] <= BOTTOM + 1  # no row runs past the block
        all_names = [w["text"] for p in handle.pages for w in p.extract_words() if w["text"].startswith("人员")]
    assert all_names == [f"人员{n}" for n in range(1, 31)]


def test_a_row_taller_than_a_page_still_gets_a_page(style: StyleSheet) -> None:
    rows = [Row([Cell([para("标题", "cell-label")])], height_mm=9),
            Row([Cell([para("甲", "cell-text")])], height_mm=100),
            Row([Cell([para("乙", "cell-text")])], height_mm=300)]
    info, _ = build(small(Section([Table([156], rows, header_rows=1)])), style)
    assert info.pages == 2


def test_signature_date_longer_than_names_moves_the_name_left(style: StyleSheet) -> None:
    sig = Signature(["办公室"], "2025年12月31日")
    info, data = build(small(Section([para("正文。"), Blank(), sig])), style)
    with pdfplumber.open(io.BytesIO(data)) as handle:
        chars = [c for c in handle.pages[0].chars if c["top"] < BOTTOM]
    name = [c for c in chars if c["text"] in "办公室"]
    date = [c for c in chars if c["text"] in "0123456789年月日"]
    assert max(c["x1"] for c in date) == pytest.approx(RIGHT - 32, abs=0.5)
    assert min(c["x0"] for c in date) - min(c["x0"] for c in name) == pytest.approx(32, abs=3)
    assert info.pages == 1


# ------------------------------------------------ keep rules (issue 21, docs/LAYOUT-additions.md)


def _paragraph_lines(lines: list[Line]) -> dict[int, list[Line]]:
    """Lines of each paragraph block that holds nothing else."""
    return {b: ls for b, ls in lines_of_block(lines).items()
            if all(ln.blocks == {b} for ln in ls) and ls[0].sources[0].kind == "paragraph"}


def test_l27_no_widow_and_no_orphan(lines: list[Line]) -> None:
    """L27: no first line alone at a page's foot, no last line alone at the top of the next."""
    split = 0
    for ls in _paragraph_lines(lines).values():
        if len(ls) < 2:
            continue
        assert ls[0].page == ls[1].page, f"orphan: {ls[0].text} (page {ls[0].page})"
        assert ls[-1].page == ls[-2].page, f"widow: {ls[-1].text} (page {ls[-1].page})"
        split += ls[0].page != ls[-1].page
    assert split > 10  # paragraphs still run across pages: the rule is tested, not avoided


def test_l28_headings_keep_two_lines_of_their_text(lines: list[Line], style: StyleSheet) -> None:
    """L28: a title or heading is never the last text on its page, and the two lines
    after it (past any heading chained to it) are on its page."""

    def heading(ls: list[Line]) -> bool:
        run_in = len({s.role for ln in ls for s in ln.sources}) > 1
        return style[ls[0].sources[0].style].keep_with_next and not run_in

    paragraphs = _paragraph_lines(lines)
    block_of = {id(ln): b for b, ls in paragraphs.items() for ln in ls}
    checked = 0
    for ls in paragraphs.values():
        if not heading(ls):
            continue
        j = lines.index(ls[-1]) + 1
        while j < len(lines) and id(lines[j]) in block_of and heading(paragraphs[block_of[id(lines[j])]]):
            j += 1
        after = lines[j : j + 2]
        if len(after) < 2 or re.fullmatch(r"附件\d+", after[0].text):
            continue  # the end of the document or of a section: a new page follows anyway
        checked += 1
        assert all(ln.page == ls[-1].page for ln in after), (ls[-1].text, [a.text for a in after])
    assert checked > 20


def test_l30_no_page_with_fewer_than_three_lines(lines: list[Line]) -> None:
    """L30: the last page of an attachment takes lines from the page before it."""
    per_page = defaultdict(int)
    for ln in lines:
        per_page[ln.page] += 1
    assert min(per_page.values()) >= 3, {p: n for p, n in per_page.items() if n < 3}


def test_l30_short_last_page_takes_lines_from_the_page_before(style: StyleSheet) -> None:
    from handouts.pdf.layout import MIN_LAST_LINES, paginate
    from handouts.pdf.slots import Slot

    page = style.page
    pitch = page.line_pitch
    per_page = round((page.block_bottom - page.block_top) / pitch)
    slots = [Slot(pitch, text=f"{i}") for i in range(per_page + 1)]
    pages = paginate(slots, page.block_top, page.block_bottom, pitch)
    assert [len(p) for p in pages] == [per_page + 1 - MIN_LAST_LINES, MIN_LAST_LINES]
    # Keeps hold: what cannot be parted stays as it was.
    tied = [Slot(pitch, keep=True, text=f"{i}") for i in range(per_page)] + [Slot(pitch, text="x")]
    pages = paginate(tied, page.block_top, page.block_bottom, pitch)
    assert [len(p) for p in pages] == [per_page, 1]
