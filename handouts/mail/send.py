"""Deliver the pending messages of one month over SMTP (smtplib), logging each.

A refused recipient or a message the server rejects costs that branch only;
a lost connection or a timeout ends the run, and every branch not reached
is reported. The log is written after every accepted message, so the next
run sends exactly what is still missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

from .log import SentLog, sending_lock
from .message import FOLDER, UNSENT
from .outbox import Planned, plan, read_message
from .settings import MailSettings


@dataclass
class SendResult:
    branch: str
    delivered: list[str] = field(default_factory=list)  # addresses the server accepted now
    refused: dict[str, str] = field(default_factory=dict)  # address → the server's reason
    error: str | None = None  # why nothing went out (connection, message rejected)

    @property
    def ok(self) -> bool:
        return not self.refused and self.error is None


@dataclass
class SendReport:
    results: list[SendResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # branches sent to before this run

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def not_reached(self) -> list[str]:
        """Branches with at least one address still waiting."""
        return [r.branch for r in self.results if not r.ok]


def connect(settings: MailSettings, password: str | None) -> smtplib.SMTP:
    settings.require_smtp()
    assert settings.host is not None
    context = ssl.create_default_context()
    conn: smtplib.SMTP
    if settings.security == "ssl":
        conn = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            conn.starttls(context=context)
        if settings.user:
            conn.login(settings.user, password or "")
    except BaseException:
        conn.close()
        raise
    return conn


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"登录失败，用户名或密码不对（{exc.smtp_code}）"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"服务器不支持所需的功能（{exc}）：检查 mail.toml 中的 security（starttls、ssl 或 none）"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"服务器的证书无法验证（{exc.verify_message}）"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"服务器拒绝（{exc.smtp_code} {text}）"
    # smtplib reports a timeout while reading a reply as a lost connection.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return "等待服务器超时（timeout）"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "服务器断开了连接"
    return f"{type(exc).__name__}: {exc}"


def _refusals(refused: dict[str, tuple[int, bytes]]) -> dict[str, str]:
    return {a: f"{code} {msg.decode('utf-8', 'replace')}" for a, (code, msg) in refused.items()}


def send_one(conn: smtplib.SMTP, item: Planned, settings: MailSettings, log: SentLog,
             now: Callable[[], dt.datetime]) -> SendResult:
    """Send item to its pending addresses; raises on a connection failure."""
    assert settings.sender is not None
    raw = item.path.read_bytes()
    msg = read_message(item.path)
    del msg[UNSENT]
    when = now()
    # The real time of sending; the .eml carries the notice's date so that builds repeat.
    if "Date" in msg:
        msg.replace_header("Date", format_datetime(when))
    else:
        msg["Date"] = format_datetime(when)
    pending = item.pending
    result = SendResult(item.branch)
    try:
        refused = conn.send_message(msg, from_addr=settings.sender.addr_spec, to_addrs=pending)
    except smtplib.SMTPRecipientsRefused as exc:
        result.refused = _refusals(exc.recipients)
        return result
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError) as exc:
        result.error = _reason(exc)
        return result
    result.refused = _refusals(refused)
    result.delivered = [a for a in pending if a not in refused]
    if result.delivered:
        log.record({
            "branch": item.branch,
            "to": result.delivered,
            "file": item.path.relative_to(item.path.parent.parent).as_posix(),
            "message_id": item.message_id,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "time": when.isoformat(timespec="seconds"),
            "server": f"{settings.host}:{settings.port}",
        })
    return result


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


def send_pending(month_dir: Path, settings: MailSettings, password: str | None,
                 on_result: Callable[[SendResult], None] | None = None,
                 *, now: Callable[[], dt.datetime] = _now) -> SendReport:
    """Send what plan(month_dir) still has pending; see the package docstring."""
    report = SendReport()
    with sending_lock(month_dir / FOLDER):
        items = plan(month_dir)  # under the lock: the log cannot change beneath us
        report.skipped = [p.branch for p in items if p.already_sent]
        pending = [p for p in items if not p.already_sent]
        if not pending:
            return report
        log = SentLog(month_dir / FOLDER)

        def give(result: SendResult) -> None:
            report.results.append(result)
            if on_result is not None:
                on_result(result)

        try:
            conn = connect(settings, password)
        except (OSError, smtplib.SMTPException) as exc:
            for item in pending:
                give(SendResult(item.branch, error=f"无法连接或登录 {settings.host}:{settings.port}："
                                f"{_reason(exc)}"))
            return report
        try:
            for n, item in enumerate(pending):
                try:
                    give(send_one(conn, item, settings, log, now))
                except OSError as exc:  # includes SMTPServerDisconnected and timeouts
                    for rest in pending[n:]:
                        give(SendResult(rest.branch, error=_reason(exc)))
                    break
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
    return report
