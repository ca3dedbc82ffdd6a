"""Issue 6, item 4: the record sheet's PDF is a form a branch fills on screen
in Chinese, with the body face (handouts.pdf.form).

A form is checked the way it is used: values are typed in by two form
fillers (pypdf, which writes appearance streams itself, and poppler, which
draws them when the file asks for NeedAppearances), then the saved file is
read back as text and as pixels.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import BooleanObject, NameObject, TextStringObject
from reportlab.pdfbase import pdfmetrics

from handouts.pdf.form import CMAP, EMPTY_FIELD, RESOURCE
from handouts.pdf.layout import BODY_ROLE
from handouts.pdf.writer import write_pdf

TYPED = {
    "place": "行政楼三楼会议室",
    "host": "张三丰",
    "recorder": "李四",
    "expected": "32",
    "present": "30",
    "absent": "王五（出差）、赵六（病假）",
    "discussion": "大家围绕重要讲话精神进行了深入交流。",
    "discussion_more": "续页：讨论记录未完部分。",
}
STANDARD_14 = ("Helvetica", "Times-", "Courier", "Symbol", "ZapfDingbats")




@pytest.fixture(scope="module")
def sheets(style, branch_sheets):
    """(record sheet PDF bytes, sign-in sheet PDF bytes, bundle bytes, body font name)."""
    docs, _, prepared = branch_sheets
    out = []
    for doc in (docs["record"], docs["signin"], docs["bundle"]):
        buf = io.BytesIO()
        write_pdf(doc, buf, style=style, fonts=prepared)
        out.append(buf.getvalue())
    return (*out, prepared.font_name(BODY_ROLE))


def widgets(reader: pypdf.PdfReader) -> list:
    return [a.get_object() for page in reader.pages for a in page.get("/Annots", [])
            if a.get_object().get("/Subtype") == "/Widget"]


def test_fields_name_the_body_face_as_a_unicode_cid_font(sheets) -> None:
    record, _signin, _bundle, body = sheets
    reader = pypdf.PdfReader(io.BytesIO(record))
    form = reader.trailer["/Root"]["/AcroForm"]
    font = form["/DR"]["/Font"][f"/{RESOURCE}"].get_object()
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == f"/{CMAP}"
    cid = font["/DescendantFonts"][0].get_object()
    info = cid["/CIDSystemInfo"]
    assert (info["/Registry"], info["/Ordering"]) == ("Adobe", "GB1")
    face = pdfmetrics.getFont(body).face
    assert font["/BaseFont"] == "/" + face.name.decode("ascii")
    # Latin typed into a field keeps the body face's own advances.
    assert cid["/W"][1][ord("A") - 0x20] == round(face.getCharWidth(ord("A")))
    # The text fields a branch types into; 学习时间 (prefilled) and the check
    # boxes are tested in test_sheet_controls.py (issue 21).
    fields = [f for f in widgets(reader) if f["/FT"] == "/Tx" and f["/T"] != "time"]
    assert {f["/T"] for f in fields} == set(TYPED)
    for f in fields:
        assert f["/DA"].startswith(f"/{RESOURCE} ")
        assert f["/TU"]  # what the field asks for, in Chinese, for viewers' tooltips
        # Empty, the field draws nothing over the page's rules; typed, the
        # viewer's white background covers them (pdf.js, Acrobat, poppler).
        assert f["/AP"]["/N"].get_object().get_data() == EMPTY_FIELD.encode()
        assert list(f["/MK"]["/BG"]) == [1]
    assert next(f for f in fields if f["/T"] == "discussion")["/Ff"] & (1 << 12)  # multi-line
    assert next(f for f in fields if f["/T"] == "place")["/Ff"] & (1 << 12) == 0


def test_no_standard_font_anywhere(sheets) -> None:
    # L23: every font in a PDF is the role's face; a Helvetica default
    # appearance would show typed Chinese as nothing or mojibake.
    for data in sheets[:3]:
        assert not any(name.encode() in data for name in STANDARD_14)


def test_the_print_bundle_has_no_form(sheets) -> None:
    # The same sheet per branch in one file would make all their fields one.
    reader = pypdf.PdfReader(io.BytesIO(sheets[2]))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert not widgets(reader)


def test_signin_sheet_fields_per_row(sheets) -> None:
    reader = pypdf.PdfReader(io.BytesIO(sheets[1]))
    names = {f["/T"] for f in widgets(reader)}
    assert {"name_1", "dept_1", "note_1", "name_20"} <= names
    assert {f["/TU"] for f in widgets(reader) if f["/T"] == "name_3"} == {"第3行 姓名"}


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "filled.pdf"
    path.write_bytes(data)
    run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return run.stdout.decode("utf-8")


def test_typed_chinese_survives_pypdf_filling(sheets, tmp_path) -> None:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(sheets[0]))
    for page in writer.pages:
        writer.update_page_form_field_values(page, TYPED, auto_regenerate=False)
    assert_typed(saved(writer), sheets[0], tmp_path)


def test_typed_chinese_survives_a_viewer_drawing_it(sheets, tmp_path) -> None:
    """poppler draws field values itself when the file asks for NeedAppearances."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(sheets[0]))
    for page in writer.pages:
        for annot in page.get("/Annots", []):
            w = annot.get_object()
            if w["/T"] in TYPED:
                w[NameObject("/V")] = TextStringObject(TYPED[w["/T"]])
                del w["/AP"]
    writer._root_object["/AcroForm"][NameObject("/NeedAppearances")] = BooleanObject(True)
    assert_typed(saved(writer), sheets[0], tmp_path)


def saved(writer: pypdf.PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def assert_typed(filled: bytes, empty: bytes, tmp_path: Path) -> None:
    text = pdftotext(filled, tmp_path)
    for value in TYPED.values():
        assert value in text.replace(" ", "")
    line = next(ln for ln in text.splitlines() if "学习地点" in ln)
    assert TYPED["place"] in line  # in its own box, on its label's line
    # Drawn, not only extractable: the field's box gets ink it lacked empty.
    place = next(w for w in widgets(pypdf.PdfReader(io.BytesIO(empty))) if w["/T"] == "place")
    before, after = (ink(data, place["/Rect"], tmp_path) for data in (empty, filled))
    assert before < 0.002 < after, (before, after)


def ink(data: bytes, rect: list, tmp_path: Path, dpi: int = 72) -> float:
    """The share of dark pixels inside rect on page 1, rendered by poppler."""
    src = tmp_path / "ink.pdf"
    src.write_bytes(data)
    pgm = subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", "1", str(src)],
                         capture_output=True, check=True).stdout
    head = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", pgm)
    assert head, "pdftoppm -gray writes a binary PGM"
    width, height = int(head[1]), int(head[2])
    pixels = pgm[head.end():]
    x0, y0, x1, y1 = (float(v) * dpi / 72 for v in rect)
    rows = range(height - int(y1) + 2, height - int(y0) - 2)  # inside the border
    cols = range(int(x0) + 2, int(x1) - 2)
    dark = sum(pixels[r * width + c] < 128 for r in rows for c in cols)
    return dark / (len(rows) * len(cols))

