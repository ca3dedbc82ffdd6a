"""The summary as one landscape page, .docx and .pdf, in the house style.

Composed like the sheets: templates/summary.xml.j2 renders the layout
language, the ordinary writers write it with the style sheet's "summary"
variant (landscape A4, 小五 table text). Long texts are cut to fit their
column (学习讨论, 缺席人员及原因); the spreadsheet keeps them whole.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ..compose.document import Document
from ..compose.render import render, shorten
from ..compose.style import StyleSheet, load_variant
from .columns import CENTRED, Layout, cell_text
from .tally import MISSING, PROBLEM, SUBMITTED, Tally


def summary_context(t: Tally, layout: Layout, title: str, issuer: str,
                    date: dt.date | None) -> dict[str, Any]:
    columns = layout.page_columns
    rows = []
    for i, row in enumerate(t.rows, 1):
        cells = []
        for c in columns:
            text = cell_text(row, i, c.key).replace("\n", " ")
            cells.append(shorten(text, c.short) if c.short else text)
        rows.append(cells)
    counted = [r for r in t.rows if r.expected is not None and r.present is not None]
    expected = sum(r.expected or 0 for r in counted)
    present = sum(r.present or 0 for r in counted)
    total = {"branch": "合计", "expected": str(expected), "present": str(present),
             "rate": f"{present / expected * 100:.1f}%" if expected else ""}
    return {
        "title": title,
        "issuer": issuer,
        "date_iso": date.isoformat() if date else "",
        "month": t.month_text,
        "counts": {s: len(t.by_status(s)) for s in (SUBMITTED, PROBLEM, MISSING)},
        "columns": [{"title": c.title, "width": f"{c.width_mm:g}",
                     "align": "center" if c.key in CENTRED else "left"} for c in columns],
        "rows": rows,
        "totals": [total.get(c.key, "") for c in columns],
        "notes": _notes(t),
    }


def compose_summary(context: dict[str, Any]) -> Document:
    return render("summary.xml.j2", **context)


def summary_style() -> StyleSheet:
    return load_variant("summary")


def write_summary(doc: Document, formats: list[str]) -> dict[str, tuple[bytes, int | None]]:
    """format → (bytes, pages) of the summary document."""
    from ..docx.writer import write_docx
    from ..fonts.fontset import FontSet
    from ..pdf.writer import fonts_text, write_pdf

    style = summary_style()
    fontset = FontSet.load()
    out: dict[str, tuple[bytes, int | None]] = {}
    if "pdf" in formats:
        prepared = fontset.prepare(fonts_text([doc], style))
        buf = io.BytesIO()
        info = write_pdf(doc, buf, style=style, fonts=prepared)
        out["pdf"] = (buf.getvalue(), info.pages)
    if "docx" in formats:
        buf = io.BytesIO()
        write_docx(doc, buf, style=style, fonts=fontset)
        out["docx"] = (buf.getvalue(), None)
    return out


def _notes(t: Tally) -> list[tuple[str, str]]:
    """Under the table: the branches missing (one line), then each problem branch."""
    missing = t.by_status(MISSING)
    out = [(f"未提交（{len(missing)}个）", "、".join(r.branch for r in missing))] if missing else []
    out += [(r.branch, "；".join(p.text for p in r.problems)) for r in t.by_status(PROBLEM)]
    return out
