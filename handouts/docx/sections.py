"""Word sections, page setup and footers (LAYOUT.md L14, L16–L18).

Sections of the layout tree start pages with a page break, not with Word
sections, so one footer pair numbers the whole handout; a real Word section
is made only where a Section asks for an odd-page start, a numbering restart
or no page numbers. The document grid (22 lines × 28 characters) and the
odd/even footers with a PAGE field are set here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..compose.document import Document, Section
from ..compose.style import MM, StyleSheet
from .blocks import rpr
from .opc import CT, RT, Package, Part
from .oxml import el, field_runs, on_off, qn, serialize, set_ppr, text_run, twips
from .styles import FOOTER, line_pitch_twips


def char_space(style: StyleSheet) -> int:
    """docGrid w:charSpace for `chars` characters of body size per line.

    ECMA-376 §17.6.5: the character pitch is the default font size plus
    charSpace/4096 pt. Word fits floor(line width / pitch) characters, so the
    pitch is rounded down to stay at or below line width / chars.
    """
    page = style.page
    width_twips = twips(page.width) - twips(page.margin_left) - twips(page.margin_right)
    pitch = width_twips / 20 / page.chars
    return int((pitch - page.body_size) * 4096 // 1)


@dataclass
class WordSection:
    """Layout sections that share one Word section (page setup and footers)."""

    sections: list[Section]
    numbered: bool
    odd_start: bool
    restart: bool


def word_sections(doc: Document) -> list[WordSection]:
    out: list[WordSection] = []
    for s in doc.sections:
        last = out[-1] if out else None
        if last and not (s.odd_start or s.restart_numbering or s.numbered != last.numbered):
            last.sections.append(s)
        else:
            out.append(WordSection([s], s.numbered, s.odd_start, s.restart_numbering))
    return out


def section_properties(style: StyleSheet, group: WordSection, footers: tuple[str, str] | None, *,
                       first: bool) -> etree._Element:
    page = style.page
    kind = "oddPage" if group.odd_start else ("nextPage" if not first else None)
    return el(
        "w:sectPr",
        el("w:footerReference", type="default", r_id=footers[0]) if footers else None,
        el("w:footerReference", type="even", r_id=footers[1]) if footers else None,
        el("w:type", val=kind) if kind else None,
        # orient: Word's page setup then shows a landscape page as such (the summary).
        el("w:pgSz", w=twips(page.width), h=twips(page.height),
           orient="landscape" if page.width > page.height else None),
        el("w:pgMar", top=twips(page.margin_top), right=twips(page.margin_right),
           bottom=twips(page.margin_bottom), left=twips(page.margin_left),
           header=twips(15 * MM), footer=footer_distance(style), gutter=0),
        el("w:pgNumType", fmt="decimal", start=1 if group.restart else None),
        el("w:cols", space=425),
        el("w:docGrid", type="linesAndChars", linePitch=line_pitch_twips(style),
           charSpace=char_space(style)),
    )


def footer_distance(style: StyleSheet) -> int:
    """Page bottom to the footer line's bottom: the number's top sits `offset` under the block (L16)."""
    page, folio = style.page, style.folio
    return twips(page.height - page.block_bottom - folio.offset - folio.size)


def add_footers(style: StyleSheet, package: Package, main: Part, numbered: bool) -> tuple[str, str]:
    """(odd, even) footer relationship ids: "— N —" 1 字 in from the outer edge (L17, L18)."""
    ids = []
    for odd in (True, False):
        root = el("w:ftr")
        root.append(folio(style, odd) if numbered else footer_paragraph())
        number = sum(p.content_type == CT.FOOTER for p in package.parts) + 1
        part = package.add(Part(f"/word/footer{number}.xml", CT.FOOTER, serialize(root)))
        ids.append(main.relate(RT.FOOTER, part))
    return ids[0], ids[1]


def folio(style: StyleSheet, odd: bool) -> etree._Element:
    fo, page = style.folio, style.page
    indent = twips(fo.indent_chars * page.body_size)
    p = footer_paragraph()
    set_ppr(p, el("w:ind", right=indent if odd else 0, left=0 if odd else indent,
                  firstLine=0, firstLineChars=0))
    set_ppr(p, el("w:jc", val="right" if odd else "left"))
    before, _, after = fo.format.partition("{n}")
    if before:
        p.append(text_run(before, rpr(None, before)))
    for r in field_runs("PAGE", "1"):
        p.append(r)
    if after:
        p.append(text_run(after, rpr(None, after)))
    return p


def footer_paragraph() -> etree._Element:
    p = el("w:p")
    set_ppr(p, el("w:pStyle", val=FOOTER))
    return p


def page_break_before(elements: list[etree._Element]) -> None:
    """Start a layout section on a new page without a Word section break (L14)."""
    first = elements[0]
    if first.tag == qn("w:p"):
        set_ppr(first, on_off("w:pageBreakBefore"))
        return
    # A table cannot break before itself: a 1-pt paragraph carries the break.
    carrier = el("w:p")
    set_ppr(carrier, on_off("w:pageBreakBefore"))
    set_ppr(carrier, el("w:spacing", before=0, after=0, line=20, lineRule="exact"))
    set_ppr(carrier, el("w:rPr", el("w:sz", val=2), el("w:szCs", val=2)))
    elements.insert(0, carrier)

