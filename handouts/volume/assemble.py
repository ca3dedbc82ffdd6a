"""The year's volume: front matter, then every month's handout PDF as built.

Page numbers (decided for issue 15): the months' pages are taken as they
were archived, with their own folios "— N —" at the foot, never rewritten.
The volume numbers its body pages 1…N continuously and prints that number
in the top outer corner of every page (right on right-hand pages, left on
left-hand ones), the way archives number the pages of a bound file; the
contents give these numbers and say so, and the PDF's page labels show the
same numbers in viewers (the front matter is labelled i, ii, …).

Each month starts on a right-hand page, as each branch does in the print
bundle: when the month before ends on a right-hand page a blank page
follows it (counted, not stamped). The front matter (title page, its blank
back, contents) has an even number of pages, so body page 1 is a right-hand
page. The volume is PDF/A-2b (handouts.pdf.archive) and deterministic: its
dates are the latest month's notice date, its ID is computed from its bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .. import __version__
from ..compose.render import render
from ..pdf.archive import ArchiveInfo, apply_to_pikepdf, save_options
from ..pdf.fonts import DocumentFonts
from ..pdf.writer import fonts_text, write_pdf
from .months import Month

TEMPLATE = "volume.xml.j2"
STAMP_ROLE = "folio"
STAMP_SIZE = 12  # 小四
STAMP_TOP_MM = 18  # baseline below the page's top edge, inside the 37 mm margin
DIGITS = "0123456789"
STAMP_XOBJECT = "/HVolumePage"


def volume_title(year: int) -> str:
    return f"{year}年教职工政治理论学习材料汇编"


@dataclass
class Placed:
    month: Month
    first: int  # body page number of its first page
    blank_before: bool


@dataclass
class Volume:
    data: bytes
    pages: int
    front_pages: int
    blank_pages: int
    placed: list[Placed] = field(default_factory=list)


def plan(months: list[Month]) -> list[Placed]:
    """Body page numbers: every month starts on an odd (right-hand) page."""
    out: list[Placed] = []
    page = 1
    for m in months:
        blank = page % 2 == 0
        page += blank
        out.append(Placed(m, page, blank))
        page += m.pages
    return out


def assemble(year: int, months: list[Month], missing: list[int], *, ctx: Any) -> Volume:
    """ctx: handouts.build.BuildContext (style sheet, font set)."""
    placed = plan(months)
    body_pages = (placed[-1].first + placed[-1].month.pages - 1) if placed else 0
    front_doc = render(TEMPLATE, **_context(year, placed, missing, body_pages))
    text = fonts_text([front_doc], ctx.style)
    text[STAMP_ROLE] = "".join(sorted(set(text.get(STAMP_ROLE, "")) | set(DIGITS)))
    fonts = ctx.fontset.prepare(text)
    front = io.BytesIO()
    written = write_pdf(front_doc, front, style=ctx.style, fonts=fonts)
    contents_at = dict(written.sections)["contents"] - 1
    stamped = [n for n in range(1, body_pages + 1) if not _is_blank(n, placed)]
    stamps = _stamps(stamped, ctx.style.page, fonts)

    vol = pikepdf.new()
    sources = [pikepdf.open(front), pikepdf.open(io.BytesIO(stamps))]
    try:
        vol.pages.extend(sources[0].pages)
        page = ctx.style.page
        if len(vol.pages) % 2:
            vol.add_blank_page(page_size=(page.width, page.height))
        front_pages = len(vol.pages)
        for p in placed:
            if p.blank_before:
                vol.add_blank_page(page_size=(page.width, page.height))
            src = pikepdf.open(p.month.pdf)
            sources.append(src)
            vol.pages.extend(src.pages)
        for pg in vol.pages:
            # Months built before PDF/A carry ReportLab's empty /Trans (see pdf.archive).
            if "/Trans" in pg.obj and not pg.obj.Trans.keys():
                del pg.obj.Trans
        for k, number in enumerate(stamped):
            _overlay(vol, vol.pages[front_pages + number - 1], sources[1].pages[k])
        _outline(vol, placed, front_pages, contents_at)
        vol.Root.PageMode = pikepdf.Name.UseOutlines
        vol.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([
            0, pikepdf.Dictionary(S=pikepdf.Name.r),
            front_pages, pikepdf.Dictionary(S=pikepdf.Name.D, St=1),
        ]))
        apply_to_pikepdf(vol, _info(year, months))
        buf = io.BytesIO()
        vol.save(buf, **save_options())
    finally:
        for src in sources:
            src.close()
    blanks = sum(p.blank_before for p in placed)
    return Volume(buf.getvalue(), front_pages + body_pages, front_pages, blanks, placed)


def _overlay(vol: pikepdf.Pdf, page: pikepdf.Page, stamp: pikepdf.Page) -> None:
    """Draw stamp over page as a form XObject, under a name of our own
    (pikepdf's add_overlay picks a random one: builds would differ)."""
    form = vol.copy_foreign(stamp.as_form_xobject())
    page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(STAMP_XOBJECT))
    # The month's drawing is isolated in q … Q: whatever state it leaves, the stamp starts afresh.
    page.contents_add(vol.make_stream(b"q\n"), prepend=True)
    page.contents_add(vol.make_stream(f"\nQ q {STAMP_XOBJECT} Do Q\n".encode("ascii")))


def _is_blank(number: int, placed: list[Placed]) -> bool:
    return any(p.blank_before and number == p.first - 1 for p in placed)


def _context(year: int, placed: list[Placed], missing: list[int], body_pages: int) -> dict[str, Any]:
    months = [{
        "label": p.month.label, "title": p.month.title, "page": p.first,
        "entries": [{"title": t, "page": p.first + at} for t, at in p.month.entries],
    } for p in placed]
    latest = max((p.month.date for p in placed), default="")
    return {
        "year": year, "title": volume_title(year), "months": months, "pages": body_pages,
        "issuer": next((p.month.author for p in placed if p.month.author), ""),
        "missing": [f"{n}月" for n in missing],
        "span": month_span([p.month.number for p in placed]),
        "date": f"{latest[2:6]}-{latest[6:8]}-{latest[8:10]}" if len(latest) >= 10 else "",
    }


def month_span(numbers: list[int]) -> str:
    """3月至6月 for a run of three or more months, else 3月、5月."""
    if len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}月至{numbers[-1]}月"
    return "、".join(f"{n}月" for n in numbers)


def _info(year: int, months: list[Month]) -> ArchiveInfo:
    date = max((m.date for m in months), default="D:20000101000000+08'00'")
    return ArchiveInfo(
        title=volume_title(year),
        author=next((m.author for m in months if m.author), ""),
        subject=f"{year}年" + "、".join(m.label for m in months) + "教职工政治理论学习材料",
        keywords=", ".join(["教职工政治理论学习", "汇编", f"{year}年"]),
        creator=f"handouts {__version__}",
        producer=f"pikepdf {pikepdf.__version__}",
        date=date,
    )


def _outline(vol: pikepdf.Pdf, placed: list[Placed], front_pages: int, contents_at: int) -> None:
    """目录, then month → notice and attachments."""
    with vol.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("目录", contents_at))
        for p in placed:
            first = front_pages + p.first - 1
            item = pikepdf.OutlineItem(p.month.title, first)
            item.children.extend(pikepdf.OutlineItem(t, first + at) for t, at in p.month.entries)
            outline.root.append(item)


def _stamps(numbers: list[int], page: Any, fonts: Any) -> bytes:
    """One page per stamped number: the volume page number alone, in the
    top outer corner, in the folio face (embedded, PDF/A)."""
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=(page.width, page.height), invariant=1, pageCompression=1,
                  initialFontName=fonts.font_name(STAMP_ROLE))
    used = DocumentFonts(canv._doc)
    baseline = page.height - STAMP_TOP_MM * mm
    for n in numbers:
        text = str(n)
        width = fonts.width(STAMP_ROLE, text, STAMP_SIZE)
        x = page.block_right - width if n % 2 else page.block_left
        ops = ["BT 0 g"]
        for font, part in fonts.segments(STAMP_ROLE, text):
            resource, codes = used.show(font, part)
            ops.append(f"/{resource} {STAMP_SIZE} Tf 1 0 0 1 {x:.3f} {baseline:.3f} Tm <{codes}> Tj")
            x += fonts.width(STAMP_ROLE, part, STAMP_SIZE)
        ops.append("ET")
        canv.addLiteral("\n".join(ops))
        canv.showPage()
    used.finish()
    canv.save()
    return buf.getvalue()
