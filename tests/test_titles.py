"""Title line balancing (LAYOUT.md "Title", L10) for handouts.typeset.titles, without fonts.

Widths: a full-width character is 1, a digit, Latin letter or space ½ —
what a Chinese title face at any size gives, in ems. The block holds 20.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from handouts.typeset.titles import balance_title, is_tail, split_line

WIDTH = 20.0
TAIL = re.compile(r"^[的之]?(通知|意见|决定|方案|通报|报告|函|讲话|措施)[》）]*$")
NEVER_START = set("、，。：；！？）】》〉」』〕”’")
NEVER_END = set("（【《〈「『〔“‘")


def em(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


def joined(lines: list[str]) -> str:
    return "".join(lines).replace(" ", "")


def check(lines: list[str], original: str) -> None:
    """What every result must satisfy, whatever the weights choose."""
    assert joined(lines) == original.replace(" ", "")  # nothing lost, nothing added, in order
    for line in lines:
        assert em(line) <= WIDTH, line
        assert not TAIL.match(line), line
        assert line[0] not in NEVER_START and line[-1] not in NEVER_END, line
        assert line == line.strip()


def test_a_short_title_stays_one_line() -> None:
    assert balance_title(["关于3月份教职工政治理论学习的通知"], em, WIDTH) == [
        "关于3月份教职工政治理论学习的通知"
    ]


def test_input_breaks_are_kept_when_every_line_fits() -> None:
    lines = ["习近平在民营企业座谈会上强调", "民营经济发展前景广阔大有可为",
             "民营企业和民营企业家大显身手正当其时"]
    assert balance_title(lines, em, WIDTH) == lines
    # Even unbalanced ones: the clerk's breaks are a decision.
    lines = ["重庆市委、市政府印发", "《重庆加快建设教育强市推进教育现代化规划", "（2024—2035年）》"]
    assert balance_title(lines, em, WIDTH) == lines


def test_a_long_line_is_split_into_balanced_lines() -> None:
    title = "国家发展改革委等部门关于印发《促进普惠养老服务高质量发展的若干措施》的通知"
    out = balance_title([title], em, WIDTH)
    check(out, title)
    assert len(out) == 2
    widths = [em(x) for x in out]
    assert max(widths) - min(widths) <= 2  # roughly equal, not 20 + 17


def test_only_the_too_long_line_is_rebroken() -> None:
    lines = ["重庆市人民政府", "关于印发《重庆市深入实施以人为本的新型城镇化", "战略五年行动计划实施方案》的通知"]
    out = balance_title(lines, em, WIDTH)
    check(out, "".join(lines))
    assert out[0] == lines[0] and out[-1] == lines[-1]
    assert len(out) == 4
    # Balanced against the kept lines, not a stub "关于印发" and a full line.
    assert min(em(x) for x in out[1:3]) >= 8


def test_joint_issuers_break_at_their_space() -> None:
    out = balance_title(["重庆市人民政府办公厅 成都市人民政府办公厅"], em, 20.0)
    assert out == ["重庆市人民政府办公厅", "成都市人民政府办公厅"]


def test_prefers_punctuation_and_phrase_starts() -> None:
    title = "中共中央办公厅、国务院办公厅印发关于深化新时代学校思想政治理论课改革创新的若干意见"
    out = split_line(title, em, WIDTH)
    check(out, title)
    # The first break falls at a phrase boundary: after 、 or before 印发/关于.
    assert out[0].endswith("、") or out[1].startswith(("印发", "关于")), out


def test_a_tail_never_stands_alone() -> None:
    # The input's own last line is only "的通知": it joins the line before.
    out = balance_title(["关于做好2025年春季学期", "教职工政治理论学习工作", "的通知"], em, WIDTH)
    assert out[-1].endswith("的通知") and len(out[-1]) > 3
    assert not any(TAIL.match(x) for x in out)
    # A split that would leave 的通知 alone is never chosen.
    title = "关于进一步加强和改进新时代高等学校教职工思想政治工作的通知"
    check(split_line(title, em, WIDTH), title)


def test_digit_runs_and_book_titles_stay_whole_when_possible() -> None:
    title = "重庆市教育委员会关于印发《重庆市教育事业发展规划》2024—2035年实施方案的通知"
    out = split_line(title, em, WIDTH)
    check(out, title)
    assert all("2024—2035" in x or "2024" not in x for x in out)
    assert any("《重庆市教育事业发展规划》" in x for x in out)


def test_is_tail() -> None:
    for tail in ("的通知", "通知", "的意见", "》的通知", "的决定", "知"):
        assert is_tail(tail), tail
    for line in ("若干措施》的通知", "的通知和意见汇编", "关于印发"):
        assert not is_tail(line), line


HAN = st.sampled_from(list("关于印发教育强市建设规划纲要促进普惠养老服务高质量发展的若干措施通知意见"))
PIECE = st.one_of(
    st.lists(HAN, min_size=1, max_size=8).map("".join),
    st.sampled_from(["、", "，", "《促进发展》", "（2024—2035年）", "2025", " "]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECE, min_size=1, max_size=12).map("".join))
def test_any_title_fits_and_keeps_its_text(text: str) -> None:
    text = text.strip()
    if not text:
        return
    out = balance_title([text], em, WIDTH)
    assert joined(out) == text.replace(" ", "")
    for line in out:
        assert em(line) <= WIDTH or len(line) == 1, line
