"""Clean lines → Package (DESIGN.md, "parse").

The input is a month's package as the department types it: a cover line, the
notice, then 附件1…附件N each with its title lines, a source line and the
full text, which often quotes a whole government document with its own
addressee, signature, date and second title. The parser reads structure from
position (what follows a label, what precedes a date) and from the line
recognisers in textrules; whatever it cannot classify stays a paragraph, so
no text is ever lost.

Issue 20 (notices written by other hands) lives in helpers: debris.py takes
web-page debris out (kept as notes), items.py finds the study items and their
groups, joins.py mends sentences broken across lines, studydate.py finds the
study day and checks.py warns and records what the parser had to guess.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePath

from ..read.source import SourceText
from . import checks
from . import textrules as tr
from .debris import clean_line
from .items import mark_items
from .joins import join_broken
from .package import Attachment, Block, Note, Notice, Package
from .studydate import find_study_date


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    gap_before: bool  # a blank line precedes it


def _compact(lines: list[str], first_number: int) -> list[Line]:
    out: list[Line] = []
    gap = False
    for offset, text in enumerate(lines):
        if not text.strip():
            gap = True
            continue
        out.append(Line(first_number + offset, text, gap))
        gap = False
    return out


def parse(source: SourceText) -> Package:
    parser = _Parser(source)
    return parser.run()


class _Parser:
    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.notes: list[Note] = list(source.notes)
        all_lines = _compact(source.lines, 1)
        # Documents typed with a blank line between every paragraph carry no
        # information in their blank lines; grouping by gaps must then be off.
        pairs = sum(1 for a, b in itertools.pairwise(all_lines) if b.number == a.number + 1)
        self.spaced = len(all_lines) > 3 and pairs * 10 < len(all_lines)
        self.lines = self._without_debris(all_lines)
        self.gap_before = {ln.number for ln in self.lines if ln.gap_before}
        self.items_fallback = False
        self.title_guessed = False

    def _without_debris(self, lines: list[Line]) -> list[Line]:
        """Take web-page debris out of the text; each piece becomes a note (issue 20)."""
        first_label = next((i for i, ln in enumerate(lines) if self._label(ln.text)), len(lines))
        out: list[Line] = []
        dropped = False
        for i, ln in enumerate(lines):
            text, pieces = clean_line(ln.text, "notice" if i < first_label else "attachment")
            self.notes.extend(Note(ln.number, message, removed=removed) for message, removed in pieces)
            if text is None:
                dropped = True
                continue
            # A removed line separates what stood above it from what follows.
            out.append(replace(ln, text=text, gap_before=ln.gap_before or (dropped and not self.spaced)))
            dropped = False
        return out

    def warn(self, line: int, message: str) -> None:
        self.notes.append(Note(line, message, severity="warning"))

    # -- top level ---------------------------------------------------------

    def run(self) -> Package:
        lines = self.lines
        if not lines:  # nothing but web debris
            self.warn(1, "文件中只有网页残留（导航、栏目名等），没有通知正文")
            return Package(path=self.source.path, title=self._stem(), title_line=0,
                           encoding=self.source.encoding,
                           notes=sorted(self.notes, key=lambda n: n.line))
        first = lines[0]
        labels = [i for i, ln in enumerate(lines) if self._label(ln.text) is not None]
        notice_lines = lines[: labels[0]] if labels else lines
        package = Package(
            path=self.source.path,
            title=first.text,
            title_line=first.number,
            encoding=self.source.encoding,
        )
        if notice_lines:
            package.notice, package.preamble, cover = self._notice(notice_lines)
            package.title, package.title_line = cover
        else:
            self.warn(first.number, "没有找到通知正文，文件以附件开头")
        for k, start in enumerate(labels):
            end = labels[k + 1] if k + 1 < len(labels) else len(lines)
            package.attachments.append(self._attachment(lines[start:end], k + 1))
        if not package.notice and package.attachments and package.attachments[0].title:
            package.title = "".join(package.attachments[0].title)
            package.title_line = package.attachments[0].title_line
        year = package.issue_date.year if package.issue_date else _year_in(package.title)
        find_study_date(package, year, self.warn)
        checks.check_package(package, self.warn)
        if package.notice:
            package.notice.doubts = checks.doubts(package, self.items_fallback, self.title_guessed)
            # A missing title is a warning already; the outline still lists it.
            self.notes.extend(d for d in package.notice.doubts if d.code != "title-missing")
        package.notes = sorted(self.notes, key=lambda n: n.line)
        return package

    def _label(self, text: str) -> tuple[int | None, str, str] | None:
        """(number, label, title on the same line) for an attachment label line."""
        m = tr.ATTACHMENT_LABEL.match(text)
        if m:
            num = tr.han_number(m.group("num")) if m.group("num") else None
            return num, text.rstrip(), ""
        m = tr.ATTACHMENT_LABEL_WITH_TITLE.match(text)
        if m and tr.is_title_like(m.group("title")):
            return tr.han_number(m.group("num")), text[: m.start("title")].rstrip(), m.group("title")
        return None

    # -- the notice --------------------------------------------------------

    def _stem(self) -> str:
        return PurePath(self.source.path.replace("\\", "/")).stem or "学习材料"

    def _notice(
        self, lines: list[Line]
    ) -> tuple[Notice, list[Block], tuple[str, int]]:
        addressee_at = next(
            (i for i, ln in enumerate(lines[:12]) if tr.is_addressee(ln.text)), None
        )
        if addressee_at is not None:
            head = lines[:addressee_at]
            body_start = addressee_at + 1
        else:
            head = []
            for ln in lines:
                if not tr.is_notice_title_line(ln.text) or len(head) >= 6:
                    break
                head.append(ln)
            body_start = len(head)
        # A sentence is never a title (issue 20): a line ending in 。 or too
        # long for a title stays text. Lines before the title are set before
        # it; from a sentence after it on, everything is body, in input order.
        first = next((i for i, ln in enumerate(head) if tr.is_notice_title_line(ln.text)), len(head))
        end = next((i for i in range(first, len(head)) if not tr.is_notice_title_line(head[i].text)),
                   len(head))
        if end < len(head):
            addressee_at, body_start = None, end
        sentences = [Block("paragraph", ln.text, ln.number) for ln in head[:first]]
        cover, title_lines, preamble = self._split_head(head[first:end])
        if sentences and cover is not None and title_lines and cover is not title_lines[0]:
            preamble = [Block("paragraph", cover.text, cover.number), *preamble]
        if sentences:
            cover = None  # the first line is no cover title
        notice = Notice(
            title=[ln.text for ln in title_lines],
            title_line=title_lines[0].number if title_lines else lines[0].number,
        )
        if not title_lines:
            self.warn(lines[0].number, "未找到通知标题（第一行不像标题：是句子、以“。”结尾或过长），"
                      "文件名按输入文件命名")
        else:
            self.title_guessed = not tr.ends_with_doc_type("".join(notice.title))
        if addressee_at is not None:
            ln = lines[addressee_at]
            notice.addressee = Block("addressee", ln.text, ln.number)
        blocks = self._blocks(lines[body_start:], in_notice=True, at_start=False)
        self._close_notice(notice, blocks)
        outcome = mark_items(notice.blocks)
        self.items_fallback = outcome.fallback and outcome.count > 0
        notice.study_part_line = outcome.intro.line if outcome.intro else None
        if cover:
            cover_pair = (cover.text, cover.number)
        elif title_lines:
            cover_pair = ("".join(notice.title), notice.title_line)
        else:
            cover_pair = (self._stem(), 0)
        return notice, sentences + preamble, cover_pair

    def _split_head(self, head: list[Line]) -> tuple[Line | None, list[Line], list[Block]]:
        """Cover line, notice title lines and anything between them."""
        cover, title, middle = self._head_groups(head)
        if cover is not None and title and cover is not title[0] and _organ_like(cover.text):
            # A letterhead ("…党委宣传网工部"), not the material's name: the
            # title names the files; the letterhead is set above it.
            return None, title, [Block("paragraph", cover.text, cover.number), *middle]
        return cover, title, middle

    def _head_groups(self, head: list[Line]) -> tuple[Line | None, list[Line], list[Block]]:
        if not head:
            return None, [], []
        if len(head) == 1:
            return head[0], head, []
        if self.spaced:
            # No usable gaps: the cover is the first line unless it already
            # reads as the notice title.
            if tr.ends_with_doc_type(head[0].text) and not any(
                tr.ends_with_doc_type(h.text) for h in head[1:]
            ):
                return head[0], head, []
            return head[0], head[1:], []
        groups: list[list[Line]] = []
        for ln in head:
            if ln.gap_before or not groups:
                groups.append([])
            groups[-1].append(ln)
        title = groups[-1]
        if len(groups) == 1:
            # No blank line: a cover line typed straight above the title, or
            # one title broken over lines. The title begins at its 关于.
            start = max((i for i, ln in enumerate(title) if ln.text.startswith("关于")), default=0)
            if start == 0:
                return None, title, []
            return title[0], title[start:], [Block("paragraph", ln.text, ln.number)
                                             for ln in title[1:start]]
        cover = groups[0][0]
        middle = [ln for g in groups[:-1] for ln in g][1:]
        return cover, title, [Block("paragraph", ln.text, ln.number) for ln in middle]

    def _close_notice(self, notice: Notice, blocks: list[Block]) -> None:
        """Move the signature, the date and what follows them out of the body."""
        date_at = max((i for i, b in enumerate(blocks) if b.kind == "date"), default=None)
        if date_at is None:
            # An undated notice may still be signed: a short organ name alone
            # after a blank line at the end, or as the very last line.
            last = blocks[-1] if blocks else None
            if last and last.kind == "paragraph" and tr.is_signature_line(last.text) and \
                    _organ_like(last.text):
                last.kind = "signature"
            while blocks and blocks[-1].kind == "signature":
                notice.signature.insert(0, blocks.pop())
            notice.blocks = _unsign(blocks)
            if not notice.signature:
                self.warn(blocks[-1].line if blocks else notice.title_line,
                          "通知没有落款（署名和日期）")
            else:
                self.warn(notice.signature[-1].line, "通知没有成文日期")
            return
        notice.date = blocks[date_at]
        before = blocks[:date_at]
        while before and before[-1].kind == "signature":
            notice.signature.insert(0, before.pop())
        notice.blocks = _unsign(before)
        notice.after = blocks[date_at + 1 :]
        if not notice.signature:
            self.warn(notice.date.line, "通知的日期前没有署名（发文机关）")

    # -- attachments -------------------------------------------------------

    def _attachment(self, lines: list[Line], ordinal: int) -> Attachment:
        label_line = lines[0]
        parsed = self._label(label_line.text)
        assert parsed is not None
        number, label, same_line_title = parsed
        if number is None:
            # "附件" alone: the only (or next) attachment. The label stays as typed.
            number = ordinal
        att = Attachment(number=number, label=label, line=label_line.number)
        rest = lines[1:]
        title: list[Line] = []
        if same_line_title:
            att.title = [same_line_title]
            att.title_line = label_line.number
        else:
            title = self._title_lines(rest)
            att.title = [ln.text for ln in title]
            att.title_line = title[0].number if title else label_line.number
        rest = rest[len(title) :]
        if rest and tr.SOURCE.match(rest[0].text):
            att.source = Block("source", rest[0].text, rest[0].number)
            rest = rest[1:]
        att.blocks = self._blocks(rest, in_notice=False, at_start=True)
        return att

    def _title_lines(self, lines: list[Line]) -> list[Line]:
        """An attachment's title: the lines as the input breaks them, up to the
        source line or the first line that cannot be part of a title."""
        title: list[Line] = []
        for ln in lines:
            if len(title) >= 6 or tr.SOURCE.match(ln.text):
                break
            if title:
                gap_ends = ln.gap_before and not (self.spaced and self._continues(title, ln))
                if gap_ends or not self._may_continue_title(ln.text):
                    break
            elif not (tr.is_title_like(ln.text) or (len(ln.text) <= 120 and "。" not in ln.text)):
                # A first line that reads as body text: no title at all.
                break
            title.append(ln)
        return title

    @staticmethod
    def _may_continue_title(text: str) -> bool:
        return tr.is_title_like(text) or bool(tr.YEAR_RANGE.match(text.rstrip("》")))

    @staticmethod
    def _continues(title: list[Line], ln: Line) -> bool:
        """In a blank-line-spaced file: does this line carry the title on?"""
        text = "".join(t.text for t in title)
        return tr.unclosed(text) or bool(tr.YEAR_RANGE.match(ln.text.rstrip("》")))

    # -- blocks ------------------------------------------------------------

    def _blocks(self, lines: list[Line], *, in_notice: bool, at_start: bool) -> list[Block]:
        """Classify body lines. at_start: the first line may be an addressee."""
        blocks: list[Block] = []
        expect_subtitle = False
        i = 0
        while i < len(lines):
            ln = lines[i]
            text = ln.text
            if "\t" in text:
                rows = []
                first = ln.number
                while i < len(lines) and "\t" in lines[i].text and (
                    not rows or not lines[i].gap_before
                ):
                    rows.append(lines[i].text.split("\t"))
                    i += 1
                blocks.append(Block("table", "", first, rows=rows))
                expect_subtitle = at_start = False
                continue
            block = self._classify(ln, blocks, in_notice=in_notice, at_start=at_start,
                                   expect_subtitle=expect_subtitle)
            blocks.append(block)
            if block.kind == "date":
                self._mark_signature(blocks, lines)
                expect_subtitle = True
                at_start = False
            elif block.kind == "note":
                expect_subtitle = True
            elif block.kind == "subtitle":
                expect_subtitle = True
                at_start = True  # a second title may open with its own 主送
            elif block.kind != "source":
                expect_subtitle = False
                at_start = False
            i += 1
        return join_broken(blocks, self.gap_before, self.notes)

    def _classify(self, ln: Line, blocks: list[Block], *, in_notice: bool, at_start: bool,
                  expect_subtitle: bool) -> Block:
        text = ln.text
        if tr.SOURCE.match(text) and at_start:
            return Block("source", text, ln.number)
        if at_start and tr.is_addressee(text):
            return Block("addressee", text, ln.number)
        if tr.looks_like_date(text):
            date = tr.parse_date(text)
            if date is None:
                self.warn(ln.number, f"日期“{text}”无法识别（不是有效的年月日）")
            return Block("date", text, ln.number, date=date)
        previous = blocks[-1].kind if blocks else None
        if tr.NOTE.match(text) and (previous in ("date", "signature") or expect_subtitle
                                    or not in_notice):
            return Block("note", text, ln.number)
        if expect_subtitle and (tr.is_title_like(text) or tr.YEAR_RANGE.match(text)):
            return Block("subtitle", text, ln.number)
        heading = tr.heading_level(text)
        if heading:
            level, label = heading
            if tr.numbered_paragraph(text, label):
                # One long sentence after a number (issue 20, point 5): body type.
                return Block("paragraph", text, ln.number)
            lead, rest = tr.split_lead(text)
            return Block("heading", rest, ln.number, level=level, lead=lead)
        if in_notice and ln.gap_before and tr.is_signature_line(text) and _organ_like(text):
            # Possibly the signature of an undated notice; _close_notice decides.
            return Block("signature", text, ln.number)
        return Block("paragraph", text, ln.number)

    @staticmethod
    def _mark_signature(blocks: list[Block], lines: list[Line]) -> None:
        """The short organ names directly above a date (no blank line between)
        are its signature: one organ per line, or several on one line."""
        gap = {ln.number: ln.gap_before for ln in lines}
        current = blocks[-1]
        for b in reversed(blocks[-13:-1]):
            if gap.get(current.line, True):
                break
            if b.kind not in ("paragraph", "signature") or not tr.is_signature_line(b.text):
                break
            b.kind = "signature"
            current = b

    # -- derived facts and checks -----------------------------------------


def _unsign(blocks: list[Block]) -> list[Block]:
    """An organ-like line in the middle of the body was no signature after all."""
    for b in blocks:
        if b.kind == "signature":
            b.kind = "paragraph"
    return blocks


def _organ_like(text: str) -> bool:
    return len(text) <= 24 and text.endswith(
        ("部", "委", "处", "办", "室", "厅", "局", "会", "院", "校", "组", "支部", "党委",
         "总支", "中心", "公司", "政府", "署", "馆", "站", "所", "队")
    )


def _year_in(text: str) -> int | None:
    m = tr.INLINE_DATE.search(text) or None
    if m and m.group(1):
        return int(m.group(1))
    y = re.search(r"(\d{4})\s*年", text)
    return int(y.group(1)) if y else None


def iter_blocks(package: Package) -> Iterator[Block]:
    """Every block of the package in input order (for checks and glyph scans)."""
    yield from package.preamble
    if package.notice:
        n = package.notice
        if n.addressee:
            yield n.addressee
        yield from n.blocks
        yield from n.signature
        if n.date:
            yield n.date
        yield from n.after
    for att in package.attachments:
        if att.source:
            yield att.source
        yield from att.blocks
