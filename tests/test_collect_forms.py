"""Issue 17: every way a record sheet comes back is read (handouts.collect.read_*).

Today's sheet (学习时间 and 学习形式 printed) and the one issue 21 brings (a
`time` text field, check boxes mode_* in the PDF, w14:checkbox content
controls in Word) are both read; so are forms a viewer flattened (PDFium,
Chrome's engine; qpdf) and values typed through NeedAppearances.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from lxml import etree
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from sheetfill import fill_docx, fill_pdf

from handouts.cli import load
from handouts.collect.errors import NotASheet, Unreadable
from handouts.collect.files import read_sheet
from handouts.compose.sheets import compose_sheet, sheet_kinds
from handouts.docx.writer import write_docx
from handouts.fonts.fontset import FontSet
from handouts.pdf.writer import fonts_text, write_pdf

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"
BRANCH = "商学院党总支"
TYPED = {"place": "行政楼三楼会议室", "host": "张三丰", "recorder": "李四", "expected": "32", "present": "30",
         "absent": "王五（出差）", "discussion": "深入交流𠀀以外的汉字：龘。"}


@pytest.fixture(scope="module")
def blanks(style, tmp_path_factory) -> tuple[Path, Path, Path]:
    """The record sheet as PDF and Word, and the sign-in sheet PDF, as built."""
    package, fontset = load(SEED), FontSet.load()
    kinds = {k.kind: k for k in sheet_kinds()}
    record = compose_sheet(kinds["record-sheet"], package, BRANCH)
    signin = compose_sheet(kinds["signin-sheet"], package, BRANCH)
    prepared = fontset.prepare(fonts_text([record, signin], style))
    folder = tmp_path_factory.mktemp("blank")
    paths = folder / "record.pdf", folder / "record.docx", folder / "signin.pdf"
    write_pdf(record, paths[0], style=style, fonts=prepared)
    write_docx(record, paths[1], style=style, fonts=fontset)
    write_pdf(signin, paths[2], style=style, fonts=prepared)
    return paths


def test_pdf_filled_by_pypdf_and_by_a_viewer(blanks, tmp_path) -> None:
    for viewer in (False, True):
        path = fill_pdf(blanks[0], tmp_path / f"{viewer}.pdf", TYPED, viewer=viewer)
        sheet = read_sheet(path, path.name)
        assert sheet.source == "pdf-form"
        assert (sheet.title.branch, sheet.title.year, sheet.title.month) == (BRANCH, 2025, 3)
        assert {k: sheet.values[k] for k in TYPED} == TYPED
        assert sheet.values["time"] == "2025年3月11日"  # printed: no field on today's sheet
        assert sheet.modes == []


def flattened_by_pdfium(src: Path, target: Path) -> Path:
    pdf = pdfium.PdfDocument(str(src))
    for page in pdf:
        assert pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_PRINT) == pdfium_c.FLATTEN_SUCCESS
    pdf.save(str(target))
    return target


def test_pdf_flattened_by_pdfium(blanks, tmp_path) -> None:
    typed = {k: v for k, v in TYPED.items() if k != "discussion"} | {"discussion": "扁平化的讨论记录。"}
    filled = fill_pdf(blanks[0], tmp_path / "filled.pdf", typed)
    path = flattened_by_pdfium(filled, tmp_path / "flat.pdf")
    assert not (pypdf.PdfReader(path).get_fields() or {}).get("place", {}).get("/V")
    sheet = read_sheet(path, path.name)
    assert {k: sheet.values[k] for k in typed} == typed


def test_pdf_printed_again_by_cairo(blanks, tmp_path) -> None:
    """A form "printed to PDF" (poppler's cairo output): new fonts, no fields."""
    filled = fill_pdf(blanks[0], tmp_path / "filled.pdf", TYPED)
    printed = tmp_path / "printed.pdf"
    subprocess.run(["pdftocairo", "-pdf", str(filled), str(printed)], check=True)
    assert not pypdf.PdfReader(printed).get_fields()
    sheet = read_sheet(printed, printed.name)
    assert sheet.source == "pdf-text" and sheet.title.branch == BRANCH
    typed = {k: v for k, v in TYPED.items() if k != "discussion"}
    assert {k: sheet.values[k] for k in typed} == typed
    assert "深入交流" in sheet.values["discussion"]


def add_field(writer: pypdf.PdfWriter, name: str, kind: str, value: str, rect: list[float]) -> None:
    """A field the way issue 21's sheet will carry it (text field or check box)."""
    annot = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject(kind), NameObject("/T"): TextStringObject(name),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]), NameObject("/F"): NumberObject(4),
    })
    if kind == "/Btn":
        annot[NameObject("/AS")] = NameObject(value)
        if name != "mode_self":  # this viewer saved only the appearance state
            annot[NameObject("/V")] = NameObject(value)
    else:
        annot[NameObject("/V")] = TextStringObject(value)
    ref = writer._add_object(annot)
    writer.pages[0][NameObject("/Annots")].append(ref)
    writer._root_object["/AcroForm"]["/Fields"].append(ref)


def test_pdf_of_the_coming_form_time_field_and_check_boxes(blanks, tmp_path) -> None:
    writer = pypdf.PdfWriter(clone_from=str(blanks[0]))
    add_field(writer, "time", "/Tx", "2025年3月18日 14:30—16:00", [100, 700, 300, 720])
    for n, (name, state) in enumerate((("mode_group", "/Yes"), ("mode_seminar", "/Off"),
                                        ("mode_self", "/On"), ("mode_other", "/Off"))):
        add_field(writer, name, "/Btn", state, [100 + 30 * n, 600, 110 + 30 * n, 610])
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"place": "会议室"}, auto_regenerate=False)
    path = tmp_path / "v21.pdf"
    writer.write(str(path))
    sheet = read_sheet(path, path.name)
    assert sheet.values["time"] == "2025年3月18日 14:30—16:00"
    assert sheet.value("mode") == "集中学习、自学"
    assert sheet.values["place"] == "会议室"


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def checkbox_cell(cell, states: dict[str, bool]) -> None:
    """学习形式 as issue 21's Word sheet has it: a check-box content control before each option."""
    tc = cell._tc
    for p in tc.findall(f"{{{W}}}p"):
        tc.remove(p)
    parts = []
    for name, on in states.items():
        parts.append(
            f'<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{int(on)}"/>'
            '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
            '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
            f'<w:sdtContent><w:r><w:t>{"☒" if on else "☐"}</w:t></w:r></w:sdtContent></w:sdt>'
            f'<w:r><w:t xml:space="preserve"> {name}　</w:t></w:r>')
    tc.append(etree.fromstring(f'<w:p xmlns:w="{W}" xmlns:w14="{W14}">{"".join(parts)}</w:p>'))


def test_docx_typed_in_word_and_with_check_box_controls(blanks, tmp_path) -> None:
    path = fill_docx(blanks[1], tmp_path / "word.docx",
                     {**TYPED, "time": "2025年3月11日　15时00分至17时00分"}, modes=("专题研讨",))
    sheet = read_sheet(path, path.name)
    assert sheet.source == "docx" and sheet.title.branch == BRANCH
    assert {k: sheet.values[k] for k in TYPED} == TYPED
    assert sheet.values["time"] == "2025年3月11日 15时00分至17时00分"
    assert sheet.value("mode") == "专题研讨"
    d = docx.Document(str(path))
    row = next(r for r in d.tables[0].rows if "".join(r.cells[0].text.split()) == "学习形式")
    checkbox_cell(row.cells[1], {"集中学习": True, "专题研讨": False, "自学": True, "其他": False})
    d.save(str(path))
    assert read_sheet(path, path.name).value("mode") == "集中学习、自学"


def test_docx_with_wingdings_ticks(blanks, tmp_path) -> None:
    """Insert → Symbol in Word gives a Wingdings 2 character (w:sym), not Unicode;
    typing R in a Wingdings 2 run draws the same ☑."""
    d = docx.Document(str(blanks[1]))
    row = next(r for r in d.tables[0].rows if "".join(r.cells[0].text.split()) == "学习形式")
    p = row.cells[1].paragraphs[0]._p
    for r in p.findall(f"{{{W}}}r"):
        p.remove(r)
    for xml in ('<w:r><w:t xml:space="preserve">□ 集中学习　　</w:t></w:r>',
                '<w:r><w:sym w:font="Wingdings 2" w:char="F052"/></w:r>',
                '<w:r><w:t xml:space="preserve"> 专题研讨　　</w:t></w:r>',
                '<w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2"/></w:rPr><w:t>R</w:t></w:r>',
                '<w:r><w:t xml:space="preserve"> 自学　　□ 其他</w:t></w:r>'):
        p.append(etree.fromstring(xml.replace("<w:r>", f'<w:r xmlns:w="{W}">', 1)))
    path = tmp_path / "sym.docx"
    d.save(str(path))
    assert read_sheet(path, path.name).value("mode") == "专题研讨、自学"


def test_files_that_are_no_sheet_or_cannot_be_read(blanks, tmp_path) -> None:
    cases = {
        "signin.pdf": (blanks[2].read_bytes(), NotASheet, "签到表"),
        "half.pdf": (blanks[0].read_bytes()[:5000], Unreadable, "损坏"),
        "photo.jpg": (b"\xff\xd8\xff\xe0" + bytes(100), Unreadable, "图片"),
        "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), Unreadable, "旧版"),
        "locked.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), Unreadable, "密码"),
        "notes.txt": ("会议记录".encode(), NotASheet, "不是学习记录表"),
        "renamed.docx": (blanks[0].read_bytes(), None, ""),  # a PDF with a .docx name is still read
    }
    for name, (data, error, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        if error is None:
            assert read_sheet(path, name).source == "pdf-form"
            continue
        with pytest.raises(error) as exc:
            read_sheet(path, name)
        assert words in str(exc.value), (name, str(exc.value))
    buf = io.BytesIO()
    writer = pypdf.PdfWriter(clone_from=str(blanks[0]))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    writer.write(buf)
    (tmp_path / "owner-only.pdf").write_bytes(buf.getvalue())
    # Only an owner password (editing restricted): opens without one, and is read.
    assert read_sheet(tmp_path / "owner-only.pdf", "owner-only.pdf").title.branch == BRANCH


def test_a_character_no_font_has_names_the_sheet(blanks, tmp_path, capsys) -> None:
    """The summary page must set what branches typed: a character no font has
    is an error naming the file, never a blank box (DESIGN.md, Fonts)."""
    from handouts.cli import main

    box = tmp_path / "box"
    fill_docx(blanks[1], box / "商学院.docx", {"place": "会议室\U000F0001", "host": "张三"})
    assert main(["--collect", str(box), str(SEED), "-o", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "商学院.docx" in captured.err and "U+F0001" in captured.err and "Traceback" not in captured.err
    # The spreadsheet needs no font: it is written, and the report printed.
    assert (tmp_path / "out" / "2025-03" / "学习情况汇总.xlsx").is_file()
    assert not (tmp_path / "out" / "2025-03" / "学习情况汇总.pdf").exists()
    assert "未提交（7 个）：" in captured.out


def test_docx_saved_again_by_another_editor(blanks, tmp_path) -> None:
    """A branch's editor rewrites the whole file (LibreOffice here, as WPS does):
    other XML, same table, same values."""
    typed = {k: v for k, v in TYPED.items() if k != "discussion"} | {"discussion": "另存后的讨论记录。"}
    src = fill_docx(blanks[1], tmp_path / "src" / "商学院.docx", typed, modes=("自学",))
    out = tmp_path / "resaved"
    run = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                          "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)],
                         capture_output=True, timeout=180)
    assert run.returncode == 0, run.stderr
    resaved = out / "商学院.docx"
    assert resaved.read_bytes() != src.read_bytes()
    sheet = read_sheet(resaved, resaved.name)
    assert sheet.title.branch == BRANCH and (sheet.title.year, sheet.title.month) == (2025, 3)
    assert {k: sheet.values[k] for k in typed} == typed
    assert sheet.value("mode") == "自学"
