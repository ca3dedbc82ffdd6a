"""A record sheet returned as .docx (edited in Word or WPS) → Sheet.

The sheet's table is read by its labels, not by position, so rows a branch
added or a cell it merged do not shift the values. Cell text is taken from
the XML in document order: Word check-box content controls (w14:checkbox)
become ☒/☐, symbol-font check marks (Insert → Symbol, Wingdings) their
Unicode look-alikes, deleted and moved-away text is left out.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from .errors import OLE, NotASheet, Unreadable
from .fields import Sheet, labelled, parse_title, tidy

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_w = f"{{{W}}}"
# Symbol-font characters people insert as boxes and ticks (Insert → Symbol).
_SYMBOLS = {
    "wingdings": {0xFE: "☑", 0xFD: "☒", 0xFC: "✓", 0xFB: "✗", 0xA8: "□", 0x6F: "□", 0x71: "□"},
    "wingdings 2": {0x52: "☑", 0x54: "☒", 0x50: "✓", 0xA3: "□", 0x2A: "□"},
}


def read_docx(path: Path, shown: str) -> Sheet:
    head = path.read_bytes()[:8]
    if head.startswith(OLE):
        raise Unreadable("有密码保护（或是旧版 .doc 文件改了扩展名），无法读取；请支部取消密码后重新发送")
    try:
        with zipfile.ZipFile(path) as zf:
            body = etree.fromstring(zf.read("word/document.xml"),
                                    etree.XMLParser(resolve_entities=False, no_network=True,
                                                    huge_tree=True))
            core = _core_title(zf)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError, EOFError) as exc:
        raise Unreadable(f"文件已损坏，无法作为 Word 文件打开（{type(exc).__name__}）") from None
    doc_body = body.find(f"{_w}body")
    if doc_body is None:
        raise Unreadable("文件已损坏：Word 文件中没有正文")
    blocks = _blocks(doc_body)
    heading = "".join(_text(el) for el in blocks[:4] if el.tag == f"{_w}p")
    title = parse_title(heading) or parse_title(core)
    tables = [el for el in blocks if el.tag == f"{_w}tbl"]
    cells = labelled(_rows(tables[0])) if tables else {}
    if title is None or title.kind != "record" or "place" not in cells:
        raise NotASheet(_what(title))
    sheet = Sheet(shown, title, "docx")
    sheet.take(cells)
    more = _continuation(blocks)
    if more:
        sheet.values["discussion"] = "\n".join(v for v in (sheet.values.get("discussion"), more) if v)
    return sheet


def _blocks(parent: etree._Element) -> list[etree._Element]:
    """Paragraphs and tables in order, also those inside block-level content
    controls (a clerk's template, WPS's 文档部件)."""
    out: list[etree._Element] = []
    for el in parent:
        if el.tag in (f"{_w}p", f"{_w}tbl"):
            out.append(el)
        elif el.tag == f"{_w}sdt":
            content = el.find(f"{_w}sdtContent")
            if content is not None:
                out.extend(_blocks(content))
    return out


def _what(title: object) -> str:
    if title is not None and getattr(title, "kind", "") == "signin":
        return "这是签到表，不是学习记录表"
    return "不是学习记录表（找不到“××教职工政治理论学习记录”标题和学习地点等栏目）"


def _core_title(zf: zipfile.ZipFile) -> str:
    try:
        core = etree.fromstring(zf.read("docProps/core.xml"))
    except (KeyError, etree.XMLSyntaxError):
        return ""
    found = core.find("{http://purl.org/dc/elements/1.1/}title")
    return (found.text or "") if found is not None else ""


def _rows(table: etree._Element) -> list[list[str | None]]:
    return [[_text(tc) for tc in tr if tc.tag == f"{_w}tc"] for tr in table.iter(f"{_w}tr")]


def _continuation(blocks: list[etree._Element]) -> str:
    """The 续页's one-cell table: what follows a paragraph naming the 续页."""
    for i, el in enumerate(blocks[:-1]):
        if el.tag == f"{_w}p" and "续页" in _text(el) and blocks[i + 1].tag == f"{_w}tbl":
            return tidy(_text(blocks[i + 1]))
    return ""


def _text(el: etree._Element) -> str:
    """Visible text of a paragraph, cell or table; paragraphs end in a line break."""
    parts: list[str] = []
    _walk(el, parts)
    return "".join(parts).strip("\n")


def _walk(el: etree._Element, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag in (f"{_w}del", f"{_w}moveFrom") or not isinstance(tag, str):
            continue
        if tag == f"{_w}sdt" and _checkbox(child) is not None:
            parts.append("☒" if _checkbox(child) else "☐")
            continue
        if tag == f"{_w}t":
            parts.append(_symbol_text(child))
        elif tag == f"{_w}tab":
            parts.append(" ")
        elif tag in (f"{_w}br", f"{_w}cr"):
            parts.append("\n")
        elif tag == f"{_w}sym":
            parts.append(_sym(child.get(f"{_w}font", ""), child.get(f"{_w}char", "")))
        else:
            _walk(child, parts)
            if tag == f"{_w}p":
                parts.append("\n")


def _checkbox(sdt: etree._Element) -> bool | None:
    """A check-box content control's state, None if sdt is not one."""
    box = sdt.find(f"{_w}sdtPr/{{{W14}}}checkbox")
    if box is None:
        return None
    checked = box.find(f"{{{W14}}}checked")
    value = checked.get(f"{{{W14}}}val", "1") if checked is not None else "0"
    return value in ("1", "true", "on")


def _sym(font: str, code: str) -> str:
    try:
        n = int(code, 16)
    except ValueError:
        return ""
    return _SYMBOLS.get(font.lower(), {}).get(n - 0xF000 if n >= 0xF000 else n, "")


def _symbol_text(t: etree._Element) -> str:
    """w:t in a Wingdings run: its letters are pictures (R is ☑ in Wingdings 2)."""
    run = t.getparent()
    fonts = run.find(f"{_w}rPr/{_w}rFonts") if run is not None else None
    text = t.text or ""
    if fonts is None:
        return text
    for attr in ("ascii", "hAnsi", "eastAsia"):
        table = _SYMBOLS.get((fonts.get(f"{_w}{attr}") or "").lower())
        if table:
            return "".join(table.get(ord(c), c) for c in text)
    return text
