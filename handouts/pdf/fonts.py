"""The embedded fonts of one PDF: one composite font per face (L23).

ReportLab embeds a TrueType face as simple fonts of at most 256 glyphs each.
A page of Chinese draws from a dozen of them, so every line was cut into as
many strings, each with its own font switch and position, and every
document carried a font dictionary, a widths array and a ToUnicode map per
256 glyphs: half the time of a one-page sheet went into formatting those.

Here each face becomes one Type0 font (PDF 32000-1, 9.7): a CIDFontType2
with 2-byte codes (Identity-H), the way TeX engines and Word export CJK
text. A run of text is one string. Codes are numbered in order of first use
in the document, and the embedded program holds just those glyphs in that
order (CIDToGIDMap Identity), so the bytes depend on the glyphs drawn, not
on the numbering of the file they came from. The font program itself is
cut by ReportLab (TTFontFace.makeSubset), which handles composite glyphs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFObject, PDFStream, PDFZCompress

# Resource names of these fonts; ReportLab's own are F1, F2, …
RESOURCE_PREFIX = "HF"
# Default glyph width (1/1000 em): a Han character; only other widths are listed.
DEFAULT_WIDTH = 1000
# At most 100 entries per bfchar block (PDF 32000-1, 9.10.3).
CMAP_BLOCK = 100


def pdf_name(name: str) -> str:
    """A PostScript name as a PDF name token: printable ASCII without
    delimiters (PDF 32000-1, 7.3.5)."""
    return "".join(c for c in name if 0x21 <= ord(c) <= 0x7E and c not in "()<>[]{}/%#") or "Font"


def postscript_name(face: Any) -> str:
    """The face's PostScript name as ReportLab reports it (with "-N" for a
    member of a font collection)."""
    raw = bytes(face.name) + bytes(getattr(face, "subfontNameX", b""))
    return pdf_name(raw.decode("latin-1"))


class DocumentFonts:
    """The fonts one PDF uses, filled while its pages are drawn."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._faces: dict[str, _FaceUse] = {}

    def show(self, font_name: str, text: str) -> tuple[str, str]:
        """(resource name, hex string of codes) to set text in a ReportLab font."""
        use = self._faces.get(font_name)
        if use is None:
            face = pdfmetrics.getFont(font_name).face
            resource = f"{RESOURCE_PREFIX}{len(self._faces) + 1}"
            use = self._faces[font_name] = _FaceUse(face, resource)
        return use.resource, use.codes_of(text)

    def finish(self) -> None:
        """Add every used font to the document's font resources; call once, before save."""
        fonts = self.doc.idToObject["BasicFonts"].dict
        for use in self._faces.values():
            if use.order:
                fonts[use.resource] = use.add_objects(self.doc)


class _FaceUse:
    """One face in one document: the codes given out so far."""

    def __init__(self, face: Any, resource: str) -> None:
        self.face = face
        self.resource = resource
        self.order: list[int] = []  # code point per glyph: glyph (and code) n is order[n - 1]
        self._hex: dict[str, str] = {}  # character → its code, 4 hex digits
        self._by_glyph: dict[int, str] = {}  # glyph of the face → code

    def codes_of(self, text: str) -> str:
        table = self._hex
        try:
            return "".join([table[ch] for ch in text])
        except KeyError:
            for ch in text:
                if ch not in table:
                    table[ch] = self._new_code(ch)
            return "".join([table[ch] for ch in text])

    def _new_code(self, ch: str) -> str:
        glyph = self.face.charToGlyph.get(ord(ch), 0)
        if not glyph:
            # Layout only draws characters the font has (fonts.prepare
            # checks them); were one missing, it would show as .notdef.
            return "0000"
        code = self._by_glyph.get(glyph)
        if code is None:
            self.order.append(ord(ch))
            code = self._by_glyph[glyph] = f"{len(self.order):04X}"
        return code

    def add_objects(self, doc: Any) -> Any:
        """The Type0 font with its descendant, descriptor, program and
        ToUnicode map as document objects; returns the Type0 font's reference."""
        face = self.face
        base = f"{_subset_tag(self.resource, self.order)}+{postscript_name(face)}"
        # makeSubset puts .notdef first, then one glyph per code point in
        # order (all distinct): glyph n is code n, hence CIDToGIDMap Identity.
        descriptor = face.addSubsetObjects(doc, base, self.order)
        widths = [face.getCharWidth(cp) for cp in self.order]
        cid_font = doc.Reference(RawObject(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base}"
            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            f" /FontDescriptor %s /DW {DEFAULT_WIDTH} /W [{_w_array(widths)}]"
            " /CIDToGIDMap /Identity >>",
            descriptor,
        ))
        to_unicode = PDFStream(PDFDictionary({}), _to_unicode(self.order, base))
        if doc.compression:
            to_unicode.filters = [PDFZCompress]
        return doc.Reference(RawObject(
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H"
            " /DescendantFonts [%s] /ToUnicode %s >>",
            cid_font, doc.Reference(to_unicode),
        ))


class RawObject(PDFObject):
    """A dictionary written as one string; only references wait for numbering
    (ReportLab's generic formatting of numbers and names costs more than
    the rest of a one-page PDF)."""

    def __init__(self, template: str, *refs: Any) -> None:
        self.template, self.refs = template, refs

    def format(self, document: Any) -> bytes:
        return self.template.encode("ascii") % tuple(r.format(document) for r in self.refs)


def _subset_tag(resource: str, order: list[int]) -> str:
    """Six capitals naming the subset (PDF 32000-1, 9.6.4), from its glyphs
    and resource name: builds stay byte-identical, and two faces that share
    a PostScript name never share a subset name (ReportLab names the
    descriptor after it)."""
    digest = hashlib.sha256(f"{resource}:{','.join(map(str, order))}".encode("ascii")).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _w_array(widths: list[float]) -> str:
    """The W array's entries for codes 1…n: runs of widths other than DW."""
    out: list[str] = []
    run: list[str] = []
    start = 0
    for code, width in enumerate(widths, start=1):
        if width == DEFAULT_WIDTH:
            if run:
                out.append(f"{start} [{' '.join(run)}]")
                run = []
            continue
        if not run:
            start = code
        run.append(fp_str(width))
    if run:
        out.append(f"{start} [{' '.join(run)}]")
    return " ".join(out)


def _to_unicode(order: list[int], name: str) -> str:
    """code → character, for copying and searching text."""
    entries = [f"<{code:04X}> <{chr(cp).encode('utf-16-be').hex().upper()}>"
               for code, cp in enumerate(order, start=1)]
    return to_unicode_cmap(f"{name.replace('+', '-')}-UCS", "bfchar", entries)


def to_unicode_cmap(cmap_name: str, kind: str, entries: list[str]) -> str:
    """A ToUnicode CMap for 2-byte codes (PDF 32000-1, 9.10.3): entries are
    bfchar ("<code> <UTF-16BE>") or bfrange lines, at most 100 per block."""
    blocks = []
    for start in range(0, len(entries), CMAP_BLOCK):
        chunk = entries[start : start + CMAP_BLOCK]
        blocks.append(f"{len(chunk)} begin{kind}\n" + "\n".join(chunk) + f"\nend{kind}")
    return "\n".join([
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{cmap_name} def",
        "/CMapType 2 def",
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange",
        *blocks,
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ])
