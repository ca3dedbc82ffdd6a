"""ReportLab font objects: made once per (name, file), registered on demand.

ReportLab keeps fonts in a process-wide registry (pdfmetrics) keyed by name;
a name may be re-registered with a wider subset by a later prepare(), so a
PreparedFonts re-activates its own font objects before drawing with them.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFace

from .discovery import FontFace
from .reuse import reuse_subsets

Source = tuple[str, int]  # (file ReportLab reads, subfont index)

_RL_FONTS: dict[tuple[str, Source], TTFont] = {}
_ACTIVE: dict[str, TTFont] = {}  # what we last registered under each name
_COLLECTIONS: dict[str, bool] = {}  # font file → is it a collection (.ttc)
_WHOLE_FACES: dict[Source, TTFontFace] = {}  # whole TrueType faces, read only if needed


def clear_memo() -> None:
    for memo in (_RL_FONTS, _ACTIVE, _COLLECTIONS, _WHOLE_FACES):
        memo.clear()


class FaceFailed(Exception):
    def __init__(self, face: FontFace, reason: str) -> None:
        super().__init__(reason)
        self.face, self.reason = face, reason



def reportlab_font(face: FontFace, name: str, source: Source) -> tuple[TTFont, Source]:
    """The ReportLab font for a name, and the file it was read from.

    A TrueType subset ReportLab cannot read (it should not happen) gives way
    to the whole face, so that failures and their messages stay as they were.
    """
    font = _RL_FONTS.get((name, source))
    if font is not None:
        return font, source
    path, index = source
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError) as exc:
        if is_subset(face, source):
            return reportlab_font(face, name, whole_source(face))
        raise FaceFailed(face, f"ReportLab 无法读取：{exc}") from exc
    if is_subset(face, source):
        # ReportLab names a collection member "<PostScript name>-<index>" in
        # the PDF; reading the subset it would not know the face came from one.
        font.face.subfontNameX = f"-{face.index}".encode() if is_collection(face.path) else b""
    reuse_subsets(font)
    _RL_FONTS[(name, source)] = font
    return font, source


def whole_source(face: FontFace) -> Source:
    return (str(face.path), face.index)


def is_subset(face: FontFace, source: Source) -> bool:
    """Whether ReportLab reads a cached subset of a TrueType face rather than the face itself."""
    return not face.is_cff and source != whole_source(face)


def is_collection(path: Path) -> bool:
    if str(path) not in _COLLECTIONS:
        with open(path, "rb") as fh:
            _COLLECTIONS[str(path)] = fh.read(4) == b"ttcf"
    return _COLLECTIONS[str(path)]



def widen(font: TTFont, source: Source) -> bool:
    """Give a font read from a subset its whole face; False if that cannot be read.

    The whole face embeds what the subset held with the same bytes (see
    fontconvert.build_subset), so even a font already drawn with can switch.
    """
    face = _WHOLE_FACES.get(source)
    if face is None:
        try:
            face = _WHOLE_FACES[source] = TTFontFace(source[0], subfontIndex=source[1])
        except (TTFError, OSError, ValueError):
            return False
    font.face = face
    return True


def activate(name: str, font: TTFont) -> None:
    """Make `font` the one ReportLab draws under `name`."""
    # Another prepare() may have registered a different font under this
    # name; drawing with a PreparedFonts must use its own fonts.
    if _ACTIVE.get(name) is not font:
        # registerFont sets up the family mapping Paragraph needs, but it
        # keeps a name's first font and maps a new name to any earlier
        # font of the same PostScript name: both would be stale subsets.
        pdfmetrics.registerFont(font)
        pdfmetrics._fonts[name] = font
        _ACTIVE[name] = font
