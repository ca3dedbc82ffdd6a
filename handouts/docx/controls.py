"""Content controls (w:sdt) for the sheets' form fields in Word (issue 21).

A cell with field= and text becomes a plain-text control holding that text
(学习时间, prefilled with the study date); a <check> becomes a check-box
control as Word 2010 and later write it: w14:checkbox with ☐ (U+2610) and
☒ (U+2612) in MS Gothic, the glyph Word itself puts in the control's run.
Each control's w:tag is the field name the PDF form uses, its w:alias the
label, so one reader finds the same names in both files.

The w14 elements need their namespace on the document's root, with
mc:Ignorable so that Word 2007 skips them: documents without controls keep
the root they always had (the handout's bytes do not change).
"""

from __future__ import annotations

import zlib

from lxml import etree

from ..compose.document import Check, Document, Table
from .oxml import NAMESPACES, el, qn, text_run

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
BOX_FONT = "MS Gothic"
UNCHECKED, CHECKED = "\u2610", "\u2612"
# Between a box and its label, and between a label and the next box (the
# PDF's 0.3 and 2 em, as characters Word does not collapse).
LABEL_GAP = "\u2002"
CHECK_SPACING = "\u3000\u3000"


def _w14(tag: str) -> str:
    return f"{{{W14}}}{tag}"


def uses_controls(doc: Document) -> bool:
    """Whether doc has a check box, so that its root must declare w14."""
    return any(cell.checks for s in doc.sections for b in s.blocks if isinstance(b, Table)
               for row in b.rows for cell in row.cells)


def document_root() -> etree._Element:
    """<w:document> declaring w14 (ignorable) besides w: and r:."""
    root = etree.Element(qn("w:document"), nsmap={**NAMESPACES, "w14": W14, "mc": MC})
    root.set(f"{{{MC}}}Ignorable", "w14")
    return root


def _id(name: str) -> int:
    """A stable control id from the field name: builds stay byte-identical."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def _box_rpr() -> etree._Element:
    return el("w:rPr", el("w:rFonts", ascii=BOX_FONT, eastAsia=BOX_FONT, hAnsi=BOX_FONT,
                          hint="eastAsia"))


def check_box(check: Check, checked: bool = False) -> etree._Element:
    """A run-level check-box control: Word and LibreOffice toggle it on a click."""
    box = etree.Element(_w14("checkbox"))
    etree.SubElement(box, _w14("checked")).set(_w14("val"), "1" if checked else "0")
    for tag, char in (("checkedState", CHECKED), ("uncheckedState", UNCHECKED)):
        state = etree.SubElement(box, _w14(tag))
        state.set(_w14("val"), f"{ord(char):04X}")
        state.set(_w14("font"), BOX_FONT)
    pr = el("w:sdtPr", _box_rpr(), el("w:alias", val=check.label), el("w:tag", val=check.field),
            el("w:id", val=_id(check.field)), box)
    content = el("w:sdtContent", text_run(CHECKED if checked else UNCHECKED, _box_rpr()))
    return el("w:sdt", pr, content)


def check_paragraph(p: etree._Element, checks: list[Check]) -> etree._Element:
    """Append the check boxes with their labels to paragraph p, on one line."""
    for i, check in enumerate(checks):
        if i:
            p.append(text_run(CHECK_SPACING))
        p.append(check_box(check))
        p.append(text_run(LABEL_GAP + check.label))
    return p


def text_control(p: etree._Element, name: str, label: str | None) -> etree._Element:
    """Wrap paragraph p's runs in a plain-text control named `name`."""
    runs = [child for child in p if child.tag != qn("w:pPr")]
    pr = el("w:sdtPr", el("w:alias", val=label) if label else None, el("w:tag", val=name),
            el("w:id", val=_id(name)), el("w:text"))
    content = el("w:sdtContent")
    for r in runs:
        content.append(r)  # moves it out of p
    p.append(el("w:sdt", pr, content))
    return p
