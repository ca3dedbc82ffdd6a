"""The `--fonts` report: per role the Word name, the PDF face, why, and coverage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .config import ROLE_LABELS, ROLES
from .discovery import FontFace
from .prepared import is_space

if TYPE_CHECKING:
    from .fontset import FontSet

ORIGIN_LABELS = {"user": "用户字体", "system": "系统字体", "substitute": "替代字体"}


def fonts_report(fontset: FontSet, text_by_role: Mapping[str, str]) -> str:
    """For `python generate.py --fonts`: per role the Word name, PDF face, why, coverage."""
    lines: list[str] = []
    for role in ROLES:
        lines += _role_report(fontset, role, text_by_role.get(role, ""))
        lines.append("")
    if fontset.problems:
        lines.append("fonts/ 目录中无法读取的字体文件：")
        lines += [f"  {path}：{reason}" for path, reason in sorted(fontset.problems.items())]
    return "\n".join(lines).rstrip() + "\n"


def _role_report(fontset: FontSet, role: str, text: str) -> list[str]:
    face = fontset.chosen(role)
    word = fontset.word_family(role)
    alternates = "、".join(fontset.word_alternates(role)) or "无"
    kind = "CFF 轮廓，转换为 TrueType 后嵌入" if face.is_cff else "TrueType 轮廓，直接嵌入"
    lines = [
        f"【{ROLE_LABELS[role]} {role}】",
        f"  Word 字体：{word}（备选 alternates：{alternates}）",
        f"  PDF 字体：{face.family} — {face.path}，索引 {face.index}（{kind}）",
        f"  来源：{_why(face, word)}",
        f"  覆盖：{_coverage(fontset, role, text)}",
    ]
    if face.origin == "substitute":
        example = f"（如 {fontset.hint(role)}）" if fontset.hint(role) else ""
        lines.append(f"  提示：将 {word} 字体文件{example}放入 fonts/ 目录，或在系统中安装该字体，"
                     "PDF 即改用常规字体。")
    for skipped, reason in fontset.skipped(role):
        lines.append(f"  已跳过：{skipped.family} — {skipped.path}，索引 {skipped.index}：{reason}")
    return lines


def _why(face: FontFace, word: str) -> str:
    label = ORIGIN_LABELS[face.origin]
    if face.origin == "user":
        return f"{label}（user font，fonts/ 目录中的文件）"
    if face.origin == "system":
        return f"{label}（system font，已安装）"
    return f"{label}（substitute：未找到 {word}，以其他字体代替）"


def _coverage(fontset: FontSet, role: str, text: str) -> str:
    chars = [ch for ch in dict.fromkeys(text) if not is_space(ch)]
    if not chars:
        return "未给出文字"
    uses, missing = fontset.plan(role, "".join(chars))
    chain = fontset.chain(role)
    fallen = [f"{ch}（U+{ord(ch):04X}）→ {chain[pos].family}"
              for ch, (pos, _) in uses.items() if pos > 0]
    parts = [f"{len(chars)} 个字符"]
    if not fallen and not missing:
        parts.append("全部有字形")
    if fallen:
        parts.append(f"{len(fallen)} 个改用其他字体：" + "；".join(fallen))
    if missing:
        parts.append(f"{len(missing)} 个没有任何字体含有：" +
                     "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in missing))
    return "，".join(parts)
