"""handouts.pdf.fonts: one composite font per face, codes in order of first use (L23, L24)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pypdf
import pytest
from fontTools.ttLib import TTFont as FTFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from handouts.fonts.fontset import FontSet, PreparedFonts
from handouts.pdf.fonts import DocumentFonts, _FaceUse

# More distinct characters than one of ReportLab's simple fonts holds (256),
# two of them twice, a Latin run and a character outside the BMP.
HAN = "".join(chr(cp) for cp in range(0x4E00, 0x4E00 + 600))
TEXT = "学习" + HAN + "学习 GB/T 9704-2012"
RARE = "\U00020BB7"  # 𠮷, in a supplementary plane


@pytest.fixture(scope="module")
def prepared() -> PreparedFonts:
    return FontSet.load().prepare({"body": TEXT + RARE})


def draw(prepared: PreparedFonts, lines: list[str]) -> tuple[bytes, list[str]]:
    """A one-page PDF with each line set as one run; also the operators written."""
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=(2000, 200), invariant=1, initialFontName=prepared.font_name("body"))
    fonts = DocumentFonts(canv._doc)
    ops = []
    for n, line in enumerate(lines):
        for font, part in prepared.segments("body", line):
            resource, codes = fonts.show(font, part)
            ops.append(f"BT /{resource} 3 Tf 1 0 0 1 10 {180 - 20 * n} Tm <{codes}> Tj ET")
    canv.addLiteral("\n".join(ops))
    canv.showPage()
    fonts.finish()
    canv.save()
    return buf.getvalue(), ops


def test_codes_follow_first_use_one_per_glyph(prepared: PreparedFonts) -> None:
    buf = io.BytesIO()
    fonts = DocumentFonts(Canvas(buf)._doc)
    name = prepared.font_name("body")
    resource, codes = fonts.show(name, "学习学")
    assert codes == "000100020001"  # a character drawn again keeps its code
    again, more = fonts.show(name, "习一")
    assert again == resource and more == "00020003"


def test_characters_of_one_glyph_share_a_code() -> None:
    # A compatibility ideograph and its unified twin are often one outline.
    face = SimpleNamespace(charToGlyph={0xF900: 7, 0x8C48: 7, 0x5B66: 9})
    use = _FaceUse(face, "HF1")
    assert use.codes_of("\uf900学\u8c48") == "000100020001"
    assert use.order == [0xF900, 0x5B66]  # one code point per glyph, for the program
    assert use.codes_of("\u0378") == "0000"  # not in the face: .notdef, never a new code
    assert use.order == [0xF900, 0x5B66]


def test_many_glyphs_one_string_and_text_reads_back(prepared: PreparedFonts) -> None:
    data, ops = draw(prepared, [TEXT])
    # ReportLab's 256-glyph simple fonts cut this line into several strings.
    assert sum(op.count(" Tj") for op in ops) == len(prepared.segments("body", TEXT))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert "".join(c["text"] for c in pdf.pages[0].chars) == TEXT


def test_supplementary_character_extracts_as_itself(prepared: PreparedFonts, tmp_path: Path) -> None:
    # Noto Serif CJK (installed by README's command and by CI) has it.
    data, _ = draw(prepared, ["学" + RARE + "习"])
    path = tmp_path / "rare.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    assert ("学" + RARE + "习").encode() in text


def test_embedded_program_holds_the_drawn_glyphs_in_code_order(prepared: PreparedFonts) -> None:
    data, _ = draw(prepared, [TEXT])
    reader = pypdf.PdfReader(io.BytesIO(data))
    (font,) = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    cid_font = font["/DescendantFonts"][0].get_object()
    assert cid_font["/CIDToGIDMap"] == "/Identity"
    program = FTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].get_data()))
    name = prepared.font_name("body")
    source = FTFont(pdfmetrics.getFont(name).face.filename, fontNumber=0)
    source_cmap = source.getBestCmap()
    order = list(dict.fromkeys(TEXT))  # first use, spaces included
    embedded = program.getGlyphOrder()
    assert len(embedded) >= len(order) + 1  # .notdef first (composite parts may follow)
    glyf_src, glyf_pdf = source["glyf"], program["glyf"]
    hmtx_src, hmtx_pdf = source["hmtx"], program["hmtx"]
    for code, ch in enumerate(order, start=1):
        src_name = source_cmap[ord(ch)]
        pdf_name = embedded[code]  # CIDToGIDMap Identity: glyph n draws code n
        assert hmtx_pdf[pdf_name] == hmtx_src[src_name], ch
        a, b = glyf_src[src_name], glyf_pdf[pdf_name]
        if a.isComposite():
            continue  # its component numbers are renumbered
        assert a.getCoordinates(glyf_src)[0] == b.getCoordinates(glyf_pdf)[0], ch
    widths = cid_font["/W"]
    listed = {}
    for i in range(0, len(widths), 2):
        for k, w in enumerate(widths[i + 1]):
            listed[widths[i] + k] = float(w)
    face = pdfmetrics.getFont(name).face
    for code, ch in enumerate(order, start=1):
        want = face.getCharWidth(ord(ch))
        assert listed.get(code, float(cid_font["/DW"])) == pytest.approx(want, abs=0.01), ch


def test_the_same_glyphs_give_the_same_bytes(prepared: PreparedFonts) -> None:
    assert draw(prepared, [TEXT])[0] == draw(prepared, [TEXT])[0]
    assert draw(prepared, ["学习"])[0] != draw(prepared, ["习学"])[0]
