"""What the PDFs of one process share: font programs and compressed streams.

A month's sheets are sixteen near-identical one-page PDFs. For each of them
ReportLab cut the same font programs again (TTFontFace.makeSubset) and
zlib-compressed the same streams again. Both are pure functions of their
input, so the process remembers their results, within a byte budget; the
bytes written are the same as without.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import TTFont

# What the memos may hold, counting keys and results: a month's sheets need
# about 2 MB of compressed streams and under 1 MB of font programs per face;
# a handout's page streams and font programs are larger but never repeat.
MAX_COMPRESSED_BYTES = 32 << 20
MAX_FONT_BYTES = 8 << 20  # per face


class _Memo:
    """A pure function of one argument with its recent results kept (LRU),
    at most budget bytes of keys and results together."""

    def __init__(self, make: Callable[[Any], bytes], key: Callable[[Any], Hashable],
                 key_size: Callable[[Any], int], budget: int) -> None:
        self._make, self._key, self._key_size = make, key, key_size
        self.budget = budget
        self._done: OrderedDict[Hashable, bytes] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._size = 0

    def __call__(self, arg: Any) -> bytes:
        key = self._key(arg)
        done = self._done.get(key)
        if done is not None:
            self._done.move_to_end(key)
            return done
        done = self._done[key] = self._make(arg)
        size = self._sizes[key] = self._key_size(arg) + len(done)
        self._size += size
        while self._size > self.budget and self._done:
            old, _ = self._done.popitem(last=False)
            self._size -= self._sizes.pop(old)
        return done


def _utf8(text: str | bytes) -> bytes:
    return text.encode("utf8") if isinstance(text, str) else text


def compression_memo() -> _Memo:
    """zlib.compress as PDFStreamFilterZCompress.encode does it (str as UTF-8)."""
    return _Memo(lambda text: zlib.compress(_utf8(text)), _utf8, len, MAX_COMPRESSED_BYTES)


def subset_memo(make: Callable[[Sequence[int]], bytes]) -> _Memo:
    """A face's makeSubset, by the code points of the subset (in order: it numbers the glyphs)."""
    return _Memo(make, tuple, lambda codes: 8 * len(codes), MAX_FONT_BYTES)


def reuse_compression() -> None:
    """Remember ReportLab's Flate compression (every PDF stream goes through
    the one filter object pdfdoc.PDFZCompress). Idempotent."""
    if not isinstance(pdfdoc.PDFZCompress.encode, _Memo):
        pdfdoc.PDFZCompress.encode = compression_memo()  # type: ignore[method-assign]


def reuse_subsets(font: TTFont) -> None:
    """Remember the font programs cut from font, by the code points of each subset."""
    face = font.face
    if not isinstance(face.makeSubset, _Memo):
        face.makeSubset = subset_memo(face.makeSubset)  # type: ignore[method-assign]
