"""Fillable form fields (PDF AcroForm): text fields that take Chinese typed
on screen, and check boxes.

ReportLab's own AcroForm writes fields only in the 14 standard fonts, whose
encoding holds no Han character: a branch typing 学习地点 would get nothing
or mojibake. A field therefore names the PDF's body face as a CID font in
the Adobe-GB1 character collection with the predefined Unicode CMap
UniGB-UTF16-H, not embedded:

- the viewer encodes whatever is typed (any BMP or supplementary-plane
  character) as UTF-16 without a font program of ours, so a subset missing
  the typed character can never bite;
- a viewer finds the face by its PostScript name (仿宋 when the handout was
  built with it) or falls back to its own Adobe-GB1 font: Acrobat, pdf.js,
  PDFium and poppler all know this CMap;
- the printed labels around the fields stay in the embedded faces.

A text field with an initial value (学习时间, prefilled with the study date)
draws that value in its appearance with the page's embedded subset of the
body face, so the file stays free of unembedded fonts in what it shows.

A check box (issue 21) has an /Off appearance that is empty (the page draws
the square, so it also prints where there is no form: the print bundle)
and a /Yes appearance that draws a check mark as a path, no font at all:
nothing to embed for PDF/A. /MK /CA names ZapfDingbats' check (4) only for
viewers that redraw the box themselves.

The widgets are plain dictionaries added through ReportLab's document
objects, so invariant mode keeps builds byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFObject,
    PDFObjectReference,
    PDFStream,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas

from .fonts import DocumentFonts, RawObject, pdf_name, to_unicode_cmap
from .slots import FormField

# The resource name of the field font in /DR and in every /DA.
RESOURCE = "HOField"
CMAP = "UniGB-UTF16-H"
ORDERING = ("Adobe", "GB1", 5)  # the collection UniGB-UTF16-H maps into
# UniGB-UTF16-H maps U+0020…U+007E to CIDs 1…95 (proportional Latin); every
# other CID defaults to a full em.
ASCII_FIRST_CID = 1
ASCII = range(0x20, 0x7F)
# Field flags (PDF 32000-1, table 228) and annotation flag Print (table 165).
FF_MULTILINE = 1 << 12
FF_DO_NOT_SPELL_CHECK = 1 << 22
ANNOT_PRINT = 4
# A text field's appearance with nothing typed: the marked content viewers
# replace with the value (PDF 32000-1, 12.7.3.3).
EMPTY_FIELD = "/Tx BMC EMC"
CHECK_ON = "Yes"  # a check box's export value
# The check mark of a check box's /Yes appearance, in fractions of its side:
# three points of a stroked path and the stroke's width.
CHECK_MARK = ((0.2, 0.52), (0.42, 0.26), (0.82, 0.8))
CHECK_WEIGHT = 0.12


@dataclass(frozen=True)
class FieldFont:
    """What a CID font dictionary needs of the body face, in 1/1000 em."""

    postscript_name: str
    flags: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    ascent: int
    descent: int
    cap_height: int
    stem_v: int
    ascii_widths: tuple[int, ...]

    @classmethod
    def of(cls, reportlab_font: str) -> FieldFont:
        face = pdfmetrics.getFont(reportlab_font).face
        name = face.name.decode("ascii") if isinstance(face.name, bytes) else str(face.name)
        return cls(
            postscript_name=pdf_name(name),
            flags=int(face.flags),
            bbox=tuple(int(v) for v in face.bbox),  # type: ignore[arg-type]
            italic_angle=float(face.italicAngle),
            ascent=int(face.ascent),
            descent=int(face.descent),
            cap_height=int(face.capHeight),
            stem_v=int(face.stemV),
            ascii_widths=tuple(round(face.getCharWidth(c)) for c in ASCII),
        )


class FormFields:
    """Collects a PDF's text fields; call add() per field, then finish()."""

    def __init__(self, canv: Canvas, font: FieldFont) -> None:
        self.canv = canv
        self.font = font
        self._fields: list[object] = []
        self._font_ref: object | None = None

    def _font(self) -> object:
        if self._font_ref is None:
            self._font_ref = self._ref(_type0(self.font, self._ref))
        return self._font_ref

    def _ref(self, obj: object) -> object:
        return self.canv._doc.Reference(obj)

    def _appearance(self, width: float, height: float) -> object:
        """An empty appearance in the field's own box: nothing is pre-filled,
        and PDF/A-minded checkers want every widget to have one. Never shared
        between fields: some fillers (pypdf) rewrite a field's stream in place."""
        return self._ref(_RawStream(
            f"<< /Type /XObject /Subtype /Form /BBox [0 0 {fp_str(width, height)}]"
            f" /Resources << /Font << /{RESOURCE} %s >> >> /Length {len(EMPTY_FIELD)} >>"
            f"\nstream\n{EMPTY_FIELD}\nendstream",
            self._font(),
        ))

    def add(self, f: FormField, page_height: float, fonts: DocumentFonts) -> None:
        """A widget for f on the canvas's current page."""
        if f.kind == "check":
            self._check(f, page_height)
            return
        x0, y0 = f.x, page_height - f.top - f.height
        flags = (FF_MULTILINE if f.multiline else 0) | FF_DO_NOT_SPELL_CHECK
        # White behind typed text (/MK /BG): the empty field shows the page's
        # handwriting rules, a typed one covers them instead of letting them
        # cross lines spaced by the viewer's own leading.
        head = (
            f"<< /Type /Annot /Subtype /Widget /FT /Tx /T {_text(f.name)}"
            + (f" /TU {_text(f.label)}" if f.label else "")
            + (f" /V {_text(f.value)} /DV {_text(f.value)}" if f.value else "")
            + f" /Rect [{fp_str(x0, y0, x0 + f.width, y0 + f.height)}] /F {ANNOT_PRINT} /Ff {flags}"
            + f" /DA {_text(f'/{RESOURCE} {fp_str(f.size)} Tf 0 g')} /Q 0 /MK << /BG [1] >>"
        )
        appearance = (self._filled(f, fonts) if f.glyphs
                      else self._appearance(f.width, f.height))
        annot = _Widget(head, self.canv._doc.thisPageRef(), f"/N {_REF}", appearance)
        self.canv._addAnnotation(annot)
        self._fields.append(self._ref(annot))

    def _filled(self, f: FormField, fonts: DocumentFonts) -> object:
        """The initial value as the appearance: the layout's glyphs in the
        page's embedded faces (their resources exist once the page fonts are
        finished, hence looked up when the file is written)."""
        ops, names = ["/Tx BMC q BT 0 g"], []
        for g in f.glyphs:
            resource, codes = fonts.show(g.font, g.text)
            if resource not in names:
                names.append(resource)
            ops.append(f"/{resource} {fp_str(g.size)} Tf {g.char_space:.4f} Tc"
                       f" 1 0 0 1 {g.x:.3f} {f.height - g.baseline:.3f} Tm <{codes}> Tj")
        ops.append("ET Q EMC")
        return self._ref(_PageFontStream(_form_xobject(f.width, f.height, "\n".join(ops)), names))

    def _check(self, f: FormField, page_height: float) -> None:
        x0, y0 = f.x, page_height - f.top - f.height
        head = (
            f"<< /Type /Annot /Subtype /Widget /FT /Btn /T {_text(f.name)}"
            + (f" /TU {_text(f.label)}" if f.label else "")
            + f" /Rect [{fp_str(x0, y0, x0 + f.width, y0 + f.height)}] /F {ANNOT_PRINT} /Ff 0"
            + " /V /Off /AS /Off /MK << /CA (4) >>"
        )
        side = min(f.width, f.height)
        points = [fp_str(px * side, py * side) for px, py in CHECK_MARK]
        mark = (f"q 0 G {fp_str(CHECK_WEIGHT * side)} w 1 J 1 j {points[0]} m {points[1]} l"
                f" {points[2]} l S Q")
        on = self._ref(_RawStream(_form_xobject(f.width, f.height, mark), None))
        off = self._ref(_RawStream(_form_xobject(f.width, f.height, ""), None))
        # Only /N: PDF/A-2b (ISO 19005-2, 6.3.3) allows no other appearance
        # (no /D pressed look); a viewer shows the same mark while clicking.
        appearance = f"/N << /{CHECK_ON} {_REF} /Off {_REF} >>"
        annot = _Widget(head, self.canv._doc.thisPageRef(), appearance, on, off)
        self.canv._addAnnotation(annot)
        self._fields.append(self._ref(annot))

    def finish(self) -> None:
        """Attach the AcroForm to the catalogue (if any field was added)."""
        if not self._fields:
            return
        form = PDFDictionary({
            "Fields": PDFArray(self._fields),
            "DA": PDFString(f"/{RESOURCE} 0 Tf 0 g"),
            "DR": PDFDictionary({"Font": PDFDictionary({RESOURCE: self._font()})}),
        })
        self.canv._doc._catalog.AcroForm = self._ref(form)


_REF = "%s"  # where a reference goes in a widget's /AP


class _Widget(PDFObject):
    """A widget dictionary written as one string. Sixty fields on a sign-in
    sheet cost ReportLab's generic dictionary formatting more than the rest of
    the page; only the references wait for the final numbering."""

    def __init__(self, head: str, page: PDFObjectReference, appearance: str, *refs: object) -> None:
        self.head, self.page, self.appearance, self.refs = head, page, appearance, refs

    def format(self, document: object) -> bytes:
        page = self.page.format(document)
        refs = tuple(r.format(document) for r in self.refs)  # type: ignore[attr-defined]
        ap = self.appearance.encode("ascii") % refs
        return b"%s /P %s /AP << %s >> >>" % (self.head.encode("ascii"), page, ap)


def _form_xobject(width: float, height: float, content: str, resources: str = "<< >>") -> str:
    data = content.encode("ascii")
    return (f"<< /Type /XObject /Subtype /Form /BBox [0 0 {fp_str(width, height)}]"
            f" /Resources {resources} /Length {len(data)} >>\nstream\n{content}\nendstream")


class _RawStream(PDFObject):
    """A small uncompressed stream object written as one string, with a reference
    (or none: ref None and no %s in the template)."""

    def __init__(self, template: str, ref: object) -> None:
        self.template, self.ref = template, ref

    def format(self, document: object) -> bytes:
        data = self.template.encode("ascii")
        return data if self.ref is None else data % self.ref.format(document)  # type: ignore[attr-defined]


class _PageFontStream(PDFObject):
    """A form XObject whose font resources are the page fonts' Type0 objects,
    which DocumentFonts.finish() adds after every page is drawn."""

    def __init__(self, template: str, resources: list[str]) -> None:
        self.template, self.resources = template, resources

    def format(self, document: object) -> bytes:
        fonts = document.idToObject["BasicFonts"].dict  # type: ignore[attr-defined]
        entries = " ".join(f"/{r} {fonts[r].format(document).decode('ascii')}" for r in self.resources)
        data = self.template.replace("/Resources << >>", f"/Resources << /Font << {entries} >> >>", 1)
        return data.encode("ascii")


def _text(s: str) -> str:
    """A PDF text string: literal when printable ASCII, else UTF-16BE hex with a BOM."""
    if all(0x20 <= ord(c) < 0x7F for c in s):
        return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"


def _type0(font: FieldFont, ref: object) -> RawObject:
    registry, ordering, supplement = ORDERING
    name = font.postscript_name
    descriptor = ref(RawObject(  # type: ignore[operator]
        f"<< /Type /FontDescriptor /FontName /{name} /Flags {font.flags}"
        f" /FontBBox [{fp_str(*font.bbox)}] /ItalicAngle {fp_str(font.italic_angle)}"
        f" /Ascent {font.ascent} /Descent {font.descent} /CapHeight {font.cap_height}"
        f" /StemV {font.stem_v} >>"
    ))
    cid_font = ref(RawObject(  # type: ignore[operator]
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name}"
        f" /CIDSystemInfo << /Registry ({registry}) /Ordering ({ordering}) /Supplement {supplement} >>"
        f" /FontDescriptor %s /DW 1000 /W [{ASCII_FIRST_CID} [{' '.join(map(str, font.ascii_widths))}]] >>",
        descriptor,
    ))
    return RawObject(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /{CMAP}"
        " /DescendantFonts [%s] /ToUnicode %s >>",
        cid_font, ref(PDFStream(PDFDictionary({}), _utf16_to_unicode())),  # type: ignore[operator]
    )


def _utf16_to_unicode() -> str:
    """A ToUnicode CMap saying what UniGB-UTF16-H already implies: a BMP code
    is its own code point. Readers know that for the predefined CMap; tools
    that fill forms (pypdf among them) only trust an explicit map."""
    highs = [h for h in range(0x100) if not 0xD8 <= h <= 0xDF]  # surrogates are not characters
    ranges = [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in highs]
    return to_unicode_cmap("HOField-UTF16-UCS", "bfrange", ranges)
