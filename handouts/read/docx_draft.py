"""A .docx draft → text lines and notes, read the way Word shows the document.

Paragraphs in body order, also inside content controls (w:sdt) and custom XML
at every level; tables row by row, cells separated by tabs; text boxes after
the paragraph that holds them; footnotes and endnotes after the paragraph
that cites them ("[1]" at the reference); tracked insertions kept, deletions
dropped. Whatever is not text (images, equations, embedded objects, comments)
or is not shown (deleted, hidden, placeholder text) is named in a note with
its paragraph number, so that nothing disappears without a trace.

The XML is parsed without DTDs, entity resolution or network access; a part
that declares a DTD or uses an entity is refused as an input error.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath

from lxml import etree

from ..model.package import Note

_W = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "http://purl.oclc.org/ooxml/wordprocessingml/main"}  # transitional, strict
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_VML = "urn:schemas-microsoft-com:vml"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_PART_LIMIT = 64 * 1024 * 1024  # an XML part larger than this is no clerk's draft

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


class DocxRefused(Exception):
    """The package cannot be read safely or at all; message in Chinese."""


@dataclass
class _Reader:
    footnotes: dict[str, list[str]]
    endnotes: dict[str, list[str]]
    lines: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    paragraph: int = 0  # Word's paragraph count, for the notes
    mark: int = 0  # footnote/endnote numbers as cited
    held: str = ""  # text of a paragraph whose mark was deleted: joins the next
    after: list[tuple[str, list[str]]] = field(default_factory=list)  # lines to follow this one

    # -- blocks ---------------------------------------------------------

    def blocks(self, parent: etree._Element) -> None:
        for el in parent:
            name = _w(el)
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
            elif _is_math(el):
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
        for row in _children(tbl, "tr"):
            if _has(row, "trPr", "del"):
                self.dropped(row, "删除的表格行（tracked deletion）")
                continue
            cells = []
            for cell in _children(row, "tc"):
                # Word counts the paragraphs of a cell as paragraphs.
                inner = _Reader(self.footnotes, self.endnotes, paragraph=self.paragraph, mark=self.mark)
                inner.blocks(cell)
                self.paragraph, self.mark = inner.paragraph, inner.mark
                self.notes.extend(Note(len(self.lines) + 1, n.message, n.removed, n.severity)
                                  for n in inner.notes)
                # Tabs separate the cells: inside one (a nested table) they are spaces.
                cells.append(" ".join(t for t in inner.lines if t).replace("\t", " "))
            self.emit("\t".join(cells), paragraph=False)

    def sdt(self, el: etree._Element, walk: object) -> None:
        props = _child(el, "sdtPr")
        content = _child(el, "sdtContent")
        if content is None:
            return
        if props is not None and _child(props, "showingPlcHdr") is not None:
            self.dropped(content, "内容控件（content control）中的占位文字")
            return
        walk(content)  # type: ignore[operator]

    # -- inside a paragraph --------------------------------------------

    def paragraph_text(self, p: etree._Element) -> str | None:
        """The paragraph's text; None when it joins the next one."""
        out: list[str] = []
        self.inline(p, out)
        text = "".join(out)
        ppr = _child(p, "pPr")
        if ppr is not None and _has(ppr, "rPr", "del"):
            # Its paragraph mark is a tracked deletion: Word joins it to the next.
            self.note("段落标记是删除的修订（tracked deletion），与下一段合并")
            self.held += text
            self.paragraph += 1
            return None
        if ppr is not None and _child(ppr, "numPr") is not None:
            self.note("使用 Word 自动编号（numbering），编号本身不是文字，未读入；需要时请把编号写成文字")
        return text

    def inline(self, parent: etree._Element, out: list[str]) -> None:
        for el in parent:
            name = _w(el)
            if name == "r":
                self.run(el, out)
            elif name in ("hyperlink", "smartTag", "customXml", "fldSimple", "ins", "moveTo",
                          "dir", "bdo"):
                if name in ("ins", "moveTo"):
                    self.note(f"修订（tracked changes）：插入的文字「{''.join(_texts(el))}」已读入")
                self.inline(el, out)
            elif name == "sdt":
                self.sdt(el, lambda content: self.inline(content, out))
            elif name in ("del", "moveFrom"):
                self.dropped(el, "删除的修订（tracked deletion）")
            elif _is_math(el):
                self.math(el)
            elif el.tag == f"{{{_MC}}}AlternateContent":
                self.alternate(el, out)
            elif name in ("pPr", "bookmarkStart", "bookmarkEnd", "proofErr", "permStart", "permEnd",
                          "commentRangeStart", "commentRangeEnd") or name is None:
                continue
            else:
                self.inline(el, out)

    def run(self, r: etree._Element, out: list[str]) -> None:
        rpr = _child(r, "rPr")
        if rpr is not None and _on(_child(rpr, "vanish")):
            self.dropped(r, "隐藏文字（hidden text）")
            return
        for el in r:
            name = _w(el)
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
                base = _child(el, "rubyBase")
                if base is not None:
                    self.inline(base, out)
                self.dropped(_child(el, "rt"), "注音（ruby）")
            elif name == "contentPart":
                self.skipped("墨迹（ink）")

    def symbol(self, el: etree._Element) -> str:
        code = int(_attr(el, "char") or "0", 16)
        font = (_attr(el, "font") or "").lower()
        if 0xF000 <= code <= 0xF0FF:
            mapped = _SYMBOLS.get(font, {}).get(code - 0xF000)
            if mapped:
                return mapped
            if font == "symbol" and 0x20 <= code - 0xF000 < 0x7F:
                return chr(code - 0xF000)
            self.note(f"{_attr(el, 'font')} 字体的符号 U+{code:04X} 没有对应的 Unicode 字符，未读入",
                      chr(code))
            return ""
        return chr(code) if code else ""

    def reference(self, el: etree._Element, name: str) -> str:
        kind, texts = (("脚注", self.footnotes) if name == "footnoteReference"
                       else ("尾注", self.endnotes))
        self.mark += 1
        lines = texts.get(_attr(el, "id") or "", [])
        body = " ".join(t for t in lines if t)
        self.after.append((f"{kind} [{self.mark}] 的文字放在所在段落之后（footnote/endnote）",
                           [f"[{self.mark}]{body}"]))
        return f"[{self.mark}]"

    def graphic(self, el: etree._Element) -> None:
        boxes = [b for b in el.iter() if _w(b) == "txbxContent"]
        if boxes:
            for box in boxes:
                inner = _Reader(self.footnotes, self.endnotes, mark=self.mark)
                inner.blocks(box)
                self.mark = inner.mark
                self.after.append(("文本框（text box）中的文字放在所在段落之后", inner.lines))
            return
        paths = [v.get("string") for v in el.iter(f"{{{_VML}}}textpath") if v.get("string")]
        if paths:
            self.after.append(("艺术字（WordArt）的文字放在所在段落之后", paths))
            return
        what = "嵌入的对象（object）" if _w(el) == "object" else "图片或图形（image）"
        self.skipped(what)

    def alternate(self, el: etree._Element, out: list[str]) -> None:
        """mc:AlternateContent holds the same thing twice: read one, preferring
        the choice that has text boxes, else the fallback."""
        choices = [c for c in el if c.tag in (f"{{{_MC}}}Choice", f"{{{_MC}}}Fallback")]
        with_text = [c for c in choices if any(_w(b) == "txbxContent" for b in c.iter())]
        chosen = (with_text or choices or [None])[0]
        if chosen is None:
            return
        if any(_w(c) == "r" for c in chosen):
            self.inline(chosen, out)
        else:
            self.run(chosen, out)

    def math(self, el: etree._Element) -> None:
        text = "".join(t.text or "" for t in el.iter(f"{{{_MATH}}}t"))
        self.note("公式（equation）不能作为文字读入，未读入" + (f"：{text}" if text else ""), text)

    # -- notes ----------------------------------------------------------

    def note(self, message: str, removed: str = "") -> None:
        self.notes.append(Note(len(self.lines) + 1, f"第 {self.paragraph + 1} 段：{message}", removed))

    def skipped(self, what: str) -> None:
        self.notes.append(Note(len(self.lines) + 1, f"第 {self.paragraph + 1} 段有{what}，不是文字，未读入",
                               severity="warning"))

    def dropped(self, el: etree._Element | None, what: str) -> None:
        text = "".join(_texts(el, deleted=True)) if el is not None else ""
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
        main = _main_part(package)
        rels = _relationships(package, main)
        document = _parse(package, main)
        footnotes = _note_texts(package, rels.get("footnotes"))
        endnotes = _note_texts(package, rels.get("endnotes"))
    body = next((el for el in document if _w(el) == "body"), None)
    if body is None:
        raise DocxRefused("Word 文件中没有正文（word/document.xml 没有 w:body）")
    reader = _Reader(footnotes, endnotes)
    reader.blocks(body)
    if reader.held:
        reader.emit("")
    return reader.lines, reader.notes


def _main_part(package: zipfile.ZipFile) -> str:
    if "_rels/.rels" not in package.namelist():
        return "word/document.xml"
    for rel in _parse(package, "_rels/.rels"):
        if (rel.get("Type") or "").endswith("/officeDocument"):
            return normpath((rel.get("Target") or "").lstrip("/"))
    return "word/document.xml"


def _relationships(package: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship type's last word → target part name, for the main part."""
    name = join(dirname(part), "_rels", part.rsplit("/", 1)[-1] + ".rels")
    if name not in package.namelist():
        return {}
    out = {}
    for rel in _parse(package, name):
        if rel.get("TargetMode") == "External":
            continue
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        target = rel.get("Target") or ""
        out[kind] = normpath(target.lstrip("/") if target.startswith("/") else join(dirname(part), target))
    return out


def _note_texts(package: zipfile.ZipFile, part: str | None) -> dict[str, list[str]]:
    if not part or part not in package.namelist():
        return {}
    out = {}
    for note in _parse(package, part):
        if (_attr(note, "type") or "normal") != "normal":
            continue  # separators
        reader = _Reader({}, {})
        reader.blocks(note)
        out[_attr(note, "id") or ""] = reader.lines
    return out


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


def _parse(package: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        info = package.getinfo(name)
    except KeyError:
        raise DocxRefused(f"Word 文件中缺少 {name}（不是 Word 文档？）") from None
    if info.file_size > _PART_LIMIT:
        raise DocxRefused(f"Word 文件中的 {name} 过大（{info.file_size} 字节）")
    try:
        data = package.read(name)
        tree = etree.parse(io.BytesIO(data), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DocxRefused(f"Word 文件中的 {name} 不是有效的 XML（{exc.msg}）") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise DocxRefused(f"无法读取 Word 文件中的 {name}（{exc}）") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or any(
            isinstance(el, etree._Entity) for el in tree.iter()):
        raise DocxRefused(f"Word 文件中的 {name} 含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），"
                          "出于安全原因不读取：请在 Word 中打开后另存为 .docx")
    return tree.getroot()


# -- element helpers -----------------------------------------------------


def _w(el: etree._Element) -> str | None:
    """The local name of a WordprocessingML element, else None."""
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    ns, _, local = tag[1:].partition("}")
    return local if ns in _W else None


def _is_math(el: etree._Element) -> bool:
    return el.tag in (f"{{{_MATH}}}oMath", f"{{{_MATH}}}oMathPara")


def _attr(el: etree._Element, name: str) -> str | None:
    for key, value in el.attrib.items():
        if key.endswith("}" + name) and key[1:].partition("}")[0] in _W:
            return value
    return None


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if _w(c) == name), None)


def _children(el: etree._Element, name: str) -> Iterable[etree._Element]:
    """Direct children of that name, also through content controls and custom XML."""
    for c in el:
        local = _w(c)
        if local == name:
            yield c
        elif local in ("sdt", "customXml"):
            inner = _child(c, "sdtContent") if local == "sdt" else c
            if inner is not None:
                yield from _children(inner, name)


def _has(el: etree._Element, props: str, name: str) -> bool:
    p = _child(el, props)
    return p is not None and _child(p, name) is not None


def _on(el: etree._Element | None) -> bool:
    """A toggle property (w:vanish): on unless w:val is false/0/off."""
    return el is not None and (_attr(el, "val") or "true").lower() not in ("0", "false", "off")


def _texts(el: etree._Element | None, deleted: bool = False) -> Iterable[str]:
    if el is None:
        return
    wanted = {"t", "delText"} if deleted else {"t"}
    for t in el.iter():
        if _w(t) in wanted:
            yield t.text or ""
