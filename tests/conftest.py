"""Fixtures shared by the writer tests: the style sheet, the March handout, one branch's sheets."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.cli import load
from handouts.compose.document import Document
from handouts.compose.render import compose_handout
from handouts.compose.sheets import compose_bundle, compose_sheet, sheet_kinds
from handouts.compose.style import StyleSheet, load_style
from handouts.fonts.fontset import FontSet
from handouts.pdf.writer import fonts_text

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"


@pytest.fixture(scope="session")
def style() -> StyleSheet:
    return load_style()


@pytest.fixture(scope="session")
def handout() -> Document:
    """The March handout as composed; tests must not modify it."""
    return compose_handout(load(SEED))


@pytest.fixture(scope="session")
def branch_sheets(style: StyleSheet) -> tuple[dict[str, Document], FontSet, object]:
    """商学院党总支's record sheet, sign-in sheet and bundle as composed
    ({"record", "signin", "bundle"}), the font set, and the faces prepared for
    all three; tests must not modify them."""
    package, fontset = load(SEED), FontSet.load()
    kinds = {k.kind: k for k in sheet_kinds()}
    record = compose_sheet(kinds["record-sheet"], package, "商学院党总支")
    signin = compose_sheet(kinds["signin-sheet"], package, "商学院党总支")
    bundle = compose_bundle(package, [("商学院党总支", [record, signin])])
    docs = {"record": record, "signin": signin, "bundle": bundle}
    return docs, fontset, fontset.prepare(fonts_text(list(docs.values()), style))
