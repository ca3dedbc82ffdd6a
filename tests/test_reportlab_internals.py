"""The ReportLab internals handouts relies on, checked one by one.

pyproject.toml bounds reportlab below its next major version; when that bound
is raised, these tests say exactly which internal moved. Each names the
module of ours that depends on it.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest
import reportlab
from packaging.requirements import Requirement
from packaging.version import Version
from reportlab import rl_config
from reportlab.lib import rl_accel
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfgen.canvas import Canvas

from handouts.fonts import cmap, registry, reuse
from handouts.fonts.scan import read_faces, scan_dirs

ROOT = Path(__file__).resolve().parent.parent


def _glyf_font() -> tuple[Path, int]:
    """An installed TrueType-outline face (CI installs the AR PL fonts)."""
    for path in scan_dirs([Path("/usr/share/fonts")]):
        for face in read_faces(path):
            if face.outline == "glyf" and face.cjk:
                return Path(face.path), face.index
    raise AssertionError("no TrueType CJK font installed (fonts-arphic-ukai)")


def test_installed_reportlab_is_within_the_declared_bound() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    [spec] = [Requirement(d) for d in deps if Requirement(d).name == "reportlab"]
    assert any(s.operator == "<" for s in spec.specifier), "reportlab needs an upper bound"
    assert Version(reportlab.Version) in spec.specifier, (reportlab.Version, str(spec.specifier))


def test_font_registry_is_a_name_to_font_dict() -> None:
    # fonts/registry.activate re-points a name at a wider subset by writing
    # pdfmetrics._fonts, which registerFont would not replace.
    assert isinstance(pdfmetrics._fonts, dict)
    path, index = _glyf_font()
    font = ttfonts.TTFont("HO-internals-test", str(path), subfontIndex=index)
    pdfmetrics.registerFont(font)
    # registerFont may map the name to an earlier font of the same face (the
    # reason activate() exists); writing the dict must win.
    assert "HO-internals-test" in pdfmetrics._fonts
    other = ttfonts.TTFont("HO-internals-test", str(path), subfontIndex=index)
    pdfmetrics._fonts["HO-internals-test"] = other
    assert pdfmetrics.getFont("HO-internals-test") is other


def test_face_attributes_the_writers_read() -> None:
    # pdf/fonts.py, pdf/form.py, pdf/layout.py, fonts/prepared.py, fonts/registry.py.
    path, index = _glyf_font()
    face = ttfonts.TTFontFace(str(path), subfontIndex=index)
    for attr in ("name", "charToGlyph", "descent", "ascent", "capHeight", "bbox", "italicAngle",
                 "stemV", "flags", "defaultWidth", "subfontNameX"):
        assert hasattr(face, attr), attr
    assert isinstance(face.charToGlyph, dict) and face.charToGlyph.get(ord("中"))
    assert face.getCharWidth(ord("中")) > 0
    assert callable(face.makeSubset) and callable(face.addSubsetObjects)


def test_reportlab_cmap_choice_is_the_one_read_cmap_mirrors() -> None:
    # fonts/cmap._reportlab_subtable copies TTFontFile.extractInfo's choice of
    # cmap subtable: what we call covered must be what ReportLab draws.
    path, index = _glyf_font()
    face = ttfonts.TTFontFace(str(path), subfontIndex=index)
    ours = cmap.read_cmap(path, index, reportlab_choice=True)
    theirs = {cp: gid for cp, gid in face.charToGlyph.items() if gid}
    assert set(ours) == set(theirs)
    assert all(ours[cp] == theirs[cp] for cp in theirs)


def _draw(font_name: str) -> bytes:
    buf = io.BytesIO()
    canv = Canvas(buf, invariant=1, pageCompression=1, initialFontName=font_name)
    canv.setFont(font_name, 12)
    canv.drawString(72, 720, "政治理论学习 ABC")
    canv.showPage()
    canv.save()
    return buf.getvalue()


def test_streams_are_compressed_through_pdfzcompress_encode(monkeypatch) -> None:
    # fonts/reuse.reuse_compression memoises PDFZCompress.encode; if ReportLab
    # compressed elsewhere the memo would silently stop paying.
    assert isinstance(pdfdoc.PDFZCompress, pdfdoc.PDFStreamFilterZCompress)
    calls: list[int] = []
    original = pdfdoc.PDFZCompress.encode
    monkeypatch.setattr(pdfdoc.PDFZCompress, "encode", lambda text: calls.append(1) or original(text))
    _draw("Helvetica")
    assert calls, "ReportLab no longer compresses streams through pdfdoc.PDFZCompress.encode"


def test_subsets_are_cut_through_the_face_makesubset(monkeypatch) -> None:
    # fonts/reuse.reuse_subsets replaces face.makeSubset on the instance.
    path, index = _glyf_font()
    font = ttfonts.TTFont("HO-internals-subset", str(path), subfontIndex=index)
    # As the font layer does: registerFont alone would map the name to an
    # earlier font of the same face (test_font_registry_is_a_name_to_font_dict).
    registry.activate("HO-internals-subset", font)
    assert pdfmetrics.getFont("HO-internals-subset") is font
    reuse.reuse_subsets(font)
    memo = font.face.makeSubset
    assert isinstance(memo, reuse._Memo)
    cut: list[tuple[int, ...]] = []
    inner = memo._make
    memo._make = lambda codes: cut.append(tuple(codes)) or inner(codes)
    first = _draw("HO-internals-subset")
    assert cut, "ReportLab no longer cuts subsets through face.makeSubset"
    assert _draw("HO-internals-subset") == first  # the memo gives the same bytes


def test_document_internals_the_pdf_writer_uses() -> None:
    # pdf/writer.py, pdf/fonts.py (DocumentFonts), pdf/form.py (AcroForm).
    assert hasattr(rl_config, "useA85")
    assert callable(rl_accel.fp_str)
    canv = Canvas(io.BytesIO(), invariant=1, pageCompression=1)
    doc = canv._doc
    assert isinstance(doc.idToObject["BasicFonts"].dict, dict)
    assert hasattr(doc, "_catalog") and hasattr(doc, "compression")
    assert callable(doc.Reference) and callable(doc.thisPageRef)
    for name in ("PDFArray", "PDFDictionary", "PDFObject", "PDFObjectReference", "PDFStream", "PDFString"):
        assert hasattr(pdfdoc, name), name


@pytest.mark.parametrize("attr", ["registerFont", "getFont"])
def test_pdfmetrics_functions(attr: str) -> None:
    assert callable(getattr(pdfmetrics, attr))
