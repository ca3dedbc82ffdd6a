"""What is there to send for one month: the .eml files listed in manifest.json,
read back as a branch's mail program would, against the send log."""

from __future__ import annotations

import email
import json
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from .log import SentLog
from .message import FOLDER, SMTP_POLICY

MANIFEST = "manifest.json"


class OutboxError(Exception):
    """The month's folder has no usable manifest or a listed .eml is unreadable."""


@dataclass
class Planned:
    branch: str
    path: Path  # the .eml file
    recipients: list[str]  # every address of the To header
    subject: str
    attachments: list[str]  # file names as the branch sees them
    size: int  # bytes of the .eml
    message_id: str
    # Addresses that already have it (lower case) → when; the rest is pending.
    delivered: dict[str, str] = field(default_factory=dict)

    @property
    def pending(self) -> list[str]:
        return [a for a in self.recipients if a.lower() not in self.delivered]

    @property
    def already_sent(self) -> bool:
        return not self.pending


def read_message(path: Path) -> EmailMessage:
    """The message as written; serialised again (smtplib) with the same folding."""
    msg = email.message_from_bytes(path.read_bytes(), policy=SMTP_POLICY)
    assert isinstance(msg, EmailMessage)
    return msg


def mail_entries(month_dir: Path) -> list[dict[str, str]]:
    try:
        data = json.loads((month_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutboxError(f"{month_dir} 中没有 {MANIFEST}：请先生成"
                          "（python generate.py SEED --mail）") from None
    except (OSError, ValueError) as exc:
        raise OutboxError(f"{month_dir / MANIFEST} 无法读取：{exc}") from None
    return [f for f in data.get("files", []) if f.get("kind") == "mail"]


def plan(month_dir: Path) -> list[Planned]:
    """Every branch's message of this month, in list order, with what it still needs."""
    try:
        log = SentLog(month_dir / FOLDER)
    except ValueError as exc:
        raise OutboxError(str(exc)) from None
    out: list[Planned] = []
    for entry in mail_entries(month_dir):
        path = month_dir / entry["path"]
        try:
            msg = read_message(path)
            size = path.stat().st_size
        except OSError as exc:
            raise OutboxError(f"{path} 无法读取：{exc}") from None
        recipients = [addr for _, addr in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))
                      if addr]
        if not recipients:
            raise OutboxError(f"{path} 没有收件人（To）")
        out.append(Planned(
            branch=str(entry.get("branch") or ""),
            path=path,
            recipients=recipients,
            subject=str(msg.get("Subject", "")),
            attachments=[a.get_filename() or "" for a in msg.iter_attachments()],
            size=size,
            message_id=str(msg.get("Message-ID", "")),
            delivered=log.delivered(str(entry.get("branch") or "")),
        ))
    return out
