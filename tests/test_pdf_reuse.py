"""handouts.fonts.reuse: remembered results are the results (issue 8)."""

from __future__ import annotations

import zlib

from handouts.fonts import reuse as pdf_reuse


def test_compression_memo_returns_what_zlib_returns(monkeypatch) -> None:
    memo = pdf_reuse.compression_memo()
    memo.budget = 64 + 2 * len(zlib.compress(b"x" * 40))
    calls = []
    real = zlib.compress
    monkeypatch.setattr(pdf_reuse.zlib, "compress", lambda d: calls.append(d) or real(d))
    a, b = b"x" * 40, b"y" * 40
    assert memo(a) == real(a) and memo("x" * 40) == real(a)  # str is compressed as UTF-8
    assert len(calls) == 1  # the second was remembered
    assert memo(b) == real(b)  # over the budget: the oldest is forgotten
    assert memo(b) == real(b) and len(calls) == 2  # the newest is kept
    assert memo(a) == real(a) and len(calls) == 3


def test_subset_memo_by_code_points() -> None:
    made = []
    memo = pdf_reuse.subset_memo(lambda subset: made.append(list(subset)) or bytes(subset))
    assert memo([1, 2, 3]) == b"\x01\x02\x03"
    assert memo((1, 2, 3)) == b"\x01\x02\x03"
    assert memo([3, 2, 1]) == b"\x03\x02\x01"  # order matters: it numbers the glyphs
    assert made == [[1, 2, 3], [3, 2, 1]]
    memo.budget = 8 * 3 + 3  # room for one subset of three
    memo([4, 5, 6])
    assert memo([1, 2, 3]) == b"\x01\x02\x03" and len(made) == 4  # forgotten, made again
