"""What the PDFs of one process share: font subsets and compressed streams.

A month's sheets are sixteen near-identical one-page PDFs. For each of them
ReportLab cut every embedded font subset again (TTFontFile.makeSubset),
wrote its ToUnicode map again and zlib-compressed every stream again: a
third of a sheet's PDF. Both are pure
functions of their input, so the process remembers their results; the bytes
written are the same as without.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence

from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

# Compressed streams kept, by the size of their input: a month's sheets need
# about 2 MB; the handout's page streams are larger but never repeat.
MAX_REMEMBERED_BYTES = 32 << 20
# Font programs kept per face (each some tens of kB).
MAX_SUBSETS = 256


class _CompressMemo:
    """zlib.compress as PDFStreamFilterZCompress.encode does it, remembered."""

    def __init__(self) -> None:
        self._done: OrderedDict[bytes, bytes] = OrderedDict()
        self._size = 0

    def __call__(self, text: str | bytes) -> bytes:
        data = text.encode("utf8") if isinstance(text, str) else text
        done = self._done.get(data)
        if done is not None:
            self._done.move_to_end(data)
            return done
        done = zlib.compress(data)
        self._done[data] = done
        self._size += len(data)
        while self._size > MAX_REMEMBERED_BYTES:
            old, _ = self._done.popitem(last=False)
            self._size -= len(old)
        return done


def reuse_compression() -> None:
    """Remember ReportLab's Flate compression (every PDF stream goes through
    the one filter object pdfdoc.PDFZCompress). Idempotent."""
    if not isinstance(pdfdoc.PDFZCompress.encode, _CompressMemo):
        pdfdoc.PDFZCompress.encode = _CompressMemo()  # type: ignore[method-assign]


def reuse_tounicode() -> None:
    """Remember the ToUnicode maps ReportLab writes per font subset (whichever
    function handouts.fontconvert left in place). Idempotent."""
    if not isinstance(ttfonts.makeToUnicodeCMap, _Remembered):
        ttfonts.makeToUnicodeCMap = _Remembered(ttfonts.makeToUnicodeCMap)


def reuse_subsets(font: TTFont) -> None:
    """Remember the font programs cut from font, by the code points of each subset."""
    face = font.face
    if not isinstance(face.makeSubset, _Remembered):
        face.makeSubset = _Remembered(face.makeSubset)  # type: ignore[method-assign]


class _Remembered:
    """A pure function of names and code-point lists, with its results kept:
    at most MAX_SUBSETS, then (a long batch) it starts afresh rather than grow."""

    def __init__(self, make: Callable[..., object]) -> None:
        self._make = make
        self._done: dict[tuple[object, ...], object] = {}

    def __call__(self, *args: str | Sequence[int]) -> object:
        key = tuple(a if isinstance(a, str) else tuple(a) for a in args)
        done = self._done.get(key)
        if done is None:
            if len(self._done) >= MAX_SUBSETS:
                self._done.clear()
            done = self._done[key] = self._make(*args)
        return done
