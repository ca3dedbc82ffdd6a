"""Issue 15.1-15.3: every PDF of a month is PDF/A-2b, with bookmarks and its title shown.

The March build's handout, a record sheet (with form fields), a sign-in
sheet and the print bundle are opened with pikepdf and checked against each
requirement (tests/pdfa_check.py), and qpdf --check finds no error.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pdfa_check import problems, qpdf_check, validator_findings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
BRANCHES = ("马克思主义学院党总支", "商学院党总支")


@pytest.fixture(scope="module")
def march(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pdfa")
    (work / "branches.txt").write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), str(SEED), "-o", str(work / "out"),
                             "--branches", str(work / "branches.txt"), "--formats", "pdf"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return work / "out" / SEED.stem


def pdfs(folder: Path) -> dict[str, Path]:
    files = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    out: dict[str, Path] = {}
    for f in files:
        if f["format"] == "pdf":
            out.setdefault(f["kind"], folder / f["path"])
    return out


KINDS = ("handout", "record-sheet", "signin-sheet", "print-bundle")


@pytest.mark.parametrize("kind", KINDS)
def test_every_pdf_kind_meets_pdfa_2b(march: Path, kind: str) -> None:
    assert problems(pdfs(march)[kind]) == []


@pytest.mark.parametrize("kind", ("handout", "print-bundle"))
def test_pikepdf_validator_passes(march: Path, kind: str) -> None:
    assert validator_findings(pdfs(march)[kind]) == []


@pytest.mark.parametrize("kind", ("record-sheet", "signin-sheet"))
def test_pikepdf_validator_passes_a_sheet_but_for_its_form(march: Path, kind: str) -> None:
    """The validator does not support forms: with them it says only that."""
    findings = validator_findings(pdfs(march)[kind])
    assert len(findings) == 1 and "/AcroForm" in findings[0] and "not supported" in findings[0]
    assert validator_findings(pdfs(march)[kind], without_form=True) == []


def test_pikepdf_validator_fails_a_broken_file(march: Path, tmp_path: Path) -> None:
    broken = tmp_path / "no-intent.pdf"
    with pikepdf.open(pdfs(march)["handout"]) as pdf:
        del pdf.Root.OutputIntents
        pdf.save(broken, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    assert validator_findings(broken)


@pytest.mark.parametrize("kind", KINDS)
def test_qpdf_finds_no_error(march: Path, kind: str) -> None:
    result = qpdf_check(pdfs(march)[kind])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_the_checker_finds_what_is_missing(march: Path, tmp_path: Path) -> None:
    """The checks can fail: a copy without output intent, with a title the
    XMP does not repeat and a hidden widget is reported for each."""
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(pdfs(march)["record-sheet"]) as pdf:
        del pdf.Root.OutputIntents
        pdf.docinfo.Title = "另一个标题"
        pdf.pages[0].Annots[0].F = 2
        pdf.save(broken)
    found = problems(broken)
    assert any("output intents" in p for p in found)
    assert any("dc:title" in p or "elements/1.1/}title" in p for p in found)
    assert any("not printable" in p for p in found)


def test_xmp_dates_are_the_notice_date(march: Path) -> None:
    with pikepdf.open(pdfs(march)["handout"]) as pdf:
        meta = pdf.open_metadata()
        assert meta["xmp:CreateDate"] == "2025-03-04T00:00:00+08:00"
        assert meta["dc:title"] == "2025年3月教职工政治理论学习内容"
        assert meta.pdfa_status == "2B"


def test_field_font_is_never_used_for_rendering(march: Path) -> None:
    """The form fields' /DA font is not embedded (typed text may be any
    character); PDF/A-2b only requires fonts used for rendering to be
    embedded (ISO 19005-2, 6.2.2, 6.2.11.4.1). It is named by no content
    stream: empty appearances draw nothing, and a prefilled one (学习时间)
    draws in the page's embedded face."""
    with pikepdf.open(pdfs(march)["record-sheet"]) as pdf:
        widgets = [a for p in pdf.pages for a in p.obj.get("/Annots", [])]
        assert widgets
        drawn = 0
        for w in widgets:
            streams = [w.AP.N] if isinstance(w.AP.N, pikepdf.Stream) else list(w.AP.N.values())
            for stream in streams:
                if b"Tf" not in stream.read_bytes():
                    continue
                drawn += 1
                for name, font in stream.Resources.Font.items():
                    assert name != "/HOField"
                    descriptor = font.DescendantFonts[0].FontDescriptor
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
            assert "NeedAppearances" not in pdf.Root.AcroForm
        assert drawn == 1  # the prefilled 学习时间, nothing else
        for page in pdf.pages:
            assert b"HOField" not in page.obj.Contents.read_bytes()


def test_bookmarks_for_notice_and_every_attachment_and_title_shown(march: Path) -> None:
    with pikepdf.open(pdfs(march)["handout"]) as pdf:
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.PageMode == "/UseOutlines"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
            pages = [pikepdf.Page(item.destination[0]).index for item in outline.root]
    assert titles[0] == "关于3月份教职工政治理论学习的通知"
    assert [t.split("　")[0] for t in titles[1:]] == [f"附件{n}" for n in range(1, 8)]
    assert pages[0] == 0 and pages == sorted(pages) and len(set(pages)) == 8
    # each attachment's bookmark is the page where its label is printed
    text = subprocess.run(["pdftotext", "-layout", str(pdfs(march)["handout"]), "-"],
                          capture_output=True, text=True, check=True).stdout.split("\f")
    for n, page in enumerate(pages[1:], start=1):
        assert f"附件{n}" in text[page].split("\n", 3)[0] + text[page]


def test_sheets_are_pdfa_with_fields_of_their_own(march: Path) -> None:
    data = pdfs(march)["record-sheet"].read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.Root.AcroForm.Fields) > 0
        assert pdf.open_metadata().pdfa_status == "2B"
