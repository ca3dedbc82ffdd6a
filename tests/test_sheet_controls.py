"""Issue 21, point 5: the sheets' 学习时间 field and 学习形式 check boxes, in
the PDF form (pypdf, pixels by pdftoppm) and in Word (python-docx, and the
file rendered by LibreOffice)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import nsmap
from lxml import etree

from handouts.docx.writer import write_docx
from handouts.pdf.form import ANNOT_PRINT, FF_MULTILINE
from handouts.pdf.writer import write_pdf

MODES = {"mode_group": "集中学习", "mode_seminar": "专题研讨", "mode_self": "自学", "mode_other": "其他"}
TIME = "2025年3月11日　　　时　　分至　　时　　分"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


@pytest.fixture(scope="module")
def built(style, branch_sheets):
    """(record PDF, bundle PDF, record .docx) of one branch."""
    docs, fontset, prepared = branch_sheets
    out = []
    for doc in (docs["record"], docs["bundle"]):
        buf = io.BytesIO()
        write_pdf(doc, buf, style=style, fonts=prepared)
        out.append(buf.getvalue())
    buf = io.BytesIO()
    write_docx(docs["record"], buf, style=style, fonts=fontset, embed=prepared)
    return (*out, buf.getvalue())


def widgets(data: bytes) -> dict[str, pypdf.generic.DictionaryObject]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return {a.get_object()["/T"]: a.get_object() for page in reader.pages
            for a in page.get("/Annots", []) if a.get_object().get("/Subtype") == "/Widget"}


# -- PDF ----------------------------------------------------------------------


def test_time_is_one_prefilled_single_line_text_field(built) -> None:
    w = widgets(built[0])["time"]
    assert w["/FT"] == "/Tx" and w["/TU"] == "学习时间"
    assert w["/V"] == TIME and w["/DV"] == TIME
    assert w["/F"] == ANNOT_PRINT and not int(w["/Ff"]) & FF_MULTILINE
    ap = w["/AP"]["/N"].get_object()
    content = ap.get_data().decode("latin-1")
    assert content.startswith("/Tx BMC") and "Tj" in content
    # Drawn in an embedded subset of the page's face (PDF/A: no unembedded font shown).
    for font in ap["/Resources"]["/Font"].values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]


def test_time_value_is_printed_where_there_is_no_form(built, tmp_path) -> None:
    text = pdftotext(built[1], tmp_path, page=1)
    assert re.search(r"学习时间\s+2025年3月11日\s+时\s+分至\s+时\s+分", text)


def test_four_check_boxes_with_states_mk_and_print_flag(built) -> None:
    found = widgets(built[0])
    for name, label in MODES.items():
        w = found[name]
        assert w["/FT"] == "/Btn" and w["/TU"] == label
        assert int(w["/Ff"]) & (1 << 15 | 1 << 16) == 0  # neither radio nor push button
        assert w["/F"] == ANNOT_PRINT
        assert w["/V"] == "/Off" and w["/AS"] == "/Off"
        assert w["/MK"]["/CA"] == "4"
        # Only /N, with both states: PDF/A-2b allows no other appearance (ISO 19005-2, 6.3.3).
        assert set(w["/AP"]) == {"/N"} and set(w["/AP"]["/N"]) == {"/Yes", "/Off"}
        on = w["/AP"]["/N"]["/Yes"].get_object()
        assert " m " in on.get_data().decode() and " S" in on.get_data().decode()  # a path
        assert "/Font" not in on.get("/Resources", {})  # no font to embed
        assert w["/AP"]["/N"]["/Off"].get_object().get_data().strip() == b""


def test_check_boxes_toggle_with_pypdf_and_render_as_pixels(built, tmp_path) -> None:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(built[0]))
    writer.update_page_form_field_values(writer.pages[0], {"mode_group": "/Yes", "mode_self": "/Yes"},
                                         auto_regenerate=False)
    checked = saved(writer)
    after = widgets(checked)
    assert (after["mode_group"]["/V"], after["mode_group"]["/AS"]) == ("/Yes", "/Yes")
    assert after["mode_seminar"]["/AS"] == "/Off"
    before = widgets(built[0])
    for name in MODES:
        rect = before[name]["/Rect"]
        empty, filled = ink(built[0], rect, tmp_path), ink(checked, rect, tmp_path)
        assert empty < 0.02, (name, empty)
        if name in ("mode_group", "mode_self"):
            assert filled > 0.08, (name, filled)
        else:
            assert filled < 0.02, (name, filled)
    # And back: unchecking clears the mark again.
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(checked))
    writer.update_page_form_field_values(writer.pages[0], {"mode_group": "/Off"}, auto_regenerate=False)
    assert ink(saved(writer), before["mode_group"]["/Rect"], tmp_path) < 0.02


def test_the_bundle_prints_the_boxes_without_fields(built, tmp_path) -> None:
    assert not widgets(built[1])
    rect = widgets(built[0])["mode_group"]["/Rect"]
    # The square is page drawing: its border shows in the bundle too.
    assert ink(built[1], rect, tmp_path, inset=-0.1) > 0.05


def saved(writer: pypdf.PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdftotext(data: bytes, tmp_path: Path, page: int) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")


def ink(data: bytes, rect: list, tmp_path: Path, dpi: int = 288, inset: float = 0.2) -> float:
    """The share of dark pixels in rect (shrunk by `inset` of its side, so the
    square's border stays outside) on page 1, rendered by poppler."""
    src = tmp_path / "ink.pdf"
    src.write_bytes(data)
    pgm = subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", "1", str(src)],
                         capture_output=True, check=True).stdout
    head = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", pgm)
    assert head
    width, height = int(head[1]), int(head[2])
    pixels = pgm[head.end():]
    x0, y0, x1, y1 = (float(v) * dpi / 72 for v in rect)
    m = (x1 - x0) * inset
    rows = range(height - int(y1 - m), height - int(y0 + m))
    cols = range(int(x0 + m), int(x1 - m))
    dark = sum(pixels[r * width + c] < 128 for r in rows for c in cols)
    return dark / (len(rows) * len(cols))


# -- Word ---------------------------------------------------------------------


def xp(node, path: str) -> list:
    """XPath with python-docx's own prefixes (w:, w14:, …)."""
    return etree.XPath(path, namespaces=nsmap)(node)


def controls(document: docx.document.Document) -> dict[str, object]:
    return {xp(sdt, "./w:sdtPr/w:tag/@w:val")[0]: sdt for sdt in xp(document.element.body, ".//w:sdt")}


def test_word_check_boxes_are_content_controls_python_docx_reads(built) -> None:
    found = controls(docx.Document(io.BytesIO(built[2])))
    assert set(MODES) | {"time"} <= set(found)
    for name, label in MODES.items():
        sdt = found[name]
        assert xp(sdt, "./w:sdtPr/w:alias/@w:val") == [label]
        assert xp(sdt, "./w:sdtPr/w14:checkbox/w14:checked/@w14:val") == ["0"]
        assert xp(sdt, "./w:sdtPr/w14:checkbox/w14:checkedState/@w14:val") == ["2612"]
        assert xp(sdt, "./w:sdtPr/w14:checkbox/w14:uncheckedState/@w14:font") == ["MS Gothic"]
        assert "".join(xp(sdt, "./w:sdtContent//w:t/text()")) == "☐"
    time = found["time"]
    assert xp(time, "./w:sdtPr/w:text") and xp(time, "./w:sdtPr/w:alias/@w:val") == ["学习时间"]
    assert "".join(xp(time, "./w:sdtContent//w:t/text()")) == TIME


def test_word_root_declares_w14_as_ignorable(built) -> None:
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(built[2])).read("word/document.xml").decode("utf-8")
    root = xml[:xml.index(">", xml.index("<w:document"))]
    assert f'xmlns:w14="{W14}"' in root and 'mc:Ignorable="w14"' in root


def check(document: docx.document.Document, name: str) -> None:
    """Tick a box as Word does: the state and the glyph."""
    sdt = controls(document)[name]
    xp(sdt, "./w:sdtPr/w14:checkbox/w14:checked")[0].set(f"{{{W14}}}val", "1")
    xp(sdt, "./w:sdtContent//w:t")[0].text = "☒"


def test_libreoffice_renders_word_check_boxes_checked_and_unchecked(built, tmp_path) -> None:
    document = docx.Document(io.BytesIO(built[2]))
    check(document, "mode_seminar")
    document.save(tmp_path / "ticked.docx")
    again = controls(docx.Document(tmp_path / "ticked.docx"))  # python-docx reads the state back
    assert xp(again["mode_seminar"], "./w:sdtPr/w14:checkbox/w14:checked/@w14:val") == ["1"]
    (tmp_path / "blank.docx").write_bytes(built[2])
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "blank.docx"), str(tmp_path / "ticked.docx")],
                   capture_output=True, check=True, timeout=240)
    for name, want in (("blank", "☐集中学习☐专题研讨☐自学☐其他"), ("ticked", "☐集中学习☒专题研讨☐自学☐其他")):
        text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(tmp_path / f"{name}.pdf"),
                               "-"], capture_output=True, check=True).stdout.decode("utf-8")
        line = re.sub(r"\s", "", next(ln for ln in text.splitlines() if "集中学习" in ln))
        assert line == "学习形式" + want
