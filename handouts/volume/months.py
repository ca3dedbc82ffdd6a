"""The months of a year already built under OUT, read from their manifests.

A month is the folder OUT/<YYYY-MM> that a seed named YYYY-MM builds
(seeds/2025-03.txt → output/2025-03/): its manifest.json names the handout
PDF. Folders named otherwise are not months of the volume. What the
volume needs of a month is read from its PDF: title, author, date, pages
and the bookmarks of the notice and attachments.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from ..build import MANIFEST


@dataclass
class Month:
    number: int  # 1…12
    folder: str  # "2025-03", relative to OUT
    pdf: Path
    relative: str  # the PDF's path relative to OUT, POSIX separators
    sha256: str
    title: str
    author: str
    date: str  # the PDF's CreationDate (the notice's date)
    pages: int
    entries: list[tuple[str, int]] = field(default_factory=list)  # (bookmark title, 0-based page)

    @property
    def label(self) -> str:
        return f"{self.number}月"


@dataclass
class Found:
    months: list[Month]
    missing: list[int]  # month numbers with no usable build
    warnings: list[str]


def find_months(out: Path, year: int) -> Found:
    found = Found([], [], [])
    for number in range(1, 13):
        folder = f"{year}-{number:02d}"
        month = _month(out, folder, number, found.warnings)
        if month is None:
            found.missing.append(number)
        else:
            found.months.append(month)
    return found


def _month(out: Path, folder: str, number: int, warnings: list[str]) -> Month | None:
    manifest_path = out / folder / MANIFEST
    if not (out / folder).is_dir():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entry = next(f for f in manifest["files"] if f["kind"] == "handout" and f["format"] == "pdf")
        relative_in_month, recorded = str(entry["path"]), str(entry["sha256"])
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        warnings.append(f"{manifest_path} 不存在或没有列出学习材料 PDF，{number}月未收录"
                        "（请先生成该月份，且格式包含 pdf）")
        return None
    pdf = out / folder / relative_in_month
    try:
        data = pdf.read_bytes()
    except OSError:
        warnings.append(f"{pdf} 不存在，{number}月未收录（请重新生成该月份）")
        return None
    digest = hashlib.sha256(data).hexdigest()
    if digest != recorded:
        warnings.append(f"{pdf} 与 {manifest_path} 记录的不一致（生成后被修改过），按现有文件收录")
    try:
        with pikepdf.open(pdf) as doc:
            info = doc.docinfo
            month = Month(
                number=number, folder=folder, pdf=pdf,
                relative=f"{folder}/{relative_in_month}", sha256=digest,
                title=str(info.get("/Title", "")) or f"{number}月学习材料",
                author=str(info.get("/Author", "")), date=str(info.get("/CreationDate", "")),
                pages=len(doc.pages), entries=_entries(doc))
    except pikepdf.PdfError as exc:
        warnings.append(f"{pdf} 无法读取（{exc}），{number}月未收录")
        return None
    return month


def _entries(doc: pikepdf.Pdf) -> list[tuple[str, int]]:
    """The top-level bookmarks: the notice and every attachment, in order."""
    out: list[tuple[str, int]] = []
    with doc.open_outline() as outline:
        for item in outline.root:
            dest = item.destination
            if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
                out.append((item.title, pikepdf.Page(dest[0]).index))
    return out
