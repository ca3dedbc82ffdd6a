"""Reading fonts/fonts.toml: per role, the Word family and the PDF candidates."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

ROLES: tuple[str, ...] = ("title", "body", "heading1", "heading2", "folio")

# How users know the roles (LAYOUT.md "Font roles").
ROLE_LABELS = {
    "title": "标题",
    "body": "正文",
    "heading1": "一级标题",
    "heading2": "二级标题",
    "folio": "页码",
}


class FontConfigError(Exception):
    """fonts.toml is wrong, or no usable Chinese font exists; str() is Chinese."""


@dataclass(frozen=True)
class RoleConfig:
    role: str
    word: str
    alternates: tuple[str, ...]
    candidates: tuple[str, ...]
    substitutes: tuple[str, ...]
    hint: str


def load_config(path: Path) -> dict[str, RoleConfig]:
    """Every role's configuration; FontConfigError names the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FontConfigError(f"找不到字体配置文件 {path}（fonts.toml）。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FontConfigError(f"无法读取字体配置文件 {path}：{exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FontConfigError(f"字体配置文件 {path} 格式错误（TOML）：{exc}") from None
    roles = data.get("roles")
    if not isinstance(roles, dict):
        raise FontConfigError(f"字体配置文件 {path} 缺少 [roles.…] 各节。")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise FontConfigError(
            f"字体配置文件 {path} 含有未知的字体角色：{'、'.join(unknown)}"
            f"（可用角色 roles：{'、'.join(ROLES)}）。"
        )
    return {role: _role(path, role, roles.get(role)) for role in ROLES}


def _role(path: Path, role: str, table: object) -> RoleConfig:
    where = f"字体配置文件 {path} 的 [roles.{role}]"
    if not isinstance(table, dict):
        raise FontConfigError(f"{where} 缺失。")
    word = table.get("word")
    if not isinstance(word, str) or not word.strip():
        raise FontConfigError(f"{where} 缺少 word（写入 Word 文件的字体名）。")
    keys = ("alternates", "candidates", "substitutes")
    lists = {key: _names(where, key, table.get(key, [])) for key in keys}
    if not lists["candidates"] and not lists["substitutes"]:
        raise FontConfigError(f"{where} 的 candidates 与 substitutes 都为空，PDF 无字体可用。")
    hint = table.get("hint", "")
    if not isinstance(hint, str):
        raise FontConfigError(f"{where} 的 hint 应为字符串。")
    return RoleConfig(role=role, word=word.strip(), hint=hint.strip(), **lists)


def _names(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FontConfigError(f"{where} 的 {key} 应为非空字符串的列表。")
    return tuple(v.strip() for v in value)
