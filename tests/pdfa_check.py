"""What the tests check of a PDF/A-2b file (ISO 19005-2, level B), with pikepdf.

Two checks. problems() tests each requirement of the issue one by one and
returns every violation found, in words, so that a failing test says what
is wrong. validator_findings() runs pikepdf's own PDF/A validator
(pikepdf.pdfa, pip extra "pikepdf[pdfa]"): an allowlist checker built on
veraPDF's rule catalogue that approves a file only if it recognises every
construct. It does not support interactive forms, so a sheet with fields is
validated without its AcroForm and widgets (their part is problems()'s).
veraPDF itself is a Java program that none of the registries here carries.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont

XMP_PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
XMP_DC = "{http://purl.org/dc/elements/1.1/}"
XMP_XMP = "{http://ns.adobe.com/xap/1.0/}"
XMP_PDF = "{http://ns.adobe.com/pdf/1.3/}"
ANNOT_PRINT, ANNOT_HIDDEN_BITS = 4, 1 | 2 | 32 | 256  # Invisible, Hidden, NoView, ToggleNoView


def qpdf_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)


def validator_findings(path: Path, *, without_form: bool = False) -> list[str]:
    """pikepdf.pdfa's findings for path as PDF/A-2b; [] when it passes."""
    import pikepdf.pdfa

    data = path.read_bytes()
    if without_form:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            del pdf.Root.AcroForm
            for page in pdf.pages:
                if "/Annots" in page.obj:
                    del page.obj.Annots
            buf = io.BytesIO()
            pdf.save(buf, min_version="1.7", deterministic_id=True, compress_streams=False,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none)
            data = buf.getvalue()
    report = pikepdf.pdfa.validate_written(io.BytesIO(data), "2b")
    return [] if report.passed else [str(f) for f in report.findings] or [str(report.verdict)]


def problems(path: Path) -> list[str]:
    data = path.read_bytes()
    out = _header(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out += _trailer(pdf)
        out += _metadata(pdf)
        out += _output_intent(pdf)
        out += _fonts(pdf)
        out += _forbidden(pdf)
        out += _annotations(pdf)
    return out


def _header(data: bytes) -> list[str]:
    first, _, rest = data.partition(b"\n")
    second = rest.split(b"\n", 1)[0]
    out = []
    if first.rstrip(b"\r") != b"%PDF-1.7":
        out.append(f"header {first[:10]!r}, not %PDF-1.7")
    if not (second.startswith(b"%") and len(second) >= 5 and all(b > 127 for b in second[1:5])):
        out.append("no binary comment line after the header")
    if not data.rstrip(b"\r\n").endswith(b"%%EOF"):
        out.append("data after %%EOF")
    return out


def _trailer(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    ids = pdf.trailer.get("/ID")
    if not isinstance(ids, pikepdf.Array) or len(ids) != 2:
        out.append("no document ID in the trailer")
    if "/Encrypt" in pdf.trailer or pdf.is_encrypted:
        out.append("encrypted")
    return out


def pdf_date_to_xmp(value: str) -> str:
    return pikepdf.models.metadata.decode_pdf_date(value).isoformat()


def _metadata(pdf: pikepdf.Pdf) -> list[str]:
    root = pdf.Root
    if "/Metadata" not in root:
        return ["no XMP metadata"]
    out = []
    if "/Filter" in root.Metadata.stream_dict:
        out.append("the metadata stream is filtered")
    if b"bytes=" in root.Metadata.read_bytes()[:200] or b"encoding=" in root.Metadata.read_bytes()[:200]:
        out.append("xpacket header carries bytes/encoding")
    meta = pdf.open_metadata()
    if meta.get(f"{XMP_PDFAID}part") != "2" or meta.get(f"{XMP_PDFAID}conformance") != "B":
        out.append(f"pdfaid is {meta.pdfa_status!r}, not 2B")
    info = pdf.docinfo
    expect = {
        f"{XMP_DC}title": str(info.get("/Title", "")),
        f"{XMP_DC}creator": [str(info.get("/Author", ""))],
        f"{XMP_DC}description": str(info.get("/Subject", "")),
        f"{XMP_PDF}Keywords": str(info.get("/Keywords", "")),
        f"{XMP_PDF}Producer": str(info.get("/Producer", "")),
        f"{XMP_XMP}CreatorTool": str(info.get("/Creator", "")),
        f"{XMP_XMP}CreateDate": pdf_date_to_xmp(str(info.CreationDate)),
        f"{XMP_XMP}ModifyDate": pdf_date_to_xmp(str(info.ModDate)),
    }
    for key, value in expect.items():
        got = meta.get(key)
        if isinstance(value, list):
            got = list(got or [])
        elif key.endswith("Date") and got:
            got = datetime.fromisoformat(got).isoformat()
        if got != value:
            out.append(f"XMP {key} = {got!r}, Info says {value!r}")
    return out


def _output_intent(pdf: pikepdf.Pdf) -> list[str]:
    intents = [oi for oi in pdf.Root.get("/OutputIntents", []) if oi.get("/S") == "/GTS_PDFA1"]
    if len(intents) != 1:
        return [f"{len(intents)} GTS_PDFA1 output intents"]
    profile = intents[0].get("/DestOutputProfile")
    if profile is None:
        return ["output intent without a profile"]
    icc = profile.read_bytes()
    out = []
    if icc[36:40] != b"acsp" or icc[16:20] != b"RGB " or int(profile.get("/N", 0)) != 3:
        out.append("the output profile is not an RGB ICC profile with N 3")
    if icc[8] > 4:
        out.append(f"ICC version {icc[8]} is newer than PDF 1.7 knows")
    return out


def _contents(pdf: pikepdf.Pdf) -> Iterator[tuple[str, object, pikepdf.Dictionary]]:
    """(where, content stream owner, its resources) for pages, their form
    XObjects and annotation appearances."""
    seen: set[tuple[int, int]] = set()

    def forms(owner: object, resources: pikepdf.Dictionary, where: str) -> Iterator:
        yield where, owner, resources
        for name, xobj in resources.get("/XObject", {}).items():
            if xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
                seen.add(xobj.objgen)
                yield from forms(xobj, xobj.get("/Resources", pikepdf.Dictionary()), f"{where} {name}")

    for n, page in enumerate(pdf.pages, start=1):
        yield from forms(page, page.obj.get("/Resources", pikepdf.Dictionary()), f"page {n}")
        for annot in page.obj.get("/Annots", []):
            ap = annot.get("/AP", {}).get("/N")
            if isinstance(ap, pikepdf.Stream):
                yield from forms(ap, ap.get("/Resources", pikepdf.Dictionary()), f"page {n} widget")


def _fonts(pdf: pikepdf.Pdf) -> list[str]:
    """Every font used for rendering (named by a Tf operator, ISO 19005-2 6.2.2):
    embedded, ToUnicode, and widths equal to the program's for every code drawn."""
    out: list[str] = []
    checked: dict[tuple[int, int], set[int]] = {}
    fonts: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for where, owner, resources in _contents(pdf):
        font = None
        for operands, op in pikepdf.parse_content_stream(owner):
            if op == pikepdf.Operator("Tf"):
                font = resources.Font[str(operands[0])]
                fonts[font.objgen] = font
                checked.setdefault(font.objgen, set())
            elif op in (pikepdf.Operator("Tj"), pikepdf.Operator("TJ")):
                if font is None:
                    out.append(f"{where}: text without a font")
                    continue
                strings = operands[0] if op == pikepdf.Operator("TJ") else [operands[0]]
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        raw = bytes(s)
                        checked[font.objgen].update(int.from_bytes(raw[i:i + 2], "big")
                                                    for i in range(0, len(raw), 2))
    for objgen, font in fonts.items():
        out += _font(font, checked[objgen])
    return out


def _font(font: pikepdf.Dictionary, codes: set[int]) -> list[str]:
    name = str(font.get("/BaseFont"))
    if font.get("/Subtype") != "/Type0":
        return [f"{name}: {font.get('/Subtype')} font (the writer makes Type0 only)"]
    out = []
    if "/ToUnicode" not in font:
        out.append(f"{name}: no ToUnicode")
    cid = font.DescendantFonts[0]
    descriptor = cid.FontDescriptor
    if "/FontFile2" not in descriptor:
        return [*out, f"{name}: font program not embedded"]
    if cid.get("/CIDToGIDMap") != "/Identity":
        out.append(f"{name}: CIDToGIDMap is not Identity")
    program = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
    scale = 1000 / program["head"].unitsPerEm
    glyphs = program.getGlyphOrder()
    widths = _w_map(cid)
    dw = float(cid.get("/DW", 1000))
    for code in sorted(codes):
        if code >= len(glyphs):
            out.append(f"{name}: code {code} has no glyph in the program")
            continue
        advance = program["hmtx"][glyphs[code]][0] * scale
        if abs(widths.get(code, dw) - advance) > 1:
            out.append(f"{name}: code {code} width {widths.get(code, dw)}, program {advance}")
    return out


def _w_map(cid: pikepdf.Dictionary) -> dict[int, float]:
    w = list(cid.get("/W", []))
    out: dict[int, float] = {}
    i = 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], pikepdf.Array):
            for k, v in enumerate(w[i + 1]):
                out[first + k] = float(v)
            i += 2
        else:
            for c in range(first, int(w[i + 1]) + 1):
                out[c] = float(w[i + 2])
            i += 3
    return out


def _forbidden(pdf: pikepdf.Pdf) -> list[str]:
    """Transparency, JavaScript and actions, anywhere in the file."""
    out = []
    root = pdf.Root
    for key in ("/OpenAction", "/AA"):
        if key in root:
            out.append(f"catalogue has {key}")
    if "/JavaScript" in root.get("/Names", {}):
        out.append("document JavaScript")
    form = root.get("/AcroForm")
    if form is not None:
        if bool(form.get("/NeedAppearances", False)):
            out.append("AcroForm NeedAppearances true")
        if "/XFA" in form:
            out.append("XFA form")
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        d = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
        if "/Group" in d and d.Group.get("/S") == "/Transparency":
            out.append(f"transparency group in {obj.objgen}")
        if d.get("/S") == "/JavaScript" or "/JS" in d:
            out.append(f"JavaScript action in {obj.objgen}")
        if "/SMask" in d and d.get("/SMask") != "/None":
            out.append(f"soft mask in {obj.objgen}")
        for key in ("/CA", "/ca"):
            if key in d and float(d[key]) != 1.0:
                out.append(f"constant alpha in {obj.objgen}")
    return out


def _annotations(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    for n, page in enumerate(pdf.pages, start=1):
        for annot in page.obj.get("/Annots", []):
            flags = int(annot.get("/F", 0))
            if not flags & ANNOT_PRINT or flags & ANNOT_HIDDEN_BITS:
                out.append(f"page {n}: annotation flags {flags}, not printable")
            if "/A" in annot or "/AA" in annot:
                out.append(f"page {n}: annotation with an action")
            ap = annot.get("/AP")
            if annot.get("/Subtype") not in ("/Popup", "/Link"):
                if ap is None or set(ap.keys()) != {"/N"}:
                    out.append(f"page {n}: appearance dictionary is not exactly /N")
                elif annot.get("/FT") != "/Btn" and not isinstance(ap.N, pikepdf.Stream):
                    out.append(f"page {n}: normal appearance is not a stream")
    return out
