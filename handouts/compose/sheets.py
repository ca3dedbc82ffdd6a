"""Per-branch sheets (学习记录表, 签到表) composed from templates/sheets.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model.package import Package
from ..model.textrules import item_label
from .document import Document
from .render import cn_date, render, shorten

# Sign-in rows when the branch list gives no member count, and at least as
# many when it does: a larger branch gets a row per member, continued on
# further pages under the repeated header row.
SIGNIN_ROWS = 20
# Study items on the record sheet: one line of the content cell each
# (126 mm at 12 pt holds 29 字, less the item number).
ITEM_LIMIT = 28.0


@dataclass(frozen=True)
class SheetKind:
    kind: str  # manifest kind
    template: str
    folder: str
    name: str


def sheet_kinds(template_dir: Path | None = None) -> tuple[SheetKind, ...]:
    """The sheets of templates/sheets.toml: template_dir's, else the user's copy, else built in."""
    from ..places.resources import current

    found = template_dir / "sheets.toml" if template_dir else current().template("sheets.toml").path
    return _sheet_kinds(found)


@lru_cache(maxsize=2)
def _sheet_kinds(path: Path) -> tuple[SheetKind, ...]:
    return tuple(SheetKind(**entry) for entry in _sheets_toml(path)["sheet"])


@lru_cache(maxsize=2)
def _sheets_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def bundle_settings(template_dir: Path | None = None) -> dict[str, str]:
    """The [bundle] table of sheets.toml (padding_note, padding_style)."""
    from ..places.resources import current

    found = template_dir / "sheets.toml" if template_dir else current().template("sheets.toml").path
    table = _sheets_toml(found).get("bundle", {})
    return {"padding_note": str(table.get("padding_note", "")),
            "padding_style": str(table.get("padding_style", "cell-small"))}


def sheet_context(package: Package, branch: str, members: int | None = None) -> dict[str, object]:
    """What the sheet templates see; `content` is the 学习内容 cell, line by line."""
    issued = package.issue_date
    when = package.study_date or issued
    return {
        "branch": branch,
        "package": package,
        "study_date": cn_date(package.study_date) if package.study_date else "　　年　　月　　日",
        "month": f"{when.year}年{when.month}月" if when else "",
        "items": [shorten(item, ITEM_LIMIT) for item in package.study_items],
        "content": study_content(package),
        "issue_iso": issued.isoformat() if issued else "",
        "rows": max(SIGNIN_ROWS, members or 0),
        "members": members,  # None: not in the branch list
    }


def study_content(package: Package) -> list[dict[str, object]]:
    """The 学习内容 cell's lines: each group heading once, above its items
    (issue 20); items are numbered on through the groups, as the 附件 are."""
    lines: list[dict[str, object]] = []
    group: str | None = None
    for number, (heading, item) in enumerate(package.study_outline, start=1):
        if heading is not None and heading != group:
            lines.append({"group": True, "text": shorten(_group_text(heading), ITEM_LIMIT + 1),
                          "number": None})
        group = heading
        # "1.《…》第五卷；": the list's own punctuation has no place in the cell.
        text = shorten(item.rstrip("；;。，,"), ITEM_LIMIT)
        lines.append({"group": False, "text": text, "number": number})
    return lines


def _group_text(heading: str) -> str:
    """A group heading as the sheet shows it: "1.重要讲话" loses its "1.", which
    would read as one more item beside the items numbered 1…N below it."""
    found = item_label(heading)
    return heading[len(found[1]):] if found and found[0] == "arabic" else heading


def compose_sheet(kind: SheetKind, package: Package, branch: str,
                  template_dir: Path | None = None, *, members: int | None = None) -> Document:
    return render(kind.template, template_dir, **sheet_context(package, branch, members))


def compose_bundle(package: Package, sheets: list[tuple[str, list[Document]]]) -> Document:
    """Every branch's sheets in one document for a single duplex print job:
    each branch starts on an odd page so that sheets never share a leaf."""
    first = sheets[0][1][0] if sheets and sheets[0][1] else None
    bundle = Document(
        title=f"{package.title}：学习记录表和签到表（打印合集）",
        author=package.issuer,
        subject="教职工政治理论学习记录表和签到表",
        keywords=["学习记录表", "签到表"],
        date=first.date if first else package.issue_date,
        # Paper only: the same sheet repeated per branch would make every
        # branch's 学习地点 one shared form field.
        fillable=False,
        **bundle_settings(),
    )
    for _branch, docs in sheets:
        for n, doc in enumerate(docs):
            for k, section in enumerate(doc.sections):
                copy = type(section)(**vars(section))
                copy.odd_start = n == 0 and k == 0
                bundle.sections.append(copy)
    return bundle
