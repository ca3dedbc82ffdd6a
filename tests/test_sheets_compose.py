"""Sheets are composed from templates with the branch, date and items (issue 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.compose.document import Table
from handouts.compose.render import shorten, zi_width
from handouts.compose.sheets import ITEM_LIMIT, compose_bundle, compose_sheet, sheet_kinds
from handouts.model.parse import parse
from handouts.read.source import read_source

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def march():
    return parse(read_source(ROOT / "seeds" / "2025-03.txt"))


def texts(doc) -> str:
    out = []
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                out += [cell.text for row in block.rows for cell in row.cells]
            elif hasattr(block, "text"):
                out.append(block.text)
    return "\n".join(out)


def test_kinds_come_from_the_sheet_table() -> None:
    assert [k.kind for k in sheet_kinds()] == ["record-sheet", "signin-sheet"]


def test_record_sheet_fields(march) -> None:
    kind = sheet_kinds()[0]
    doc = compose_sheet(kind, march, "机关/直属<党支部>&")
    text = texts(doc)
    for label in ("学习时间", "学习地点", "主 持 人", "记 录 人", "应到人数", "实到人数", "缺席人员",
                  "学习形式", "集中学习", "专题研讨", "自学", "学习内容", "学习讨论", "主持人签字", "记录人签字"):
        assert label in text, label
    assert "机关/直属<党支部>&" in doc.sections[0].blocks[0].text  # real name, escaped safely
    assert "2025年3月11日" in text and "2025年3月" in doc.title
    for n, item in enumerate(march.study_items, start=1):
        assert f"{n}.{shorten(item, ITEM_LIMIT)}" in text
    fields = {c.field for s in doc.sections for b in s.blocks if isinstance(b, Table)
              for r in b.rows for c in r.cells if c.field}
    assert len(fields) >= 8
    assert len(doc.sections) == 2  # the ruled continuation page


def test_signin_sheet_rows(march) -> None:
    kind = sheet_kinds()[1]
    doc = compose_sheet(kind, march, "商学院党总支")
    table = next(b for b in doc.sections[0].blocks if isinstance(b, Table))
    assert [c.text for c in table.rows[0].cells] == ["序号", "姓名", "部门/职务", "签名", "备注"]
    assert [r.cells[0].text for r in table.rows[1:]] == [str(n) for n in range(1, 21)]
    assert table.header_rows == 1
    assert "负责人签字" in texts(doc) and "2025年3月11日" in texts(doc)


def test_bundle_starts_each_branch_on_an_odd_page(march) -> None:
    kinds = sheet_kinds()
    sheets = [(b, [compose_sheet(k, march, b) for k in kinds]) for b in ("甲党总支", "乙党总支")]
    bundle = compose_bundle(march, sheets)
    assert [s.odd_start for s in bundle.sections] == [True, False, False, True, False, False]


def test_shorten_keeps_document_names() -> None:
    long = "重庆市人民政府办公厅 四川省人民政府办公厅印发《进一步强化川渝公共服务共建共享行动方案（2025—2027年）》"
    short = shorten(long, 20)
    assert zi_width(short) <= 20
    # Cut inside the brackets, which stay paired, between two words (issue 21:
    # it was 「…共享行……》」, inside 行动).
    assert short == "《进一步强化川渝公共服务共建共享……》"
    assert shorten("习近平：民营经济发展前景广阔大有可为 民营企业和民营企业家大显身手正当其时", 28) == (
        "习近平：民营经济发展前景广阔大有可为……")  # no 《》: cut at the phrase boundary
    assert shorten(long, 40) == "《进一步强化川渝公共服务共建共享行动方案（2025—2027年）》"
    assert shorten("短标题", 20) == "短标题"
