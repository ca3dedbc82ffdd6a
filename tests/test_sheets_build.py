"""Issue 6 on the built files: every branch's four sheets, the form, the bundle."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from lxml import etree

from handouts.build import BuildContext, build_package
from handouts.model.parse import parse
from handouts.read.source import read_source

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
BRANCHES = ["商学院党总支", "机关/直属<党支部>", "财经学院党总支"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sheets")
    package = parse(read_source(SEED))
    build_package(package, out=out, branches=BRANCHES, formats=["pdf", "docx"], force=False,
                  ctx=BuildContext())
    root = out / "2025-03"
    return root, json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def sheets(manifest: dict, kind: str, fmt: str) -> list[dict]:
    return [f for f in manifest["files"] if f["kind"] == kind and f["format"] == fmt]


def test_every_branch_gets_four_files(built) -> None:
    root, manifest = built
    for kind in ("record-sheet", "signin-sheet"):
        for fmt in ("pdf", "docx"):
            files = sheets(manifest, kind, fmt)
            assert [f["branch"] for f in files] == BRANCHES
            for f in files:
                assert (root / f["path"]).is_file()
                assert "/" not in Path(f["path"]).name and "<" not in f["path"]


def text_of(pdf: Path) -> str:
    with pdfplumber.open(pdf) as doc:
        return "".join(c["text"] for page in doc.pages for c in page.chars)


def test_labels_branch_date_and_items_are_on_the_pdf_sheets(built) -> None:
    root, manifest = built
    package = parse(read_source(SEED))
    for f in sheets(manifest, "record-sheet", "pdf"):
        text = text_of(root / f["path"])
        for label in ("学习时间", "学习地点", "学习形式", "学习内容", "学习讨论", "主持人签字", "记录人签字"):
            assert label in text
        assert f["branch"] in text
        # 学习时间 is a form field (issue 21): the date is its value, drawn by its appearance.
        time = pypdf.PdfReader(root / f["path"]).get_fields()["time"]
        assert time["/V"].startswith("2025年3月11日")
        assert "习近平向第38届非洲联盟峰会致贺电" in text
        assert "《促进普惠养老服务高质量发展的若干措施》" in text
        assert f["pages"] == 2
    for f in sheets(manifest, "signin-sheet", "pdf"):
        text = text_of(root / f["path"])
        assert f["branch"] in text and "2025年3月11日" in text and "负责人签字" in text
        assert f["pages"] == 1
    assert len(package.study_items) == 7


def test_record_sheet_pdf_is_a_form(built) -> None:
    root, manifest = built
    for f in sheets(manifest, "record-sheet", "pdf"):
        fields = pypdf.PdfReader(root / f["path"]).get_fields() or {}
        assert len(fields) >= 8
        assert {"place", "host", "recorder", "expected", "present", "absent", "discussion"} <= set(fields)


def test_bundle_pages_are_the_sheets_plus_odd_start_blanks(built) -> None:
    root, manifest = built
    bundle = sheets(manifest, "print-bundle", "pdf")
    assert len(bundle) == 1
    sheet_pages = [sum(f["pages"] for f in manifest["files"]
                       if f["format"] == "pdf" and f["branch"] == b) for b in BRANCHES]
    # each branch starts on an odd page: a blank page follows an odd count
    blanks = sum(n % 2 for n in sheet_pages[:-1])
    assert bundle[0]["blank_pages"] == blanks
    assert bundle[0]["pages"] == sum(sheet_pages) + blanks
    reader = pypdf.PdfReader(root / bundle[0]["path"])
    assert len(reader.pages) == bundle[0]["pages"]
    start = 1
    for branch, n in zip(BRANCHES, sheet_pages, strict=True):
        assert start % 2 == 1
        assert branch in reader.pages[start - 1].extract_text()
        start += n + n % 2


def test_word_sheets_are_real_tables_with_the_fields(built) -> None:
    root, manifest = built
    for f in sheets(manifest, "record-sheet", "docx"):
        xml = etree.fromstring(zipfile.ZipFile(root / f["path"]).read("word/document.xml"))
        tables = xml.findall(f".//{W}tbl")
        assert tables
        cells = ["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in tables[0].iter(f"{W}tc")]
        for label in ("学习时间", "学习地点", "主 持 人", "记 录 人", "应到人数", "实到人数", "学习形式",
                      "学习内容"):
            assert label in cells
        assert any("2025年3月11日" in c for c in cells)
        assert "" in cells  # blank cells for the branch to type into
    for f in sheets(manifest, "signin-sheet", "docx"):
        xml = etree.fromstring(zipfile.ZipFile(root / f["path"]).read("word/document.xml"))
        rows = xml.findall(f".//{W}tbl/{W}tr")
        assert len(rows) == 21  # header and 20 numbered rows

