"""A .docx draft → text lines and notes, read the way Word shows the document.

Paragraphs in body order, also inside content controls (w:sdt) and custom XML
at every level; tables row by row, cells separated by tabs; text boxes after
the paragraph that holds them; footnotes and endnotes after the paragraph
that cites them ("[1]" at the reference); automatic list numbers as Word
shows them (read/numbering.py); tracked insertions kept, deletions dropped.
Whatever is not text (images, equations, embedded objects, comments) or is
not shown (deleted, hidden, placeholder text) is named in a note with its
paragraph number, so that nothing disappears without a trace.

The XML layer (safe parsing: no DTD, no entity, no network) is read/wordml.py.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from ..model.package import Note
from .numbering import Numbering
from .wordml import (
    MATH,
    DocxRefused,
    attr,
    child,
    children,
    has,
    is_math,
    local,
    main_part,
    on,
    parse_part,
    relationships,
    style_numbers,
    texts,
    to_int,
)

_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_VML = "urn:schemas-microsoft-com:vml"

# w:sym in a symbol font: the code point Word shows (Symbol and Wingdings
# use the private-use range F020-F0FF). Others keep their code point.
_SYMBOLS = {
    "symbol": {0xB0: "°", 0xB1: "±", 0xB4: "×", 0xB8: "÷", 0xA3: "≤", 0xB3: "≥", 0xB9: "≠",
               0xBB: "≈", 0xB7: "•", 0xAE: "→", 0xAC: "←", 0xAD: "↑", 0xAF: "↓", 0xA5: "∞",
               0xD6: "√", 0xB6: "∂", 0xE5: "∑", 0xD5: "∏", 0xF2: "∫", 0xCE: "∈", 0xC7: "∩",
               0xC8: "∪", **{0x41 + i: c for i, c in enumerate("ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ")},
               **{0x61 + i: c for i, c in enumerate("αβχδεφγηιϕκλμνοπθρστυϖωξψζ")}},
    "wingdings": {0x6C: "●", 0x6E: "■", 0x6F: "□", 0xA1: "○", 0x75: "◆", 0xAB: "★",
                  0xFB: "✗", 0xFC: "✓", 0xFD: "☒", 0xFE: "☑", 0xD8: "➢", 0xA7: "▪"},
}


@dataclass
class _Parts:
    """What the whole document shares: notes' texts, list numbering."""

    footnotes: dict[str, list[str]] = field(default_factory=dict)
    endnotes: dict[str, list[str]] = field(default_factory=dict)
    numbering: Numbering = field(default_factory=Numbering)
    style_numbers: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    numbered: int = 0  # paragraphs whose automatic number became text


@dataclass
class _Reader:
    parts: _Parts
    lines: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    paragraph: int = 0  # Word's paragraph count, for the notes
    mark: int = 0  # footnote/endnote numbers as cited
    held: str = ""  # text of a paragraph whose mark was deleted: joins the next
    after: list[tuple[str, list[str]]] = field(default_factory=list)  # lines to follow this one

    # -- blocks ---------------------------------------------------------

    def blocks(self, parent: etree._Element) -> None:
        for el in parent:
            name = local(el)
            if name == "p":
                text = self.paragraph_text(el)
                if text is not None:
                    self.emit(text)
            elif name == "tbl":
                self.table(el)
            elif name == "sdt":
                self.sdt(el, self.blocks)
            elif name in ("customXml", "ins", "moveTo"):
                self.blocks(el)
            elif name in ("del", "moveFrom"):
                self.dropped(el, "删除的修订（tracked deletion）")
            elif name == "altChunk":
                self.skipped("嵌入的其他文档（altChunk）")
            elif is_math(el):
                self.math(el)
            elif name in ("sectPr", "bookmarkStart", "bookmarkEnd", "proofErr", "permStart",
                          "permEnd", "commentRangeStart", "commentRangeEnd") or name is None:
                continue
            else:
                self.blocks(el)

    def emit(self, text: str, paragraph: bool = True) -> None:
        """One paragraph (or table row) done: its lines, then what follows it."""
        self.paragraph += paragraph
        if self.held:
            text, self.held = self.held + text, ""
        self.add_lines(text)
        for message, lines in self.after:
            self.notes.append(Note(len(self.lines) + 1, f"第 {self.paragraph} 段：{message}"))
            for line in lines:
                self.add_lines(line)
        self.after = []

    def add_lines(self, text: str) -> None:
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            self.lines.append(line)

    def table(self, tbl: etree._Element) -> None:
        for row in children(tbl, "tr"):
            if has(row, "trPr", "del"):
                self.dropped(row, "删除的表格行（tracked deletion）")
                continue
            cells = []
            for cell in children(row, "tc"):
                # Word counts the paragraphs of a cell as paragraphs.
                inner = _Reader(self.parts, paragraph=self.paragraph, mark=self.mark)
                inner.blocks(cell)
                self.paragraph, self.mark = inner.paragraph, inner.mark
                self.notes.extend(Note(len(self.lines) + 1, n.message, n.removed, n.severity)
                                  for n in inner.notes)
                # Tabs separate the cells: inside one (a nested table) they are spaces.
                cells.append(" ".join(t for t in inner.lines if t).replace("\t", " "))
            self.emit("\t".join(cells), paragraph=False)

    def sdt(self, el: etree._Element, walk: object) -> None:
        props = child(el, "sdtPr")
        content = child(el, "sdtContent")
        if content is None:
            return
        if props is not None and child(props, "showingPlcHdr") is not None:
            self.dropped(content, "内容控件（content control）中的占位文字")
            return
        walk(content)  # type: ignore[operator]

    # -- inside a paragraph --------------------------------------------

    def paragraph_text(self, p: etree._Element) -> str | None:
        """The paragraph's text; None when it joins the next one."""
        out: list[str] = []
        self.inline(p, out)
        text = "".join(out)
        ppr = child(p, "pPr")
        if ppr is not None and has(ppr, "rPr", "del"):
            # Its paragraph mark is a tracked deletion: Word joins it to the next.
            self.note("段落标记是删除的修订（tracked deletion），与下一段合并")
            self.held += text
            self.paragraph += 1
            return None
        return self.number(ppr) + text

    def number(self, ppr: etree._Element | None) -> str:
        """The automatic list number Word shows before the paragraph ('' if none)."""
        style = child(ppr, "pStyle") if ppr is not None else None
        num_id, ilvl = self.parts.style_numbers.get(attr(style, "val") or "" if style is not None else "",
                                                    (None, None))
        numpr = child(ppr, "numPr") if ppr is not None else None
        if numpr is not None:
            own_id, own_lvl = child(numpr, "numId"), child(numpr, "ilvl")
            num_id = attr(own_id, "val") if own_id is not None else num_id
            ilvl = attr(own_lvl, "val") if own_lvl is not None else ilvl
        if not num_id or num_id == "0":
            return ""
        label = self.parts.numbering.label(num_id, to_int(ilvl, 0), _symbol_char)
        if label:
            self.parts.numbered += 1
            if self.parts.numbered == 1:
                self.note(f"Word 自动编号（numbering）按 Word 的显示写成文字（如「{label.strip()}」）")
        return label

    def inline(self, parent: etree._Element, out: list[str]) -> None:
        for el in parent:
            name = local(el)
            if name == "r":
                self.run(el, out)
            elif name in ("hyperlink", "smartTag", "customXml", "fldSimple", "ins", "moveTo",
                          "dir", "bdo"):
                if name in ("ins", "moveTo"):
                    self.note(f"修订（tracked changes）：插入的文字「{''.join(texts(el))}」已读入")
                self.inline(el, out)
            elif name == "sdt":
                self.sdt(el, lambda content: self.inline(content, out))
            elif name in ("del", "moveFrom"):
                self.dropped(el, "删除的修订（tracked deletion）")
            elif is_math(el):
                self.math(el)
            elif el.tag == f"{{{_MC}}}AlternateContent":
                self.alternate(el, out)
            elif name in ("pPr", "bookmarkStart", "bookmarkEnd", "proofErr", "permStart", "permEnd",
                          "commentRangeStart", "commentRangeEnd") or name is None:
                continue
            else:
                self.inline(el, out)

    def run(self, r: etree._Element, out: list[str]) -> None:
        rpr = child(r, "rPr")
        if rpr is not None and on(child(rpr, "vanish")):
            self.dropped(r, "隐藏文字（hidden text）")
            return
        for el in r:
            name = local(el)
            if name == "t":
                out.append(el.text or "")
            elif name in ("tab", "ptab"):
                out.append("\t")
            elif name in ("br", "cr"):
                out.append("\n")
            elif name == "sym":
                out.append(self.symbol(el))
            elif name == "noBreakHyphen":
                out.append("-")
            elif name == "softHyphen":
                out.append("\u00ad")  # removed with a note by the text cleaner
            elif name in ("footnoteReference", "endnoteReference"):
                out.append(self.reference(el, name))
            elif name in ("drawing", "pict", "object"):
                self.graphic(el)
            elif el.tag == f"{{{_MC}}}AlternateContent":
                self.alternate(el, out)
            elif name == "commentReference":
                self.note("有批注（comment），批注不是正文，未读入")
            elif name == "ruby":
                base = child(el, "rubyBase")
                if base is not None:
                    self.inline(base, out)
                self.dropped(child(el, "rt"), "注音（ruby）")
            elif name == "contentPart":
                self.skipped("墨迹（ink）")

    def symbol(self, el: etree._Element) -> str:
        try:
            code = int(attr(el, "char") or "0", 16)
        except ValueError:
            code = 0
        if not 0 <= code <= 0x10FFFF:
            code = 0
        font = (attr(el, "font") or "").lower()
        if 0xF000 <= code <= 0xF0FF:
            mapped = _SYMBOLS.get(font, {}).get(code - 0xF000)
            if mapped:
                return mapped
            if font == "symbol" and 0x20 <= code - 0xF000 < 0x7F:
                return chr(code - 0xF000)
            self.note(f"{attr(el, 'font')} 字体的符号 U+{code:04X} 没有对应的 Unicode 字符，未读入",
                      chr(code))
            return ""
        return chr(code) if code else ""

    def reference(self, el: etree._Element, name: str) -> str:
        kind, bodies = (("脚注", self.parts.footnotes) if name == "footnoteReference"
                        else ("尾注", self.parts.endnotes))
        self.mark += 1
        lines = bodies.get(attr(el, "id") or "", [])
        body = " ".join(t for t in lines if t).strip()
        self.after.append((f"{kind} [{self.mark}] 的文字放在所在段落之后（footnote/endnote）",
                           [f"[{self.mark}]{body}"]))
        return f"[{self.mark}]"

    def graphic(self, el: etree._Element) -> None:
        boxes = [b for b in el.iter() if local(b) == "txbxContent"]
        if boxes:
            for box in boxes:
                inner = _Reader(self.parts, mark=self.mark)
                inner.blocks(box)
                self.mark = inner.mark
                self.after.append(("文本框（text box）中的文字放在所在段落之后", inner.lines))
            return
        paths = [v.get("string") for v in el.iter(f"{{{_VML}}}textpath") if v.get("string")]
        if paths:
            self.after.append(("艺术字（WordArt）的文字放在所在段落之后", paths))
            return
        what = "嵌入的对象（object）" if local(el) == "object" else "图片或图形（image）"
        self.skipped(what)

    def alternate(self, el: etree._Element, out: list[str]) -> None:
        """mc:AlternateContent holds the same thing twice: read one, preferring
        the choice that has text boxes, else the fallback."""
        choices = [c for c in el if c.tag in (f"{{{_MC}}}Choice", f"{{{_MC}}}Fallback")]
        with_text = [c for c in choices if any(local(b) == "txbxContent" for b in c.iter())]
        chosen = (with_text or choices or [None])[0]
        if chosen is None:
            return
        if any(local(c) == "r" for c in chosen):
            self.inline(chosen, out)
        else:
            self.run(chosen, out)

    def math(self, el: etree._Element) -> None:
        text = "".join(t.text or "" for t in el.iter(f"{{{MATH}}}t"))
        # Content the clerk wrote and the handout will lack: a warning, not a cleanup.
        message = f"第 {self.paragraph + 1} 段的公式（equation）不能作为文字读入，未读入"
        self.notes.append(Note(len(self.lines) + 1, message + (f"：{text}" if text else ""), text,
                               severity="warning"))

    # -- notes ----------------------------------------------------------

    def note(self, message: str, removed: str = "") -> None:
        self.notes.append(Note(len(self.lines) + 1, f"第 {self.paragraph + 1} 段：{message}", removed))

    def skipped(self, what: str) -> None:
        self.notes.append(Note(len(self.lines) + 1, f"第 {self.paragraph + 1} 段有{what}，不是文字，未读入",
                               severity="warning"))

    def dropped(self, el: etree._Element | None, what: str) -> None:
        text = "".join(texts(el, deleted=True)) if el is not None else ""
        if text:
            self.note(f"{what}未读入：「{text}」", text)


# -- the package ---------------------------------------------------------


def read_docx_lines(data: bytes) -> tuple[list[str], list[Note]]:
    """Lines as Word shows them, and the notes. Raises DocxRefused."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DocxRefused(f"无法打开 Word 文件（.docx 已损坏？{exc}）") from None
    with package:
        main = main_part(package)
        rels = relationships(package, main)
        document = parse_part(package, main)
        parts = _Parts(_note_texts(package, rels.get("footnotes")),
                       _note_texts(package, rels.get("endnotes")))
        if rels.get("numbering") in package.namelist():
            parts.numbering = Numbering.parse(parse_part(package, rels["numbering"]))
        if rels.get("styles") in package.namelist():
            parts.style_numbers = style_numbers(parse_part(package, rels["styles"]))
    body = next((el for el in document if local(el) == "body"), None)
    if body is None:
        raise DocxRefused("Word 文件中没有正文（word/document.xml 没有 w:body）")
    reader = _Reader(parts)
    reader.blocks(body)
    if reader.held:
        reader.emit("")
    return reader.lines, reader.notes


def _note_texts(package: zipfile.ZipFile, part: str | None) -> dict[str, list[str]]:
    if not part or part not in package.namelist():
        return {}
    out = {}
    for note in parse_part(package, part):
        if (attr(note, "type") or "normal") != "normal":
            continue  # separators
        reader = _Reader(_Parts())
        reader.blocks(note)
        out[attr(note, "id") or ""] = reader.lines
    return out


def _symbol_char(ch: str, font: str) -> str:
    """A list bullet as Word shows it: a symbol font's private-use code mapped."""
    code = ord(ch)
    if 0xF000 <= code <= 0xF0FF:
        return _SYMBOLS.get(font.lower(), {}).get(code - 0xF000) or ("•" if code == 0xF0B7 else "●")
    return ch
