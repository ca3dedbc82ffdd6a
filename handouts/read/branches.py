"""The branch list (seeds/branches.txt) and safe file names for branches."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..model.package import Note
from .source import InputError, decode

# Characters Windows, macOS or a zip tool refuse in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Branch:
    """One line of the branch list: the name, its e-mail addresses (maybe none)
    and its member count (None: not given)."""

    name: str
    addresses: tuple[str, ...] = ()
    line: int = 0
    members: int | None = None


def read_branches(path: Path) -> tuple[list[str], list[Note]]:
    """The branch names in order (addresses, if any, left out); see read_branch_list."""
    branches, notes = read_branch_list(path)
    return [b.name for b in branches], notes


def read_branch_list(path: Path) -> tuple[list[Branch], list[Note]]:
    """One branch per line, optionally `名称 [32人] <a@x.cn>, <b@x.cn>`; # starts a
    comment; duplicates are dropped with a warning; a malformed address or
    member count is an InputError."""
    name = str(path)
    if not path.is_file():
        raise InputError(name, "找不到二级党组织名单（branch list）" if not path.exists()
                         else "二级党组织名单不是文件")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(name, "二级党组织名单是空的：每行写一个二级党组织名称")
    text, _, notes = decode(data, name)
    branches: list[Branch] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = raw.split("#", 1)[0].strip().strip("\ufeff\u3000")
        if not line:
            continue
        try:
            line, members = split_members(line)
            branch, addresses = split_addresses(line)
            branch, more = split_members(branch)
            members = members if more is None else more
        except ValueError as exc:
            raise InputError(name, str(exc), number) from None
        if branch in seen:
            notes.append(Note(number, f"“{branch}”与第 {seen[branch]} 行重复，已忽略", severity="warning"))
            continue
        seen[branch] = number
        branches.append(Branch(branch, addresses, number, members))
    if not branches:
        raise InputError(name, "二级党组织名单中没有任何名称（只有注释或空行）")
    return branches, notes


# The member count: `[32人]` (or ［３２人］, 人 optional) after the name, before
# or after the addresses. Square brackets, because round ones occur in real
# names (机关（直属）党支部); a bracket with 人 that is no count is an error.
_MEMBERS = re.compile(r"\s*[\[［]([^\[\]［］]*)[\]］]\s*$")
_COUNT = re.compile(r"\s*(\d+)\s*人?\s*")
MAX_MEMBERS = 999


def split_members(text: str) -> tuple[str, int | None]:
    """`名称 [32人]` → ("名称", 32); text without a count is returned as it is."""
    m = _MEMBERS.search(text)
    if not m:
        return text, None
    inner = unicodedata.normalize("NFKC", m.group(1))
    count = _COUNT.fullmatch(inner)
    if not count:
        if "人" in inner:
            raise ValueError(f"人数“{m.group(0).strip()}”格式不对：写成阿拉伯数字，如：名称 [32人]")
        return text, None
    members = int(count.group(1))
    if not 1 <= members <= MAX_MEMBERS:
        raise ValueError(f"人数 {members} 不合理：应在 1 到 {MAX_MEMBERS} 之间")
    rest = text[:m.start()].strip().strip("\u3000")
    if not rest:
        raise ValueError("人数前没有二级党组织名称（应写作：名称 [32人]）")
    return rest, members


def split_addresses(line: str) -> tuple[str, tuple[str, ...]]:
    """`名称 <a@x.cn>, <b@x.cn>` (or `名称 <a@x.cn, b@x.cn>`) → name and addresses.

    The address part starts at the first < whose rest holds an @ or only
    ASCII: `机关<直属>党支部` stays a plain name, as it always was. Full-width
    ＜＞，；＠ typed with a Chinese input method count as their ASCII forms."""
    for match in re.finditer("[<＜]", line):
        tail = unicodedata.normalize("NFKC", line[match.start():])
        if "@" in tail or tail.isascii():
            branch = line[:match.start()].strip().strip("\u3000")
            if not branch:
                raise ValueError("地址前没有二级党组织名称（应写作：名称 <地址>）")
            return branch, _address_list(tail)
    if "@" in unicodedata.normalize("NFKC", line):
        raise ValueError(f"“{line}”中的电子邮件地址要写在尖括号中，如：名称 <name@example.edu.cn>")
    return line, ()


_GROUPS = re.compile(r"\s*<([^<>]*)>\s*[,;、]?\s*")
_SEPARATORS = re.compile(r"[,;、\s]+")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def _address_list(tail: str) -> tuple[str, ...]:
    groups: list[str] = []
    pos = 0
    while pos < len(tail):
        m = _GROUPS.match(tail, pos)
        if not m:
            raise ValueError(f"地址部分“{tail}”格式不对：每个地址写在尖括号中，多个地址用逗号分隔，"
                             "如：名称 <a@example.edu.cn>, <b@example.edu.cn>")
        groups.append(m.group(1))
        pos = m.end()
    out: list[str] = []
    for group in groups:
        items = [a for a in _SEPARATORS.split(group.strip()) if a]
        if not items:
            raise ValueError("尖括号中没有电子邮件地址")
        for item in items:
            if not ADDRESS.fullmatch(item) or len(item) > 254:
                raise ValueError(f"“{item}”不是有效的电子邮件地址（应形如 name@example.edu.cn）")
            if item.casefold() not in (a.casefold() for a in out):
                out.append(item)
    return tuple(out)


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
