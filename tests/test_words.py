"""Title division between words (issue 21, LAYOUT-additions L26)."""

from __future__ import annotations

import json

import pytest

from handouts.typeset import words
from handouts.typeset.titles import balance_title, title_measure

TITLES = [
    "国家发展改革委等部门关于印发《促进普惠养老服务高质量发展的若干措施》的通知",
    "关于印发《进一步强化川渝公共服务共建共享行动方案（2025—2027年）》的通知",
    "关于印发《重庆成都双核联动推进公共服务一体化提质扩面行动方案》的通知",
    "重庆市人民政府关于印发《重庆市深入实施以人为本的新型城镇化战略五年行动计划实施方案》的通知",
]


def test_boundaries_are_between_words() -> None:
    text = "关于推进公共服务普惠化的实施意见"
    b = words.word_boundaries(text)
    assert text.index("服务") not in b  # 公共服务 is one word
    assert text.index("普") + 1 not in b  # 普惠 (jieba's HMM finds it)
    assert text.index("公共") in b and text.index("的") in b
    assert words.word_boundaries("") == frozenset()


@pytest.mark.parametrize("title", TITLES)
def test_L26_no_title_line_ends_inside_a_word(title: str) -> None:
    lines = balance_title([title], title_measure(22.0), 442.2)
    assert len(lines) >= 2 and "".join(lines) == title
    b = words.word_boundaries(title)
    pos = 0
    for line in lines[:-1]:
        pos += len(line)
        assert pos in b, (lines, line)
    widths = [title_measure(22.0)(line) for line in lines]
    assert max(widths) <= 442.2  # L10
    assert not lines[-1].startswith(("的通知", "通知"))  # L10: no bare tail


def test_cache_spares_jieba(tmp_path, monkeypatch) -> None:
    """A text seen once is answered from the cache file without jieba."""
    monkeypatch.setenv("HANDOUTS_FONT_CACHE", str(tmp_path))
    monkeypatch.setattr(words, "_memo", None)
    words._cache_file.cache_clear()
    try:
        first = words.word_boundaries("促进普惠养老服务")
        words.save()
        data = json.loads(next(tmp_path.glob("words-jieba-*.json")).read_text(encoding="utf-8"))
        assert data["words"]["促进普惠养老服务"] == sorted(first)
        monkeypatch.setattr(words, "_memo", None)
        monkeypatch.setattr(words, "_segment", lambda text: pytest.fail("jieba asked again"))
        assert words.word_boundaries("促进普惠养老服务") == first
    finally:
        words._cache_file.cache_clear()


def test_damaged_cache_is_rebuilt(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HANDOUTS_FONT_CACHE", str(tmp_path))
    monkeypatch.setattr(words, "_memo", None)
    words._cache_file.cache_clear()
    try:
        words._cache_file().write_text("{not json", encoding="utf-8")
        assert words.word_boundaries("推进公共服务") == frozenset({2})
    finally:
        words._cache_file.cache_clear()
