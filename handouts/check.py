"""--check and --fonts: can every character of a package be set, and in which face?"""

from __future__ import annotations

import sys
from pathlib import Path

from .compose.document import Document
from .compose.render import compose_handout
from .compose.sheets import compose_sheet, sheet_kinds
from .compose.style import load_style
from .model.package import Package
from .read.source import InputError, read_source

MIN_PAGE_LINES = 3  # fewer on a page is a near-empty page (LAYOUT-additions L30)


def required_text(package: Package, sample_branch: str = "示例党总支") -> dict[str, str]:
    """Characters per font role for the handout and the sheets of one branch."""
    from .pdf.writer import fonts_text

    docs: list[Document] = [compose_handout(package)]
    docs += [compose_sheet(kind, package, sample_branch) for kind in sheet_kinds()]
    return fonts_text(docs, load_style())


def check_glyphs(package: Package) -> bool:
    """Prepare the fonts for everything the package prints; report fallbacks and gaps."""
    from .build import locate_char
    from .fonts.fontset import FontConfigError, FontSet, MissingGlyphError

    try:
        prepared = FontSet.load().prepare(required_text(package))
    except MissingGlyphError as exc:
        where = locate_char(exc.char, package, [], Path("seeds/branches.txt"))
        print(f"错误：{where}：{exc}", file=sys.stderr)
        return False
    except FontConfigError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return False
    for char, role, family in getattr(prepared, "fallbacks", []):
        print(f"说明：字符“{char}”（U+{ord(char):04X}）在 {role} 字体中没有，改用 {family}",
              file=sys.stderr)
    for number, name, lines in short_pages(package, prepared):
        print(f"警告：学习材料第 {number} 页（{name}）只有 {lines} 行，少于 {MIN_PAGE_LINES} 行"
              f"（近空页 near-empty page，LAYOUT L30）", file=sys.stderr)
    return True


def short_pages(package: Package, prepared: object) -> list[tuple[int, str, int]]:
    """(page, section name, lines) of every handout page with text on fewer
    than MIN_PAGE_LINES lines; blank backs of a leaf are not counted."""
    import io

    from .pdf.layout import lay_out
    from .pdf.writer import write_pdf

    doc, style = compose_handout(package), load_style()
    write_pdf(doc, io.BytesIO(), style=style, fonts=prepared)  # registers the faces
    layout = lay_out(doc, style, prepared)  # type: ignore[arg-type]
    out = []
    for i, page in enumerate(layout.pages, 1):
        lines = sum(1 for _, text in page.lines if text.strip())
        if 0 < lines < MIN_PAGE_LINES:
            name = doc.sections[page.section].name
            out.append((i, "通知" if name in ("", "notice") else name, lines))
    return out


def print_fonts_report(seeds: list[Path]) -> int:
    from .fonts.fontset import FontConfigError, FontSet, fonts_report
    from .model.parse import parse

    text: dict[str, str] = {}
    for seed in seeds:
        try:
            package = parse(read_source(seed))
        except InputError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        for role, chars in required_text(package).items():
            text[role] = "".join(sorted(set(text.get(role, "")) | set(chars)))
    try:
        print(fonts_report(FontSet.load(), text))
    except FontConfigError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0
