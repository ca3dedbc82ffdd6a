"""Issue 15.4-15.5: the year's volume of every month already built.

Two months are built (March, and an April derived from the March seed), then
`--volume 2025`: the volume's pages are the months' plus its front matter
(and the blank page that lets April start on a right-hand page), its
bookmarks and its contents' page numbers point at the pages where each
notice and attachment begins, its stamped page numbers continue across the
months, and it is PDF/A-2b, listed in a manifest, deterministic, and names
the missing months.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest
from pdfa_check import problems, qpdf_check, validator_findings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
NAME = "2025年教职工政治理论学习材料汇编"
MM = 72 / 25.4


def generate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], capture_output=True,
                          text=True, timeout=300, env=env, check=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("volume")
    march = work / "2025-03.txt"
    march.write_bytes(SEED.read_bytes())
    april = work / "2025-04.txt"
    april.write_text(SEED.read_text(encoding="utf-8").replace("3月", "4月"), encoding="utf-8")
    (work / "branches.txt").write_text("商学院党总支\n", encoding="utf-8")
    out = work / "out"
    months = generate(str(march), str(april), "-o", str(out), "--branches", str(work / "branches.txt"),
                      "--formats", "pdf")
    assert months.returncode == 0, months.stderr
    (out / "2025-05").mkdir()  # a month folder without a build
    volume = generate("--volume", "2025", "-o", str(out))
    assert volume.returncode == 0, volume.stderr
    return {"out": out, "stderr": volume.stderr, "pdf": out / f"{NAME}.pdf",
            "manifest": json.loads((out / f"{NAME}.manifest.json").read_text(encoding="utf-8"))}


def month_pdf(out: Path, folder: str) -> Path:
    files = json.loads((out / folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    return out / folder / next(f["path"] for f in files if f["kind"] == "handout" and f["format"] == "pdf")


def outline(pdf: pikepdf.Pdf) -> list[tuple[str, int, list[tuple[str, int]]]]:
    with pdf.open_outline() as o:
        return [(i.title, pikepdf.Page(i.destination[0]).index,
                 [(c.title, pikepdf.Page(c.destination[0]).index) for c in i.children]) for i in o.root]


def page_text(path: Path, index: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_page_count_is_the_months_plus_front_matter(built: dict) -> None:
    out, manifest = built["out"], built["manifest"]
    sizes = []
    for folder in ("2025-03", "2025-04"):
        with pikepdf.open(month_pdf(out, folder)) as m:
            sizes.append(len(m.pages))
    entry = manifest["files"][0]
    with pikepdf.open(built["pdf"]) as vol:
        assert len(vol.pages) == entry["pages"]
    # title page, its blank back, two contents pages: even, so page 1 is a right-hand page
    assert entry["front_pages"] == 4
    # March ends on a right-hand page (odd count): one blank page before April
    assert entry["blank_pages"] == (1 if sizes[0] % 2 else 0)
    assert entry["pages"] == entry["front_pages"] + sum(sizes) + entry["blank_pages"]
    assert [m["first_page"] for m in manifest["months"]] == [1, sizes[0] + 1 + entry["blank_pages"]]
    assert manifest["missing"] == [f"2025-{n:02d}" for n in (1, 2, *range(5, 13))]


def test_bookmarks_point_at_each_notice_and_attachment(built: dict) -> None:
    out, manifest = built["out"], built["manifest"]
    front = manifest["files"][0]["front_pages"]
    with pikepdf.open(built["pdf"]) as vol:
        marks = outline(vol)
    assert marks[0][0] == "目录" and marks[0][1] == 2
    assert [m[0] for m in marks[1:]] == ["2025年3月教职工政治理论学习内容", "2025年4月教职工政治理论学习内容"]
    for (_title, at, children), month in zip(marks[1:], manifest["months"], strict=True):
        src = out / month["path"]
        with pikepdf.open(src) as m:
            own = outline(m)
        first = front + month["first_page"] - 1
        assert at == first
        assert [c[0] for c in children] == [o[0] for o in own]
        assert len(children) == 8 and children[0][0].startswith("关于")
        for (child, page), (_, own_page, _) in zip(children, own, strict=True):
            assert page == first + own_page
            # the volume's page is the month's page, its stamp apart
            stamp = str(month["first_page"] + own_page)
            assert page_text(built["pdf"], page).replace(stamp, "", 1).split() == \
                page_text(src, own_page).split(), child


def contents_numbers(pdf: Path, front: int) -> list[int]:
    """The numbers in the contents' page column (the last 24 mm of the text block)."""
    numbers = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages[2:front]:
            left = (210 - 26 - 24) * MM
            for word in page.extract_words():
                if word["x0"] >= left and word["text"].isdigit():
                    numbers.append(int(word["text"]))
    return numbers


def test_contents_page_numbers_are_the_bookmarked_pages(built: dict) -> None:
    manifest = built["manifest"]
    front = manifest["files"][0]["front_pages"]
    with pikepdf.open(built["pdf"]) as vol:
        marks = outline(vol)
    expected = []
    for _, at, children in marks[1:]:
        expected.append(at - front + 1)
        expected.extend(page - front + 1 for _, page in children)
    assert contents_numbers(built["pdf"], front) == expected
    contents = page_text(built["pdf"], 2) + page_text(built["pdf"], 3)
    assert contents.index("2025年3月教职工政治理论学习内容") < contents.index("2025年4月教职工政治理论学习内容")
    assert "未收录" in contents and "1月、2月、5月" in contents


def test_every_body_page_carries_its_volume_number_on_the_outer_side(built: dict) -> None:
    entry = built["manifest"]["files"][0]
    front = entry["front_pages"]
    blank_at = built["manifest"]["months"][1]["first_page"] - 1
    with pdfplumber.open(built["pdf"]) as doc:
        for n in (1, 2, blank_at - 1, blank_at + 1, blank_at + 2, entry["pages"] - front):
            page = doc.pages[front + n - 1]
            top = [w for w in page.extract_words() if w["bottom"] < 37 * MM]
            assert [w["text"] for w in top] == [str(n)], n
            right = top[0]["x1"] > page.width / 2
            assert right == (n % 2 == 1), n
        assert doc.pages[front + blank_at - 1].extract_words() == []  # blank, not stamped
    labels = pypdf.PdfReader(built["pdf"]).page_labels
    assert labels[:front] == ["i", "ii", "iii", "iv"]
    assert labels[front] == "1" and labels[-1] == str(entry["pages"] - front)


def test_volume_is_pdfa_and_qpdf_clean(built: dict) -> None:
    assert problems(built["pdf"]) == []
    assert validator_findings(built["pdf"]) == []
    result = qpdf_check(built["pdf"])
    assert result.returncode == 0, result.stdout + result.stderr
    with pikepdf.open(built["pdf"]) as vol:
        meta = vol.open_metadata()
        assert meta["dc:title"] == NAME
        assert meta["xmp:CreateDate"] == "2025-04-04T00:00:00+08:00"  # the latest notice's date
        assert vol.Root.ViewerPreferences.DisplayDocTitle is True


def test_manifest_lists_the_volume_and_the_months_used(built: dict) -> None:
    import hashlib

    manifest = built["manifest"]
    entry = manifest["files"][0]
    assert entry["path"] == f"{NAME}.pdf" and entry["kind"] == "volume"
    assert entry["sha256"] == hashlib.sha256(built["pdf"].read_bytes()).hexdigest()
    for month in manifest["months"]:
        assert month["sha256"] == hashlib.sha256((built["out"] / month["path"]).read_bytes()).hexdigest()


def test_missing_months_are_named(built: dict) -> None:
    assert "缺少 1月、2月、5月、6月、7月、8月、9月、10月、11月、12月" in built["stderr"]
    # a folder without a manifest is named, with what to do
    assert "2025-05/manifest.json 不存在或没有列出学习材料 PDF，5月未收录" in built["stderr"]


def test_rebuild_is_byte_identical(built: dict) -> None:
    before = built["pdf"].read_bytes()
    again = generate("--volume", "2025", "-o", str(built["out"]))
    assert again.returncode == 0, again.stderr
    assert built["pdf"].read_bytes() == before


def test_a_year_with_no_month_is_an_error(built: dict) -> None:
    result = generate("--volume", "2024", "-o", str(built["out"]))
    assert result.returncode == 1
    assert "没有 2024 年任何月份" in result.stderr and "Traceback" not in result.stderr
    assert not (built["out"] / "2024年教职工政治理论学习材料汇编.pdf").exists()


def test_volume_with_seeds_or_a_bad_year_is_wrong_usage(built: dict) -> None:
    assert generate("--volume", "2025", str(SEED), "-o", str(built["out"])).returncode == 2
    bad = generate("--volume", "25", "-o", str(built["out"]))
    assert bad.returncode == 2 and "四位数字" in bad.stderr
