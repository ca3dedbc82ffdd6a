"""Variants seen in real notices elsewhere (issue 2): small inputs, one idea each."""

from __future__ import annotations

import datetime as dt

import pytest

from handouts.model.package import Package
from handouts.model.parse import parse
from handouts.read.source import read_bytes


def p(text: str) -> Package:
    return parse(read_bytes(text.encode("utf-8"), "v.txt"))


BASIC = """关于开展4月份理论学习的通知
各党总支、直属党支部:
4月8日为教职工政治理论学习时间，学习内容如下：
1. 文件一
2. 文件二
党委宣传部
2025年4月1日
附件1
文件一
正文一。
附件2
文件二
正文二。
"""


def test_half_width_colon_and_spaced_items() -> None:
    pkg = p(BASIC)
    assert pkg.notice is not None
    assert pkg.notice.addressee is not None
    assert pkg.notice.addressee.text == "各党总支、直属党支部:"
    assert [(i.label, i.text) for i in pkg.notice.items] == [("1. ", "文件一"), ("2. ", "文件二")]
    assert pkg.study_date == dt.date(2025, 4, 8)
    assert [a.title for a in pkg.attachments] == [["文件一"], ["文件二"]]
    assert all(a.source is None for a in pkg.attachments)  # no source line is fine
    assert pkg.warnings == []


@pytest.mark.parametrize(
    ("line", "level", "lead"),
    [
        ("(一)加强领导。各单位要重视。", 2, "(一)加强领导。"),
        ("（一）加强领导", 2, "（一）加强领导"),
        ("(1)明确任务。落实到人。", 4, "(1)明确任务。"),
        ("1)明确任务", 4, "1)明确任务"),
        ("1.明确任务。落实到人。", 3, "1.明确任务。"),
        ("十二、坚持“两个确立。”原则。其余", 1, "十二、坚持“两个确立。”原则。"),
        ("三、关于《规定（试行。）》的说明。其余", 1, "三、关于《规定（试行。）》的说明。"),
    ],
)
def test_heading_variants_in_attachments(line: str, level: int, lead: str) -> None:
    pkg = p(f"通知\n各单位：\n学习。\n附件1\n标题\n\n{line}\n")
    heading = pkg.attachments[0].blocks[0]
    assert (heading.kind, heading.level, heading.lead) == ("heading", level, lead)
    assert heading.lead + heading.text == line


def test_numbers_that_are_not_headings() -> None:
    pkg = p("通知\n各单位：\n学习。\n附件1\n标题\n\n3.5%的增长来自投资。\n2024年12月，市委印发。\n")
    assert [b.kind for b in pkg.attachments[0].blocks] == ["paragraph", "paragraph"]


def test_no_addressee() -> None:
    pkg = p("关于学习的通知\n\n3月11日为学习时间。请认真学习。\n\n宣传部\n2025年3月4日\n")
    assert pkg.notice is not None
    assert pkg.notice.title == ["关于学习的通知"]
    assert pkg.notice.addressee is None
    assert [b.text for b in pkg.notice.signature] == ["宣传部"]
    assert pkg.study_date == dt.date(2025, 3, 11)


def test_notice_without_attachments() -> None:
    pkg = p("关于学习的通知\n各单位：\n请学习。\n宣传部\n2025年3月4日\n")
    assert pkg.attachments == []
    assert pkg.notice is not None and pkg.notice.date is not None


def test_attachments_without_notice_warn() -> None:
    pkg = p("附件1\n文件一\n正文。\n附件2\n文件二\n正文。\n")
    assert pkg.notice is None
    assert [a.number for a in pkg.attachments] == [1, 2]
    assert pkg.title == "文件一"
    assert any("没有找到通知" in w.message for w in pkg.warnings)


def test_blank_lines_between_every_paragraph() -> None:
    text = "\n\n".join([
        "2025年5月学习内容", "关于5月份学习的通知", "各二级党组织：",
        "5月13日为学习时间。主要学习内容如下：", "1.文件一", "请认真学习。", "宣传部", "2025年5月6日",
        "附件1", "关于印发《某某规划", "（2025—2027年）》的通知", "（来源：某网站）",
        "各区县：", "现印发给你们。", "一、总体要求", "正文。",
    ]) + "\n"
    pkg = p(text)
    assert pkg.title == "2025年5月学习内容"
    assert pkg.notice is not None and pkg.notice.title == ["关于5月份学习的通知"]
    assert [b.text for b in pkg.notice.signature] == ["宣传部"]
    att = pkg.attachments[0]
    assert att.title == ["关于印发《某某规划", "（2025—2027年）》的通知"]
    assert att.source is not None
    assert [b.kind for b in att.blocks] == ["addressee", "paragraph", "heading", "paragraph"]


def test_title_broken_mid_word() -> None:
    pkg = p("关于开展主题教育学\n习的通知\n各单位：\n请学习。\n附件1\n重庆市人民政府关于印发《某某\n方案》的通知\n\n正文。\n")
    assert pkg.notice is not None and pkg.notice.title == ["关于开展主题教育学", "习的通知"]
    assert pkg.attachments[0].title == ["重庆市人民政府关于印发《某某", "方案》的通知"]


def test_han_numeral_date_and_label_variants() -> None:
    pkg = p("关于学习的通知\n各单位：\n请学习。\n宣传部\n二〇二五年三月十一日\n附件：\n标题\n\n正文。\n")
    assert pkg.notice is not None and pkg.notice.date is not None
    assert pkg.notice.date.date == dt.date(2025, 3, 11)
    assert [(a.number, a.label) for a in pkg.attachments] == [(1, "附件：")]


def test_consistency_warnings() -> None:
    text = (
        "关于学习的通知\n各单位：\n3月11日为学习时间：\n1.甲文件\n2.乙文件\n3.丙文件\n宣传部\n2025年2月30日\n"
        "附件1\n甲文件\n正文。\n附件1\n乙文件\n正文。\n附件4\n丙文件\n"
    )
    pkg = p(text)
    messages = [(w.line, w.message) for w in pkg.warnings]
    joined = "\n".join(m for _, m in messages)
    assert "无法识别" in joined  # 2月30日
    assert any(line == 12 and "重复" in m for line, m in messages)
    assert any(line == 15 and "缺少附件2、附件3" in m for line, m in messages)
    assert any(line == 15 and "只有标题" in m for line, m in messages)
    assert "第 3 项学习内容没有对应的附件3" in joined


def test_item_title_mismatch_warns() -> None:
    text = "通知\n各单位：\n1.关于乡村振兴的意见\n宣传部\n2025年3月4日\n附件1\n民营企业座谈会讲话\n正文。\n"
    assert any("差别较大" in w.message for w in p(text).warnings)


def test_tab_separated_table() -> None:
    pkg = p("通知\n各单位：\n学习。\n附件1\n标题\n\n说明：\n序号\t单位\t人数\n1\t商学院\t30\n结束。\n")
    blocks = pkg.attachments[0].blocks
    table = next(b for b in blocks if b.kind == "table")
    assert table.rows == [["序号", "单位", "人数"], ["1", "商学院", "30"]]
    assert blocks[-1].text == "结束。"


def test_unclassifiable_text_stays_a_paragraph() -> None:
    pkg = p("通知\n各单位：\n@@@ ### <b>&amp;\n附件1\n标题\n\n<font name=x>&#20;</font>\n")
    assert pkg.notice is not None and pkg.notice.blocks[0].text == "@@@ ### <b>&amp;"
    assert pkg.attachments[0].blocks[0].text == "<font name=x>&#20;</font>"
