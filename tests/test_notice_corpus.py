"""Notices written by other hands (issue 20): tests/corpus/notices/NAME.txt is
checked against NAME.outline.json, the outline a careful reader expects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from handouts.compose.sheets import study_content
from handouts.model.package import Package
from handouts.model.parse import iter_blocks, parse
from handouts.read.branches import safe_filename
from handouts.read.source import read_bytes, read_source

CORPUS = Path(__file__).resolve().parent / "corpus" / "notices"
NAMES = sorted(p.stem for p in CORPUS.glob("*.txt"))


def load(name: str) -> tuple[Package, dict[str, Any]]:
    package = parse(read_source(CORPUS / f"{name}.txt"))
    expected = json.loads((CORPUS / f"{name}.outline.json").read_text(encoding="utf-8"))
    return package, expected


def test_corpus_is_large_enough_and_paired() -> None:
    assert len(NAMES) >= 15
    assert sorted(p.name.removesuffix(".outline.json") for p in CORPUS.glob("*.outline.json")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notice_reads_as_expected(name: str) -> None:
    package, want = load(name)
    notice = package.notice
    assert notice is not None
    assert package.title == want["cover"]
    assert safe_filename(package.title) == want["file_name"]
    assert notice.title == want["title"]
    assert (notice.addressee.text if notice.addressee else None) == want["addressee"]
    assert [{"label": b.label, "text": b.text, "group": b.group} for b in notice.items] == want["items"]
    assert [{"number": a.number, "title": a.title} for a in package.attachments] == want["attachments"]
    assert [b.text for b in notice.signature] == want["signature"]
    assert (notice.date.date.isoformat() if notice.date and notice.date.date else None) == want["date"]
    assert (package.study_date.isoformat() if package.study_date else None) == want["study_date"]
    assert [n.line for n in package.notes if n.message.startswith("网页残留")] == want["debris_lines"]
    assert [n.line for n in package.notes if "续行" in n.message] == want["joined_lines"]
    assert [n.message for n in package.warnings] == want["warnings"]
    assert [d.code for d in package.doubts] == [c for c in want["doubts"] if c != "title-missing"]
    assert [d.code for d in notice.doubts] == want["doubts"]
    blocks = {b.line: b for b in iter_blocks(package)}
    for spot in want.get("blocks", []):
        block = blocks[spot["line"]]
        assert block.kind == spot["kind"], spot
        if "lead" in spot:
            assert block.lead == spot["lead"], spot


@pytest.mark.parametrize("name", NAMES)
def test_no_debris_or_sentence_in_the_title_area(name: str) -> None:
    package, _ = load(name)
    notice = package.notice
    assert notice is not None
    debris = [n.removed for n in package.notes if n.message.startswith("网页残留")]
    head = [package.title, *notice.title, notice.addressee.text if notice.addressee else ""]
    for text in debris:
        # A column name such as 理论学习 may well be part of a real title.
        assert all(text != h and (len(text) <= 8 or text not in h) for h in head), text
    for line in notice.title:
        assert not line.endswith("。") and len(line) <= 50
    for block in iter_blocks(package):
        assert all(block.full_text != d for d in debris)


@pytest.mark.parametrize("name", NAMES)
def test_every_line_is_kept_somewhere(name: str) -> None:
    """Nothing is dropped: each line is in the model or in a debris note."""
    package, _ = load(name)
    src = read_source(CORPUS / f"{name}.txt")
    wanted = {i for i, line in enumerate(src.lines, start=1) if line.strip()}
    seen = {b.line for b in iter_blocks(package)}
    seen |= {n.line for n in package.notes if n.removed or "续行" in n.message}
    notice = package.notice
    assert notice is not None
    if package.title_line:
        seen.add(package.title_line)
    seen.update(range(notice.title_line, notice.title_line + len(notice.title)))
    for att in package.attachments:
        seen.add(att.line)
        seen.update(range(att.title_line, att.title_line + len(att.title)))
    assert wanted - seen == set()


def test_record_sheet_shows_items_under_their_groups() -> None:
    package, _ = load("groups-han-paren")
    lines = [(line["group"], line["number"], line["text"]) for line in study_content(package)]
    assert lines == [
        (True, None, "（一）习近平总书记重要讲话"),
        (False, 1, "习近平在庆祝中国共产党成立104周年之际的重要讲话"),
        (False, 2, "习近平在中央城市工作会议上的重要讲话"),
        (True, None, "（二）重要文件"),
        (False, 3, "中共中央 国务院关于推进教育强国建设的意见"),
        (False, 4, "重庆市教育强市建设规划纲要"),
    ]


def test_record_sheet_renders_group_headings() -> None:
    from handouts.compose.sheets import compose_sheet, sheet_kinds

    package, _ = load("groups-arabic")
    kind = next(k for k in sheet_kinds() if k.kind == "record-sheet")
    doc = compose_sheet(kind, package, "示例党支部")
    table = next(b for b in doc.sections[0].blocks if hasattr(b, "rows"))
    row = next(r for r in table.rows
               if any("学习内容" in run.text for p in r.cells[0].blocks for run in p.runs))
    content = row.cells[1]
    texts = ["".join(r.text for r in p.runs) for p in content.blocks]
    # The groups' own "1." "2." would read as items beside the items 1…4.
    assert texts == ["重要讲话", "1.习近平在第二届中国—中亚峰会上的主旨讲话", "2.习近平在全国科技大会上的讲话",
                     "重要文件", "3.中共中央办公厅关于进一步加强高校思想政治工作的意见",
                     "4.《习近平谈治国理政》第五卷相关篇目"]
    assert content.blocks[0].runs[0].role == "heading1"  # a group heading, set apart


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("1.2万余名师生参加了学习。", "paragraph"),
        ("3.5%的增长来自投资。", "paragraph"),
        ("1.4月15日习近平的重要指示", "heading"),
        ("（一）请各单位紧密结合实际，把理论学习同推动学校高质量发展紧密结合起来，做到学用结合。", "paragraph"),
        ("（一）加强领导。各单位要重视。", "heading"),
    ],
)
def test_numbered_lines_in_an_attachment(line: str, kind: str) -> None:
    pkg = parse(read_bytes(f"通知\n各单位：\n学习。\n附件1\n标题\n\n{line}\n".encode(), "v.txt"))
    assert pkg.attachments[0].blocks[0].kind == kind


def test_outline_json_reports_doubts() -> None:
    package, _ = load("no-study-part")
    data = package.to_json()["notice"]
    assert data["confident"] is False
    assert [d["code"] for d in data["doubts"]] == ["title-guessed", "items-outside-study-part"]
    march = parse(read_source(Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"))
    assert march.to_json()["notice"]["confident"] is True
    assert march.to_json()["notice"]["study_part_line"] == 6


def test_record_sheet_drops_the_lists_own_punctuation() -> None:
    package, _ = load("items-semicolons")
    assert [item.text[-1] for item in package.notice.items] == ["；", "；", "。"]  # type: ignore[union-attr]
    assert [line["text"] for line in study_content(package)][:2] == ["《习近平谈治国理政》第五卷", "党的二十届四中全会精神"]


def test_joins_in_an_attachment_leave_subheadings_alone() -> None:
    text = ("通知\n各单位：\n学习。\n附件1\n标题\n\n坚持以人民为中心的发展思想\n各地区各部门要把人民放在心中。\n"
            "各单位要把学习任务落实到每一名教职工，并结合\n实际认真组织。\n")
    pkg = parse(read_bytes(text.encode(), "v.txt"))
    assert [b.text for b in pkg.attachments[0].blocks] == [
        "坚持以人民为中心的发展思想", "各地区各部门要把人民放在心中。", "各单位要把学习任务落实到每一名教职工，并结合实际认真组织。"]
    assert [n.line for n in pkg.notes if "续行" in n.message] == [10]


def test_items_only_in_attachments_give_the_sheet_their_titles() -> None:
    package, _ = load("items-in-attachments")
    assert [line["text"] for line in study_content(package)] == [
        "习近平在中共中央政治局第二十次集体学习时的讲话", "国务院办公厅关于加快构建普惠托育服务体系的意见"]
    assert package.notice is not None
    assert [b.kind for b in package.notice.blocks] == ["paragraph", "heading", "heading"]
