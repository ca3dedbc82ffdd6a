"""The print bundle laid out from its sheets' sections (build.py, issue 8)."""

from __future__ import annotations

import io
from pathlib import Path

from handouts.cli import load
from handouts.compose.sheets import compose_bundle, compose_sheet, sheet_kinds
from handouts.fonts.fontset import FontSet
from handouts.pdf import layout as pdf_layout
from handouts.pdf.writer import fonts_text, write_pdf

SEED = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"


def kind(name: str):
    return next(k for k in sheet_kinds() if k.kind == name)


def test_bundle_from_remembered_sections_is_the_same_file(style, monkeypatch) -> None:
    """build.py writes the sheets and the bundle in one worker, which lays
    each sheet section out once (pdf_layout.lay_out's memo): the bundle must
    come out byte for byte as if laid out from scratch."""
    package, fontset = load(SEED), FontSet.load()
    sheets = [(b, [compose_sheet(kind(k), package, b) for k in ("record-sheet", "signin-sheet")])
              for b in ("商学院党总支", "财经学院党总支")]
    bundle = compose_bundle(package, sheets)
    prepared = fontset.prepare(fonts_text([bundle], style))

    def pdf(doc, memo=None) -> bytes:
        buf = io.BytesIO()
        write_pdf(doc, buf, style=style, fonts=prepared, memo=memo)
        return buf.getvalue()

    memo = pdf_layout.LayoutMemo()
    for _branch, docs in sheets:
        for doc in docs:
            assert pdf(doc, memo) == pdf(doc)
    assert len(memo.sections) == sum(len(d.sections) for _b, docs in sheets for d in docs)
    # The two branches' tables are the same row for row: laid out once.
    rows = sum(len(b.rows) for _b, docs in sheets[:1] for d in docs for s in d.sections
               for b in s.blocks if hasattr(b, "rows"))
    assert len(memo.rows) == rows
    fresh = pdf(bundle)
    calls = []
    paginate = pdf_layout.paginate
    monkeypatch.setattr(pdf_layout, "paginate", lambda *a: calls.append(1) or paginate(*a))
    assert pdf(bundle, memo) == fresh
    assert not calls  # every section came from the memo
