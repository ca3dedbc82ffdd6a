"""Document → .docx (DESIGN.md, "write"; LAYOUT.md rules L03, L08, L14, L18, L19, L24, L25).

The Word file carries 公文 layout as Word properties and lets Word break the
lines: named styles from templates/style.toml (handouts.docx.styles), a
document grid of 22 lines × 28 characters, kinsoku with the zh-CN break
lists, East Asian fonts on every style, odd/even footers with a PAGE field.
Sections of the layout tree start pages with a page break, not with Word
sections, so one footer pair numbers the whole handout; a real Word section
is made only where a Section asks for an odd-page start, a numbering restart
or no page numbers.

This module writes the WordprocessingML with lxml (handouts.docx.oxml), one
method per block type in DocxWriter; handouts.docx.opc holds the parts,
relationships and content types around it. The package is zipped with fixed
entry order and times, and nothing random is written (no rsids, GUIDs derived
from content), so two builds of one input are byte-identical.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from .. import __version__
from ..compose.document import Blank, Block, Document, Paragraph, Section, Signature, Table
from ..compose.render import zi_width
from ..compose.style import MM, ParagraphStyle, StyleSheet
from ..typeset.linebreak import NO_END, NO_START
from ..typeset.titles import TITLE_ROLE, balance_title
from .fonts import EmbeddedFont, EmbedRefused, embed, font_entry, font_table
from .opc import CT, RT, Package, Part, default_theme
from .oxml import (
    el,
    field_runs,
    needs_east_asian_hint,
    on_off,
    qn,
    serialize,
    set_ppr,
    text_run,
    twips,
    width_in_chars,
    zip_entries,
)
from .styles import (
    BODY_KEY,
    FOOTER,
    FontNames,
    justification,
    line_pitch_twips,
    role_style_id,
    roles_in_use,
    style_id,
    styles_part,
    tracking,
)

GENERATOR = f"handouts {__version__}"
_EPOCH = dt.datetime(1980, 1, 1)
# Parts that are the same for every document of a process (see _styles).
# Keyed by part name first: a styles key and a settings key must never meet.
_PARTS: dict[tuple[str, int, int, frozenset[str]], tuple[Any, Any, bytes]] = {}
# Tables built in this process, by style sheet and value (see DocxWriter.table);
# the entry keeps its style sheet alive, so the id in the key stays its own.
_TABLES: dict[tuple[int, str], tuple[StyleSheet, list[etree._Element]]] = {}
MAX_TABLES = 64


def write_docx(doc: Document, out: Path | BinaryIO, *, style: StyleSheet, fonts: Any,
               embed: Any | None = None) -> None:
    """Write `doc` as a .docx to a path or a binary stream.

    fonts: a handouts.fonts.fontset.FontSet (word_family, word_alternates);
    embed: PreparedFonts of the PDF build: subsets of its faces are embedded.
    """
    data = DocxWriter(style, fonts, embed).render(doc)
    if isinstance(out, (str, Path)):
        Path(out).write_bytes(data)
    else:
        out.write(data)


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
class _WordSection:
    """Layout sections that share one Word section (page setup and footers)."""

    sections: list[Section]
    numbered: bool
    odd_start: bool
    restart: bool


def _word_sections(doc: Document) -> list[_WordSection]:
    out: list[_WordSection] = []
    for s in doc.sections:
        last = out[-1] if out else None
        if last and not (s.odd_start or s.restart_numbering or s.numbered != last.numbered):
            last.sections.append(s)
        else:
            out.append(_WordSection([s], s.numbered, s.odd_start, s.restart_numbering))
    return out


class DocxWriter:
    """One method per block type; each returns the body elements it makes."""

    def __init__(self, style: StyleSheet, fonts: Any, embed: Any | None = None) -> None:
        self.style = style
        self.fonts = fonts
        self.names = FontNames(fonts)
        self.embed = embed
        self._methods: dict[type, Callable[[Any], list[etree._Element]]] = {
            Paragraph: self.paragraph,
            Blank: self.blank,
            Signature: self.signature,
            Table: self.table,
        }

    # -- the document -------------------------------------------------------

    def render(self, doc: Document) -> bytes:
        package = Package()
        main = package.add(Part("/word/document.xml", CT.DOCUMENT))
        package.root.relate(RT.OFFICE_DOCUMENT, main)
        for name, ct, rt, blob in (
            ("/docProps/core.xml", CT.CORE_PROPERTIES, RT.CORE_PROPERTIES, _core_properties(doc)),
            ("/docProps/app.xml", CT.EXTENDED_PROPERTIES, RT.EXTENDED_PROPERTIES,
             serialize(_app_properties(doc))),
        ):
            package.root.relate(rt, package.add(Part(name, ct, blob)))
        roles = frozenset(_run_roles(doc))
        for name, ct, rt, blob in (
            ("/word/styles.xml", CT.STYLES, RT.STYLES, self._styles(roles)),
            ("/word/settings.xml", CT.SETTINGS, RT.SETTINGS, self._settings()),
            ("/word/theme/theme1.xml", CT.THEME, RT.THEME, default_theme()),
        ):
            main.relate(rt, package.add(Part(name, ct, blob)))
        main.blob = serialize(self._body(package, main, doc))
        self._font_table(package, main, doc)
        return zip_entries(package.members(), doc.date)

    def _styles(self, roles: frozenset[str]) -> bytes:
        # Building the styles part is a third of a one-page sheet's cost and
        # the same for every sheet: build once per process and role set, parse
        # per document. The key holds the objects, so their ids stay theirs.
        key = ("styles", id(self.style), id(self.fonts), roles)
        if key not in _PARTS:
            part = serialize(styles_part(self.style, self.names, roles))
            _PARTS[key] = (self.style, self.fonts, part)
        return _PARTS[key][2]

    def _settings(self) -> bytes:
        # Settings differ only by whether fonts are embedded.
        key = ("settings", id(self.style), id(self.fonts), frozenset({"embed"} if self.embed else ()))
        if key not in _PARTS:
            _PARTS[key] = (self.style, self.fonts, serialize(self.settings()))
        return _PARTS[key][2]

    def _body(self, package: Package, main: Part, doc: Document) -> etree._Element:
        # Body first inside its root: appended elements then take the root's
        # w: and r: declarations instead of declaring their own.
        document = el("w:document", el("w:body"))
        body = document[0]
        groups = _word_sections(doc) or [_WordSection([Section()], True, False, False)]
        previous_numbered: bool | None = None
        for gi, group in enumerate(groups):
            elements: list[etree._Element] = []
            for si, section in enumerate(group.sections):
                made = self._section_body(section)
                if not made:
                    made = [el("w:p")]
                if si > 0:  # a new page inside the Word section (L14)
                    _page_break_before(made)
                elements.extend(made)
            footers = None
            if group.numbered != previous_numbered:
                footers = self._footers(package, main, group.numbered)
            previous_numbered = group.numbered
            sect_pr = self.section_properties(group, footers, first=gi == 0)
            if gi < len(groups) - 1:
                # A section ends with a paragraph that carries its properties.
                if elements[-1].tag != qn("w:p"):
                    elements.append(el("w:p"))
                set_ppr(elements[-1], sect_pr)
            else:
                elements.append(sect_pr)
            for e in elements:
                body.append(e)
        return document

    def _section_body(self, section: Section) -> list[etree._Element]:
        made: list[etree._Element] = []
        keep = False  # does the block before ask to stay with what follows?
        for block in section.blocks:
            elements = self.block(block)
            if isinstance(block, Blank):
                # As in the PDF: a title's or heading's blank line stays with
                # it, so the chain to the next text is not broken (LibreOffice
                # otherwise leaves a second title alone at a page's foot).
                if keep:
                    for p in elements:
                        set_ppr(p, on_off("w:keepNext"))
            else:
                keep = isinstance(block, Paragraph) and self._keeps(block)
            made.extend(elements)
        return made

    def _keeps(self, block: Paragraph) -> bool:
        pstyle = self.style[block.style]
        run_in = any(r.role and r.role != pstyle.role for r in block.runs)
        return pstyle.keep_with_next and not run_in

    def block(self, block: Block) -> list[etree._Element]:
        try:
            method = self._methods[type(block)]
        except KeyError:
            raise TypeError(f"Word 输出不支持的版面元素：{type(block).__name__}") from None
        return method(block)

    # -- blocks -------------------------------------------------------------

    def paragraph(self, block: Paragraph, *, align: str | None = None) -> list[etree._Element]:
        pstyle = self.style[block.style]
        p = el("w:p")
        if block.style != BODY_KEY:
            set_ppr(p, el("w:pStyle", val=style_id(block.style)))
        if align:
            set_ppr(p, el("w:jc", val=justification(align)))
        if pstyle.keep_with_next and any(r.role and r.role != pstyle.role for r in block.runs):
            # A run-in heading carries its body text: keeping the whole paragraph
            # with the next one (LibreOffice moves it entire) would leave gaps.
            # As in the PDF, only its first lines must not end a page.
            set_ppr(p, on_off("w:keepNext", False))
            set_ppr(p, on_off("w:widowControl"))
        if pstyle.role == TITLE_ROLE:
            # Word would wrap a long title anywhere; give it the balanced
            # phrase breaks the PDF uses (LAYOUT.md L10).
            for i, line in enumerate(self._title_lines(block, pstyle)):
                if i:
                    p.append(el("w:r", el("w:br")))
                p.append(text_run(line, _rpr(None, line)))
            return [p]
        for run in block.runs:
            if run.br:
                p.append(el("w:r", el("w:br")))
                continue
            char_style = role_style_id(run.role) if run.role and run.role != pstyle.role else None
            p.append(text_run(run.text, _rpr(char_style, run.text)))
        return [p]

    def _title_lines(self, block: Paragraph, pstyle: ParagraphStyle) -> list[str]:
        page = self.style.page
        width = page.block_width - (pstyle.left_indent + pstyle.right_indent) * page.body_size
        lines = ["".join(r.text for r in runs) for runs in block.lines()]
        return balance_title(lines, lambda text: zi_width(text) * pstyle.size, width)

    def blank(self, block: Blank) -> list[etree._Element]:
        """Empty body lines: one grid line each."""
        return [el("w:p") for _ in range(max(block.lines, 0))]

    def signature(self, block: Signature) -> list[etree._Element]:
        """署名 and 成文日期 as LAYOUT.md L12 (GB/T 9704 §7.3.5.2).

        The names form a left-aligned column whose right edge is the signature
        style's right indent from the block's edge; the date starts the date
        style's offset right of the column. If the date would then reach into
        its own right indent, the date keeps that indent and the column moves
        left. Both are right-aligned paragraphs with a per-line right indent
        in 字, so Word places the lines without tab stops.
        """
        sig, date = self.style[block.style], self.style[block.date_style]
        names = [n for n in block.names if n]
        widths = [self._width(sig.role, n) for n in names]
        column = max(widths, default=0.0)
        date_width = self._width(date.role, block.date) if block.date else 0.0
        offset = date.date_offset
        # Distance of the column's start from the block's right edge, in 字.
        start = column + sig.right_indent
        if block.date:
            start = max(start, date_width + date.right_indent + offset) if names else (
                date_width + date.right_indent)
        out: list[etree._Element] = []
        for name, width in zip(names, widths, strict=True):
            out.append(self._placed(block.style, name, start - width))
        if block.date:
            out.append(self._placed(block.date_style, block.date,
                                    start - (offset if names else 0) - date_width))
        for p in out[:-1]:
            set_ppr(p, on_off("w:keepNext"))
        for p in out:
            set_ppr(p, on_off("w:keepLines"))
        return out

    def _width(self, role: str, text: str) -> float:
        """Width in 字: measured in the embedded faces when there are any, else estimated."""
        if self.embed is None:
            return width_in_chars(text)
        size = self.style.page.body_size
        points = self.embed.width(role, text, size) + len(text) * tracking(self.style) / 20
        return points / size

    def _placed(self, style_key: str, text: str, right_chars: float) -> etree._Element:
        right_chars = max(right_chars, 0.0)
        p = el("w:p")
        set_ppr(p, el("w:pStyle", val=style_id(style_key)))
        set_ppr(p, el("w:ind", right=twips(right_chars * self.style.page.body_size),
                      rightChars=round(right_chars * 100), firstLine=0, firstLineChars=0))
        set_ppr(p, el("w:jc", val="right"))
        p.append(text_run(text, _rpr(None, text)))
        return p

    def table(self, block: Table) -> list[etree._Element]:
        # A month's sixteen sheets of a kind share their table: built once
        # per process (by value), then copied, which lxml does in C.
        key = (id(self.style), repr(block))
        known = _TABLES.get(key)
        if known is None:
            if len(_TABLES) >= MAX_TABLES:
                _TABLES.clear()
            known = _TABLES[key] = (self.style, self._table(block))
        return [copy.deepcopy(e) for e in known[1]]

    def _table(self, block: Table) -> list[etree._Element]:
        tables = self.style.tables
        widths = [twips(w * MM) for w in block.widths_mm]
        border = round(tables.border_pt * 8)  # eighths of a point
        padding = twips(tables.padding)

        def edge(tag: str) -> etree._Element:
            return el(tag, val="single", sz=border, space=0, color="000000")

        tbl = el(
            "w:tbl",
            el("w:tblPr",
               el("w:tblW", w=sum(widths), type="dxa"),
               el("w:jc", val="center"),
               el("w:tblBorders", *(edge(f"w:{side}") for side in
                                    ("top", "left", "bottom", "right", "insideH", "insideV"))),
               el("w:tblLayout", type="fixed"),
               el("w:tblCellMar",
                  el("w:top", w=0, type="dxa"), el("w:left", w=padding, type="dxa"),
                  el("w:bottom", w=0, type="dxa"), el("w:right", w=padding, type="dxa")),
               el("w:tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0, lastColumn=0,
                  noHBand=1, noVBand=1)),
            el("w:tblGrid", *(el("w:gridCol", w=w) for w in widths)),
        )
        for ri, row in enumerate(block.rows):
            tr_pr = el(
                "w:trPr",
                on_off("w:cantSplit"),
                el("w:trHeight", val=twips(row.height_mm * MM), hRule="atLeast") if row.height_mm else None,
                on_off("w:tblHeader") if ri < block.header_rows else None,
            )
            tr = el("w:tr", tr_pr)
            column = 0
            for cell in row.cells:
                span = max(cell.span, 1)
                width = sum(widths[column:column + span])
                column += span
                tc = el("w:tc", el(
                    "w:tcPr",
                    el("w:tcW", w=width, type="dxa"),
                    el("w:gridSpan", val=span) if span > 1 else None,
                    el("w:vAlign", val="top" if cell.valign == "top" else "center"),
                ))
                if cell.ruled and not cell.text.strip():
                    paragraphs = self._ruled(row.height_mm)
                else:
                    # A cell must end with a paragraph: an empty one has one.
                    paragraphs = [p for b in cell.blocks or [Paragraph(block.style)]
                                  for p in self._cell_paragraph(b, cell.align)]
                for p in paragraphs:
                    tc.append(p)
                tr.append(tc)
            tbl.append(tr)
        return [tbl]

    def _cell_paragraph(self, block: Paragraph, align: str | None) -> list[etree._Element]:
        """A paragraph in a table cell: as in the PDF, off the page grid, each
        line its size times the cell line factor (style.toml), so that rows
        are as tall in Word as in the PDF."""
        pitch = twips(self.style[block.style].size * self.style.tables.cell_line_factor)
        made = self.paragraph(block, align=align)
        for p in made:
            set_ppr(p, el("w:spacing", before=0, after=0, line=pitch, lineRule="exact"))
        return made

    def _ruled(self, height_mm: float | None) -> list[etree._Element]:
        """Empty lines ruled for handwriting: one bottom rule per ruled pitch."""
        pitch = self.style.tables.ruled_pitch
        count = max(int((height_mm or 0) * MM // pitch) - 1, 1)
        rule = self.style.tables.border_pt * 4  # half the cell rule, in eighths of a point
        out = []
        for _ in range(count):
            p = el("w:p")
            set_ppr(p, el("w:pBdr",
                          el("w:between", val="single", sz=round(rule), space=1, color="000000"),
                          el("w:bottom", val="single", sz=round(rule), space=1, color="000000")))
            set_ppr(p, el("w:spacing", before=0, after=0, line=twips(pitch), lineRule="exact"))
            set_ppr(p, el("w:ind", firstLine=0, firstLineChars=0))
            out.append(p)
        return out

    # -- page setup, footers, settings --------------------------------------

    def section_properties(self, group: _WordSection, footers: tuple[str, str] | None, *, first: bool
                           ) -> etree._Element:
        page = self.style.page
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
               header=twips(15 * MM), footer=self.footer_distance(), gutter=0),
            el("w:pgNumType", fmt="decimal", start=1 if group.restart else None),
            el("w:cols", space=425),
            el("w:docGrid", type="linesAndChars", linePitch=line_pitch_twips(self.style),
               charSpace=char_space(self.style)),
        )

    def footer_distance(self) -> int:
        """Page bottom to the footer line's bottom: the number's top sits `offset` under the block (L16)."""
        page, folio = self.style.page, self.style.folio
        return twips(page.height - page.block_bottom - folio.offset - folio.size)

    def _footers(self, package: Package, main: Part, numbered: bool) -> tuple[str, str]:
        """(odd, even) footer relationship ids: "— N —" 1 字 in from the outer edge (L17, L18)."""
        ids = []
        for odd in (True, False):
            root = el("w:ftr")
            root.append(self.folio(odd) if numbered else _footer_paragraph())
            number = sum(p.content_type == CT.FOOTER for p in package.parts) + 1
            part = package.add(Part(f"/word/footer{number}.xml", CT.FOOTER, serialize(root)))
            ids.append(main.relate(RT.FOOTER, part))
        return ids[0], ids[1]

    def folio(self, odd: bool) -> etree._Element:
        folio, page = self.style.folio, self.style.page
        indent = twips(folio.indent_chars * page.body_size)
        p = _footer_paragraph()
        set_ppr(p, el("w:ind", right=indent if odd else 0, left=0 if odd else indent,
                      firstLine=0, firstLineChars=0))
        set_ppr(p, el("w:jc", val="right" if odd else "left"))
        before, _, after = folio.format.partition("{n}")
        if before:
            p.append(text_run(before, _rpr(None, before)))
        for r in field_runs("PAGE", "1"):
            p.append(r)
        if after:
            p.append(text_run(after, _rpr(None, after)))
        return p

    def settings(self) -> etree._Element:
        def chars(table: frozenset[str]) -> str:
            return "".join(sorted(ch for ch in table if ch.isprintable() and not ch.isspace()))

        embedding = self.embed is not None
        return el(
            "w:settings",
            el("w:zoom", percent=100),
            on_off("w:embedTrueTypeFonts") if embedding else None,
            on_off("w:saveSubsetFonts") if embedding else None,
            el("w:defaultTabStop", val=twips(self.style.page.body_size * 2)),
            on_off("w:evenAndOddHeaders"),
            # Not compressing punctuation keeps every character on the 28-per-line grid.
            el("w:characterSpacingControl", val="doNotCompress"),
            el("w:noLineBreaksAfter", lang="zh-CN", val=chars(NO_END)),
            el("w:noLineBreaksBefore", lang="zh-CN", val=chars(NO_START)),
            el("w:compat", el("w:compatSetting", name="compatibilityMode",
                              uri="http://schemas.microsoft.com/office/word", val=15)),
            el("w:themeFontLang", val="en-US", eastAsia="zh-CN"),
            el("w:decimalSymbol", val="."),
            el("w:listSeparator", val=","),
        )

    # -- fonts and properties -----------------------------------------------

    def _font_table(self, package: Package, main: Part, doc: Document) -> None:
        part = package.add(Part("/word/fontTable.xml", CT.FONT_TABLE))
        main.relate(RT.FONT_TABLE, part)
        families: dict[str, str] = {}  # family → first role naming it
        for role in [*roles_in_use(self.style), *_run_roles(doc)]:
            families.setdefault(self.names(role), role)
        embedded = self._embedded(doc, families) if self.embed is not None else {}
        entries = []
        for family, role in families.items():
            ref = None
            if family in embedded:
                font = embedded[family]
                number = len([e for e in entries if e.find(qn("w:embedRegular")) is not None]) + 1
                font_part = package.add(Part(f"/word/fonts/font{number}.odttf", CT.OBFUSCATED_FONT,
                                             font.data))
                ref = (part.relate(RT.FONT, font_part), font.key)
            entries.append(font_entry(family, self.names.alternates(role), ref))
        part.blob = serialize(font_table(entries))

    def _embedded(self, doc: Document, families: dict[str, str]) -> dict[str, EmbeddedFont]:
        """Subsets of the faces the PDF sets each family in, keyed by family."""
        prepared = self.embed
        texts = doc.text_by_role(self.style.roles_of_style())
        folio = self.style.folio
        texts[folio.role] = texts.get(folio.role, "") + folio.format.replace("{n}", "0123456789")
        chars: dict[str, dict[str, set[str]]] = {}  # family → face name → characters
        for family in families:
            for r, text in texts.items():
                if self.names(r) != family or not text:
                    continue
                for face_name, segment in prepared.segments(r, text):
                    chars.setdefault(family, {}).setdefault(face_name, set()).update(segment)
        out: dict[str, EmbeddedFont] = {}
        for family, faces in sorted(chars.items()):
            # Word knows a family by one file: embed the face that sets most of it.
            face_name, used = max(faces.items(), key=lambda item: (len(item[1]), item[0]))
            face = prepared.face(face_name)
            path, index = str(face.path), int(face.index)
            if face.is_cff:
                path, index = str(self._truetype(face, used)), 0
            try:
                out[family] = embed(family, path, index, "".join(sorted(used)))
            except EmbedRefused:
                continue
        return out

    def _truetype(self, face: Any, chars: set[str]) -> Path:
        """The cached TrueType conversion of a CFF face, as the PDF build makes it."""
        from ..fonts.convert import ConvertedCache
        from ..places.resources import default_cache_dir

        cache = ConvertedCache(getattr(self.fonts, "cache_dir", None) or default_cache_dir())
        path, _ = cache.get(Path(face.path), int(face.index), frozenset(ord(c) for c in chars))
        return path


_CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def _core_properties(doc: Document) -> bytes:
    """docProps/core.xml: title, author and date; the date, not the clock, stamps it."""
    when = dt.datetime.combine(doc.date, dt.time()) if doc.date else _EPOCH
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    root = etree.Element(f"{{{_CORE_NS['cp']}}}coreProperties", nsmap=_CORE_NS)
    # Core properties hold at most 255 characters (OPC); the text is in the body.
    for tag, text in (("dc:title", doc.title[:255]), ("dc:subject", doc.subject[:255]),
                      ("dc:creator", doc.author[:255]),
                      ("cp:keywords", "; ".join(doc.keywords)[:255]), ("dc:description", ""),
                      ("cp:lastModifiedBy", GENERATOR), ("cp:revision", "1"),
                      ("dcterms:created", stamp), ("dcterms:modified", stamp),
                      ("cp:category", "")):
        prefix, _, local = tag.partition(":")
        node = etree.SubElement(root, f"{{{_CORE_NS[prefix]}}}{local}")
        node.text = text
        if prefix == "dcterms":
            node.set(f"{{{_CORE_NS['xsi']}}}type", "dcterms:W3CDTF")
    return serialize(root)


def _rpr(char_style: str | None, text: str) -> etree._Element | None:
    hint = needs_east_asian_hint(text)
    if not (char_style or hint):
        return None
    return el(
        "w:rPr",
        el("w:rStyle", val=char_style) if char_style else None,
        el("w:rFonts", hint="eastAsia") if hint else None,
    )


def _footer_paragraph() -> etree._Element:
    p = el("w:p")
    set_ppr(p, el("w:pStyle", val=FOOTER))
    return p


def _page_break_before(elements: list[etree._Element]) -> None:
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


def _run_roles(doc: Document) -> list[str]:
    return list(dict.fromkeys(r.role for p in doc.paragraphs() for r in p.runs if r.role))


_EXT = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _app_properties(doc: Document) -> etree._Element:
    def node(tag: str, text: str) -> etree._Element:
        e = etree.Element(f"{{{_EXT}}}{tag}")
        e.text = text
        return e

    root = etree.Element(f"{{{_EXT}}}Properties", nsmap={None: _EXT})
    for tag, text in (("Template", "Normal.dotm"), ("TotalTime", "0"), ("Application", GENERATOR),
                      ("DocSecurity", "0"), ("ScaleCrop", "false"), ("Company", doc.author),
                      ("LinksUpToDate", "false"), ("SharedDoc", "false"),
                      ("HyperlinksChanged", "false")):
        root.append(node(tag, text))
    return root


__all__ = ["DocxWriter", "char_space", "write_docx"]
