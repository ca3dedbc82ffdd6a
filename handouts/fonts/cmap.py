"""Character maps and what a face covers, cheaply.

Character maps are read on demand with a small parser of our own, because
fontTools would first build the glyph order, which for a CID-keyed CFF font
means decompiling its charset (ten times slower). What a face covers is cached
on disk as sorted code point ranges, so that a warm build checks coverage
without parsing any character map.
"""

from __future__ import annotations

import hashlib
import operator
import os
import struct
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from .scan import atomic_write

# fontTools is imported where a font file is read: a warm build reads none.

COVERAGE_DIR = "coverage"
# Part of every coverage file's name and header: bump when read_cmap's answer
# or the file layout changes.
COVERAGE_VERSION = 1
_COVERAGE_MAGIC = b"HOcv"


# --- character maps ----------------------------------------------------------


def read_cmap(path: Path, index: int, reportlab_choice: bool) -> dict[int, int]:
    """Code point → glyph id of one face; glyph 0 (.notdef) never appears.

    reportlab_choice picks the subtable ReportLab will use when it reads the
    file itself (the last Microsoft one), so that what we call covered is what
    ReportLab draws; otherwise the fullest Unicode subtable is used.
    """
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        data = font.reader["cmap"] if "cmap" in font.reader else b""
    if len(data) < 4:
        return {}
    records = _cmap_records(data)
    offset = _reportlab_subtable(records) if reportlab_choice else _best_subtable(records)
    if offset is None:
        return {}
    cmap = _parse_subtable(data, offset)
    cmap.pop(0xFFFF, None)
    # ReportLab treats space and no-break space as one character.
    if 0x20 in cmap:
        cmap[0xA0] = cmap[0x20]
    elif 0xA0 in cmap:
        cmap[0x20] = cmap[0xA0]
    return {cp: gid for cp, gid in cmap.items() if gid}


def _cmap_records(data: bytes) -> list[tuple[int, int, int]]:
    (count,) = struct.unpack_from(">H", data, 2)
    return [struct.unpack_from(">HHL", data, 4 + 8 * i) for i in range(count)]


def _reportlab_subtable(records: list[tuple[int, int, int]]) -> int | None:
    # Mirrors reportlab.pdfbase.ttfonts.TTFontFile.extractInfo line by line.
    chosen, enc = None, 0
    for platform, encoding, offset in records:
        if platform == 3:
            chosen, enc = offset, 1
        elif platform == 1 and encoding == 0 and enc != 1:
            chosen, enc = offset, 2
        elif (platform == 1 and encoding == 1) or (platform == 0 and encoding != 5):
            chosen, enc = offset, 1
    return chosen


def _best_subtable(records: list[tuple[int, int, int]]) -> int | None:
    by_key = {(p, e): off for p, e, off in records}
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
        if key in by_key:
            return by_key[key]
    return None


def _parse_subtable(data: bytes, offset: int) -> dict[int, int]:
    (fmt,) = struct.unpack_from(">H", data, offset)
    if fmt == 4:
        return _parse_format4(data, offset)
    if fmt in (12, 13):
        return _parse_format12(data, offset, constant=fmt == 13)
    return {}  # byte encodings (formats 0, 2, 6, …) carry no Chinese worth using


def _parse_format4(data: bytes, offset: int) -> dict[int, int]:
    seg_count = struct.unpack_from(">H", data, offset + 6)[0] // 2
    base = offset + 14
    ends = struct.unpack_from(f">{seg_count}H", data, base)
    starts = struct.unpack_from(f">{seg_count}H", data, base + 2 * seg_count + 2)
    deltas = struct.unpack_from(f">{seg_count}h", data, base + 4 * seg_count + 2)
    range_base = base + 6 * seg_count + 2
    range_offsets = struct.unpack_from(f">{seg_count}H", data, range_base)
    cmap: dict[int, int] = {}
    for i in range(seg_count):
        start, end, delta, ro = starts[i], ends[i], deltas[i], range_offsets[i]
        if ro == 0:
            cmap.update((c, (c + delta) & 0xFFFF) for c in range(start, end + 1))
            continue
        first = range_base + 2 * i + ro
        for c in range(start, end + 1):
            pos = first + 2 * (c - start)
            if pos + 2 > len(data):
                break
            gid = struct.unpack_from(">H", data, pos)[0]
            cmap[c] = (gid + delta) & 0xFFFF if gid else 0
    return cmap


def _parse_format12(data: bytes, offset: int, constant: bool) -> dict[int, int]:
    (groups,) = struct.unpack_from(">L", data, offset + 12)
    vals = struct.unpack_from(f">{3 * groups}L", data, offset + 16)
    triples = zip(vals[0::3], vals[1::3], vals[2::3], strict=True)
    if constant:
        return {cp: gid for start, end, gid in triples for cp in range(start, end + 1)}
    return {cp: gid + cp - start for start, end, gid in triples for cp in range(start, end + 1)}


# --- coverage ------------------------------------------------------------------


class Coverage(Mapping[int, int]):
    """Code point → glyph of one face, held as sorted code point ranges.

    Membership, size and iteration come from the ranges alone: that is all the
    coverage check needs, and ranges load from disk in microseconds where a
    big cmap takes tens of milliseconds to parse. Glyph ids are read from the
    font (`glyphs`) only when one is asked for.
    """

    __slots__ = ("_cmap", "_ends", "_glyphs", "_size", "_starts")

    def __init__(self, starts: array, ends: array, glyphs: Callable[[], Mapping[int, int]]) -> None:
        self._starts, self._ends = starts, ends  # inclusive ranges, ascending, disjoint
        self._size = sum(ends) - sum(starts) + len(starts)
        self._glyphs = glyphs
        self._cmap: Mapping[int, int] | None = None

    @classmethod
    def from_cmap(cls, cmap: Mapping[int, int]) -> Coverage:
        starts, ends = array("L"), array("L")
        for cp in sorted(cmap):
            if ends and cp == ends[-1] + 1:
                ends[-1] = cp
            else:
                starts.append(cp)
                ends.append(cp)
        return cls(starts, ends, lambda: cmap)

    @classmethod
    def from_bytes(cls, data: bytes, glyphs: Callable[[], Mapping[int, int]]) -> Coverage | None:
        """Read what to_bytes() wrote; None for anything else (a damaged or old file)."""
        if len(data) < 12 or data[:4] != _COVERAGE_MAGIC:
            return None
        version, count = struct.unpack_from("<LL", data, 4)
        if version != COVERAGE_VERSION or len(data) != 12 + 8 * count:
            return None
        starts, ends = array("L"), array("L")
        values = struct.unpack_from(f"<{2 * count}L", data, 12)
        starts.extend(values[0::2])
        ends.extend(values[1::2])
        # Ranges must be ascending and disjoint, or bisection gives wrong answers.
        if not (all(map(operator.le, starts, ends)) and all(map(operator.lt, ends[:-1], starts[1:]))):
            return None
        return cls(starts, ends, glyphs)

    def to_bytes(self) -> bytes:
        pairs = [v for pair in zip(self._starts, self._ends, strict=True) for v in pair]
        header = _COVERAGE_MAGIC + struct.pack("<LL", COVERAGE_VERSION, len(self._starts))
        return header + struct.pack(f"<{len(pairs)}L", *pairs)

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int):
            return False
        i = bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self._ends[i]

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self._starts, self._ends, strict=True):
            yield from range(start, end + 1)

    def __getitem__(self, cp: int) -> int:
        if cp not in self:
            raise KeyError(cp)
        if self._cmap is None:
            self._cmap = self._glyphs()
        return self._cmap[cp]


class CoverageCache:
    """Face → Coverage, one small file per face in <cache>/coverage/.

    Files are named by (real path, size, mtime, index, subtable choice), so a
    changed font file is simply read again; a file that cannot be written (a
    read-only cache) only costs speed.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.dir = cache_dir / COVERAGE_DIR

    def get(
        self,
        path: Path,
        index: int,
        reportlab_choice: bool,
        glyphs: Callable[[], Mapping[int, int]] | None = None,
    ) -> Coverage:
        """What read_cmap(path, index, reportlab_choice) covers.

        `glyphs` supplies that cmap when a glyph id is asked for (a memoised
        read_cmap, say); by default the font is read again.
        """
        def load() -> Mapping[int, int]:
            return read_cmap(path, index, reportlab_choice)

        file = self.dir / self.file_name(path, index, reportlab_choice)
        try:
            cached = Coverage.from_bytes(file.read_bytes(), glyphs or load)
        except OSError:
            cached = None
        if cached is not None:
            return cached
        cmap = glyphs() if glyphs else load()
        coverage = Coverage.from_cmap(cmap)
        try:
            atomic_write(file, coverage.to_bytes())
        except OSError:
            pass  # a read-only cache only costs speed
        return coverage

    @staticmethod
    def file_name(path: Path, index: int, reportlab_choice: bool) -> str:
        st = os.stat(path)
        ident = (f"{os.path.realpath(path)}\0{st.st_size}\0{st.st_mtime_ns}\0{index}\0"
                 f"{int(reportlab_choice)}\0{COVERAGE_VERSION}")
        return f"{hashlib.sha256(ident.encode()).hexdigest()[:24]}.bin"
