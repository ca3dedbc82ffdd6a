"""Issue 17: what a returned sheet's cells mean (handouts.collect.fields, tally)."""

from __future__ import annotations

import datetime as dt

import pytest

from handouts.collect.fields import (
    Sheet,
    Title,
    clean_time,
    head_count,
    labelled,
    labelled_lines,
    modes_from_text,
    parse_title,
    study_date,
)
from handouts.collect.tally import MISSING, PROBLEM, SUBMITTED, FileProblem, tally


@pytest.mark.parametrize(("text", "modes"), [
    ("□ 集中学习　　□ 专题研讨　　□ 自学　　□ 其他", []),
    ("☑ 集中学习　　□ 专题研讨　　□ 自学　　□ 其他", ["集中学习"]),
    ("■集中学习 ■专题研讨 □自学 □其他", ["集中学习", "专题研讨"]),
    ("□ 集中学习　√ 专题研讨　□ 自学", ["专题研讨"]),
    ("☐ 集中学习 ☒ 自学 ☒ 其他：线上观看", ["自学", "其他（线上观看）"]),
    ("集中学习", []),  # no mark at all: nothing was ticked
])
def test_learning_mode_from_marks(text, modes) -> None:
    assert modes_from_text(text) == modes


@pytest.mark.parametrize(("text", "cleaned"), [
    ("2025年3月11日　　　时　　分至　　时　　分", "2025年3月11日"),
    ("2025年3月11日　14时30分至16时00分", "2025年3月11日 14时30分至16时00分"),
    ("2025年3月11日 14:30-16:00", "2025年3月11日 14:30-16:00"),
])
def test_study_time_without_the_printed_blanks(text, cleaned) -> None:
    assert clean_time(text) == cleaned


def test_dates_and_head_counts() -> None:
    assert study_date("2025年4月2日下午", 2025) == dt.date(2025, 4, 2)
    assert study_date("3月12日 14:30", 2025) == dt.date(2025, 3, 12)
    assert study_date("2025-03-18", 2024) == dt.date(2025, 3, 18)
    assert study_date("下午", 2025) is None
    assert [head_count(t) for t in ("32", "32人", "３２", "三十二人", "十", "两", "约30", "")] == \
        [32, 32, 32, 32, 10, 2, None, None]


def test_title_names_branch_kind_and_month() -> None:
    assert parse_title("商学院党总支\n教职工政治理论学习记录\n（2025年3月）") == \
        Title("商学院党总支", "record", 2025, 3)
    assert parse_title("财经学院党总支教职工政治理论学习签到表（2025年2月）").kind == "signin"
    assert parse_title("2025年3月教职工政治理论学习内容") is None


def test_labels_pair_with_the_cell_after_them() -> None:
    rows = [["学习地点", "会议室", None, None],
            ["主 持 人", "张三", "记 录 人", ""],
            ["学习讨论\n（发言\n摘要）", "第一段", None, None],
            [None, "第二段", None, None],  # the same cell, split by a rule
            ["主持人签字： 记录人签字：", None, None, None]]
    assert labelled(rows) == {"place": "会议室", "host": "张三", "recorder": "",
                              "discussion": "第一段\n第二段"}


def sheet(branch: str, file: str, month: int = 3, **values: str) -> Sheet:
    base = {"time": "2025年3月11日", "place": "会议室", "host": "张三", "recorder": "李四",
            "expected": "10", "present": "9"}
    return Sheet(file, Title(branch, "record", 2025, month), "docx", {**base, **values})


def test_statuses_and_problems() -> None:
    branches = ["甲党总支", "乙党总支", "丙党总支", "丁党总支", "戊党总支", "己党总支"]
    sheets = [
        sheet("甲党总支", "a.pdf"),
        sheet("乙党总支", "b1.pdf"), sheet("乙党总支", "b2.docx", present="8"),
        sheet("丙党总支", "c.docx", month=2),
        sheet("丁党总支", "d.docx", host="", present="12", time="2025年4月1日"),
        sheet("庚党总支", "g.docx"),
        sheet("戊党总支", "甲党总支.docx", expected="十", present="10"),
    ]
    t = tally(branches, 2025, 3, sheets, [FileProblem("x.pdf", "坏了", kind="unreadable")],
              {"甲党总支.docx": "甲党总支"})
    by = {r.branch: r for r in t.rows}
    assert [r.branch for r in t.rows] == branches  # branch-list order
    assert by["甲党总支"].status == SUBMITTED and by["甲党总支"].rate == pytest.approx(0.9)
    assert by["乙党总支"].status == PROBLEM and by["乙党总支"].sheet.file == "b1.pdf"
    assert "收到 2 份记录表（b1.pdf、b2.docx），内容不同" in str(by["乙党总支"].problems[0])
    assert by["丙党总支"].status == PROBLEM and by["丙党总支"].sheet is None
    assert "2025年2月" in str(by["丙党总支"].problems[0])
    assert [str(p) for p in by["丁党总支"].problems] == [
        "主持人未填写（d.docx）", "实到人数（12）大于应到人数（10）（d.docx）",
        "学习时间 2025年4月1日 不在2025年3月（d.docx）"]
    # The file name names another branch: the title wins, and it is said.
    assert by["戊党总支"].status == PROBLEM and by["戊党总支"].rate == 1.0
    assert "文件名是甲党总支" in str(by["戊党总支"].problems[0])
    assert by["己党总支"].status == MISSING
    assert [(f.file, f.kind) for f in t.files] == [("x.pdf", "unreadable"), ("c.docx", "sheet"),
                                                   ("g.docx", "sheet")]
    assert "不在二级党组织名单中" in t.files[2].message


def test_labels_from_page_text_alone() -> None:
    """A flattened page whose rules no longer make cells: the text, line by line."""
    text = ("学习时间 2025年3月11日 时 分至 时 分\n学习地点 行政楼三楼会议室\n主 持 人 张三丰 记 录 人 李四\n"
            "应到人数 32 实到人数 30\n缺席人员 王五（出差）\n及原因\n学习形式 ☑ 集中学习 □ 专题研讨\n"
            "学习内容\n1.习近平……\n学习讨论 大家围绕\n（发言 重要讲话\n摘要）\n主持人签字： 记录人签字：")
    got = labelled_lines(text)
    assert got == {"time": "2025年3月11日时分至时分", "place": "行政楼三楼会议室", "host": "张三丰",
                   "recorder": "李四", "expected": "32", "present": "30", "absent": "王五（出差）",
                   "mode": "☑集中学习□专题研讨", "discussion": "大家围绕\n重要讲话"}
    assert clean_time(got["time"]) == "2025年3月11日" and modes_from_text(got["mode"]) == ["集中学习"]
