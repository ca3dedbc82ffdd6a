"""handouts.docx.opc: the package around a .docx is whole (ECMA-376 Part 2)."""

from __future__ import annotations

import io
import posixpath
import zipfile

import docx
import pytest
from lxml import etree

from handouts.compose.document import Document
from handouts.compose.style import StyleSheet
from handouts.docx.opc import CT, RT, Package, Part
from handouts.docx.writer import write_docx
from handouts.fonts.fontset import FontSet
from handouts.pdf.writer import pdf_text_by_role

TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def content_types(members: dict[str, bytes]) -> dict[str, str]:
    """Member name → its content type, by Override or by extension Default."""
    root = etree.fromstring(members["[Content_Types].xml"])
    defaults = {d.get("Extension"): d.get("ContentType") for d in root.iter(f"{TYPES}Default")}
    overrides = {o.get("PartName").lstrip("/"): o.get("ContentType") for o in root.iter(f"{TYPES}Override")}
    out = {}
    for name in members:
        if name == "[Content_Types].xml":
            continue
        ext = posixpath.basename(name).rpartition(".")[2]  # ".rels" has the extension "rels"
        out[name] = overrides.get(name, defaults.get(ext))
    assert set(overrides) <= set(members)  # no override for a missing part
    return out


def relationships(members: dict[str, bytes]) -> list[tuple[str, str, str]]:
    """(source member, type, resolved target member) of every relationship."""
    out = []
    for name, data in members.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))  # "word/_rels/x.rels" → "word"
        ids = []
        for rel in etree.fromstring(data).iter(f"{RELS}Relationship"):
            ids.append(rel.get("Id"))
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target")))
            out.append((name, rel.get("Type"), target))
        assert len(ids) == len(set(ids)), name
    return out


def assert_whole(members: dict[str, bytes]) -> None:
    types = content_types(members)
    assert all(types.values()), types  # every part has a content type
    for source, _, target in relationships(members):
        assert target in members, (source, target)
    # Every part but the package's own is reached from the package.
    reached = {"[Content_Types].xml", "_rels/.rels"}
    reached |= {t for _, _, t in relationships(members)}
    reached |= {n for n in members if n.endswith(".rels")}
    assert reached == set(members)


def test_package_members_are_typed_and_related() -> None:
    package = Package()
    main = package.add(Part("/word/document.xml", CT.DOCUMENT, b"<w/>"))
    package.root.relate(RT.OFFICE_DOCUMENT, main)
    table = package.add(Part("/word/fontTable.xml", CT.FONT_TABLE, b"<f/>"))
    assert main.relate(RT.FONT_TABLE, table) == "rId1"
    font = package.add(Part("/word/fonts/font1.odttf", CT.OBFUSCATED_FONT, b"\0"))
    table.relate(RT.FONT, font)
    members = package.members()
    assert_whole(members)
    assert content_types(members)["word/fonts/font1.odttf"] == CT.OBFUSCATED_FONT
    assert ("word/_rels/fontTable.xml.rels", RT.FONT, "word/fonts/font1.odttf") in relationships(members)
    with pytest.raises(ValueError):
        package.add(Part("/word/document.xml", CT.DOCUMENT))


@pytest.mark.parametrize("embed", [False, True])
def test_written_docx_is_a_whole_package(handout: Document, style: StyleSheet, embed: bool) -> None:
    fonts = FontSet.load()
    prepared = fonts.prepare(pdf_text_by_role(handout, style)) if embed else None
    buf = io.BytesIO()
    write_docx(handout, buf, style=style, fonts=fonts, embed=prepared)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        members = {n: z.read(n) for n in z.namelist()}
    assert_whole(members)
    types = content_types(members)
    assert types["word/document.xml"] == CT.DOCUMENT
    assert sum(t == CT.FOOTER for t in types.values()) == 2
    assert any(n.endswith(".odttf") for n in members) == embed
    # And python-docx, an independent reader, opens it and finds the parts.
    opened = docx.Document(io.BytesIO(buf.getvalue()))
    assert opened.core_properties.title == handout.title[:255]
    assert opened.sections[0].footer.paragraphs
