"""A record sheet returned as PDF → Sheet.

Three ways a branch sends it back:
- the fillable PDF filled on screen (Acrobat, WPS, Foxit, Edge/Chrome,
  pdf.js, poppler): values are in the form fields' /V, whatever appearance
  the viewer drew or left to NeedAppearances;
- the form "printed" to PDF or flattened: no fields, the values are page
  text inside the table's cells, found with pdfplumber from the table rules;
- a scan: neither fields nor text, reported as unreadable.

学习时间 and 学习形式 are printed text on today's sheet; the sheet of issue
21 has a `time` field and check boxes mode_*. Both are read.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from .errors import PDF, NotASheet, Unreadable
from .fields import (
    MODES,
    Sheet,
    Title,
    clean_time,
    labelled,
    labelled_lines,
    modes_from_text,
    parse_title,
    squeeze,
    tidy,
)
from .pdf_cells import PageText, read_pages

TEXT_FIELDS = ("time", "place", "host", "recorder", "expected", "present", "absent", "discussion")
OURS = {*TEXT_FIELDS, "discussion_more", *(name for name, _ in MODES)}
_PRINTED_TIME = re.compile(r"学习时间(\d{4}年\d{1,2}月\d{1,2}日)")


def read_pdf(path: Path, shown: str) -> Sheet:
    data = path.read_bytes()
    if PDF not in data[:1024]:
        raise Unreadable("文件已损坏或不是 PDF（文件开头没有 %PDF 标记）")
    reader = _open(data)
    try:
        title_meta = str((reader.metadata or {}).get("/Title") or "")
        # Page text by pdfplumber: pypdf's took seconds a page over the
        # fields' empty appearance streams (it parses their font each time).
        text = read_pages(data)
        pages = text.texts
        fields = _fields(reader)
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise Unreadable(f"文件已损坏，无法读取（{type(exc).__name__}）") from None
    if not fields and not any(t.strip() for t in pages):
        raise Unreadable("是扫描的图像：没有表单域也没有文字，无法读取；请支部发送填好的 PDF 或 Word 文件")
    title = _record_title(parse_title(pages[0] if pages else "") or parse_title(title_meta))
    if fields.keys() & OURS:
        sheet = Sheet(shown, title, "pdf-form")
        _from_fields(sheet, fields, pages[0])
        if "place" not in _widget_names(reader.pages[0]):
            # The first page was flattened (PDFium, some "save as" paths) but
            # the form lives on: its values are page text now.
            flat = Sheet(shown, title, "pdf-text")
            _from_text(flat, text)
            for key, text in flat.values.items():
                mine = sheet.values.get(key, "")
                if key == "discussion" and text and text not in mine:
                    sheet.values[key] = "\n".join(v for v in (text, mine) if v)  # 续页 after
                elif text and not mine:
                    sheet.values[key] = text
            sheet.modes = sheet.modes or flat.modes
        return sheet
    sheet = Sheet(shown, title, "pdf-text")
    _from_text(sheet, text)
    if "place" not in sheet.values:
        raise Unreadable("标题是学习记录表，但读不出其中的栏目（没有表单域，页面上也找不到学习地点等栏目）")
    return sheet


def _record_title(title: Title | None) -> Title:
    if title is None:
        raise NotASheet("不是学习记录表（找不到“××教职工政治理论学习记录”标题）")
    if title.kind != "record":
        raise NotASheet("这是签到表，不是学习记录表")
    return title


def _open(data: bytes) -> Any:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes are not the clerk's business
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # An owner password only restricts editing: such files open with "".
            if not reader.decrypt(""):
                raise Unreadable("有密码保护，无法读取；请支部取消密码后重新发送")
        len(reader.pages)
    except (FileNotDecryptedError, DependencyError):
        raise Unreadable("有密码保护，无法读取；请支部取消密码后重新发送") from None
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        raise Unreadable(f"文件已损坏，无法读取（{type(exc).__name__}）") from None
    return reader


def _fields(reader: Any) -> dict[str, Any]:
    """Terminal field name (without parents' prefixes) → its value object."""
    found = reader.get_fields() or {}
    out: dict[str, Any] = {}
    for full, f in sorted(found.items()):
        name = full.rsplit(".", 1)[-1]
        value = f.get("/V")
        if value is None:  # some viewers set only the widgets' appearance state
            value = _kid_state(f)
        out[name] = value
    for page in reader.pages[:2]:
        for w in _widgets(page):
            name = _name(w)
            if name and out.get(name) is None and w.get("/AS") not in (None, "/Off"):
                out[name] = w["/AS"]
    return out


def _widgets(page: Any) -> list[Any]:
    annots = page.get("/Annots") or []
    return [a for a in (x.get_object() for x in annots) if a.get("/Subtype") == "/Widget"]


def _name(widget: Any) -> str:
    name = widget.get("/T")
    if name is None and "/Parent" in widget:
        name = widget["/Parent"].get_object().get("/T")
    return str(name).rsplit(".", 1)[-1] if name is not None else ""


def _widget_names(page: Any) -> set[str]:
    return {_name(w) for w in _widgets(page)}


def _kid_state(f: Any) -> Any:
    for kid in f.get("/Kids", []) or []:
        state = kid.get_object().get("/AS")
        if state is not None and state != "/Off":
            return state
    return None


def _text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        for enc in ("utf-16", "utf-8", "gb18030"):
            try:
                return value.decode(enc)
            except UnicodeDecodeError:
                continue
        return ""
    return str(value)


def _from_fields(sheet: Sheet, fields: dict[str, Any], page_text: str) -> None:
    for key in TEXT_FIELDS:
        sheet.values[key] = tidy(_text_value(fields.get(key)))
    more = tidy(_text_value(fields.get("discussion_more")))
    if more:
        sheet.values["discussion"] = "\n".join(v for v in (sheet.values["discussion"], more) if v)
    if sheet.values["time"]:
        sheet.values["time"] = clean_time(sheet.values["time"])
    else:
        printed = _PRINTED_TIME.search(squeeze(page_text))
        sheet.values["time"] = printed[1] if printed else ""
    boxes = [(name, label) for name, label in MODES if name in fields]
    if boxes:
        sheet.modes = [label for name, label in boxes
                       if fields[name] is not None and str(fields[name]) not in ("/Off", "Off", "")]
    else:
        line = next((ln for ln in page_text.splitlines() if "集中学习" in ln), "")
        sheet.modes = modes_from_text(line)


def _from_text(sheet: Sheet, text: PageText) -> None:
    """A flattened sheet: cells found from the table's rules."""
    cells = labelled(text.rows) or labelled_lines(text.texts[0] if text.texts else "")
    sheet.take(cells)
    if cells and len(text.texts) > 1:
        lines = text.texts[1].splitlines()
        # Without the 续页's printed heading (…学习讨论（发言摘要）续页).
        more = tidy("\n".join(ln for ln in lines if not squeeze(ln).endswith("（发言摘要）续页")))
        if more:
            sheet.values["discussion"] = "\n".join(v for v in (sheet.values.get("discussion"), more) if v)
