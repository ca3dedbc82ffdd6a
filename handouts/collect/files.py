"""The files of the collected folder: which to read, and as what.

A file is judged by its first bytes, not its name: a PDF saved as .docx
is still read, a renamed picture is still a picture. The folder is only
read, never written; sub-folders are read too (mail programs save the
attachments of each message into one), in path order.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OLE, PDF, ZIP, NotASheet, Unreadable
from .fields import Sheet
from .read_docx import read_docx
from .read_pdf import read_pdf

# Files that programs leave beside documents: listed in the report as skipped.
_LEFTOVERS = {"thumbs.db": "Windows 的缩略图缓存", "desktop.ini": "Windows 的文件夹设置",
              ".ds_store": "macOS 的文件夹设置"}
_IMAGES = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")


def walk(folder: Path) -> Iterator[Path]:
    """Every file under folder, in a stable order (path, by code point)."""
    return iter(sorted((p for p in folder.rglob("*") if p.is_file()),
                       key=lambda p: p.relative_to(folder).as_posix()))


def leftover(path: Path) -> str | None:
    """Why a file is skipped without reading it, or None."""
    name = path.name.lower()
    if name in _LEFTOVERS:
        return _LEFTOVERS[name]
    if path.name.startswith("~$"):
        return "Word/WPS 打开文件时留下的临时文件"
    if path.name.startswith("."):
        return "隐藏文件"
    return None


def read_sheet(path: Path, shown: str) -> Sheet:
    """The sheet in path; raises Unreadable or NotASheet."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise Unreadable(f"无法打开（{exc.strerror or exc}）") from None
    suffix = path.suffix.lower()
    if PDF in head:
        return read_pdf(path, shown)
    if head.startswith(ZIP):
        return _zipped(path, shown)
    if head.startswith(OLE):
        if suffix in (".doc", ".wps", ".dot", ".wpt"):
            raise Unreadable("是旧版 Word/WPS 文件，无法读取；请另存为 .docx 或 PDF 后再收集")
        if suffix in (".xls", ".et", ".ppt"):
            raise NotASheet("是旧版 Excel/PowerPoint 文件，不是学习记录表")
        raise Unreadable("有密码保护（加密的 Office 文件），无法读取；请支部取消密码后重新发送")
    if head.startswith(_IMAGES):
        raise Unreadable("是图片（扫描件或照片），无法读取；请支部发送填好的 PDF 或 Word 文件")
    if suffix in (".pdf", ".docx"):
        raise Unreadable(f"文件已损坏：内容不是 {suffix[1:].upper()} 文件")
    raise NotASheet(f"不是学习记录表（{suffix or '没有扩展名的'}文件）")


def _zipped(path: Path, shown: str) -> Sheet:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise Unreadable("文件已损坏，无法作为 Word 文件打开（zip 结构不完整）") from None
    if "word/document.xml" in names:
        return read_docx(path, shown)
    if "xl/workbook.xml" in names:
        raise NotASheet("是 Excel 表格，不是学习记录表")
    if "ppt/presentation.xml" in names:
        raise NotASheet("是 PowerPoint 文件，不是学习记录表")
    if path.suffix.lower() == ".docx":
        raise Unreadable("文件已损坏：Word 文件中没有正文")
    raise NotASheet("是压缩包，不是学习记录表；请解压后放进收集的文件夹")
