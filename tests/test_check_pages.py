"""--check reports near-empty pages (issue 21, docs/LAYOUT-additions.md L30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts import check
from handouts.cli import load
from handouts.fonts.fontset import FontSet

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"


@pytest.fixture(scope="module")
def package():
    return load(SEED)


@pytest.fixture(scope="module")
def prepared(package):
    return FontSet.load().prepare(check.required_text(package))


def test_l30_march_has_no_page_under_three_lines(package, prepared) -> None:
    assert check.short_pages(package, prepared) == []


def test_l30_pages_under_the_limit_are_named(package, prepared, monkeypatch, capsys) -> None:
    # Attachment 3 ends on a page of exactly 3 lines (taken from the page
    # before it, L30): one line more as the limit must report that page.
    monkeypatch.setattr(check, "MIN_PAGE_LINES", 4)
    short = check.short_pages(package, prepared)
    assert (13, "附件3", 3) in short
    assert check.check_glyphs(package)
    err = capsys.readouterr().err
    assert "警告：学习材料第 13 页（附件3）只有 3 行，少于 4 行" in err
