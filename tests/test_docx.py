"""The Word writer on the XML (issue 5; LAYOUT.md L03, L08, L14, L18, L19, L24, L25)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from handouts.compose.document import Blank, Cell, Document, Paragraph, Row, Run, Section, Signature, Table
from handouts.compose.style import MM, StyleSheet
from handouts.docx.fonts import EmbedRefused, font_key, obfuscate, subset_face
from handouts.docx.oxml import needs_east_asian_hint
from handouts.docx.sections import char_space
from handouts.docx.styles import role_style_id, style_id
from handouts.docx.writer import write_docx
from handouts.fonts.fontset import FontSet
from handouts.read.source import read_source

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
HAN = re.compile(r"[\u3400-\u9fff]")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def build(doc: Document, style: StyleSheet, fonts: FontSet, embed: object = None) -> bytes:
    out = io.BytesIO()
    write_docx(doc, out, style=style, fonts=fonts, embed=embed)
    return out.getvalue()


class Docx:
    """The parts of a written .docx, parsed."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.document = self.xml("word/document.xml")
        self.styles = self.xml("word/styles.xml")
        self.settings = self.xml("word/settings.xml")

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    def style(self, style_id: str) -> etree._Element:
        found = self.styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert found is not None, style_id
        return found

    def style_east_asian(self, style_id: str | None) -> str | None:
        """The East Asian font a style gives, following basedOn, then the defaults."""
        while style_id:
            s = self.style(style_id)
            fonts = s.find("w:rPr/w:rFonts", NS)
            if fonts is not None and fonts.get(w("eastAsia")):
                return fonts.get(w("eastAsia"))
            based = s.find("w:basedOn", NS)
            style_id = based.get(w("val")) if based is not None else None
        fonts = self.styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
        return fonts.get(w("eastAsia")) if fonts is not None else None

    def footer(self, rid: str) -> etree._Element:
        rels = self.xml("word/_rels/document.xml.rels")
        target = rels.find(f"{{http://schemas.openxmlformats.org/package/2006/relationships}}"
                           f"Relationship[@Id='{rid}']").get("Target")
        return self.xml(f"word/{target}")


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return FontSet.load()


@pytest.fixture(scope="module")
def data(handout: Document, style: StyleSheet, fonts: FontSet) -> bytes:
    return build(handout, style, fonts)


@pytest.fixture(scope="module")
def docx(data: bytes) -> Docx:
    return Docx(data)


def test_named_styles_with_display_names_and_fonts(docx: Docx, style: StyleSheet, fonts: FontSet) -> None:
    for key, ps in style.styles.items():
        s = docx.style(style_id(key))
        name = s.find("w:name", NS).get(w("val"))
        # body is Word's Normal, which Chinese Word shows as 正文
        assert name == ("Normal" if key == "body" else ps.word)
        rfonts = s.find("w:rPr/w:rFonts", NS)
        family = fonts.word_family(ps.role)
        for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
            assert rfonts.get(w(slot)) == family, (key, slot)
        assert s.find("w:rPr/w:sz", NS).get(w("val")) == str(round(ps.size * 2))
    assert style_id("attachment-label") == "AttachmentLabel"
    assert docx.style("Normal").get(w("default")) == "1"
    lang = docx.styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(w("eastAsia")) == "zh-CN"


def test_justify_is_both_and_keep_with_next(docx: Docx, style: StyleSheet) -> None:
    for key, ps in style.styles.items():
        s = docx.style(style_id(key))
        jc = s.find("w:pPr/w:jc", NS).get(w("val"))
        assert jc == {"justify": "both", "left": "left", "center": "center", "right": "right"}[ps.align]
        assert (s.find("w:pPr/w:keepNext", NS) is not None) == ps.keep_with_next, key


def test_every_style_with_a_role_names_its_east_asian_font(docx: Docx) -> None:
    for s in docx.styles.findall("w:style", NS):
        rfonts = s.find("w:rPr/w:rFonts", NS)
        if rfonts is not None:
            assert rfonts.get(w("eastAsia")), s.get(w("styleId"))


def test_han_runs_have_an_east_asian_font_from_their_styles(docx: Docx, fonts: FontSet) -> None:
    """L25: no run relies on a Latin font for Han characters."""
    families = {fonts.word_family(r) for r in ("body", "title", "heading1", "heading2", "folio")}
    checked = 0
    for p in docx.document.iter(w("p")):
        pstyle = p.find("w:pPr/w:pStyle", NS)
        para_font = docx.style_east_asian(pstyle.get(w("val")) if pstyle is not None else "Normal")
        for r in p.findall("w:r", NS):
            text = "".join(t.text or "" for t in r.findall("w:t", NS))
            if not HAN.search(text):
                continue
            direct = r.find("w:rPr/w:rFonts", NS)
            assert direct is None or direct.get(w("eastAsia")) is None  # styles, not direct formatting
            rstyle = r.find("w:rPr/w:rStyle", NS)
            font = docx.style_east_asian(rstyle.get(w("val"))) if rstyle is not None else para_font
            assert font in families, text
            checked += 1
    assert checked > 300


def test_ambiguous_punctuation_is_set_in_the_east_asian_font(docx: Docx) -> None:
    """L25: “”—… and friends carry w:hint="eastAsia"; the style's eastAsia font then applies."""
    seen = 0
    for r in docx.document.iter(w("r")):
        text = "".join(t.text or "" for t in r.findall("w:t", NS))
        if any(ch in text for ch in "“”‘’—…·"):
            hint = r.find("w:rPr/w:rFonts", NS)
            assert hint is not None and hint.get(w("hint")) == "eastAsia", text
            seen += 1
    assert seen > 20
    assert needs_east_asian_hint("“学习强国”") and not needs_east_asian_hint("《规划》（2024年）")


def test_page_setup(docx: Docx, style: StyleSheet) -> None:
    """L03: A4 and the 公文 margins; the 22 × 28 grid."""
    sect = docx.document.find("w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (int(size.get(w("w"))), int(size.get(w("h")))) == (11906, 16838)
    mar = sect.find("w:pgMar", NS)
    for side, want in (("top", 2098), ("bottom", 1984), ("left", 1588), ("right", 1474)):
        assert abs(int(mar.get(w(side))) - want) <= 20, side
    grid = sect.find("w:docGrid", NS)
    assert grid.get(w("type")) == "linesAndChars"
    assert grid.get(w("linePitch")) == "579"
    # ECMA-376 §17.6.5: pitch = default size + charSpace/4096 pt; 28 fit, 29 do not.
    cs = int(grid.get(w("charSpace")))
    assert cs == char_space(style)
    width = (11906 - int(mar.get(w("left"))) - int(mar.get(w("right")))) / 20
    pitch = style.page.body_size + cs / 4096
    assert 28 * pitch <= width < 29 * pitch
    # Characters are set 0.3 pt tight instead of snapping to the grid (see docx_styles).
    tracking = docx.style("Normal").find("w:rPr/w:spacing", NS)
    assert 28 * (16 + int(tracking.get(w("val"))) / 20) <= width < 29 * (16 + int(tracking.get(w("val"))) / 20)


def test_settings(docx: Docx) -> None:
    s = docx.settings
    assert s.find("w:evenAndOddHeaders", NS) is not None  # L18
    after = s.find("w:noLineBreaksAfter", NS)
    before = s.find("w:noLineBreaksBefore", NS)
    assert after.get(w("lang")) == before.get(w("lang")) == "zh-CN"
    assert set("（【《“‘") <= set(after.get(w("val")))
    assert set("、，。：；！？）】》”’·—…") <= set(before.get(w("val")))
    assert docx.styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:kinsoku", NS) is not None
    assert s.find("w:themeFontLang", NS).get(w("eastAsia")) == "zh-CN"
    assert s.find("w:embedTrueTypeFonts", NS) is None  # only with embed=


def test_body_indent_and_line_spacing(docx: Docx) -> None:
    """L08: 2-字 first-line indent and exact 579-twip lines."""
    ind = docx.style("Normal").find("w:pPr/w:ind", NS)
    assert ind.get(w("firstLineChars")) == "200" and ind.get(w("firstLine")) == "640"
    spacing = docx.styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:spacing", NS)
    assert (spacing.get(w("line")), spacing.get(w("lineRule"))) == ("579", "exact")
    for s in docx.styles.findall("w:style[@w:type='paragraph']", NS):
        own = s.find("w:pPr/w:spacing", NS)
        assert own is None or s.get(w("styleId")) == "Footer"


def test_footers_page_numbers(docx: Docx, style: StyleSheet, fonts: FontSet) -> None:
    """L18: odd footer right, even footer left, 1 字 in, "— PAGE —" in the folio font at 14 pt."""
    sect = docx.document.find("w:body/w:sectPr", NS)
    refs = {r.get(w("type")): r.get(f"{{{R}}}id") for r in sect.findall("w:footerReference", NS)}
    assert set(refs) == {"default", "even"}
    for kind, jc, side in (("default", "right", "right"), ("even", "left", "left")):
        ftr = docx.footer(refs[kind])
        p = ftr.find("w:p", NS)
        assert p.find("w:pPr/w:pStyle", NS).get(w("val")) == "Footer"
        assert p.find("w:pPr/w:jc", NS).get(w("val")) == jc
        assert p.find("w:pPr/w:ind", NS).get(w(side)) == "320"
        instr = "".join(t.text for t in p.iter(w("instrText")))
        assert instr.strip() == "PAGE"
        text = "".join(t.text for t in p.iter(w("t")))
        assert text == "— 1 —"
    footer_style = docx.style("Footer")
    assert footer_style.find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == fonts.word_family("folio")
    assert footer_style.find("w:rPr/w:sz", NS).get(w("val")) == "28"
    # the number's top 7 mm under the block (L16): page bottom to the footer line's bottom
    footer = int(sect.find("w:pgMar", NS).get(w("footer")))
    top = style.page.height - footer / 20 - style.folio.size
    assert abs(top - 762.5) < 2


def test_run_in_headings(docx: Docx, handout: Document) -> None:
    """L19: the lead in the heading's font, the rest a run with the body character style."""
    expected = [(p.runs[0].text, p.runs[1].text) for p in handout.paragraphs()
                if p.style in ("heading1", "heading2") and len(p.runs) == 2]
    assert expected
    found = []
    for p in docx.document.iter(w("p")):
        pstyle = p.find("w:pPr/w:pStyle", NS)
        if pstyle is None or pstyle.get(w("val")) not in (style_id("heading1"), style_id("heading2")):
            continue
        runs = p.findall("w:r", NS)
        if len(runs) != 2:
            continue
        assert runs[0].find("w:rPr/w:rStyle", NS) is None
        assert runs[1].find("w:rPr/w:rStyle", NS).get(w("val")) == role_style_id("body")
        # U+2060 joins digit ranges for Word's line breaking (L29): no text of its own.
        found.append(tuple("".join(t.text for t in r.iter(w("t"))).replace("\u2060", "") for r in runs))
        assert found[-1][0].endswith("。")
    assert found == expected
    assert docx.style(role_style_id("body")).get(w("type")) == "character"


def test_each_attachment_starts_a_page(docx: Docx, handout: Document) -> None:
    """L14: a page break before each 附件N label; no extra Word sections."""
    labels = [p for p in docx.document.iter(w("p"))
              if (s := p.find("w:pPr/w:pStyle", NS)) is not None
              and s.get(w("val")) == style_id("attachment-label")]
    assert len(labels) == len(handout.sections) - 1 == 7
    for p in labels:
        assert p.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert len(list(docx.document.iter(w("sectPr")))) == 1


def _squash(text: str) -> str:
    return "".join(text.split())


def test_all_input_text_in_order(docx: Docx) -> None:
    """L24: the cleaned input's characters, whitespace aside, are the document's."""
    source = _squash("".join(read_source(SEED).lines))
    body = docx.document.find("w:body", NS)
    text = "".join(t.text or "" for t in body.iter(w("t")))
    # Word joiners hold digit ranges together (L29) and only there.
    joined = re.sub(r"(?<=\d)\u2060(?=[—～–])|(?<=[—～–])\u2060(?=\d)", "", text)
    assert joined != text and "\u2060" not in joined
    written = _squash(joined)
    assert written == source


def test_signature_placement(docx: Docx) -> None:
    """L12 as right indents: signature 2 字 in at least, date starting 2 字 right of it."""
    sig = next(p for p in docx.document.iter(w("p"))
               if "".join(t.text for t in p.iter(w("t"))) == "党委宣传网工部")
    date = sig.getnext()
    assert "".join(t.text for t in date.iter(w("t"))) == "2025年3月4日"
    sig_right = int(sig.find("w:pPr/w:ind", NS).get(w("rightChars"))) / 100
    date_right = int(date.find("w:pPr/w:ind", NS).get(w("rightChars"))) / 100
    assert date_right == 2 and sig_right >= 2
    # start of each, in 字 from the right edge: signature 7 字 wide, date 6 字
    assert (sig_right + 7) - (date_right + 6) == 2
    assert sig.find("w:pPr/w:keepNext", NS) is not None


def test_two_builds_are_byte_identical(handout: Document, style: StyleSheet, fonts: FontSet,
                                       data: bytes) -> None:
    assert build(handout, style, fonts) == data
    names = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert names[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in names} == {(2025, 3, 4, 0, 0, 0)}


def test_document_properties(docx: Docx, handout: Document) -> None:
    core = docx.xml("docProps/core.xml")
    text = {el.tag.rsplit("}", 1)[1]: el.text for el in core}
    assert text["title"] == handout.title
    assert text["creator"] == handout.author == "党委宣传网工部"
    assert text["created"] == text["modified"] == "2025-03-04T00:00:00Z"
    assert text["revision"] == "1"
    assert "python-docx" not in docx.zip.read("docProps/core.xml").decode()
    assert "docProps/thumbnail.jpeg" not in docx.zip.namelist()


def test_font_table_alternates(docx: Docx, fonts: FontSet) -> None:
    table = docx.xml("word/fontTable.xml")
    body = table.find(f"w:font[@w:name='{fonts.word_family('body')}']", NS)
    assert body is not None
    assert body.find("w:altName", NS).get(w("val")) == fonts.word_alternates("body")[0]
    assert body.find("w:charset", NS).get(w("val")) == "86"
    assert body.find("w:embedRegular", NS) is None


def test_table_grid_spans_and_heights(style: StyleSheet, fonts: FontSet) -> None:
    cell = lambda text, **kw: Cell([Paragraph("cell-text", [Run(text)])], **kw)  # noqa: E731
    table = Table(
        widths_mm=[30, 50, 76],
        rows=[
            Row([Cell([Paragraph("cell-label", [Run("学习时间")])]), cell("3月11日", span=2)], 12),
            Row([cell("学习内容", valign="top"), cell(""), Cell(ruled=True)], 40),
        ],
        header_rows=1,
    )
    doc = Document("表", [Section([Paragraph("sheet-title", [Run("学习记录表")]), table]),
                         Section([table, Blank(2), Signature(["某某党支部"], "2025年3月11日")])])
    d = Docx(build(doc, style, fonts))
    tables = d.document.findall("w:body/w:tbl", NS)
    assert len(tables) == 2
    tbl = tables[0]
    cols = [int(c.get(w("w"))) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert cols == [round(mm * MM * 20) for mm in (30, 50, 76)]
    rows = tbl.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    height = rows[1].find("w:trPr/w:trHeight", NS)
    assert height.get(w("hRule")) == "atLeast" and int(height.get(w("val"))) == round(40 * MM * 20)
    spanned = rows[0].findall("w:tc", NS)[1]
    assert spanned.find("w:tcPr/w:gridSpan", NS).get(w("val")) == "2"
    assert int(spanned.find("w:tcPr/w:tcW", NS).get(w("w"))) == cols[1] + cols[2]
    assert rows[1].find("w:tc/w:tcPr/w:vAlign", NS).get(w("val")) == "top"
    border = tbl.find("w:tblPr/w:tblBorders/w:insideH", NS)
    assert (border.get(w("val")), border.get(w("sz"))) == ("single", str(round(style.tables.border_pt * 8)))
    label = rows[0].find("w:tc/w:p/w:pPr/w:pStyle", NS).get(w("val"))
    assert label == style_id("cell-label")
    ruled = rows[1].findall("w:tc", NS)[2].findall("w:p", NS)
    assert len(ruled) >= 2 and all(p.find("w:pPr/w:pBdr/w:bottom", NS) is not None for p in ruled)
    # the second section starts with a table: a carrier paragraph breaks the page
    carrier = tables[1].getprevious()
    assert carrier.tag == w("p") and carrier.find("w:pPr/w:pageBreakBefore", NS) is not None


def test_sections_that_need_real_section_breaks(style: StyleSheet, fonts: FontSet) -> None:
    doc = Document("x", [
        Section([Paragraph("body", [Run("封面")])], numbered=False),
        Section([Paragraph("body", [Run("正文一")])], restart_numbering=True),
        Section([Paragraph("body", [Run("正文二")])]),
        Section([Paragraph("body", [Run("附页")])], odd_start=True),
    ])
    d = Docx(build(doc, style, fonts))
    sects = list(d.document.iter(w("sectPr")))
    assert len(sects) == 3
    assert sects[0].find("w:footerReference", NS) is not None  # empty footers: no number
    assert "PAGE" not in etree.tostring(d.footer(sects[0].find("w:footerReference", NS).get(f"{{{R}}}id")),
                                        encoding="unicode")
    assert sects[1].find("w:pgNumType", NS).get(w("start")) == "1"
    assert sects[2].find("w:type", NS).get(w("val")) == "oddPage"
    second = next(p for p in d.document.iter(w("p")) if "正文二" in "".join(t.text for t in p.iter(w("t"))))
    assert second.find("w:pPr/w:pageBreakBefore", NS) is not None


# -- embedding ------------------------------------------------------------------


def test_obfuscation_round_trip() -> None:
    data = bytes(range(64))
    key = font_key(data)
    assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", key)
    hidden = obfuscate(data, key)
    assert hidden[32:] == data[32:] and hidden[:32] != data[:32]
    assert obfuscate(hidden, key) == data
    # ECMA-376 §17.8.1: byte i is XORed with the key's byte 15 - i % 16 in string order
    raw = bytes.fromhex(key.strip("{}").replace("-", ""))
    assert hidden[0] == data[0] ^ raw[15] and hidden[17] == data[17] ^ raw[14]


@pytest.fixture(scope="module")
def embedded(handout: Document, style: StyleSheet, fonts: FontSet) -> Docx:
    from handouts.pdf.writer import pdf_text_by_role

    prepared = fonts.prepare(pdf_text_by_role(handout, style))
    return Docx(build(handout, style, fonts, embed=prepared))


def _font_part(d: Docx, family: str) -> tuple[bytes, str]:
    table = d.xml("word/fontTable.xml")
    entry = table.find(f"w:font[@w:name='{family}']/w:embedRegular", NS)
    assert entry is not None, family
    rels = d.xml("word/_rels/fontTable.xml.rels")
    target = next(r.get("Target") for r in rels if r.get("Id") == entry.get(f"{{{R}}}id"))
    return d.zip.read(f"word/{target}"), entry.get(w("fontKey"))


def test_embedded_fonts_are_named_subsets(embedded: Docx, fonts: FontSet) -> None:
    assert embedded.settings.find("w:embedTrueTypeFonts", NS) is not None
    assert "application/vnd.openxmlformats-officedocument.obfuscatedFont" in embedded.zip.read(
        "[Content_Types].xml").decode()
    family = fonts.word_family("body")
    part, key = _font_part(embedded, family)
    font = TTFont(io.BytesIO(obfuscate(part, key)))
    assert "glyf" in font and "CFF " not in font
    assert font["name"].getDebugName(1) == family
    cmap = font.getBestCmap()
    assert ord("学") in cmap and 2000 > len(cmap) > 500  # a subset, not the whole face


def test_restricted_fonts_are_never_embedded(tmp_path: Path, embedded: Docx, fonts: FontSet) -> None:
    part, key = _font_part(embedded, fonts.word_family("body"))
    font = TTFont(io.BytesIO(obfuscate(part, key)))
    font["OS/2"].fsType = 0x0002  # restricted licence embedding
    path = tmp_path / "restricted.ttf"
    font.save(path)
    with pytest.raises(EmbedRefused):
        subset_face(str(path), 0, "学习", "仿宋_GB2312")


def test_titles_break_where_the_pdf_breaks(docx: Docx, handout: Document, style: StyleSheet) -> None:
    """L10: Word gets explicit breaks at the same phrase boundaries as the PDF."""
    from handouts.typeset.titles import TITLE_ROLE

    titles = [p for p in handout.paragraphs() if style[p.style].role == TITLE_ROLE]
    ids = {style_id(p.style) for p in titles}
    written = []
    for p in docx.document.iter(w("p")):
        ps = p.find("w:pPr/w:pStyle", NS)
        if ps is not None and ps.get(w("val")) in ids:
            lines, cur = [], []
            for el in p.iter(w("t"), w("br")):
                if el.tag == w("br"):
                    lines.append("".join(cur))
                    cur = []
                else:
                    cur.append((el.text or "").replace("\u2060", ""))  # L29 joiners
            written.append([*lines, "".join(cur)])
    assert len(written) == len(titles)
    long_ones = [lines for lines in written if len(lines) > 1]
    assert len(long_ones) >= 6
    for lines in written:
        # each line fits 22 pt across the block and none is a bare tail
        assert all(len(line) <= 20 for line in lines), lines
        assert not any(line in ("的通知", "通知", "的意见") for line in lines)
    five = ["重庆市人民政府办公厅", "四川省人民政府办公厅", "关于印发《进一步强化川渝",
            "公共服务共建共享行动方案", "（2025—2027年）》的通知"]
    assert five in written


def test_embedding_settings_do_not_depend_on_what_was_written_before(
        handout: Document, style: StyleSheet, fonts: FontSet) -> None:
    """The settings part is cached per process: with and without embedding
    must still differ whichever was written first."""
    from handouts.pdf.writer import pdf_text_by_role

    plain = Docx(build(handout, style, fonts))
    prepared = fonts.prepare(pdf_text_by_role(handout, style))
    embedded = Docx(build(handout, style, fonts, embed=prepared))
    again = Docx(build(handout, style, fonts))
    assert plain.settings.find("w:embedTrueTypeFonts", NS) is None
    assert embedded.settings.find("w:embedTrueTypeFonts", NS) is not None
    assert again.settings.find("w:embedTrueTypeFonts", NS) is None


def test_parts_cache_keeps_styles_and_settings_apart(style: StyleSheet, fonts: FontSet) -> None:
    """A document whose runs need no extra role styles must still get its
    own settings part (the cache once handed it the styles part)."""
    from handouts.compose.document import Paragraph, Run, Section

    plain = Document(title="t", sections=[Section(blocks=[Paragraph("body", [Run("正文")])])])
    for _ in range(2):
        d = Docx(build(plain, style, fonts))
        assert etree.QName(d.settings).localname == "settings"
        assert d.settings.find("w:kinsoku", NS) is not None or d.settings.find("w:compat", NS) is not None
        assert etree.QName(d.styles).localname == "styles"


def test_tables_are_built_once_per_value_with_the_same_bytes(style: StyleSheet, fonts: FontSet,
                                                              monkeypatch) -> None:
    # The branches' sheets share their tables (docx.tables._TABLES, issue 8):
    # a table taken from the memo must give the file a fresh one gives.
    from handouts.cli import load
    from handouts.compose.sheets import compose_sheet, sheet_kinds
    from handouts.docx import tables

    package = load(SEED)
    kinds = sheet_kinds()
    a = [compose_sheet(k, package, "商学院党总支") for k in kinds]
    b = [compose_sheet(k, package, "财经学院党总支") for k in kinds]
    monkeypatch.setattr(tables, "_TABLES", {})
    first = [build(d, style, fonts) for d in a]
    made = len(tables._TABLES)
    assert made >= len(kinds)  # each kind has a table
    again = [build(d, style, fonts) for d in b]
    assert len(tables._TABLES) == made  # the other branch's tables came from the memo
    tables._TABLES.clear()
    assert [build(d, style, fonts) for d in b] == again
    assert [build(d, style, fonts) for d in a] == first
    assert again != first  # the branch name differs


def test_l27_l28_widow_control_and_keeps(docx: Docx, handout: Document) -> None:
    """L27: every paragraph of more than one line has widow control; L28: a
    one-line body paragraph right after a heading keeps with the next."""
    paragraphs = list(docx.document.find("w:body", NS).iter(w("p")))
    long_ones = [p for p in paragraphs if len("".join(t.text or "" for t in p.iter(w("t")))) > 40]
    assert len(long_ones) > 100
    for p in long_ones:
        flag = p.find("w:pPr/w:widowControl", NS)
        assert flag is not None and flag.get(w("val"), "1") not in ("0", "false"), p
    # L28: a title of several lines is kept on one page.
    titles = [p for p in paragraphs if p.find("w:r/w:br", NS) is not None
              and p.find("w:pPr/w:pStyle", NS) is not None
              and p.find("w:pPr/w:pStyle", NS).get(w("val")) in (style_id("title"), style_id("attachment-title"))]
    assert len(titles) >= 5 and all(p.find("w:pPr/w:keepLines", NS) is not None for p in titles)
    # docDefaults stay off (the sheets fill their grid line by line).
    assert docx.styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:widowControl", NS).get(w("val")) in ("0", "false")


def test_l28_one_line_after_a_heading_keeps_with_the_next(style: StyleSheet, fonts: FontSet) -> None:
    doc = Document("测试", sections=[Section(blocks=[
        Paragraph("heading2", [Run("（一）小标题")]),
        Paragraph("body", [Run("只有一行的正文。")]),
        Paragraph("body", [Run("第二段" * 30)]),
        Paragraph("body", [Run("再一行。")]),
    ])])
    body = [p for p in Docx(build(doc, style, fonts)).document.iter(w("p"))
            if "".join(t.text or "" for t in p.iter(w("t")))]
    keep = [p.find("w:pPr/w:keepNext", NS) is not None for p in body]
    widow = [p.find("w:pPr/w:widowControl", NS) is not None for p in body]
    assert keep[1] and not keep[3]  # only the line right after the heading
    assert widow == [False, False, True, False]  # L27: only where there are lines to part
