"""Thin OOXML (WordprocessingML) helpers for the Word writer.

Elements are built with lxml directly, in the child order the schema
(ECMA-376 Part 1) prescribes, because Word rejects out-of-order children
that LibreOffice silently accepts. Also here: unit conversions and the
deterministic re-zip of a saved package.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from functools import cache

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NAMESPACES = {"w": W, "r": R}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def twips(points: float) -> int:
    return round(points * 20)


def half_points(points: float) -> int:
    return round(points * 2)


def el(tag: str, *children: etree._Element | None, **attrs: str | int | float | None) -> etree._Element:
    """`el("w:ind", firstLine=640)` → <w:ind w:firstLine="640"/>; None attributes and children are left out.

    Attribute names are w: attributes unless they carry their own prefix
    ("r:id" is written r_id).
    """
    # Only a part's root declares the namespace: an element appended to it
    # takes the root's prefix, and declaring w: on every element made lxml
    # strip the copies again on each append.
    root_nsmap = PART_ROOTS.get(tag)
    node = etree.Element(qn(tag), nsmap=root_nsmap) if root_nsmap else etree.Element(qn(tag))
    for name, value in attrs.items():
        if value is not None:
            node.set(_attr_name(name), _attr(value))
    for child in children:
        if child is not None:
            node.append(child)
    return node


# Elements that are the root of a part (serialised on their own), with the
# namespaces they declare: the body's section properties refer to footers by r:id.
PART_ROOTS = {tag: {"w": W} for tag in ("w:styles", "w:settings", "w:ftr", "w:hdr")} | {
    "w:document": NAMESPACES, "w:fonts": NAMESPACES}


# A handout's body is tens of thousands of elements: Clark names are looked
# up once per name, not built again for every element.
@cache
def qn(tag: str) -> str:
    """"w:p" → the Clark name "{http://…/main}p"."""
    prefix, _, local = tag.partition(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


@cache
def _attr_name(name: str) -> str:
    prefix, _, local = name.partition("_") if name.startswith("r_") else ("w", "", name)
    return qn(f"{prefix}:{local or name}")


def _attr(value: str | int | float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(round(value))
    return str(value)


def on_off(tag: str, value: bool = True) -> etree._Element:
    """A toggle property: <w:keepNext/> or <w:keepNext w:val="0"/>."""
    return el(tag) if value else el(tag, val="0")


def text_run(text: str, rpr: etree._Element | None = None) -> etree._Element:
    """A w:r carrying text; tabs become w:tab so Word does not collapse them."""
    run = el("w:r", rpr)
    parts = text.split("\t")
    for i, part in enumerate(parts):
        if i:
            run.append(el("w:tab"))
        if part:
            t = el("w:t")
            t.text = part
            # Word drops leading, trailing and doubled spaces unless told to keep them.
            if part != part.strip() or "  " in part:
                t.set(XML_SPACE, "preserve")
            run.append(t)
    return run


def field_runs(instruction: str, placeholder: str, rpr: etree._Element | None = None) -> list[etree._Element]:
    """A complex field (begin, instruction, separate, cached result, end): PAGE and friends."""

    def run(*children: etree._Element) -> etree._Element:
        return el("w:r", _copy(rpr), *children)

    instr = el("w:instrText")
    instr.text = f" {instruction} "
    instr.set(XML_SPACE, "preserve")
    result = el("w:t")
    result.text = placeholder
    return [
        run(el("w:fldChar", fldCharType="begin")),
        run(instr),
        run(el("w:fldChar", fldCharType="separate")),
        run(result),
        run(el("w:fldChar", fldCharType="end")),
    ]


def _copy(node: etree._Element | None) -> etree._Element | None:
    return None if node is None else etree.fromstring(etree.tostring(node))


def ppr_of(p: etree._Element) -> etree._Element:
    """The paragraph's w:pPr, created as its first child when missing."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = el("w:pPr")
        p.insert(0, ppr)
    return ppr


# Children of w:pPr in schema order (CT_PPrBase, then rPr, sectPr).
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
]
_PPR_RANK = {qn(f"w:{name}"): i for i, name in enumerate(_PPR_ORDER)}


def set_ppr(p: etree._Element, child: etree._Element) -> None:
    """Put a property into a paragraph's pPr at its schema position, replacing one of the same kind."""
    ppr = ppr_of(p)
    old = ppr.find(child.tag)
    if old is not None:
        ppr.replace(old, child)
        return
    rank = _PPR_RANK[child.tag]
    for i, existing in enumerate(ppr):
        if _PPR_RANK.get(existing.tag, len(_PPR_ORDER)) > rank:
            ppr.insert(i, child)
            return
    ppr.append(child)


def paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


# Characters whose font Word picks by w:hint: in General Punctuation and the
# symbol blocks Word cannot tell a Chinese from a Western use, so “”—…· fall
# to the Latin font unless the run says eastAsia (LAYOUT.md L25).
_AMBIGUOUS_BLOCKS = (
    (0x00A1, 0x00BF), (0x00D7, 0x00D7), (0x00F7, 0x00F7), (0x02C7, 0x02DD),
    (0x2010, 0x206F), (0x2100, 0x22FF), (0x2460, 0x27BF),
)


_AMBIGUOUS = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _AMBIGUOUS_BLOCKS) + "]")


def needs_east_asian_hint(text: str) -> bool:
    return _AMBIGUOUS.search(text) is not None


def width_in_chars(text: str) -> float:
    """Width in 字 of body size: Han and full-width 1, digits, Latin and spaces ½.

    East Asian "ambiguous" characters (“ ” — …) are full width in Chinese fonts.
    """
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


# -- the package ------------------------------------------------------------

# Entries that readers look for first come first; the rest follow by name.
_FIRST = ("[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml",
          "word/document.xml", "word/_rels/document.xml.rels")
_EPOCH = (1980, 1, 1, 0, 0, 0)


def zip_time(date: dt.date | None) -> tuple[int, int, int, int, int, int]:
    if date is None or date.year < 1980:
        return _EPOCH
    return (date.year, date.month, date.day, 0, 0, 0)


def zip_entries(contents: dict[str, bytes], date: dt.date | None = None) -> bytes:
    """A package of these members, in a fixed order, with fixed times and attributes.

    python-docx stamps zip members with the wall clock; fixed stamps make two
    builds of one input byte-identical (DESIGN.md: reproducible builds)."""
    when = zip_time(date)
    names = list(contents)
    order = [n for n in _FIRST if n in contents] + sorted(n for n in names if n not in _FIRST)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # else the host OS leaks into the bytes
            info.external_attr = 0
            dst.writestr(info, contents[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def serialize(node: etree._Element) -> bytes:
    return etree.tostring(node, xml_declaration=True, encoding="UTF-8", standalone=True)
