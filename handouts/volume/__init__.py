"""The year's volume (issue 15): every month of a year already built under
OUT, bound into one PDF/A-2b file with a title page, contents and bookmarks.

months.py finds the months and reads their handout PDFs; assemble.py makes
the volume; build_volume() writes it and its manifest and reports, in
Chinese, which months are missing. Imports build (atomic writes, the build
context), compose (the front matter's template) and pdf (writer, archive).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import __version__

MANIFEST_SUFFIX = ".manifest.json"


def build_volume(year: int, out: Path) -> int:
    """Build OUT/<year>年教职工政治理论学习材料汇编.pdf; returns the exit status."""
    from ..build import BuildContext, atomic_write, sha256_of
    from .assemble import assemble, volume_title
    from .months import find_months

    found = find_months(out, year)
    for w in found.warnings:
        print(f"警告：{w}", file=sys.stderr)
    if not found.months:
        print(f"错误：{out} 下没有 {year} 年任何月份的生成结果（应为 {year}-01 … {year}-12 文件夹，"
              "内有 manifest.json 和学习材料 PDF）；请先生成各月份，再生成汇编", file=sys.stderr)
        return 1
    if found.missing:
        names = "、".join(f"{n}月" for n in found.missing)
        print(f"警告：{year} 年缺少 {names}（{out} 下没有对应的 {year}-MM 文件夹或学习材料 PDF），"
              "汇编中未收录", file=sys.stderr)
    from ..compose.render import ComposeError
    from ..compose.style import StyleError
    from ..fonts.fontset import FontConfigError, MissingGlyphError

    try:
        volume = assemble(year, found.months, found.missing, ctx=BuildContext())
    except (FontConfigError, MissingGlyphError, ComposeError, StyleError) as exc:
        print(f"错误：生成 {year} 年汇编时：{exc}", file=sys.stderr)
        return 1
    name = f"{volume_title(year)}.pdf"
    atomic_write(out / name, volume.data)
    manifest = {
        "volume": year,
        "generator": f"handouts {__version__}",
        "files": [{"path": name, "kind": "volume", "format": "pdf", "branch": None,
                   "pages": volume.pages, "sha256": sha256_of(volume.data),
                   "front_pages": volume.front_pages, "blank_pages": volume.blank_pages}],
        "months": [{"month": p.month.folder, "path": p.month.relative, "sha256": p.month.sha256,
                    "pages": p.month.pages, "first_page": p.first} for p in volume.placed],
        "missing": [f"{year}-{n:02d}" for n in found.missing],
    }
    data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    atomic_write(out / f"{volume_title(year)}{MANIFEST_SUFFIX}", data)
    labels = "、".join(m.label for m in found.months)
    print(f"完成：{out / name}（{volume.pages} 页，收录 {labels}）", file=sys.stderr)
    return 0
