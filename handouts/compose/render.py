"""Package → Document through Jinja2 templates (DESIGN.md, "compose").

A template renders a small XML layout language; this module reads it back
into the Document tree. The wording and order of everything on a page live
in templates/*.xml.j2, so a clerk changes a sheet without touching Python.
Templates run with autoescape (input text is never markup) and
StrictUndefined (a misspelt field is an error, not a blank).

The layout language:
  <document title= author= subject= keywords="a;b" date="YYYY-MM-DD">
    <section bookmark= numbered="yes|no" odd-start="yes|no" restart="yes|no" name=>
      <p style= line=>text <r role=>run</r> <br/> …</p>
      <blank lines="1"/>
      <signature line=><name>…</name>…<date>…</date></signature>
      <table widths="30,126" style= header-rows="1">
        <row height="12"><cell span= field= label= ruled="yes" align= valign=><p …/></cell></row>
      </table>
  A cell with field= is a form field; its text, if any, is the field's
  initial value. Inside a cell, <check field= label= style=/> is a check box
  with its label; a cell's check boxes stand on one line after its text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from ..model.package import Block as Block_
from ..model.package import Package
from ..model.textrules import YEAR_RANGE
from ..typeset.words import word_boundaries
from .document import Blank, Block, Cell, Check, Document, Paragraph, Row, Run, Section, Signature, Table

# Characters XML 1.0 cannot carry; the reader removed them already, this is
# the last guard so that no input can break the layout XML.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ComposeError(Exception):
    """A template produced something the layout language does not allow."""


def xml_text(value: Any) -> str:
    return _XML_ILLEGAL.sub("", str(value))


def environment(template_dir: Path | None = None) -> ImmutableSandboxedEnvironment:
    """One Jinja2 environment per process: templates are parsed once.

    Templates are looked up file by file: template_dir (or the user's
    templates/ folders) first, then the built-in ones."""
    from ..places.resources import template_dirs

    return _environment(template_dirs(template_dir))


@lru_cache(maxsize=2)
def _environment(template_dirs: tuple[str, ...]) -> ImmutableSandboxedEnvironment:
    # Sandboxed: a template edited by a clerk cannot reach Python internals
    # or the file system, only the data handed to it.
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(template_dirs)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["x"] = xml_text
    env.filters["cn_date"] = cn_date
    env.filters["cn_month"] = lambda d: f"{d.year}年{d.month}月" if d else ""
    env.filters["shorten"] = shorten
    return env


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates beside the converted fonts: compiling them took a
    twentieth of a second per process. Jinja2 keys each entry by the
    template's source checksum, so an edited template is compiled afresh.
    A cache that cannot be written (read-only checkout) is only slower."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    from ..places.resources import default_cache_dir

    directory = default_cache_dir() / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _TemplateCache(str(directory))


def cn_date(value: dt.date | None) -> str:
    """2025年3月11日: Arabic numerals, no leading zeros (LAYOUT.md L13)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


@lru_cache(maxsize=8192)
def zi_width(text: str) -> float:
    """Width in 字: Han and full-width marks 1, digits, Latin and spaces ½.

    Remembered: the title balancer measures the same pieces for every title
    of every document, and both writers balance each title."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


_CUT_AFTER = " 　，、：；"


def shorten(text: str, limit: float) -> str:
    """Fit a study item into `limit` 字. A quoted document's 《name》 says most
    in least room: keep it, without its （year range） if need be, else cut it
    inside its brackets; text without one is cut at a phrase boundary. A cut
    falls between two words, never inside one, and is marked with ……."""
    if zi_width(text) <= limit:
        return text
    m = re.search(r"《[^》]+》", text)
    if m:
        bare = re.sub(r"[（(][^（）()]*[）)]》$", "》", m.group(0))
        for name in (m.group(0), bare):
            if zi_width(name) <= limit:
                return name
        # Still too long: cut inside the brackets, so that they stay paired.
        return "《" + _cut(bare[1:-1], limit - zi_width("《……》")) + "……》"
    return _cut(text, limit - zi_width("……")) + "……"


def _cut(text: str, room: float) -> str:
    """The longest start of text within `room` 字 that ends between two words
    (handouts.typeset.words, issue 21): at a phrase boundary when one lies in
    its second half, else at the last word boundary that fits."""
    end, width = 0, 0.0
    for i, ch in enumerate(text):
        width += zi_width(ch)
        if width > room:
            break
        end = i + 1
    if end < len(text):
        words = word_boundaries(text)
        # A single word longer than the room is cut where it must be.
        end = max((i for i in words if i <= end), default=end)
    cut = max((i + 1 for i in range(end) if text[i] in _CUT_AFTER), default=0)
    if cut >= end / 2:
        end = cut
    return text[:end].rstrip(_CUT_AFTER)


def render(template: str, template_dir: Path | None = None, **context: Any) -> Document:
    xml = environment(template_dir).get_template(template).render(**context)
    return read_layout(xml, template)


def compose_handout(package: Package, template_dir: Path | None = None) -> Document:
    notice = package.notice
    # title_line 0: the cover title is the input file's name (no title in the
    # text, issue 20); it names the files but is not printed.
    show_cover = bool(notice) and package.title_line > 0 and package.title_line != (
        notice.title_line if notice else 0)
    return render(
        "handout.xml.j2",
        template_dir,
        package=package,
        show_cover=show_cover,
        subject=package.title,
        keywords=["教职工政治理论学习", *(a.label for a in package.attachments)],
        group=group_blocks,
        is_range=lambda text: bool(YEAR_RANGE.match(text)),
        rest_role=lambda level: "body",
        table_widths=table_widths,
    )


@dataclass
class BlockGroup:
    """What the template lays out as one unit."""

    block: Block_ | None = None
    signature: bool = False
    names: list[Block_] = field(default_factory=list)
    date: Block_ | None = None
    subtitle: bool = False
    blocks: list[Block_] = field(default_factory=list)

    @property
    def line(self) -> int:
        first = (self.names or [self.date])[0] if self.signature else None
        return first.line if first else 0


def group_blocks(blocks: list[Block_]) -> list[BlockGroup]:
    """Signature lines with their date, and runs of subtitle lines, become one group."""
    out: list[BlockGroup] = []
    for b in blocks:
        last = out[-1] if out else None
        if b.kind == "signature":
            if last and last.signature and last.date is None:
                last.names.append(b)
            else:
                out.append(BlockGroup(signature=True, names=[b]))
        elif b.kind == "date":
            if last and last.signature and last.date is None:
                last.date = b
            else:
                out.append(BlockGroup(signature=True, date=b))
        elif b.kind == "subtitle":
            if last and last.subtitle:
                last.blocks.append(b)
            else:
                out.append(BlockGroup(subtitle=True, blocks=[b]))
        else:
            out.append(BlockGroup(block=b))
    return out


def table_widths(rows: list[list[str]], total_mm: float = 156.0) -> str:
    """Equal columns across the text block: the input gives no widths."""
    n = max((len(r) for r in rows), default=1)
    return ",".join(f"{total_mm / n:.2f}" for _ in range(n))


# -- the layout XML reader -------------------------------------------------


def read_layout(xml: str, origin: str = "template") -> Document:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True, remove_blank_text=False)
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ComposeError(f"模板 {origin} 生成的排版 XML 有错误：{exc}") from None
    if root.tag != "document":
        raise ComposeError(f"模板 {origin} 的根元素必须是 <document>")
    date = root.get("date")
    doc = Document(
        title=root.get("title", ""),
        author=root.get("author", ""),
        subject=root.get("subject", ""),
        keywords=[k for k in root.get("keywords", "").split(";") if k],
        date=dt.date.fromisoformat(date) if date else None,
    )
    for el in root:
        if el.tag != "section":
            raise ComposeError(f"模板 {origin}：<document> 里只能有 <section>，不能有 <{el.tag}>")
        doc.sections.append(_section(el, origin))
    return doc


def _yes(value: str | None, default: bool = False) -> bool:
    return default if value is None else value in ("yes", "true", "1")


def _section(el: etree._Element, origin: str) -> Section:
    section = Section(
        bookmark=el.get("bookmark"),
        numbered=_yes(el.get("numbered"), True),
        odd_start=_yes(el.get("odd-start")),
        restart_numbering=_yes(el.get("restart")),
        name=el.get("name", ""),
    )
    for child in el:
        section.blocks.append(_block(child, origin))
    return section


def _line(el: etree._Element) -> int | None:
    value = el.get("line")
    return int(value) if value else None


def _block(el: etree._Element, origin: str) -> Block:
    tag = el.tag
    if tag == "p":
        return _paragraph(el)
    if tag == "blank":
        return Blank(int(el.get("lines", "1")))
    if tag == "signature":
        names = [(n.text or "") for n in el if n.tag == "name"]
        dates = [(n.text or "") for n in el if n.tag == "date"]
        return Signature(names, dates[0] if dates else None, _line(el),
                         el.get("style", "signature"), el.get("date-style", "date"))
    if tag == "table":
        widths = [float(w) for w in el.get("widths", "").split(",") if w.strip()]
        rows = [_row(r, origin) for r in el if r.tag == "row"]
        return Table(widths, rows, el.get("style", "table"), _line(el),
                     int(el.get("header-rows", "0")))
    raise ComposeError(f"模板 {origin}：未知的排版元素 <{tag}>")


def _row(el: etree._Element, origin: str) -> Row:
    height = el.get("height")
    cells = []
    for c in el:
        if c.tag != "cell":
            raise ComposeError(f"模板 {origin}：<row> 里只能有 <cell>")
        for child in c:
            if isinstance(child.tag, str) and child.tag not in ("p", "check"):
                raise ComposeError(f"模板 {origin}：<cell> 里只能有 <p> 和 <check>，不能有 <{child.tag}>")
        cells.append(Cell(
            blocks=[_paragraph(p) for p in c if p.tag == "p"],
            checks=[_check(k, origin) for k in c if k.tag == "check"],
            span=int(c.get("span", "1")),
            field=c.get("field"),
            label=c.get("label"),
            ruled=_yes(c.get("ruled")),
            align=c.get("align"),
            valign=c.get("valign", "middle"),
        ))
    return Row(cells, float(height) if height else None)


def _check(el: etree._Element, origin: str) -> Check:
    name, label = el.get("field"), el.get("label")
    if not name or not label:
        raise ComposeError(f"模板 {origin}：<check> 必须有 field= 和 label=")
    return Check(name, label, el.get("style", "cell-text"))


def _paragraph(el: etree._Element) -> Paragraph:
    p = Paragraph(style=el.get("style", "body"), line=_line(el))
    if el.text:
        p.runs.append(Run(el.text))
    for child in el:
        if child.tag == "r":
            p.runs.append(Run(child.text or "", child.get("role")))
        elif child.tag == "br":
            p.runs.append(Run("", br=True))
        if child.tail:
            p.runs.append(Run(child.tail))
    p.runs = [r for r in p.runs if r.text or r.br]
    return p
