"""Named Word styles from templates/style.toml (the styles part, word/styles.xml).

Every paragraph style of the style sheet becomes a Word paragraph style whose
display name is its `word` key (公文标题, 一级标题, …), so a clerk sees and
edits 公文 styles, not direct formatting. Every font role gets a character
style (正文字体, 一级标题字体, …) for runs set in another role than their
paragraph, such as the body-font rest of a run-in heading.

Decisions:
- The style sheet's `body` style is Word's built-in Normal (styleId Normal,
  name "Normal"): Word stores built-in names in English and shows Normal as
  正文 in a Chinese UI, so the body style is what Chinese Word calls 正文 and
  every paragraph a branch types (and every empty line) is body text. A custom
  style named "正文" would sit beside the built-in 正文 as a confusing twin.
- Latin letters and digits use the role's Chinese family too
  (w:ascii = w:hAnsi = w:eastAsia = w:cs): in 公文 practice digits are set in
  the body face, and the PDF writer does the same, so both outputs agree.
- Style ids are the key in CamelCase (attachment-label → AttachmentLabel);
  where that would be the id of a Word built-in (Title, Heading1, Date, …) it
  gets a "Gw" (公文) prefix, so pasting into another document never merges a
  公文 style with Word's own.
- The section declares the 公文 grid, 22 lines × 28 characters
  (docGrid linesAndChars with the computed charSpace), so Word's page setup
  shows it, but no text snaps to it (snapToGrid off in the defaults): a
  renderer that snaps puts a 16 pt glyph into two 15.8 pt cells (LibreOffice
  does, giving 14 characters a line). The 28 per line come from tracking
  instead: body-size styles set w:spacing to the style sheet's tracking,
  in whole twips (-6 = -0.3 pt, see tracking()), which Word, WPS and
  LibreOffice all honour; lines come from exact 28.95 pt line spacing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from lxml import etree

from ..compose.style import ParagraphStyle, StyleSheet
from .oxml import el, half_points, on_off, twips

NORMAL = "Normal"
FOOTER = "Footer"
BODY_KEY = "body"

# Word's own style ids that a key-derived id must not take.
_BUILTIN_IDS = frozenset(
    {"Normal", "Title", "Subtitle", "Date", "Signature", "Salutation", "Closing", "Caption",
     "Footer", "Header", "Quote", "Strong", "Emphasis", "TableGrid", "BodyText", "NoteHeading"}
    | {f"Heading{i}" for i in range(1, 10)}
)
# Document-map levels (Word's navigation pane): titles, then headings.
_OUTLINE = {"title": 0, "attachment-title": 0, "sheet-title": 0, "heading1": 1, "heading2": 2}
_ROLE_LABELS = {"body": "正文", "title": "标题", "heading1": "一级标题", "heading2": "二级标题",
                "folio": "页码"}
_JC = {"left": "left", "center": "center", "right": "right", "justify": "both"}


def camel(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.replace("_", "-").split("-") if part)


def style_id(key: str) -> str:
    """The stable styleId of a style-sheet key."""
    if key == BODY_KEY:
        return NORMAL
    ident = camel(key)
    return f"Gw{ident}" if ident in _BUILTIN_IDS else ident


def role_style_id(role: str) -> str:
    return f"{camel(role)}Font"


def role_style_name(role: str) -> str:
    return f"{_ROLE_LABELS.get(role, role)}字体"


def justification(align: str) -> str:
    # For CJK Word's "distribute" also spreads a paragraph's last line; "both" does not.
    return _JC.get(align, "both")


class FontNames:
    """The Word family of each role, from the font set (handouts.fonts.fontset.FontSet)."""

    def __init__(self, fonts: object) -> None:
        self._fonts = fonts
        self._cache: dict[str, str] = {}

    def __call__(self, role: str) -> str:
        if role not in self._cache:
            self._cache[role] = self._fonts.word_family(role)  # type: ignore[attr-defined]
        return self._cache[role]

    def alternates(self, role: str) -> list[str]:
        return list(self._fonts.word_alternates(role))  # type: ignore[attr-defined]


def rfonts(family: str) -> etree._Element:
    """All four slots in one family; the hint sends ambiguous punctuation to eastAsia (L25)."""
    return el("w:rFonts", ascii=family, hAnsi=family, eastAsia=family, cs=family, hint="eastAsia")


def indent(style: ParagraphStyle, body_size: float, *, explicit: bool) -> etree._Element | None:
    """Indents in 字: the character unit for Word, twips for readers that ignore it.

    explicit: write zeros too, because styles based on Normal would otherwise
    inherit the body's 2-字 first-line indent.
    """
    values = (style.left_indent, style.right_indent, style.first_indent)
    if not explicit and not any(values):
        return None
    left, right, first = values
    return el(
        "w:ind",
        left=twips(left * body_size), leftChars=round(left * 100),
        right=twips(right * body_size), rightChars=round(right * 100),
        firstLine=twips(first * body_size), firstLineChars=round(first * 100),
    )


def line_pitch_twips(sheet: StyleSheet) -> int:
    """The grid's line pitch in whole twips, rounded down so that `lines` lines fit.

    225 mm / 22 is 579.8 twips; 580 would push the 22nd line off the page.
    """
    page = sheet.page
    height = twips(page.height) - twips(page.margin_top) - twips(page.margin_bottom)
    return height // page.lines


def line_spacing(sheet: StyleSheet) -> etree._Element:
    """Exact grid pitch (L08): every line, titles too, takes one grid line."""
    return el("w:spacing", before=0, after=0, line=line_pitch_twips(sheet), lineRule="exact")


def tracking(sheet: StyleSheet) -> int:
    """Extra space after each body character, in whole twips.

    Rounded down, and one twip more: LibreOffice rounds glyph advances up and
    breaks a 28-character line at -0.25 pt; at -0.3 pt 29 still never fit.
    """
    return math.floor(sheet.page.tracking * 20) - 1


def run_properties(family: str | None, size: float | None, *, spacing: int = 0) -> etree._Element:
    return el(
        "w:rPr",
        rfonts(family) if family else None,
        el("w:spacing", val=spacing) if spacing else None,
        el("w:sz", val=half_points(size)) if size else None,
        el("w:szCs", val=half_points(size)) if size else None,
    )


def paragraph_style(key: str, style: ParagraphStyle, sheet: StyleSheet, fonts: FontNames) -> etree._Element:
    on_grid = style.size == sheet.page.body_size
    is_normal = key == BODY_KEY
    outline = _OUTLINE.get(key)
    ppr = el(
        "w:pPr",
        on_off("w:keepNext") if style.keep_with_next else None,
        indent(style, sheet.page.body_size, explicit=not is_normal),
        el("w:jc", val=justification(style.align)),
        el("w:outlineLvl", val=outline) if outline is not None else None,
    )
    return el(
        "w:style",
        el("w:name", val=NORMAL if is_normal else style.word),
        None if is_normal else el("w:basedOn", val=NORMAL),
        el("w:next", val=NORMAL),
        el("w:qFormat"),
        ppr,
        run_properties(fonts(style.role), style.size, spacing=tracking(sheet) if on_grid else 0),
        type="paragraph", default="1" if is_normal else None,
        customStyle=None if is_normal else "1", styleId=style_id(key),
    )


def character_style(role: str, fonts: FontNames) -> etree._Element:
    return el(
        "w:style",
        el("w:name", val=role_style_name(role)),
        el("w:basedOn", val="DefaultParagraphFont"),
        el("w:uiPriority", val=1),
        el("w:qFormat"),
        el("w:rPr", rfonts(fonts(role))),
        type="character", customStyle="1", styleId=role_style_id(role),
    )


def footer_style(sheet: StyleSheet, fonts: FontNames) -> etree._Element:
    """Word's built-in "footer" (页脚 in Chinese Word) in the folio role and size."""
    folio = sheet.folio
    return el(
        "w:style",
        el("w:name", val="footer"),
        el("w:basedOn", val=NORMAL),
        el("w:uiPriority", val=99),
        el("w:pPr",
           # One folio-size line, so the footer distance places the number's top (L16).
           el("w:spacing", before=0, after=0, line=twips(folio.size), lineRule="exact"),
           el("w:ind", left=0, leftChars=0, right=0, rightChars=0, firstLine=0, firstLineChars=0),
           el("w:jc", val="left")),
        run_properties(fonts(folio.role), folio.size),
        type="paragraph", styleId=FOOTER,
    )


def roles_in_use(sheet: StyleSheet) -> list[str]:
    """Every font role the style sheet names, in a stable order."""
    seen: dict[str, None] = {}
    for s in sheet.styles.values():
        seen.setdefault(s.role)
        if s.rest_role:
            seen.setdefault(s.rest_role)
    seen.setdefault(sheet.folio.role)
    return list(seen)


def styles_part(sheet: StyleSheet, fonts: FontNames, extra_roles: Iterable[str] = ()) -> etree._Element:
    """The whole w:styles element: defaults, paragraph, character and table styles."""
    body = sheet[BODY_KEY]
    page = sheet.page
    defaults = el(
        "w:docDefaults",
        el("w:rPrDefault", el(
            "w:rPr",
            rfonts(fonts(body.role)),
            on_off("w:snapToGrid", False),
            el("w:kern", val=2),
            el("w:sz", val=half_points(page.body_size)),
            el("w:szCs", val=half_points(page.body_size)),
            el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"),
        )),
        el("w:pPrDefault", el(
            "w:pPr",
            # 公文 fills the grid line by line: no widow/orphan control.
            on_off("w:widowControl", False),
            on_off("w:kinsoku"),
            # No automatic space between Han and Latin or digits: the PDF sets
            # none, and widths in 字 (signature placement) assume none.
            # overflowPunct: Word's default (on) written out: a closing mark
            # that does not fit hangs into the margin where the PDF writer
            # squeezes it into the line, so both break at the same place.
            # LibreOffice reads the flag inverted and, given it, hangs nothing.
            on_off("w:overflowPunct"),
            on_off("w:autoSpaceDE", False),
            on_off("w:autoSpaceDN", False),
            on_off("w:snapToGrid", False),
            line_spacing(sheet),
            el("w:jc", val="both"),
        )),
    )
    root = el("w:styles", defaults)
    for key, style in sheet.styles.items():
        root.append(paragraph_style(key, style, sheet, fonts))
    root.append(footer_style(sheet, fonts))
    root.append(el(
        "w:style", el("w:name", val="Default Paragraph Font"), el("w:uiPriority", val=1),
        el("w:semiHidden"), el("w:unhideWhenUsed"),
        type="character", default="1", styleId="DefaultParagraphFont",
    ))
    roles = list(dict.fromkeys([*roles_in_use(sheet), *extra_roles]))
    for role in roles:
        root.append(character_style(role, fonts))
    root.append(el(
        "w:style", el("w:name", val="Normal Table"), el("w:uiPriority", val=99),
        el("w:semiHidden"), el("w:unhideWhenUsed"),
        el("w:tblPr", el("w:tblInd", w=0, type="dxa"), el(
            "w:tblCellMar",
            el("w:top", w=0, type="dxa"), el("w:left", w=108, type="dxa"),
            el("w:bottom", w=0, type="dxa"), el("w:right", w=108, type="dxa"),
        )),
        type="table", default="1", styleId="TableNormal",
    ))
    root.append(el(
        "w:style", el("w:name", val="No List"), el("w:uiPriority", val=99),
        el("w:semiHidden"), el("w:unhideWhenUsed"),
        type="numbering", default="1", styleId="NoList",
    ))
    return root
