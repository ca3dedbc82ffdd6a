"""The summary as a spreadsheet (学习情况汇总.xlsx, openpyxl).

Sheet 学习情况汇总: a title line, the column headings (row 2, filterable,
frozen), one row per branch in branch-list order, a 合计 row. Sheet 文件清单:
every file of the collected folder and what became of it. The bytes are
reproducible: workbook dates are the notice's date and the package's zip
members carry fixed stamps (openpyxl stamps both with the clock).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .. import __version__
from ..docx.oxml import zip_entries
from .columns import CENTRED, Layout, cell_value
from .tally import MISSING, PROBLEM, SUBMITTED, Tally

FONT = "宋体"
HEADER_ROW = 2
FIRST_ROW = 3
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL = {MISSING: PatternFill("solid", fgColor="F8D7DA"), PROBLEM: PatternFill("solid", fgColor="FFF3CD")}


def summary_xlsx(t: Tally, layout: Layout, title: str, date: dt.date | None,
                 files: list[tuple[str, str, str]]) -> bytes:
    """files: (file, result, note) for the 文件清单 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "学习情况汇总"
    columns = layout.columns
    ws.cell(1, 1, title).font = Font(name=FONT, size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    for n, col in enumerate(columns, 1):
        cell = ws.cell(HEADER_ROW, n, col.title)
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[get_column_letter(n)].width = col.xlsx_width
    for i, row in enumerate(t.rows, 1):
        r = FIRST_ROW + i - 1
        for n, col in enumerate(columns, 1):
            cell = ws.cell(r, n, cell_value(row, i, col.key))
            cell.font = Font(name=FONT, size=11)
            cell.border = _BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="center" if col.key in CENTRED else "left")
            if col.key == "rate":
                cell.number_format = "0.0%"
            if col.key == "status" and row.status in _FILL:
                cell.fill = _FILL[row.status]
    _totals(ws, t, layout, FIRST_ROW + len(t.rows))
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{FIRST_ROW + len(t.rows) - 1}"
    _file_list(wb, files)
    _properties(wb, title, date)
    buf = io.BytesIO()
    wb.save(buf)
    return _reproducible(buf.getvalue(), date)




def _totals(ws, t: Tally, layout: Layout, r: int) -> None:  # type: ignore[no-untyped-def]
    """合计: head counts of the branches that gave both as numbers."""
    counted = [row for row in t.rows if row.expected is not None and row.present is not None]
    expected = sum(row.expected or 0 for row in counted)
    present = sum(row.present or 0 for row in counted)
    values = {"branch": "合计", "expected": expected, "present": present,
              "rate": present / expected if expected else None,
              "status": f"已提交{len(t.by_status(SUBMITTED))}/{len(t.rows)}"}
    for n, col in enumerate(layout.columns, 1):
        cell = ws.cell(r, n, values.get(col.key))
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if col.key == "rate":
            cell.number_format = "0.0%"


def _file_list(wb: Workbook, files: list[tuple[str, str, str]]) -> None:
    ws = wb.create_sheet("文件清单")
    for n, (title, width) in enumerate((("文件", 44), ("结果", 14), ("说明", 70)), 1):
        cell = ws.cell(1, n, title)
        cell.font = Font(name=FONT, size=11, bold=True)
        ws.column_dimensions[get_column_letter(n)].width = width
    for r, entry in enumerate(files, 2):
        for n, value in enumerate(entry, 1):
            ws.cell(r, n, value).font = Font(name=FONT, size=11)
            ws.cell(r, n).alignment = Alignment(vertical="top", wrap_text=True)


def _properties(wb: Workbook, title: str, date: dt.date | None) -> None:
    stamp = dt.datetime.combine(date or dt.date(2000, 1, 1), dt.time())
    props = wb.properties
    props.title = title
    props.creator = f"handouts {__version__}"
    props.lastModifiedBy = props.creator
    props.created = props.modified = stamp


def _reproducible(data: bytes, date: dt.date | None) -> bytes:
    """The workbook's package again: fixed member stamps, and the modified
    date openpyxl took from the clock at save time replaced by ours."""
    stamp = (date or dt.date(2000, 1, 1)).strftime("%Y-%m-%dT00:00:00Z")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    core = members["docProps/core.xml"].decode("utf-8")
    core = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{stamp}\g<2>", core)
    members["docProps/core.xml"] = core.encode("utf-8")
    return zip_entries(members, date)
