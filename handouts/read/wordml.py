"""The WordprocessingML layer under read/docx_draft.py: safe parsing of a
package's parts, relationships, styles' numbering, element helpers.

Parsing never loads a DTD, resolves an entity or touches the network; a part
with a DTD or an entity is refused (DocxRefused, a Chinese message).
Both namespaces of w: (transitional and strict) are read alike.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from posixpath import dirname, join, normpath

from lxml import etree

_W = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "http://purl.oclc.org/ooxml/wordprocessingml/main"}  # transitional, strict
MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_PART_LIMIT = 64 * 1024 * 1024  # an XML part larger than this is no clerk's draft


class DocxRefused(Exception):
    """The package cannot be read safely or at all; message in Chinese."""


def to_int(value: str | None, default: int) -> int:
    """A numeric attribute; a damaged one counts as absent."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def style_numbers(styles: etree._Element) -> dict[str, tuple[str | None, str | None]]:
    """Paragraph style → (numId, ilvl) of its numbering, through w:basedOn."""
    own: dict[str, tuple[str | None, str | None]] = {}
    based: dict[str, str] = {}
    for style in styles:
        if local(style) != "style" or attr(style, "type") != "paragraph":
            continue
        sid = attr(style, "styleId") or ""
        parent = child(style, "basedOn")
        if parent is not None:
            based[sid] = attr(parent, "val") or ""
        ppr = child(style, "pPr")
        numpr = child(ppr, "numPr") if ppr is not None else None
        if numpr is not None:
            num_id, ilvl = child(numpr, "numId"), child(numpr, "ilvl")
            own[sid] = (attr(num_id, "val") if num_id is not None else None,
                        attr(ilvl, "val") if ilvl is not None else None)
    out = {}
    for sid in {*own, *based}:
        seen, current = set(), sid
        while current and current not in own and current not in seen:
            seen.add(current)
            current = based.get(current, "")
        if current in own:
            out[sid] = own[current]
    return out


def main_part(package: zipfile.ZipFile) -> str:
    if "_rels/.rels" not in package.namelist():
        return "word/document.xml"
    for rel in parse_part(package, "_rels/.rels"):
        if (rel.get("Type") or "").endswith("/officeDocument"):
            return normpath((rel.get("Target") or "").lstrip("/"))
    return "word/document.xml"


def relationships(package: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship type's last word → target part name, for the main part."""
    name = join(dirname(part), "_rels", part.rsplit("/", 1)[-1] + ".rels")
    if name not in package.namelist():
        return {}
    out = {}
    for rel in parse_part(package, name):
        if rel.get("TargetMode") == "External":
            continue
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        target = rel.get("Target") or ""
        out[kind] = normpath(target.lstrip("/") if target.startswith("/") else join(dirname(part), target))
    return out


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


def parse_part(package: zipfile.ZipFile, name: str) -> etree._Element:
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
    # Entity references survive unresolved as nodes; iter(etree.Entity) finds them at C speed.
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or next(
            tree.iter(etree.Entity), None) is not None:
        raise DocxRefused(f"Word 文件中的 {name} 含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），"
                          "出于安全原因不读取：请在 Word 中打开后另存为 .docx")
    return tree.getroot()


# -- element helpers -----------------------------------------------------


def local(el: etree._Element) -> str | None:
    """The local name of a WordprocessingML element, else None."""
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    ns, _, name = tag[1:].partition("}")
    return name if ns in _W else None


def is_math(el: etree._Element) -> bool:
    return el.tag in (f"{{{MATH}}}oMath", f"{{{MATH}}}oMathPara")


def attr(el: etree._Element, name: str) -> str | None:
    for key, value in el.attrib.items():
        if key.endswith("}" + name) and key[1:].partition("}")[0] in _W:
            return value
    return None


def child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if local(c) == name), None)


def children(el: etree._Element, name: str) -> Iterable[etree._Element]:
    """Direct children of that name, also through content controls and custom XML."""
    for c in el:
        tag = local(c)
        if tag == name:
            yield c
        elif tag in ("sdt", "customXml"):
            inner = child(c, "sdtContent") if tag == "sdt" else c
            if inner is not None:
                yield from children(inner, name)


def has(el: etree._Element, props: str, name: str) -> bool:
    p = child(el, props)
    return p is not None and child(p, name) is not None


def on(el: etree._Element | None) -> bool:
    """A toggle property (w:vanish): on unless w:val is false/0/off."""
    return el is not None and (attr(el, "val") or "true").lower() not in ("0", "false", "off")


def texts(el: etree._Element | None, deleted: bool = False) -> Iterable[str]:
    if el is None:
        return
    wanted = {"t", "delText"} if deleted else {"t"}
    for t in el.iter():
        if local(t) in wanted:
            yield t.text or ""

