"""Line breaking rules (LAYOUT.md "Line breaking", L20-L22) for handouts.typeset.linebreak.

The prohibition tables below are written from LAYOUT.md and the brief, not
imported, so the tests check the module against the rules rather than
against itself.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handouts.typeset.linebreak import SPACES, Line, break_lines, justify_offsets, squeezable

EM = 1.0
EPS = 1e-9
NEVER_START = set("、，。：；！？）】》〉」』〕”’·,.;:!?)]}%‰℃〗｝］＞々ー—…")
NEVER_END = set("（【《〈「『〔“‘([{〖｛［＜")
OPENING = set("（【《〈「『〔“‘〖｛［")
SPACE = set(" \u3000\u2002")
SEED = Path(__file__).parent.parent / "seeds" / "2025-03.txt"


def adv(ch: str) -> float:
    # Han and full-width punctuation (and the ambiguous “”—… a Chinese font
    # sets full width) take 1 em; digits, Latin and ASCII take half.
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5


def han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def width_at(widths: list[float], i: int) -> float:
    return widths[min(i, len(widths) - 1)]


def texts(text: str, lines: list[Line]) -> list[str]:
    return [text[ln.start : ln.end] for ln in lines]


def amount(s: str) -> float:
    """Squeezable width of a line: 0.5 em per full-width mark, except the
    blank at the line's outer edges (left of a first opening mark, right of
    a last closing mark), which would push the glyph box out of the block."""
    total = sum(0.5 * EM for c in s if squeezable(c))
    if s and squeezable(s[0]) and s[0] in OPENING:
        total -= 0.5 * EM
    if s and squeezable(s[-1]) and s[-1] not in OPENING:
        total -= 0.5 * EM
    return max(total, 0.0)


WORDISH = set("._-:/%@#&=?~+',\\—～‰")


def guaranteed_breaks(text: str) -> set[int]:
    """Break positions every rule allows: nothing prohibited on either side,
    no space (the break would fall on its other side) and no chance of
    cutting a digit/Latin run."""

    def word(ch: str) -> bool:
        return alnum(ch) or ch in WORDISH

    return {
        p
        for p in range(1, len(text))
        if text[p] not in NEVER_START | SPACE
        and text[p - 1] not in NEVER_END | SPACE
        and not (word(text[p - 1]) and word(text[p]))
    }


def forced(text: str, p: int, widths: list[float], sure: set[int]) -> bool:
    """True when position p lies in a stretch without a sure break that is
    wider than the narrowest line: only there may the breaker cut by
    characters as a last resort."""
    if p in sure:
        return False
    lo = max((q for q in sure if q < p), default=0)
    hi = min((q for q in sure if q > p), default=len(text))
    return sum(adv(c) for c in text[lo:hi]) > min(widths) + EPS


def check(text: str, lines: list[Line], widths: list[float]) -> None:
    """Assert the structural invariants and every prohibition."""
    core = text.rstrip("".join(SPACE))  # trailing spaces are dropped too
    if not core:
        assert lines == []
        return
    assert lines, text
    assert lines[0].start == 0 and lines[-1].end == len(core)
    assert [ln.last for ln in lines] == [False] * (len(lines) - 1) + [True]
    sure = guaranteed_breaks(text)
    for i, ln in enumerate(lines):
        body = text[ln.start : ln.end]
        assert body, (text, lines)
        assert ln.natural == pytest.approx(sum(adv(c) for c in body))
        assert ln.squeeze == pytest.approx(max(0.0, ln.natural - width_at(widths, i)), abs=1e-6)
        if ln.end - ln.start > 1:
            assert ln.squeeze <= amount(body) + 1e-6, (body, ln)
        if i == 0:
            continue
        prev = lines[i - 1]
        gap = text[prev.end : ln.start]
        assert set(gap) <= SPACE, (text, prev, ln)  # only break spaces are dropped
        assert body[0] not in SPACE
        if forced(text, ln.start, widths, sure):
            continue
        before, after = text[prev.end - 1], body[0]
        assert after not in NEVER_START, (text, texts(text, lines))
        assert before not in NEVER_END, (text, texts(text, lines))
        if not gap:
            assert not (alnum(before) and alnum(after)), texts(text, lines)
            assert not (
                before in "—～-" and text[prev.end - 2 : prev.end - 1].isdigit() and after.isdigit()
            ), texts(text, lines)
    check_orphan(text, lines, widths, sure)


def check_orphan(text: str, lines: list[Line], widths: list[float], sure: set[int]) -> None:
    """L22: a last line with fewer than 2 Han is allowed only when no unit of
    the previous line could come down and still fit."""
    if len(lines) < 2:
        return
    last, prev = lines[-1], lines[-2]
    if sum(map(han, text[last.start : last.end])) >= 2:
        return
    w = width_at(widths, len(lines) - 1)
    for q in sure:
        if prev.start < q < prev.end:
            moved = text[q : last.end]
            feasible = sum(map(han, moved)) >= 2 and sum(map(adv, moved)) <= w + EPS
            assert not feasible, (texts(text, lines), q)


def brk(text: str, widths: list[float] | None = None) -> list[str]:
    widths = widths or [10.0]
    lines = break_lines(text, adv, widths, EM)
    check(text, lines, widths)
    return texts(text, lines)


# ---------------------------------------------------------------- each rule


def test_full_stop_never_starts_a_line() -> None:
    # Char by char the break falls before 。; no squeezable mark, so 十 comes down.
    assert brk("一二三四五六七八九十。一二") == ["一二三四五六七八九", "十。一二"]


@pytest.mark.parametrize("mark", ["）", "”", "》", "、", "！", "%"])
def test_closing_marks_never_start_a_line(mark: str) -> None:
    out = brk(f"一二三四五六七八九十{mark}一二")
    assert out[1].startswith(f"十{mark}")


@pytest.mark.parametrize("mark", ["（", "《", "“", "【", "〔"])
def test_opening_marks_never_end_a_line(mark: str) -> None:
    out = brk(f"一二三四五六七八九{mark}十二三")
    assert out[0] == "一二三四五六七八九"
    assert out[1].startswith(mark)


@pytest.mark.parametrize("pair", ["——", "……"])
def test_dash_and_ellipsis_pairs_stay_whole(pair: str) -> None:
    # The pair straddles the edge: char by char it would split 1 + 1.
    out = brk(f"一二三四五六七八九{pair}十一")
    assert out == ["一二三四五六七八", f"九{pair}十一"]
    # The pair would start the next line.
    out = brk(f"一二三四五六七八九十{pair}一二")
    assert out[1].startswith(f"十{pair}")


def test_lone_dash_never_starts_a_line() -> None:
    out = brk("一二三四五六七八九十—一二")
    assert out[1].startswith("十—")


@pytest.mark.parametrize("run", ["2024—2035", "1—2", "90%", "2025-02-17", "3.5‰", "REITs", "3～5"])
def test_digit_and_latin_runs_never_split(run: str) -> None:
    for lead in range(6, 11):
        text = "一" * lead + run + "年以上"
        out = brk(text)
        assert any(run in line for line in out), (run, out)


def test_url_like_run_kept_whole_when_it_fits() -> None:
    url = "https://www.cq.gov.cn/zwgk/2025-02.html"
    out = brk(f"详见网址{url}。", [24.0])
    assert any(url in line for line in out), out


def test_run_wider_than_a_line_is_cut_as_last_resort() -> None:
    url = "https://www.cq.gov.cn/zwgk/zfxxgkml/szfwj/qtgw/202502/t20250228_1.html"
    text = f"详见{url}。"
    widths = [10.0]
    lines = break_lines(text, adv, widths, EM)
    check(text, lines, widths)
    assert "".join(texts(text, lines)) == text
    assert all(ln.natural <= 10.0 + EPS for ln in lines)


def test_single_character_last_line_avoided() -> None:
    assert brk("一二三四五六七八九十一。") == ["一二三四五六七八九", "十一。"]
    # A last line of one Han plus a number is an orphan too.
    assert brk("一二三四五六七八九十2025年。")[-1].count("年") == 1
    assert brk("一二三四五六七八九十2025年。")[-1].startswith("十")


def test_single_line_paragraph_is_left_alone() -> None:
    assert brk("一。") == ["一。"]


@pytest.mark.parametrize("space", [" ", "\u3000", "\u2002"])
def test_space_at_break_is_dropped(space: str) -> None:
    text = f"一二三四五六七八九十{space}一二三"
    lines = break_lines(text, adv, [10.0], EM)
    assert texts(text, lines) == ["一二三四五六七八九十", "一二三"]
    assert text[lines[0].end : lines[1].start] == space


def test_space_inside_a_line_is_kept_as_glue() -> None:
    assert brk("一二 三四", [10.0]) == ["一二 三四"]


def test_space_before_a_closing_mark_is_not_a_break() -> None:
    out = brk("一二三四五六七八九十 ）一二")
    assert not any(line.startswith("）") for line in out)


def test_no_squeeze_by_default_pushes_the_unit_down() -> None:
    # L29: as Word and LibreOffice break, the unit 八。 goes down whole.
    text = "一，二，三四五六七八。后面还有"
    lines = break_lines(text, adv, [10.0], EM)
    check(text, lines, [10.0])
    assert text[lines[0].start : lines[0].end] == "一，二，三四五六七"
    assert all(line.squeeze == 0 for line in lines)


def test_squeeze_pulls_up_a_closing_mark() -> None:
    text = "一，二，三四五六七八。后面还有"
    lines = break_lines(text, adv, [10.0], EM, squeeze_fit=True)
    check(text, lines, [10.0])
    first = lines[0]
    assert text[first.start : first.end] == "一，二，三四五六七八。"
    assert 0 < first.squeeze <= amount("一，二，三四五六七八。")
    offsets = justify_offsets(text, first, adv, 10.0, EM)
    assert offsets[-1] + adv("。") == pytest.approx(10.0)  # the 。 ends at the edge
    assert offsets[0] == 0.0


def test_push_down_when_squeeze_is_not_enough() -> None:
    text = "一，二三四五六七八九。后面还有"
    lines = break_lines(text, adv, [10.0], EM)
    check(text, lines, [10.0])
    assert texts(text, lines)[0] == "一，二三四五六七八"
    assert all(ln.squeeze == 0 for ln in lines)


def test_first_line_indent_uses_first_width() -> None:
    text = "二" * 30
    lines = break_lines(text, adv, [8.0, 10.0], EM)
    assert [ln.end - ln.start for ln in lines] == [8, 10, 10, 2]


def test_empty_text_gives_no_lines() -> None:
    assert break_lines("", adv, [10.0], EM) == []
    assert break_lines(" \u3000", adv, [10.0], EM) == []


def test_leading_spaces_kept_trailing_dropped() -> None:
    text = " 附件1  "
    assert brk(text) == [" 附件1"]


# ------------------------------------------------------------- justification


def test_justify_spreads_slack_but_not_inside_runs() -> None:
    text = "一二2024年"
    line = Line(0, len(text), 5.0, 0.0, False)
    offsets = justify_offsets(text, line, adv, 8.0, EM)
    # Gaps: 一|二, 二|2024, 2024|年 -> 1 em each; the digits keep natural spacing.
    assert offsets == pytest.approx([0.0, 2.0, 4.0, 4.5, 5.0, 5.5, 7.0])
    assert offsets[-1] + adv("年") == pytest.approx(8.0)


def test_justify_last_line_keeps_natural_spacing() -> None:
    text = "一二三"
    line = Line(0, 3, 3.0, 0.0, True)
    assert justify_offsets(text, line, adv, 10.0, EM) == [0.0, 1.0, 2.0]


def test_justify_squeezes_the_blank_side() -> None:
    text = "一（二）三，四"
    line = Line(0, len(text), 7.0, 1.5, False)
    offsets = justify_offsets(text, line, adv, 5.5, EM)
    # （ loses its left blank, ） and ， their right blank, 0.5 em each.
    assert offsets == pytest.approx([0.0, 0.5, 1.5, 2.5, 3.0, 4.0, 4.5])


def test_justify_squeezes_touching_blanks_first() -> None:
    text = "一，二。”三"
    line = Line(0, len(text), 6.0, 0.5, False)
    offsets = justify_offsets(text, line, adv, 5.5, EM)
    # The blank between 。 and ” goes before the lone ，.
    assert offsets == pytest.approx([0.0, 1.0, 2.0, 3.0, 3.5, 4.5])


# ------------------------------------------------------------------ property

HAN = "中国人民教育发展学习工作推进建设"
PUNCT = "、，。：；！？）】》〉」』〕”’·（【《〈「『〔“‘—…,.;:!?()[]%‰"
TOKENS = ["——", "……", "2024—2035", "1—2", "90%", "https://a.cn/b_c", "2025-02-17", "REITs"]
pieces = st.one_of(
    st.sampled_from(HAN),
    st.sampled_from(HAN),
    st.sampled_from(PUNCT),
    st.sampled_from("0123456789abcXYZ"),
    st.sampled_from(sorted(SPACE)),
    st.sampled_from(TOKENS),
)
paragraphs = st.lists(pieces, max_size=90).map("".join)
widths_st = st.lists(st.integers(12, 40).map(lambda k: k / 2), min_size=1, max_size=3)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs, widths_st)
def test_property_rules_hold(text: str, widths: list[float]) -> None:
    lines = break_lines(text, adv, widths, EM)
    check(text, lines, widths)
    for i, ln in enumerate(lines):
        offsets = justify_offsets(text, ln, adv, width_at(widths, i), EM)
        assert len(offsets) == ln.end - ln.start


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.lists(st.floats(0.1, 30), min_size=1, max_size=3))
def test_property_never_raises_and_keeps_text(text: str, widths: list[float]) -> None:
    lines = break_lines(text, adv, widths, EM)
    covered = [i for ln in lines for i in range(ln.start, ln.end)]
    assert covered == sorted(set(covered))  # in order, no overlap
    assert all(ln.start < ln.end for ln in lines)
    if lines:
        assert lines[0].start == 0 or set(text[: lines[0].start]) <= SPACES
    left_out = set(range(len(text))) - set(covered)
    assert all(text[i] in SPACES for i in left_out)
    for i, ln in enumerate(lines):
        justify_offsets(text, ln, adv, width_at(widths, i), EM)


# ---------------------------------------------------------------------- seed


def seed_stats(paragraphs: list[str], widths: list[float], squeeze_fit: bool = True
               ) -> tuple[int, int, int]:
    """(lines, lines set by squeezing, lines ended early by push-down)."""
    total = squeezed = pushed = 0
    for text in paragraphs:
        lines = break_lines(text, adv, widths, EM, squeeze_fit=squeeze_fit)
        check(text, lines, widths)
        total += len(lines)
        for i, ln in enumerate(lines[:-1]):
            nxt = lines[i + 1]
            squeezed += ln.squeeze > 0
            # The next character would have fitted: the break moved back.
            room = width_at(widths, i) - ln.natural - sum(map(adv, text[ln.end : nxt.start]))
            pushed += ln.squeeze == 0 and adv(text[nxt.start]) <= room + EPS
        squeezed += lines[-1].squeeze > 0
    return total, squeezed, pushed


def test_seed_text() -> None:
    paragraphs = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line]
    total, squeezed, pushed = seed_stats(paragraphs, [26.0, 28.0])
    print(f"seed: {total} lines, {squeezed} squeezed, {pushed} pushed down")
    assert total > 300 and squeezed > 0 and pushed > 0
    # The default (L29): nothing squeezed, more pushed down.
    total2, squeezed2, pushed2 = seed_stats(paragraphs, [26.0, 28.0], squeeze_fit=False)
    assert total2 >= total and squeezed2 == 0 and pushed2 > pushed


def test_atom_fast_path_precondition() -> None:
    """_atom_end sets any character from U+2E80 up, but U+3000 and the
    full-width letters and digits, as an atom of its own: no other atom class
    may reach up there."""
    from handouts.typeset import linebreak as lb

    for table in (lb.SPACES, lb._RUN_CLASS, lb._LEADERS, lb._SIGNS):
        assert all(ord(c) < 0x2E80 or c == "\u3000" for c in table)
    for cp in range(0x2E80, 0x10000):
        if not 0xFF10 <= cp <= 0xFF5A and not 0xD800 <= cp <= 0xDFFF:
            assert not lb._is_alnum(chr(cp)), hex(cp)
