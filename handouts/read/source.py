"""Read a seed file into clean text lines (DESIGN.md, "read").

Clerks' files come from Windows Notepad (GBK/GB18030, UTF-16, UTF-8 with a
BOM), from Word's "save as text" (bookmark artefacts, form feeds, vertical
tabs) or as .docx drafts. This module turns any of them into a list of lines
and records every character it removes as a Note with its line number, so
that nothing disappears without a trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.package import Note


class InputError(Exception):
    """Bad input: a Chinese message that names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path} 第 {line} 行" if line else path
        super().__init__(f"{where}：{message}")


@dataclass
class SourceText:
    path: str
    encoding: str
    lines: list[str]  # lines[0] is line 1
    notes: list[Note] = field(default_factory=list)


# Word's text export writes bookmarks as "[bookmark: _GoBack]"; pandoc writes
# the same shape. They are never content.
_BOOKMARK = re.compile(r"\[bookmark:\s*[^\]\n]*\]")
# Characters that are invisible or control codes: never content of a notice.
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}
_KEEP_CONTROLS = {"\t", "\n"}
# Blank-looking characters that are legitimate indentation at a line start.
_INDENT = " \t\u3000\u00a0\u2002\u2003\u2009"


# Removed from every line: control characters (Cc) but tab and line feed,
# lone surrogates (Cs, from broken UTF-16) and the invisible characters above.
# One character class finds them in a whole line at C speed
# (tests/test_source.py checks it against the Unicode categories).
_REMOVABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
    + "".join(sorted(_ZERO_WIDTH)) + "]"
)


_CONTROL_NAMES = {
    "\x0c": "换页符 form feed",
    "\x0b": "垂直制表符 vertical tab",
    "\x00": "空字符 NUL",
    "\ufeff": "字节顺序标记 BOM",
    "\u00ad": "软连字符 soft hyphen",
}


def _describe(ch: str) -> str:
    name = _CONTROL_NAMES.get(ch)
    if name:
        return name
    if ch in _ZERO_WIDTH:
        return f"零宽字符 U+{ord(ch):04X}"
    return f"控制字符 U+{ord(ch):04X}"


def read_source(path: str | Path) -> SourceText:
    """Read a .txt or .docx seed. Raises InputError for anything unreadable."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(name, "文件不存在（file not found）")
    if p.is_dir():
        raise InputError(name, "这是一个文件夹，不是输入文件（is a directory）")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(name, f"无法读取文件（{exc.strerror or exc}）") from None
    return read_bytes(data, name)


def read_bytes(data: bytes, name: str) -> SourceText:
    if not data.strip():
        raise InputError(name, "文件为空（empty file）")
    if data.startswith(b"PK\x03\x04"):
        return _read_docx(data, name)
    if data.startswith(b"%PDF"):
        raise InputError(name, "这是 PDF 文件，请提供 .txt 或 .docx 格式的学习材料")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(name, "这是旧版 Word（.doc）文件，请在 Word 中另存为 .docx 或 .txt")
    text, encoding, notes = decode(data, name)
    return _from_text(text, encoding, name, notes)


def _from_text(text: str, encoding: str, name: str, notes: list[Note]) -> SourceText:
    if not text.strip():
        raise InputError(name, "文件中没有文字（only whitespace）")
    return _from_lines(_split_lines(text), encoding, name, notes)


def _from_lines(raw_lines: list[str], encoding: str, name: str, notes: list[Note]) -> SourceText:
    if not any(line.strip() for line in raw_lines):
        raise InputError(name, "文件中没有文字（only whitespace）")
    lines, more = clean_lines(raw_lines)
    if not any(line.strip() for line in lines):
        raise InputError(name, "文件中没有可用的文字（only control characters）")
    return SourceText(name, encoding, lines, notes + more)


def _split_lines(text: str) -> list[str]:
    # str.splitlines() would also split at \x0b, \x0c and \x1c-\x1e, which are
    # artefacts to remove (and note), not line ends.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def decode(data: bytes, name: str) -> tuple[str, str, list[Note]]:
    """Bytes → text, trying the encodings clerks actually use, in a safe order."""
    notes: list[Note] = []
    if data.startswith(b"\xef\xbb\xbf"):
        return _check_text(_strict(data[3:], "utf-8", name, notes), name), "utf-8-sig", notes
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return _check_text(_strict(data[2:], enc, name, notes), name), enc, notes
    utf16 = _utf16_reading(data, name)
    if utf16 is not None and b"\x00" in data:
        # ASCII letters, digits and line feeds in UTF-16 carry a zero byte;
        # text in an 8-bit encoding never does.
        notes.extend(utf16[3])
        return _check_text(utf16[2], name), utf16[1], notes
    if utf16 is None and (data.count(b"\x00") * 50 > len(data) or _binary_bytes(data)):
        raise InputError(name, "不是文本文件（binary data），请提供 .txt 或 .docx")
    failures: list[InputError] = []
    decoded: list[tuple[float, str, str, list[Note]]] = []
    for encoding in ("utf-8", "gb18030"):
        attempt: list[Note] = []
        try:
            text = _strict(data, encoding, name, attempt)
        except InputError as exc:
            failures.append(exc)
            continue
        # A reading that had to drop a cut character is worth less than one
        # that decodes cleanly.
        repaired = any(n.severity == "warning" for n in attempt)
        score = _plausibility(text) - repaired
        if utf16 is not None:  # control codes count against an 8-bit reading of UTF-16 bytes
            score -= len(_BINARY_CONTROLS.findall(text)) / max(1, len(text))
        decoded.append((score, encoding, text, attempt))
    if utf16 is not None:
        decoded.append(utf16)  # last: an equally plausible 8-bit reading wins
    if not decoded:
        # Report the encoding that read furthest: its error is the real one.
        raise max(failures, key=lambda e: e.line or 0)
    # Short GBK text can also be valid UTF-8 (as Latin/IPA letters): keep the
    # reading that looks like Chinese; UTF-8 wins ties.
    _, encoding, text, attempt = max(decoded, key=lambda d: d[0])
    notes.extend(attempt)
    return _check_text(text, name), encoding, notes


# What Chinese text is made of: ASCII and Latin-1 controls (removed either
# way), CJK ideographs and extension A, CJK and full-width punctuation, and
# general punctuation.
_UNUSUAL = re.compile("[^\x00-\x9f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f"
                      "\u3400-\u4dbf]")


def _plausibility(text: str) -> float:
    return 1 - len(_UNUSUAL.findall(text)) / max(1, len(text))


def _binary_bytes(data: bytes) -> bool:
    sample = data[:4096]
    return sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\x0c\x0b") > 16


# A UTF-16 reading counts only if it looks like Chinese text this much
# (share of usual characters): random or 8-bit bytes read as UTF-16 give code
# points spread over the whole BMP, of which well under half are usual.
_UTF16_PLAUSIBLE = 0.9


def _utf16_reading(data: bytes, name: str) -> tuple[float, str, str, list[Note]] | None:
    """UTF-16 without a BOM (some Notepad versions, some exports), LE or BE.

    Sound where a byte test is not: CJK code units such as U+300A 《 hold the
    byte 0x0A, so line feeds prove nothing. A reading is taken only if it
    decodes cleanly (no lone surrogate; a cut last character is repaired as
    for any file), has hardly any control codes and is plausible Chinese text."""
    if len(data) < 2:
        return None
    best: tuple[float, str, str, list[Note]] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        attempt: list[Note] = []
        try:
            text = _strict(data, encoding, name, attempt)
        except InputError:
            continue
        controls = len(_BINARY_CONTROLS.findall(text))
        if not text.strip() or controls * 100 > len(text):  # a stray control is removed and noted
            continue
        plausible = _plausibility(text)
        score = plausible - any(n.severity == "warning" for n in attempt)
        if plausible >= _UTF16_PLAUSIBLE and (best is None or score > best[0]):
            best = (score, encoding, text, attempt)
    return best


def _strict(data: bytes, encoding: str, name: str, notes: list[Note]) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        # A file cut inside its last character: keep everything before it and
        # say so, rather than reject a whole month for one broken byte.
        # UTF-8 says "unexpected end of data", GB18030 "incomplete multibyte
        # sequence", UTF-16 "truncated data".
        cut = ("end of data", "incomplete multibyte", "truncated data")
        if exc.end >= len(data) and len(data) - exc.start <= 3 and any(c in exc.reason for c in cut):
            line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
            notes.append(
                Note(
                    line,
                    f"文件末尾有不完整的字符（{len(data) - exc.start} 个字节），已删除；"
                    "文件可能被截断，请核对原文结尾",
                    removed=data[exc.start :].hex(),
                    severity="warning",
                )
            )
            return data[: exc.start].decode(encoding)
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise InputError(
            name,
            f"无法识别文件编码（不是 UTF-8、UTF-16 或 GB18030 文本；按 {encoding} 读取时"
            f"第 {exc.start + 1} 个字节有无效数据）",
            line,
        ) from None


# Control codes (Cc) other than tab, line feed, carriage return, form feed, vertical tab.
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _check_text(text: str, name: str) -> str:
    """Reject binary data that happens to decode (GB18030 accepts a lot)."""
    controls = len(_BINARY_CONTROLS.findall(text))
    if controls > 8 and controls * 20 > len(text):
        raise InputError(name, "不是文本文件（binary data），请提供 .txt 或 .docx")
    return text


def clean_lines(raw: list[str]) -> tuple[list[str], list[Note]]:
    """Remove artefacts line by line; every removal becomes a Note."""
    lines: list[str] = []
    notes: list[Note] = []
    indented: list[int] = []
    for number, line in enumerate(raw, start=1):
        for match in _BOOKMARK.finditer(line):
            notes.append(
                Note(number, f"删除 Word 书签标记 {match.group(0)}", removed=match.group(0))
            )
        line = _BOOKMARK.sub("", line)
        removed = _REMOVABLE.findall(line)
        if removed:
            line = _REMOVABLE.sub("", line)
            kinds = "、".join(dict.fromkeys(_describe(ch) for ch in removed))
            notes.append(Note(number, f"删除 {len(removed)} 个{kinds}", removed="".join(removed)))
        stripped = line.lstrip(_INDENT)
        lead = line[: len(line) - len(stripped)]
        if lead and stripped:
            if set(lead) <= {"\u3000", "\t"}:
                indented.append(number)
            else:
                # A stray space before a line such as " 附件1" is a typing slip.
                notes.append(Note(number, f"删除行首 {len(lead)} 个空格", removed=""))
        lines.append(stripped.rstrip(_INDENT + "\u200b"))
    if indented:
        notes.append(
            Note(
                indented[0],
                f"{len(indented)} 行的行首全角空格缩进已去除（排版时按公文格式自动缩进）",
            )
        )
    return lines, notes


def _read_docx(data: bytes, name: str) -> SourceText:
    """A .docx draft, read the way Word shows it (read/docx_draft.py)."""
    from .docx_draft import DocxRefused, read_docx_lines

    try:
        lines, notes = read_docx_lines(data)
    except DocxRefused as exc:
        raise InputError(name, str(exc)) from None
    split: list[str] = []
    for line in lines:  # the same line ends as a text file; notes already count them so
        split.extend(line.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
                     .split("\n") if any(c in line for c in "\u2028\u2029\x85") else [line])
    return _from_lines(split, "docx", name, notes)
