"""The semantic model of one month's study package (DESIGN.md, "parse").

Everything downstream (templates, writers, sheets) reads only these types.
Blocks keep the source line they came from so that every message can name
its place and every output can be checked against the input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Block kinds, as listed in DESIGN.md. The parser never invents others.
BLOCK_KINDS = (
    "paragraph",
    "heading",
    "item",
    "addressee",
    "signature",
    "date",
    "note",
    "subtitle",
    "source",
    "table",
)


@dataclass
class Note:
    """Something the reader or parser wants the clerk to know, tied to a line."""

    line: int
    message: str
    # Text removed from the input (artefacts, control characters); empty for
    # plain warnings. Lets tests prove that nothing else was dropped.
    removed: str = ""
    # "info" (a cleanup), "warning" (a likely mistake) or "doubt" (the parser
    # guessed: the clerk should look before printing, issue 20).
    severity: str = "info"
    code: str = ""  # doubts: what was guessed ("title-guessed", "no-items", …)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "message": self.message}
        if self.removed:
            out["removed"] = self.removed
        if self.severity != "info":
            out["severity"] = self.severity
        if self.code:
            out["code"] = self.code
        return out


@dataclass
class Block:
    kind: str
    text: str
    line: int
    level: int | None = None  # headings: 1 一、 2 （一） 3 1. 4 （1）
    lead: str | None = None  # headings: the part set in the heading face
    label: str | None = None  # items: "1."
    rows: list[list[str]] | None = None  # tables
    date: dt.date | None = None  # date blocks that parse
    group: str | None = None  # items: the group heading above them, as written

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")

    @property
    def full_text(self) -> str:
        """The block's text as it stood in the input (lead, label and rest)."""
        if self.kind == "table" and self.rows is not None:
            return "\n".join("\t".join(r) for r in self.rows)
        return (self.label or "") + (self.lead or "") + self.text

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "line": self.line}
        if self.kind == "heading":
            out["level"] = self.level
            out["lead"] = self.lead
        if self.label is not None:
            out["label"] = self.label
        if self.rows is not None:
            out["rows"] = self.rows
        if self.date is not None:
            out["iso"] = self.date.isoformat()
        if self.group is not None:
            out["group"] = self.group
        return out


def _json_or_none(block: Block | None) -> dict[str, Any] | None:
    return None if block is None else block.to_json()


@dataclass
class Notice:
    title: list[str]
    title_line: int
    addressee: Block | None = None
    blocks: list[Block] = field(default_factory=list)
    signature: list[Block] = field(default_factory=list)
    date: Block | None = None
    # Whatever follows the date inside the notice: （此件公开发布） and the like.
    after: list[Block] = field(default_factory=list)
    # What the parser was unsure of (issue 20): notes with severity "doubt".
    doubts: list[Note] = field(default_factory=list)
    # Where the study-content part began (its intro line), if one was found.
    study_part_line: int | None = None

    @property
    def items(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "item"]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_line": self.title_line,
            "addressee": _json_or_none(self.addressee),
            "blocks": [b.to_json() for b in self.blocks],
            "signature": [b.to_json() for b in self.signature],
            "date": _json_or_none(self.date),
            "after": [b.to_json() for b in self.after],
            "study_part_line": self.study_part_line,
            "confident": not self.doubts,
            "doubts": [{"code": d.code, "line": d.line, "message": d.message} for d in self.doubts],
        }


@dataclass
class Attachment:
    number: int
    label: str  # as written: "附件1"
    line: int
    title: list[str] = field(default_factory=list)
    title_line: int = 0
    source: Block | None = None
    blocks: list[Block] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "label": self.label,
            "line": self.line,
            "title": self.title,
            "title_line": self.title_line,
            "source": _json_or_none(self.source),
            "blocks": [b.to_json() for b in self.blocks],
        }


@dataclass
class Package:
    """One month's package: cover title, the notice, its attachments."""

    path: str
    title: str  # cover title: the first line of the input
    title_line: int
    encoding: str
    notice: Notice | None = None
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # Lines before the notice that are neither cover title nor notice title.
    preamble: list[Block] = field(default_factory=list)
    study_date: dt.date | None = None
    study_date_line: int | None = None

    @property
    def issue_date(self) -> dt.date | None:
        if self.notice and self.notice.date and self.notice.date.date:
            return self.notice.date.date
        return None

    @property
    def issuer(self) -> str:
        if self.notice and self.notice.signature:
            return " ".join(b.text for b in self.notice.signature)
        return ""

    @property
    def study_items(self) -> list[str]:
        """What the branches study: the notice's items, else the attachment titles."""
        if self.notice and self.notice.items:
            return [b.text for b in self.notice.items]
        return ["".join(a.title) for a in self.attachments]

    @property
    def study_outline(self) -> list[tuple[str | None, str]]:
        """(group heading or None, item text) for each study item, in order."""
        if self.notice and self.notice.items:
            return [(b.group, b.text) for b in self.notice.items]
        return [(None, t) for t in self.study_items]

    @property
    def warnings(self) -> list[Note]:
        return [n for n in self.notes if n.severity == "warning"]

    @property
    def doubts(self) -> list[Note]:
        return [n for n in self.notes if n.severity == "doubt"]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_line": self.title_line,
            "encoding": self.encoding,
            "study_date": self.study_date.isoformat() if self.study_date else None,
            "study_date_line": self.study_date_line,
            "notes": [n.to_json() for n in self.notes],
            "preamble": [b.to_json() for b in self.preamble],
            "notice": self.notice.to_json() if self.notice else None,
            "attachments": [a.to_json() for a in self.attachments],
        }
