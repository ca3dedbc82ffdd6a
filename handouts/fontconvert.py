"""CFF-flavoured OpenType → TrueType subsets that ReportLab can embed.

ReportLab embeds only glyf outlines, while the free CJK faces (Noto CJK,
Source Han) are CFF. We therefore build, per face and character set, a small
TrueType font holding just the glyphs in use, with outlines converted by
cu2qu, and cache it on disk.

The converted file keeps the original face's head, hhea, OS/2, name and post
data byte for byte, and every glyph is converted on its own. ReportLab copies
exactly those tables plus the glyphs it uses into the PDF, so a PDF comes out
the same whether its font came from an exact subset or from a larger cached
one: the cache state never changes the output.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.ttLib.tables.DefaultTable import DefaultTable
from reportlab.pdfbase import ttfonts

from .fontfiles import atomic_write, read_cmap

# Part of every cache key: bump when the bytes this module writes change.
CONVERTER_VERSION = 2
# Allowed cubic→quadratic deviation in font units: 1/1000 em is 0.016 pt at
# 16 pt, far below what print or screen can show.
MAX_ERR = 1.0
# maxp limits are written as at least these values so that they do not depend
# on which glyphs a subset holds (Noto Serif CJK peaks at 938 points and 43
# contours); upper bounds are what maxp asks for.
MAXP_POINTS_FLOOR = 2048
MAXP_CONTOURS_FLOOR = 128
# Tables ReportLab copies into the PDF, taken over unchanged.
_RAW_TABLES = ("OS/2", "name")


@dataclass(frozen=True)
class _Converted:
    """One glyph ready for the glyf table, with what hmtx and maxp need of it."""

    glyph: Glyph
    advance: int
    lsb: int
    points: int
    contours: int


def build_truetype(
    src: Path, index: int, codepoints: Iterable[int], reuse: Path | None = None
) -> bytes:
    """A TrueType font with the glyphs of `codepoints` from face `index` of `src`.

    `reuse` names an earlier result for the same face: glyphs found there are
    copied instead of converted again (the bytes are the same either way).
    """
    cmap = read_cmap(src, index, reportlab_choice=False)
    wanted = sorted(cp for cp in set(codepoints) if cp in cmap)
    with TTFont(src, fontNumber=index, lazy=True, recalcBBoxes=False) as font:
        order = font.getGlyphOrder()
        names = [order[gid] for gid in sorted({0} | {cmap[cp] for cp in wanted})]
        glyphs = _donor_glyphs(reuse, {order[cmap[cp]]: cp for cp in wanted}) if reuse else {}
        glyphset = font.getGlyphSet()
        for name in names:
            if name not in glyphs:
                glyphs[name] = _convert(glyphset[name], font["hmtx"][name][0])
        out = TTFont(recalcBBoxes=False, recalcTimestamp=False)
        out.setGlyphOrder(names)
        for tag in ("head", "hhea"):
            out[tag] = _decompiled(font, out, tag)
        for tag in _RAW_TABLES:
            out[tag] = _raw(tag, font.reader[tag])
        out["post"] = _raw("post", b"\x00\x03\x00\x00" + font.reader["post"][4:32])
    out["head"].glyphDataFormat = 0
    out["cmap"] = _cmap({cp: order[cmap[cp]] for cp in wanted})
    out["glyf"] = glyf = newTable("glyf")
    # Every glyph padded to 4 bytes: a glyph's bytes then never depend on the
    # size of the font it sits in (fontTools pads odd ones only in small fonts).
    glyf.padding = 4
    glyf.glyphOrder, glyf.glyphs = names, {n: glyphs[n].glyph for n in names}
    out["loca"] = newTable("loca")
    out["hmtx"] = hmtx = newTable("hmtx")
    hmtx.metrics = {n: (glyphs[n].advance, glyphs[n].lsb) for n in names}
    out["maxp"] = _maxp([glyphs[n] for n in names])
    buf = io.BytesIO()
    out.save(buf, reorderTables=True)
    return buf.getvalue()


def _convert(glyph: object, advance: int) -> _Converted:
    pen = TTGlyphPen(None)
    # CFF contours run counter-clockwise, TrueType ones clockwise.
    glyph.draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))  # type: ignore[attr-defined]
    result = pen.glyph()
    result.recalcBounds(None)
    if result.numberOfContours <= 0:
        return _Converted(result, advance, 0, 0, 0)
    return _Converted(result, advance, result.xMin, len(result.coordinates), result.numberOfContours)


def _donor_glyphs(path: Path, wanted: dict[str, int]) -> dict[str, _Converted]:
    """Glyphs of an earlier conversion, by source glyph name (found through the cmap)."""
    try:
        donor_cmap = read_cmap(path, 0, reportlab_choice=False)
        with TTFont(path, lazy=True) as donor:
            # Glyph names are not stored (post format 3): number them, and
            # read raw glyph data without letting fontTools expand it.
            donor.setGlyphOrder([f"g{i}" for i in range(donor["maxp"].numGlyphs)])
            raw, metrics = donor["glyf"].glyphs, donor["hmtx"].metrics
            found = {}
            for name, cp in wanted.items():
                if cp in donor_cmap:
                    key = f"g{donor_cmap[cp]}"
                    found[name] = _reused(vars(raw[key]).get("data", b""), *metrics[key])
            return found
    except Exception:  # a damaged cache file only costs a fresh conversion
        return {}


def _reused(data: bytes, advance: int, lsb: int) -> _Converted:
    contours = struct.unpack_from(">h", data)[0] if len(data) >= 10 else 0
    if contours <= 0:
        return _Converted(Glyph(), advance, 0, 0, 0)
    last_point = struct.unpack_from(">H", data, 10 + 2 * (contours - 1))[0]
    return _Converted(Glyph(data), advance, lsb, last_point + 1, contours)


def _decompiled(src: TTFont, dest: TTFont, tag: str) -> object:
    # A fresh copy from the raw bytes, so that edits never touch the source.
    table = newTable(tag)
    table.decompile(src.reader[tag], dest)
    return table


def _raw(tag: str, data: bytes) -> DefaultTable:
    # DefaultTable writes its bytes as they are; a parsed OS/2 would recompute
    # usFirstCharIndex and friends from the subset.
    table = DefaultTable(tag)
    table.data = data
    return table


def _cmap(mapping: dict[int, str]) -> object:
    subtables = []
    bmp = {cp: name for cp, name in mapping.items() if cp <= 0xFFFF}
    specs = [(4, 3, 1, bmp)]
    if len(bmp) < len(mapping):
        # Listed last, so ReportLab (which takes the last Microsoft subtable) reads it.
        specs.append((12, 3, 10, mapping))
    for fmt, platform, encoding, cmap in specs:
        sub = CmapSubtable.newSubtable(fmt)
        sub.platformID, sub.platEncID, sub.language, sub.cmap = platform, encoding, 0, cmap
        subtables.append(sub)
    table = newTable("cmap")
    table.tableVersion, table.tables = 0, subtables
    return table


def _maxp(glyphs: Iterable[_Converted]) -> object:
    points = contours = 0
    for glyph in glyphs:
        points = max(points, glyph.points)
        contours = max(contours, glyph.contours)
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxPoints = max(points, MAXP_POINTS_FLOOR)
    maxp.maxContours = max(contours, MAXP_CONTOURS_FLOOR)
    maxp.maxCompositePoints = maxp.maxCompositeContours = 0
    maxp.maxZones = 1
    maxp.maxTwilightPoints = maxp.maxStorage = maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = maxp.maxStackElements = maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = maxp.maxComponentDepth = 0
    return maxp


class ConvertedCache:
    """Converted subsets on disk: <cache>/truetype/<face>-<charset hash>.ttf.

    Each .ttf has a .json companion listing its code points, written after the
    font, so a companion's presence means the font is complete; it also lets a
    cached superset serve a smaller character set.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.dir = cache_dir / "truetype"

    def get(self, src: Path, index: int, codepoints: frozenset[int]) -> tuple[Path, frozenset[int]]:
        """A TrueType file holding at least `codepoints`, and the set it holds."""
        prefix = _face_prefix(src, index)
        exact = self.dir / f"{prefix}-{_charset_hash(codepoints)}.ttf"
        if exact.with_suffix(".json").exists() and exact.exists():
            return exact, codepoints
        held = self._held(prefix)
        supersets = [(len(cps), ttf.name, ttf, cps) for ttf, cps in held if cps >= codepoints]
        if supersets:
            # The smallest, then by name: the choice does not depend on directory order.
            _, _, ttf, cps = min(supersets)
            return ttf, cps
        # Copy the glyphs an earlier set shares (say last month's) instead of converting them.
        donors = [(-len(cps & codepoints), ttf.name, ttf) for ttf, cps in held if cps & codepoints]
        data = build_truetype(src, index, codepoints, reuse=min(donors)[2] if donors else None)
        atomic_write(exact, data)
        meta = {"source": str(src), "index": index, "codepoints": sorted(codepoints)}
        atomic_write(exact.with_suffix(".json"), json.dumps(meta).encode())
        return exact, codepoints

    def _held(self, prefix: str) -> list[tuple[Path, frozenset[int]]]:
        """Cached conversions of one face and the code points each holds."""
        out = []
        for meta_file in sorted(self.dir.glob(f"{prefix}-*.json")):
            held = _read_codepoints(meta_file)
            ttf = meta_file.with_suffix(".ttf")
            if held is not None and ttf.exists():
                out.append((ttf, held))
        return out


def _read_codepoints(meta_file: Path) -> frozenset[int] | None:
    try:
        return frozenset(json.loads(meta_file.read_text(encoding="utf-8"))["codepoints"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _face_prefix(src: Path, index: int) -> str:
    """File-name prefix naming the source face: path, size, mtime, index, converter."""
    st = os.stat(src)
    ident = f"{os.path.realpath(src)}\0{st.st_size}\0{st.st_mtime_ns}\0{index}\0{CONVERTER_VERSION}"
    stem = re.sub(r"[^A-Za-z0-9]+", "_", src.stem)[:40] or "font"
    return f"{stem}-{index}-{hashlib.sha256(ident.encode()).hexdigest()[:12]}"


def _charset_hash(codepoints: frozenset[int]) -> str:
    text = ",".join(f"{cp:X}" for cp in sorted(codepoints))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- ReportLab ---------------------------------------------------------------

_REPORTLAB_TOUNICODE = ttfonts.makeToUnicodeCMap


def fix_reportlab_tounicode() -> None:
    """Make ReportLab's ToUnicode maps right for characters beyond U+FFFF.

    ReportLab writes the code point as plain hex ("<2C35B>"), which readers
    take as U+2C35; PDF wants UTF-16 ("<D870DF5B>"), or rare characters would
    not extract or search. For BMP characters the output stays byte-identical.
    """
    if "<D870DF5B>" not in _REPORTLAB_TOUNICODE("X", [0x2C35B]):
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    # reportlab.pdfbase.ttfonts.makeToUnicodeCMap with UTF-16 destinations.
    head = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
    ]
    body = [
        f"<{i:02X}> <{chr(cp).encode('utf-16-be', 'surrogatepass').hex().upper()}>"
        for i, cp in enumerate(subset)
    ]
    tail = ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(head + body + tail)
