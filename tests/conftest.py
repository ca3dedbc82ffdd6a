"""Fixtures shared by the writer tests: the style sheet and the March handout."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.cli import load
from handouts.compose.document import Document
from handouts.compose.render import compose_handout
from handouts.compose.style import StyleSheet, load_style

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"


@pytest.fixture(scope="session")
def style() -> StyleSheet:
    return load_style()


@pytest.fixture(scope="session")
def handout() -> Document:
    """The March handout as composed; tests must not modify it."""
    return compose_handout(load(SEED))
