"""The March 2025 package parsed as a careful reader sees it (issue 2)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from handouts.model.package import Package
from handouts.model.parse import parse
from handouts.read.source import read_source

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"


@pytest.fixture(scope="module")
def march() -> Package:
    return parse(read_source(SEED))


def test_cover_title_and_notice_head(march: Package) -> None:
    assert march.title == "2025年3月教职工政治理论学习内容"
    assert march.encoding == "utf-8"
    notice = march.notice
    assert notice is not None
    assert notice.title == ["关于3月份教职工政治理论学习的通知"]
    assert notice.addressee is not None and notice.addressee.text == "各二级党组织："
    assert notice.addressee.line == 5


def test_notice_items_signature_date(march: Package) -> None:
    notice = march.notice
    assert notice is not None
    items = notice.items
    assert [i.label for i in items] == [f"{n}." for n in range(1, 8)]
    assert items[1].text == "习近平向第38届非洲联盟峰会致贺电"
    assert [i.line for i in items] == list(range(7, 14))
    assert [b.text for b in notice.signature] == ["党委宣传网工部"]
    assert notice.date is not None and notice.date.date == dt.date(2025, 3, 4)
    assert notice.date.line == 17
    kinds = [b.kind for b in notice.blocks]
    assert kinds == ["paragraph"] + ["item"] * 7 + ["paragraph"]


def test_study_date(march: Package) -> None:
    assert march.study_date == dt.date(2025, 3, 11)
    assert march.study_date_line == 6


def test_attachments_numbered_and_titled(march: Package) -> None:
    assert [a.number for a in march.attachments] == [1, 2, 3, 4, 5, 6, 7]
    assert [a.label for a in march.attachments] == [f"附件{n}" for n in range(1, 8)]
    assert [len(a.title) for a in march.attachments] == [3, 1, 1, 3, 3, 2, 3]
    a4 = march.attachments[3]
    assert a4.title == ["重庆市委、市政府印发", "《重庆加快建设教育强市推进教育现代化规划", "（2024—2035年）》"]
    assert all(a.source is not None and a.source.text.startswith("（来源：") for a in march.attachments)


@pytest.mark.parametrize(
    ("number", "level1", "level2"),
    [(3, 6, 0), (4, 13, 43), (5, 9, 22), (6, 3, 20), (7, 6, 26)],
)
def test_heading_counts(march: Package, number: int, level1: int, level2: int) -> None:
    att = march.attachments[number - 1]
    levels = Counter(b.level for b in att.blocks if b.kind == "heading")
    assert levels[1] == level1
    assert levels[2] == level2


def test_run_in_headings_keep_their_lead(march: Package) -> None:
    a3 = march.attachments[2]
    headings = [b for b in a3.blocks if b.kind == "heading"]
    assert len(headings) == 6
    assert all(h.text for h in headings), "all six 一、 headings of 附件3 are run-in"
    assert headings[0].lead == "一、推动服务供给提质扩面。"
    assert headings[0].text.startswith("在重点满足失能、失智")
    a4 = march.attachments[3]
    standalone = next(b for b in a4.blocks if b.kind == "heading" and b.level == 1)
    assert (standalone.lead, standalone.text) == ("一、总体要求", "")


def _kinds(blocks, kind):
    return [b for b in blocks if b.kind == kind]


def test_quoted_documents(march: Package) -> None:
    a3, a5, a6, a7 = (march.attachments[i] for i in (2, 4, 5, 6))
    assert [b.text for b in _kinds(a3.blocks, "addressee")] == ["各省、自治区、直辖市人民政府，新疆生产建设兵团："]
    assert [b.text for b in _kinds(a3.blocks, "signature")] == [
        "国家发展改革委", "民政部", "财政部", "自然资源部", "住房城乡建设部", "农业农村部",
        "国家卫生健康委", "市场监管总局",
    ]
    assert [b.date for b in _kinds(a3.blocks, "date")] == [dt.date(2025, 2, 20)]
    assert [b.text for b in _kinds(a3.blocks, "subtitle")] == ["促进普惠养老服务高质量发展的若干措施"]

    assert len(_kinds(a5.blocks, "signature")) == 1  # two offices on one line
    assert "四川省人民政府办公厅" in _kinds(a5.blocks, "signature")[0].text
    assert [b.date for b in _kinds(a5.blocks, "date")] == [dt.date(2025, 1, 26)]
    assert [b.text for b in _kinds(a5.blocks, "note")] == ["（此件公开发布）"]
    assert [b.text for b in _kinds(a5.blocks, "subtitle")] == [
        "进一步强化川渝公共服务共建共享行动方案", "（2025—2027年）"]

    assert [b.text for b in _kinds(a6.blocks, "note")] == ["（此件公开发布）"]
    assert [b.date for b in _kinds(a6.blocks, "date")] == [dt.date(2025, 1, 26)]
    assert [b.text for b in _kinds(a7.blocks, "note")] == ["（本文有删减）"]
    assert [b.date for b in _kinds(a7.blocks, "date")] == [dt.date(2025, 2, 10)]
    assert [b.text for b in _kinds(a7.blocks, "addressee")] == ["各区县（自治县）人民政府，市政府各部门，有关单位："]
    # Attachments 1, 2 and 4 quote no document: no addressee, signature or date.
    for att in (march.attachments[0], march.attachments[1], march.attachments[3]):
        assert not {"addressee", "signature", "date", "note"} & {b.kind for b in att.blocks}


def test_bookmark_artefact_removed_and_noted(march: Package) -> None:
    notes = [n for n in march.notes if "bookmark" in n.message]
    assert [(n.line, n.removed) for n in notes] == [(197, "[bookmark: _GoBack]")]
    heading = next(b for b in march.attachments[4].blocks if b.line == 197)
    assert heading.lead.startswith("（二十二）开展监测评估。")
    stray = [n for n in march.notes if n.line == 18]
    assert stray and "空格" in stray[0].message


def test_no_warnings_on_the_real_package(march: Package) -> None:
    assert march.warnings == []


def test_every_line_lands_in_the_model(march: Package) -> None:
    """Nothing is dropped: each non-blank input line is one block, title or label."""
    from handouts.model.parse import iter_blocks

    src = read_source(SEED)
    wanted = {i for i, line in enumerate(src.lines, start=1) if line.strip()}
    seen = {b.line for b in iter_blocks(march)}
    seen.add(march.title_line)
    assert march.notice is not None
    seen.update(range(march.notice.title_line, march.notice.title_line + len(march.notice.title)))
    for att in march.attachments:
        seen.add(att.line)
        seen.update(range(att.title_line, att.title_line + len(att.title)))
    assert wanted - seen == set()
