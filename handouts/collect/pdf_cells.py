"""The text of a flattened PDF page, cell by cell of its tables (pdfplumber).

Flattening a filled form (qpdf, Acrobat's flatten) draws each field's
appearance with the field font: our body face as a CID font with the
predefined CMap UniGB-UTF16-H and a ToUnicode map keyed by character code.
pdfminer looks that map up by CID instead, which turns 行政楼 into
"ྛᆟੌ": for such a font the code point it returns is the CID, mapped here
through Adobe-GB1's own CID → Unicode table. A font whose text already
reads as Chinese is left alone, so a fixed pdfminer changes nothing.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import Any


def _readable(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return " " <= ch <= "~" or name.startswith(("CJK", "FULLWIDTH", "IDEOGRAPHIC")) \
        or ch in "□☐☑☒■√✓✔…—“”‘’《》（）、，。：；！？"


def _repair(page: Any) -> None:
    """Chars of a garbled CID font, decoded again (in place: tables read them)."""
    from pdfminer.cmapdb import CMapDB

    by_font: dict[str, list[dict[str, Any]]] = {}
    for c in page.chars:
        by_font.setdefault(c["fontname"], []).append(c)
    gb1 = None
    for chars in by_font.values():
        text = [c["text"] for c in chars if len(c["text"]) == 1 and not c["text"].isspace()]
        if not text or sum(map(_readable, text)) * 2 > len(text):
            continue
        gb1 = gb1 or CMapDB.get_unicode_map("Adobe-GB1")
        fixed = [_gb1(gb1, c["text"]) for c in chars]
        # Only when Adobe-GB1 makes it read better: a symbol font stays as it is.
        if sum(map(_readable, (f for f in fixed if len(f) == 1))) * 2 > len(text):
            for c, new in zip(chars, fixed, strict=True):
                c["text"] = new


def _gb1(gb1: Any, ch: str) -> str:
    if len(ch) != 1:
        return ch
    try:
        return gb1.get_unichr(ord(ch))
    except KeyError:
        return ch


@dataclass
class PageText:
    """What pdfplumber reads of the first two pages, in one pass (parsing a
    page is most of the cost of a PDF: the fields' ToUnicode map alone
    expands to 63 000 entries when a flattened page uses it)."""

    texts: list[str]  # page 1 and 2 text
    rows: list[list[str | None]]  # page 1's table rows (None: covered by a merged cell)


def read_pages(data: bytes) -> PageText:
    import pdfplumber

    texts: list[str] = []
    rows: list[list[str | None]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages[:2]):
            _repair(page)
            texts.append(page.extract_text() or "")
            if n == 0:
                for table in page.extract_tables():
                    rows.extend(table)
    return PageText(texts, rows)
