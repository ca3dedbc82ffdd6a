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

TrueType (glyf) faces are cut down the same way, without conversion
(build_subset): ReportLab parses a font's whole cmap and hmtx when it opens
it, a tenth of a second or more for a 20 000-glyph CJK font, but only
milliseconds for a subset. The subset holds the source's glyph data and every table
ReportLab copies byte for byte, so the font program ReportLab embeds, and with
it the PDF, is the same as from the source file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .cmap import read_cmap
from .scan import atomic_write

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import Glyph
    from fontTools.ttLib.tables.DefaultTable import DefaultTable
# fontTools takes a twentieth of a second to import and only converts on a
# cache miss: it is imported where a conversion happens.

# Part of every cache key: bump when the bytes this module writes change.
CONVERTER_VERSION = 2
# The same for build_subset (TrueType faces), kept apart so that a change to
# one kind of file leaves the other kind's cache valid.
SUBSET_VERSION = 1
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
# What ReportLab copies unchanged from a TrueType font into the PDF
# (TTFontFile.makeSubset): the subset must hold them byte for byte, hinting
# programs included. Layout and vertical tables are not embedded and are left out.
_SUBSET_RAW_TABLES = ("OS/2", "name", "cvt ", "fpgm", "prep")
# Code points always kept in a subset: ASCII asked for after prepare() (page
# numbers, stray Latin) is then answered by the subset itself, with the
# source's glyphs and widths, instead of opening the whole face.
_ALWAYS_KEPT = range(0x80)
# A format 4 cmap subtable is 16 + 8 * (runs + 1) bytes, its length a 16-bit number.
_FORMAT4_MAX_RUNS = (0xFFFF - 24) // 8
# Composite glyph flags (TrueType glyf), as ReportLab walks them.
_ARG_1_AND_2_ARE_WORDS, _WE_HAVE_A_SCALE, _MORE_COMPONENTS = 0x0001, 0x0008, 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE, _WE_HAVE_A_TWO_BY_TWO = 0x0040, 0x0080


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
    from fontTools.ttLib import TTFont, newTable

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
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

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
    from fontTools.ttLib import TTFont

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
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    contours = struct.unpack_from(">h", data)[0] if len(data) >= 10 else 0
    if contours <= 0:
        return _Converted(Glyph(), advance, 0, 0, 0)
    last_point = struct.unpack_from(">H", data, 10 + 2 * (contours - 1))[0]
    return _Converted(Glyph(data), advance, lsb, last_point + 1, contours)


def _decompiled(src: TTFont, dest: TTFont, tag: str) -> object:
    from fontTools.ttLib import newTable

    # A fresh copy from the raw bytes, so that edits never touch the source.
    table = newTable(tag)
    table.decompile(src.reader[tag], dest)
    return table


def _raw(tag: str, data: bytes) -> DefaultTable:
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    # DefaultTable writes its bytes as they are; a parsed OS/2 would recompute
    # usFirstCharIndex and friends from the subset.
    table = DefaultTable(tag)
    table.data = data
    return table


def _cmap(mapping: dict[int, str]) -> object:
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

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
    from fontTools.ttLib import newTable

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


# --- TrueType subsets -----------------------------------------------------------


def build_subset(src: Path, index: int, codepoints: Iterable[int]) -> bytes:
    """A TrueType font holding the glyphs of `codepoints` from glyf face `index` of `src`.

    Characters are mapped as ReportLab maps the source (its choice of cmap
    subtable), glyph data, metrics and the tables ReportLab copies are the
    source's bytes, and composite glyphs bring their components. Only the
    glyph numbering differs, which ReportLab renumbers anyway when it embeds.
    """
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.sfnt import SFNTWriter

    cmap = read_cmap(src, index, reportlab_choice=True)
    wanted = {cp: cmap[cp] for cp in sorted(set(codepoints).union(_ALWAYS_KEPT)) if cp in cmap}
    needed = ("head", "hhea", "maxp", "loca", "glyf", "hmtx", "post", *_SUBSET_RAW_TABLES)
    with TTFont(src, fontNumber=index, lazy=True) as font:
        raw = {tag: font.reader[tag] for tag in needed if tag in font.reader}
    head, hhea, maxp = raw["head"], raw["hhea"], raw["maxp"]
    long_loca = struct.unpack_from(">h", head, 50)[0] == 1
    count = struct.unpack_from(">H", maxp, 4)[0]
    loca = struct.unpack_from(f">{count + 1}{'L' if long_loca else 'H'}", raw["loca"])
    if not long_loca:
        loca = tuple(2 * offset for offset in loca)
    glyf = raw["glyf"]
    long_count = struct.unpack_from(">H", hhea, 34)[0]
    gids = _with_components(glyf, loca, wanted.values())
    if max(gids) >= long_count:
        # ReportLab gives glyphs past the last full hmtx entry that entry's
        # advance, scaled to 1000 units, and embeds that scaled value: keep the
        # entry and the layout so that it does the same with the subset.
        gids = _with_components(glyf, loca, [*gids, long_count - 1])
    order = sorted(gids)  # source glyph ids; .notdef (0) first, full hmtx entries next
    new_id = {gid: i for i, gid in enumerate(order)}
    data = [_renumbered(glyf[loca[gid]:loca[gid + 1]], new_id) for gid in order]
    offsets = [0]
    for glyph in data:
        offsets.append(offsets[-1] + len(glyph))
    hmtx = raw["hmtx"]
    long_ids = [gid for gid in order if gid < long_count]
    tables = {
        # checkSumAdjustment is recomputed on writing; index-to-loc is long.
        "head": head[:8] + b"\0\0\0\0" + head[12:50] + struct.pack(">h", 1) + head[52:],
        "hhea": hhea[:34] + struct.pack(">H", len(long_ids)) + hhea[36:],
        "maxp": maxp[:4] + struct.pack(">H", len(order)) + maxp[6:],
        # ReportLab reads the first 16 bytes and writes format 3 itself.
        "post": b"\x00\x03\x00\x00" + raw["post"][4:32].ljust(28, b"\0"),
        "cmap": _subset_cmap({cp: new_id[gid] for cp, gid in wanted.items()}),
        # The source's (advance, lsb) pairs, then its lone lsb values.
        "hmtx": b"".join(hmtx[4 * gid:4 * gid + 4] for gid in long_ids) + b"".join(
            hmtx[2 * gid + 2 * long_count:2 * gid + 2 * long_count + 2] for gid in order[len(long_ids):]
        ),
        "loca": struct.pack(f">{len(offsets)}L", *offsets),
        # The source's bytes for each glyph, its padding included and nothing
        # added: ReportLab copies exactly the bytes between two loca offsets.
        "glyf": b"".join(data),
    }
    tables.update((tag, raw[tag]) for tag in _SUBSET_RAW_TABLES if tag in raw)
    buf = io.BytesIO()
    writer = SFNTWriter(buf, len(tables))
    for tag in sorted(tables):
        writer[tag] = tables[tag]
    writer.close()
    return buf.getvalue()


def _with_components(glyf: bytes, loca: Sequence[int], gids: Iterable[int]) -> set[int]:
    """The glyphs, .notdef, and every glyph a composite among them uses."""
    found = {0, *gids}
    todo = list(found)
    while todo:
        gid = todo.pop()
        for _, component in _components(glyf[loca[gid]:loca[gid + 1]]):
            if component not in found:
                found.add(component)
                todo.append(component)
    return found


def _components(glyph: bytes) -> list[tuple[int, int]]:
    """(offset of the glyph id, glyph id) of each component of a composite glyph."""
    if len(glyph) <= 2 or struct.unpack_from(">h", glyph)[0] >= 0:
        return []
    out, pos, flags = [], 10, _MORE_COMPONENTS
    while flags & _MORE_COMPONENTS:
        flags, gid = struct.unpack_from(">HH", glyph, pos)
        out.append((pos + 2, gid))
        pos += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            pos += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            pos += 8
    return out


def _renumbered(glyph: bytes, new_id: Mapping[int, int]) -> bytes:
    parts = _components(glyph)
    if not parts:
        return glyph
    out = bytearray(glyph)
    for pos, gid in parts:
        struct.pack_into(">H", out, pos, new_id[gid])
    return bytes(out)


def _subset_cmap(mapping: Mapping[int, int]) -> bytes:
    """A cmap of (3, 1) format 4 and, beyond the BMP, (3, 10) format 12 listed last,
    which is the one ReportLab reads. U+FFFF is never mapped (see read_cmap)."""
    runs: list[list[int]] = []  # [first code point, last code point, first glyph]
    for cp in sorted(mapping):
        gid = mapping[cp]
        if runs and cp == runs[-1][1] + 1 and gid == runs[-1][2] + cp - runs[-1][0]:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp, gid])
    bmp = [r for r in runs if r[1] < 0xFFFF]
    # Format 4 is at most 64 KiB, about 8 000 runs; format 12 alone serves beyond.
    subtables = [(3, 1, _cmap_format4(bmp))] if len(bmp) < _FORMAT4_MAX_RUNS else []
    if not subtables or len(bmp) < len(runs):
        subtables.append((3, 10, _cmap_format12(runs)))
    out = struct.pack(">HH", 0, len(subtables))
    offset = 4 + 8 * len(subtables)
    for platform, encoding, data in subtables:
        out += struct.pack(">HHL", platform, encoding, offset)
        offset += len(data)
    return out + b"".join(data for _, _, data in subtables)


def _cmap_format4(runs: Sequence[Sequence[int]]) -> bytes:
    segments = [(start, end, (gid - start) & 0xFFFF) for start, end, gid in runs]
    segments.append((0xFFFF, 0xFFFF, 1))  # the required last segment, to .notdef
    count = len(segments)
    search = 2 ** (count.bit_length() - 1)
    header_rest = struct.pack(">HHHH", 2 * count, 2 * search, search.bit_length() - 1, 2 * (count - search))
    body = (
        struct.pack(f">{count}H", *(end for _, end, _ in segments)) + b"\0\0"
        + struct.pack(f">{count}H", *(start for start, _, _ in segments))
        + struct.pack(f">{count}H", *(delta for _, _, delta in segments))
        + bytes(2 * count)  # no idRangeOffset: every segment maps by delta
    )
    length = 6 + len(header_rest) + len(body)
    return struct.pack(">HHH", 4, length, 0) + header_rest + body


def _cmap_format12(runs: Sequence[Sequence[int]]) -> bytes:
    groups = b"".join(struct.pack(">LLL", start, end, gid) for start, end, gid in runs)
    return struct.pack(">HHLLL", 12, 0, 16 + len(groups), 0, len(runs)) + groups


class ConvertedCache:
    """Converted subsets on disk: <cache>/truetype/<face>-<charset hash>.ttf.

    Each .ttf has a .json companion listing its code points, written after the
    font, so a companion's presence means the font is complete; it also lets a
    cached superset serve a smaller character set. `outline` names the kind of
    source face: "cff" (converted by build_truetype) or "glyf" (cut down by
    build_subset); the two kinds are keyed apart.
    """

    def __init__(self, cache_dir: Path, outline: str = "cff") -> None:
        if outline not in ("cff", "glyf"):
            raise ValueError(f"unknown outline kind {outline!r}")
        self.dir = cache_dir / "truetype"
        self.outline = outline

    def get(self, src: Path, index: int, codepoints: frozenset[int]) -> tuple[Path, frozenset[int]]:
        """A TrueType file holding at least `codepoints`, and the set it holds."""
        prefix = _face_prefix(src, index, self._version())
        exact = self.dir / f"{prefix}-{_charset_hash(codepoints)}.ttf"
        if exact.with_suffix(".json").exists() and exact.exists():
            return exact, codepoints
        held = self._held(prefix)
        supersets = [(len(cps), ttf.name, ttf, cps) for ttf, cps in held if cps >= codepoints]
        if supersets:
            # The smallest, then by name: the choice does not depend on directory order.
            _, _, ttf, cps = min(supersets)
            return ttf, cps
        if self.outline == "glyf":
            # Copying glyph bytes is cheap: no donor needed.
            data = build_subset(src, index, codepoints)
        else:
            # Copy the glyphs an earlier set shares (say last month's) instead of converting them.
            donors = [(-len(cps & codepoints), ttf.name, ttf) for ttf, cps in held if cps & codepoints]
            data = build_truetype(src, index, codepoints, reuse=min(donors)[2] if donors else None)
        atomic_write(exact, data)
        meta = {"source": str(src), "index": index, "codepoints": sorted(codepoints)}
        atomic_write(exact.with_suffix(".json"), json.dumps(meta).encode())
        return exact, codepoints

    def _version(self) -> str:
        # CFF conversions keep the key they always had, so existing caches stay valid.
        return str(CONVERTER_VERSION) if self.outline == "cff" else f"glyf{SUBSET_VERSION}"

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


def _face_prefix(src: Path, index: int, version: str) -> str:
    """File-name prefix naming the source face: path, size, mtime, index, converter."""
    st = os.stat(src)
    ident = f"{os.path.realpath(src)}\0{st.st_size}\0{st.st_mtime_ns}\0{index}\0{version}"
    stem = re.sub(r"[^A-Za-z0-9]+", "_", src.stem)[:40] or "font"
    return f"{stem}-{index}-{hashlib.sha256(ident.encode()).hexdigest()[:12]}"


def _charset_hash(codepoints: frozenset[int]) -> str:
    text = ",".join(f"{cp:X}" for cp in sorted(codepoints))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
