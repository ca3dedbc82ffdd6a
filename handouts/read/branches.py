"""The branch list (seeds/branches.txt) and safe file names for branches."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..model.package import Note
from .source import InputError, decode

# Characters Windows, macOS or a zip tool refuse in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def read_branches(path: Path) -> tuple[list[str], list[Note]]:
    """One branch per line; # starts a comment; duplicates are dropped with a warning."""
    name = str(path)
    if not path.is_file():
        raise InputError(name, "找不到二级党组织名单（branch list）" if not path.exists()
                         else "二级党组织名单不是文件")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(name, "二级党组织名单是空的：每行写一个二级党组织名称")
    text, _, notes = decode(data, name)
    branches: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = raw.split("#", 1)[0].strip().strip("\ufeff\u3000")
        if not line:
            continue
        if line in seen:
            notes.append(Note(number, f"“{line}”与第 {seen[line]} 行重复，已忽略", severity="warning"))
            continue
        seen[line] = number
        branches.append(line)
    if not branches:
        raise InputError(name, "二级党组织名单中没有任何名称（只有注释或空行）")
    return branches, notes


# File systems limit a name to 255 bytes; the sheet name, a temporary
# prefix and "（新生成）" are added to this part, so it stays well below.
NAME_BYTES = 120


def safe_filename(name: str, limit: int = NAME_BYTES) -> str:
    """A file name that every system accepts; the real name stays on the page."""
    s = unicodedata.normalize("NFC", name)
    s = _UNSAFE.sub("_", s).strip().lstrip(".").rstrip(". ")
    s = re.sub(r"\s+", " ", s)
    if not s or s.upper() in _RESERVED:
        s = f"_{s}" if s else "_"
    while len(s.encode("utf-8")) > limit:  # cut on a character boundary
        s = s[:-1]
    return s.rstrip(". ") or "_"


def unique_filenames(names: list[str]) -> list[str]:
    """Safe names, made distinct where two branches sanitise alike (a/b and a_b)."""
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        base = safe_filename(name)
        candidate, n = base, 2
        while candidate.casefold() in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate.casefold())
        out.append(candidate)
    return out
