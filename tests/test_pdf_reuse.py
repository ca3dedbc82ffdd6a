"""handouts.pdf_reuse: remembered results are the results (issue 8)."""

from __future__ import annotations

import zlib

from handouts import pdf_reuse


def test_compression_memo_returns_what_zlib_returns(monkeypatch) -> None:
    monkeypatch.setattr(pdf_reuse, "MAX_REMEMBERED_BYTES", 64)
    memo = pdf_reuse._CompressMemo()
    calls = []
    real = zlib.compress
    monkeypatch.setattr(pdf_reuse.zlib, "compress", lambda d: calls.append(d) or real(d))
    a, b = b"x" * 40, b"y" * 40
    assert memo(a) == real(a) and memo("x" * 40) == real(a)  # str is compressed as UTF-8
    assert len(calls) == 1  # the second was remembered
    assert memo(b) == real(b)  # 80 bytes > 64: the oldest is forgotten
    assert memo(a) == real(a) and len(calls) == 3


def test_subset_memo_by_code_points(monkeypatch) -> None:
    made = []
    memo = pdf_reuse._Remembered(lambda subset: made.append(list(subset)) or bytes(subset))
    assert memo([1, 2, 3]) == b"\x01\x02\x03"
    assert memo((1, 2, 3)) == b"\x01\x02\x03"
    assert memo([3, 2, 1]) == b"\x03\x02\x01"  # order matters: it numbers the glyphs
    assert made == [[1, 2, 3], [3, 2, 1]]
    monkeypatch.setattr(pdf_reuse, "MAX_SUBSETS", 2)
    memo([4])
    assert memo([1, 2, 3]) == b"\x01\x02\x03" and len(made) == 4  # cleared when full


def test_tounicode_memo_keys_on_name_and_code_points() -> None:
    made = []
    memo = pdf_reuse._Remembered(lambda name, subset: made.append(1) or f"{name}:{list(subset)}")
    assert memo("A+F", [1, 2]) == "A+F:[1, 2]" and memo("A+F", (1, 2)) == "A+F:[1, 2]"
    assert memo("B+F", [1, 2]) == "B+F:[1, 2]"  # the name is inside the map
    assert len(made) == 2
