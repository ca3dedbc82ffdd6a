"""mail.toml: the SMTP account and the sender, checked with messages that name
file and line. The password itself never stands in the file: password_env
names the environment variable that holds it."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from ..read.branches import ADDRESS
from ..read.source import InputError

CONFIG_NAME = "mail.toml"
SECURITY = {"starttls": 587, "ssl": 465, "none": 25}
KEYS = {"host", "port", "security", "user", "password_env", "from", "timeout"}


class MailConfigError(InputError):
    """A broken mail.toml, a missing password variable: Chinese, with file and line."""


@dataclass(frozen=True)
class MailSettings:
    path: Path
    host: str | None = None
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password_env: str | None = None
    sender: Address | None = None  # "from"
    timeout: float = 60.0

    def require_smtp(self) -> None:
        """What sending needs beyond what --mail needs."""
        for key, value in (("host", self.host), ("from", self.sender)):
            if value is None:
                raise MailConfigError(str(self.path), f"[smtp] 中缺少 {key}：发送邮件需要它")


def default_config(seeds: list[Path]) -> Path:
    """mail.toml beside the (first) seed."""
    folder = seeds[0].parent if seeds else Path("seeds")
    return folder / CONFIG_NAME


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf'^\s*("?){re.escape(key)}\1\s*=', re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def parse_sender(value: str) -> Address:
    """`党委宣传网工部 <xcb@example.edu.cn>` or a bare address → Address."""
    name, addr = parseaddr(value)
    if not ADDRESS.fullmatch(addr or ""):
        raise ValueError(f"“{value}”不是有效的发件人（应形如：党委宣传网工部 <xcb@example.edu.cn>）")
    try:
        return Address(display_name=name, addr_spec=addr)
    except (HeaderParseError, ValueError, IndexError):
        raise ValueError(f"“{value}”不是有效的发件人") from None


def load_settings(path: Path) -> MailSettings:
    """Read and check mail.toml; MailConfigError names file and line."""
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise MailConfigError(name, "找不到邮件设置文件（mail.toml）") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MailConfigError(name, f"无法读取邮件设置（应为 UTF-8 文本）：{exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise MailConfigError(name, f"TOML 格式错误（{exc}）", int(m.group(1)) if m else None) from None
    smtp = data.get("smtp")
    if not isinstance(smtp, dict):
        raise MailConfigError(name, "缺少 [smtp] 表（table）")
    return _settings(path, smtp, text)


def _settings(path: Path, smtp: dict[str, Any], text: str) -> MailSettings:
    name = str(path)

    def fail(key: str, message: str) -> MailConfigError:
        return MailConfigError(name, message, _line_of(text, key))

    if "password" in smtp:
        raise fail("password", "不要把密码写在 mail.toml 中：用 password_env 写出保存密码的环境变量名")
    for key in smtp:
        if key not in KEYS:
            raise fail(key, f"不认识的设置“{key}”（可用：{'、'.join(sorted(KEYS))}）")
    for key in ("host", "user", "password_env", "from", "security"):
        if key in smtp and (not isinstance(smtp[key], str) or not smtp[key].strip()):
            raise fail(key, f"{key} 应是非空的字符串（用引号括起来）")
    security = smtp.get("security", "starttls")
    if security not in SECURITY:
        raise fail("security", f"security 只能是 starttls、ssl 或 none，不能是“{security}”")
    port = smtp.get("port", SECURITY[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise fail("port", f"port 应是 1–65535 的整数，不能是 {port!r}")
    timeout = smtp.get("timeout", 60)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise fail("timeout", f"timeout 应是正数（秒），不能是 {timeout!r}")
    if "user" in smtp and "password_env" not in smtp:
        raise fail("user", "写了 user 就要写 password_env（保存密码的环境变量名）")
    sender = None
    if "from" in smtp:
        try:
            sender = parse_sender(smtp["from"])
        except ValueError as exc:
            raise fail("from", str(exc)) from None
    return MailSettings(path=path, host=smtp.get("host"), port=port, security=security,
                        user=smtp.get("user"), password_env=smtp.get("password_env"),
                        sender=sender, timeout=float(timeout))


def password_from_env(settings: MailSettings) -> str | None:
    """The password for settings.user from the environment; None without a user."""
    if not settings.user:
        return None
    assert settings.password_env is not None
    value = os.environ.get(settings.password_env)
    if not value:
        raise MailConfigError(str(settings.path),
                              f"环境变量 {settings.password_env} 没有设置：先设置它为 {settings.user} 的密码"
                              "（如 export 或 PowerShell 的 $env:）", _line_of_file(settings.path))
    return value


def _line_of_file(path: Path) -> int | None:
    try:
        return _line_of(path.read_text(encoding="utf-8-sig"), "password_env")
    except OSError:
        return None
