"""--mail and --send on the command line: settings, the question before
sending, and what the clerk reads about each branch. The work is in
settings.py, outbox.py and send.py; this module only talks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .log import SendBusy
from .message import MailJob
from .outbox import OutboxError, Planned, plan
from .send import SendResult, send_pending
from .settings import MailConfigError, MailSettings, load_settings, password_from_env

YES = {"y", "yes", "是", "确认", "好"}
SECURITY_SHOWN = {"starttls": "STARTTLS 加密", "ssl": "SSL/TLS 加密", "none": "不加密"}


def ask_stderr(prompt: str) -> str:
    """input(), but the question goes where every other message goes: stderr."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


def mail_job(config: Path, *, explicit: bool, send: bool) -> tuple[MailJob, MailSettings | None]:
    """The build's mail job and the settings (None: no mail.toml, --mail only).

    Raises MailConfigError for a broken file, or a missing one that is needed."""
    if not config.exists() and not explicit and not send:
        print(f"警告：没有找到 {config}：邮件中不写发件人（From）；在 Outlook 中打开 .eml 时"
              "它会作为草稿用本机账户发出。要写发件人，在该文件的 [smtp] 中写 from。", file=sys.stderr)
        return MailJob(recipients={}), None
    settings = load_settings(config)
    if send:
        settings.require_smtp()
    elif settings.sender is None:
        print(f"警告：{config} 的 [smtp] 中没有 from：邮件中不写发件人（From）", file=sys.stderr)
    return MailJob(recipients={}, sender=settings.sender), settings


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def describe(month_dir: Path, items: list[Planned], out: TextIO) -> None:
    print(f"{month_dir}：", file=out)
    for p in items:
        if p.already_sent:
            when = max(p.delivered.values(), default="")
            print(f"  {p.branch}：已于 {when} 发送，不再发送", file=out)
            continue
        again = "（其余地址已发送过）" if p.delivered else ""
        print(f"  {p.branch} → {', '.join(p.pending)}{again}：“{p.subject}”，附件 {len(p.attachments)} 个"
              f"（{'、'.join(p.attachments)}），共 {_size(p.size)}", file=out)


def confirm(count: int, settings: MailSettings, ask: Callable[[str], str]) -> bool:
    prompt = (f"将从 {settings.sender} 经 {settings.host}:{settings.port}"
              f"（{SECURITY_SHOWN[settings.security]}）"
              f"发送 {count} 封邮件。确认发送请输入 y：")
    try:
        return ask(prompt).strip().lower() in YES
    except EOFError:
        return False


def _said(result: SendResult) -> None:
    if result.delivered:
        print(f"已发送：{result.branch} → {', '.join(result.delivered)}", file=sys.stderr)
    for address, reason in result.refused.items():
        print(f"未发送：{result.branch} → {address}：服务器拒绝了这个收件人（{reason}）", file=sys.stderr)
    if result.error:
        print(f"未发送：{result.branch}：{result.error}", file=sys.stderr)


def send_months(month_dirs: list[Path], settings: MailSettings, *, yes: bool,
                ask: Callable[[str], str] = ask_stderr) -> int:
    """Show the plan, ask, send; 0 when everything is delivered, 1 otherwise."""
    try:
        password = password_from_env(settings)
        plans = [(d, plan(d)) for d in month_dirs]
    except (MailConfigError, OutboxError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    count = sum(1 for _, items in plans for p in items if not p.already_sent)
    for month_dir, items in plans:
        describe(month_dir, items, sys.stderr)
    if count == 0:
        print("没有要发送的邮件" + ("（全部已发送过）。" if any(i for _, i in plans) else "。"),
              file=sys.stderr)
        return 0
    if not yes and not confirm(count, settings, ask):
        print("没有确认，未发送任何邮件。", file=sys.stderr)
        return 1
    missing: list[str] = []
    sent = 0
    for month_dir, _ in plans:
        try:
            report = send_pending(month_dir, settings, password, on_result=_said)
        except (SendBusy, OutboxError, MailConfigError) as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        sent += sum(1 for r in report.results if r.delivered)
        missing += report.not_reached
    if missing:
        print(f"错误：以下 {len(missing)} 个二级党组织没有（全部）收到邮件：{'、'.join(missing)}。"
              "再次运行 --send 只发送这些。", file=sys.stderr)
        return 1
    print(f"完成：发送了 {sent} 封邮件。", file=sys.stderr)
    return 0
