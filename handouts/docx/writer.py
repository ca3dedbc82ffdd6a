"""Document → .docx (DESIGN.md, "write"; LAYOUT.md rules L03, L08, L14, L18, L19, L24, L25).

The Word file carries 公文 layout as Word properties and lets Word break the
lines: named styles from templates/style.toml (handouts.docx.styles), a
document grid of 22 lines × 28 characters, kinsoku with the zh-CN break
lists, East Asian fonts on every style, odd/even footers with a PAGE field.

This module assembles the document: the package's parts, the body from the
blocks (paragraphs and the signature in handouts.docx.blocks, tables in
handouts.docx.tables), Word sections with their page setup and footers
(handouts.docx.sections), settings, the font table and the document
properties; handouts.docx.opc holds the parts, relationships and content
types around it. The package is zipped with fixed entry order and times, and
nothing random is written (no rsids, GUIDs derived from content), so two
builds of one input are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from .. import __version__
from ..compose.document import Blank, Block, Document, Paragraph, Section, Signature, Table
from ..compose.render import zi_width
from ..compose.style import StyleSheet
from ..typeset.linebreak import NO_END, NO_START
from .blocks import BlockWriter
from .controls import document_root, uses_controls
from .fonts import EmbeddedFont, EmbedRefused, embed, font_entry, font_table
from .opc import CT, RT, Package, Part, default_theme
from .oxml import el, on_off, qn, serialize, set_ppr, twips, zip_entries
from .sections import (
    WordSection,
    add_footers,
    page_break_before,
    section_properties,
    word_sections,
)
from .styles import BODY_KEY, FontNames, roles_in_use, styles_part
from .tables import TableWriter

GENERATOR = f"handouts {__version__}"
_EPOCH = dt.datetime(1980, 1, 1)
# Parts that are the same for every document of a process (see _styles).
# Keyed by part name first: a styles key and a settings key must never meet.
_PARTS: dict[tuple[str, int, int, frozenset[str]], tuple[Any, Any, bytes]] = {}




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


class DocxWriter:
    """The parts of one .docx; blocks and tables are made by BlockWriter and TableWriter."""

    def __init__(self, style: StyleSheet, fonts: Any, embed: Any | None = None) -> None:
        self.style = style
        self.fonts = fonts
        self.names = FontNames(fonts)
        self.embed = embed
        self.blocks = BlockWriter(style, embed)
        self.tables = TableWriter(style, self.blocks)
        self._methods: dict[type, Callable[[Any], list[etree._Element]]] = {
            Paragraph: self.blocks.paragraph,
            Blank: self.blocks.blank,
            Signature: self.blocks.signature,
            Table: self.tables.table,
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
        if uses_controls(doc):
            document = document_root()
            document.append(el("w:body"))
        body = document[0]
        groups = word_sections(doc) or [WordSection([Section()], True, False, False)]
        previous_numbered: bool | None = None
        for gi, group in enumerate(groups):
            elements: list[etree._Element] = []
            for si, section in enumerate(group.sections):
                made = self._section_body(section)
                if not made:
                    made = [el("w:p")]
                if si > 0:  # a new page inside the Word section (L14)
                    page_break_before(made)
                elements.extend(made)
            footers = None
            if group.numbered != previous_numbered:
                footers = add_footers(self.style, package, main, group.numbered)
            previous_numbered = group.numbered
            sect_pr = section_properties(self.style, group, footers, first=gi == 0)
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
            elif isinstance(block, Paragraph) and elements:
                multi = self._lines(block) > 1
                if multi:
                    # L27: as in the PDF, no first or last line of a paragraph alone.
                    set_ppr(elements[-1], on_off("w:widowControl"))
                    if self._keeps(block):
                        # L28: a title or heading is not divided between pages either.
                        set_ppr(elements[-1], on_off("w:keepLines"))
                elif keep and block.style == BODY_KEY:
                    # L28: a heading takes two lines of its body text along.
                    set_ppr(elements[-1], on_off("w:keepNext"))
                keep = self._keeps(block)
            else:
                keep = False
            made.extend(elements)
        return made

    def _lines(self, block: Paragraph) -> float:
        """About how many lines a paragraph takes (its width in 字 over the line's)."""
        pstyle = self.style[block.style]
        chars = self.style.page.chars - pstyle.left_indent - pstyle.right_indent
        return (zi_width(block.text) + pstyle.first_indent) / max(chars, 1)

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

    # -- settings -------------------------------------------------------------

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


__all__ = ["DocxWriter", "write_docx"]
