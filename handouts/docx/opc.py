"""The package around a Word file (OPC, ECMA-376 Part 2): parts, their
relationships and [Content_Types].xml, as zip members.

python-docx models the same structure, but every process that imported it
paid 45 ms and every document that opened its template about a millisecond
more: together more than writing all of a month's sheets. A .docx of ours
is a dozen parts that handouts.docx.writer makes itself, so it builds them
here as plain bytes; python-docx still reads .docx input (handouts.read.source)
and checks the files in the tests.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec

from lxml import etree

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class RT:
    """Relationship types."""

    OFFICE_DOCUMENT = f"{_OFFICE_RT}/officeDocument"
    CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
    EXTENDED_PROPERTIES = f"{_OFFICE_RT}/extended-properties"
    STYLES = f"{_OFFICE_RT}/styles"
    SETTINGS = f"{_OFFICE_RT}/settings"
    FONT_TABLE = f"{_OFFICE_RT}/fontTable"
    THEME = f"{_OFFICE_RT}/theme"
    FOOTER = f"{_OFFICE_RT}/footer"
    FONT = f"{_OFFICE_RT}/font"


_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"


class CT:
    """Content types."""

    RELATIONSHIPS = "application/vnd.openxmlformats-package.relationships+xml"
    XML = "application/xml"
    DOCUMENT = f"{_WML}.document.main+xml"
    STYLES = f"{_WML}.styles+xml"
    SETTINGS = f"{_WML}.settings+xml"
    FONT_TABLE = f"{_WML}.fontTable+xml"
    FOOTER = f"{_WML}.footer+xml"
    THEME = "application/vnd.openxmlformats-officedocument.theme+xml"
    CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
    EXTENDED_PROPERTIES = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
    OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"


# Extensions whose parts need no Override of their own.
_DEFAULTS = {"rels": CT.RELATIONSHIPS, "xml": CT.XML, "odttf": CT.OBFUSCATED_FONT}


@dataclass
class Part:
    name: str  # absolute part name, "/word/document.xml"
    content_type: str
    blob: bytes = b""
    rels: list[tuple[str, str, str]] = field(default_factory=list)  # (id, type, target part name)

    def relate(self, rel_type: str, target: Part) -> str:
        """A relationship from this part to target; returns its id."""
        rid = f"rId{len(self.rels) + 1}"
        self.rels.append((rid, rel_type, target.name))
        return rid


@dataclass
class Package:
    parts: list[Part] = field(default_factory=list)
    # The package's own relationships, as from a part at the root.
    root: Part = field(default_factory=lambda: Part("/", CT.RELATIONSHIPS))

    def add(self, part: Part) -> Part:
        if any(p.name == part.name for p in self.parts):
            raise ValueError(f"part {part.name} is already in the package")
        self.parts.append(part)
        return part

    def members(self) -> dict[str, bytes]:
        """Zip member name → bytes: content types, relationships and parts."""
        out = {"[Content_Types].xml": self._content_types(), "_rels/.rels": _rels_xml(self.root)}
        for part in self.parts:
            out[part.name.lstrip("/")] = part.blob
            if part.rels:
                folder, name = posixpath.split(part.name.lstrip("/"))
                out[posixpath.join(folder, "_rels", f"{name}.rels")] = _rels_xml(part)
        return out

    def _content_types(self) -> bytes:
        root = etree.Element(f"{{{_TYPES_NS}}}Types", nsmap={None: _TYPES_NS})
        used = {"rels", "xml"} | {_ext(p.name) for p in self.parts if _is_default(p)}
        for ext in sorted(used):
            etree.SubElement(root, f"{{{_TYPES_NS}}}Default", Extension=ext, ContentType=_DEFAULTS[ext])
        for part in sorted(self.parts, key=lambda p: p.name):
            if not _is_default(part):
                etree.SubElement(root, f"{{{_TYPES_NS}}}Override", PartName=part.name,
                                 ContentType=part.content_type)
        return _serialize(root)


def _ext(name: str) -> str:
    return posixpath.basename(name).rpartition(".")[2].lower()


def _is_default(part: Part) -> bool:
    return _DEFAULTS.get(_ext(part.name)) == part.content_type


def _rels_xml(source: Part) -> bytes:
    root = etree.Element(f"{{{_RELS_NS}}}Relationships", nsmap={None: _RELS_NS})
    base = posixpath.dirname(source.name)
    for rid, rel_type, target in source.rels:
        etree.SubElement(root, f"{{{_RELS_NS}}}Relationship", Id=rid, Type=rel_type,
                         Target=posixpath.relpath(target, base))
    return _serialize(root)


def _serialize(node: etree._Element) -> bytes:
    return etree.tostring(node, xml_declaration=True, encoding="UTF-8", standalone=True)


@cache
def default_theme() -> bytes:
    """The Office theme of python-docx's default template (what Word files
    made with python-docx always carried), read from the installed package
    without importing it."""
    spec = find_spec("docx")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("python-docx is not installed")
    template = posixpath.join(next(iter(spec.submodule_search_locations)), "templates", "default.docx")
    with zipfile.ZipFile(template) as z:
        return z.read("word/theme/theme1.xml")
