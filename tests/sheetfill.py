"""Fill the project's own record sheets the way branches do (tests of --collect).

PDF: pypdf writes the typed values into the form fields (with appearance
streams, as Acrobat, WPS and Foxit do), or only /V with NeedAppearances (as
poppler-based and browser viewers leave it). Word: python-docx types into
the table's cells, ticks 学习形式 by replacing a box with ☑.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pypdf
from pypdf.generic import BooleanObject, NameObject, TextStringObject

PDF_FIELDS = ("place", "host", "recorder", "expected", "present", "absent", "discussion",
              "discussion_more")


def fill_pdf(blank: Path, target: Path, values: dict[str, str], *, viewer: bool = False) -> Path:
    """values: PDF field name → text. viewer: set /V only and NeedAppearances."""
    writer = pypdf.PdfWriter(clone_from=str(blank))
    if viewer:
        for page in writer.pages:
            for annot in page.get("/Annots", []):
                w = annot.get_object()
                if w.get("/T") in values:
                    w[NameObject("/V")] = TextStringObject(values[w["/T"]])
                    if "/AP" in w:
                        del w["/AP"]
        writer._root_object["/AcroForm"][NameObject("/NeedAppearances")] = BooleanObject(True)
    else:
        for page in writer.pages:
            writer.update_page_form_field_values(page, values, auto_regenerate=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        writer.write(fh)
    return target


_ROWS = {"学习时间": "time", "学习地点": "place", "缺席人员及原因": "absent", "学习形式": "mode",
         "学习讨论（发言摘要）": "discussion"}
_PAIRS = {"主持人": "host", "记录人": "recorder", "应到人数": "expected", "实到人数": "present"}


def fill_docx(blank: Path, target: Path, values: dict[str, str], modes: tuple[str, ...] = ()) -> Path:
    """values: field key (time, place, host, recorder, expected, present,
    absent, discussion, discussion_more) → text; modes: options to tick."""
    d = docx.Document(str(blank))
    table = d.tables[0]
    for row in table.rows:
        cells = _distinct(row.cells)
        for i, cell in enumerate(cells[:-1]):
            label = "".join(cell.text.split())
            key = _ROWS.get(label) or _PAIRS.get(label)
            if key is None:
                continue
            value_cell = cells[i + 1]
            if key == "mode":
                _tick(value_cell, modes)
            elif key in values:
                value_cell.paragraphs[0].text = values[key]
    if "discussion_more" in values:
        d.tables[1].cell(0, 0).paragraphs[0].text = values["discussion_more"]
    target.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(target))
    return target


W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def _tick(cell, modes: tuple[str, ...]) -> None:
    """Tick options as Word does: a check-box content control (w14:checkbox)
    gets w14:checked=1 and its checked glyph; a sheet of printed boxes gets ☑."""
    from docx.oxml.ns import qn

    for sdt in cell._tc.iter(qn("w:sdt")):
        alias = sdt.find(f"{qn('w:sdtPr')}/{qn('w:alias')}")
        box = sdt.find(f"{qn('w:sdtPr')}/{{{W14}}}checkbox")
        if box is None or alias is None or alias.get(qn("w:val")) not in modes:
            continue
        box.find(f"{{{W14}}}checked").set(f"{{{W14}}}val", "1")
        glyph = chr(int(box.find(f"{{{W14}}}checkedState").get(f"{{{W14}}}val"), 16))
        for text in sdt.iter(qn("w:t")):
            text.text = glyph
    for run in (r for p in cell.paragraphs for r in p.runs):
        for m in modes:
            run.text = run.text.replace(f"□ {m}", f"☑ {m}")


def _distinct(cells: list) -> list:
    out, seen = [], set()
    for c in cells:
        if id(c._tc) not in seen:
            seen.add(id(c._tc))
            out.append(c)
    return out
