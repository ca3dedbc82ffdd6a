"""E-mail every branch its package (issue 14): .eml files and SMTP delivery.

Stage after build: message.py composes each branch's message from the built
files (build.py writes it as OUT/<stem>/邮件/<branch>.eml), settings.py reads
mail.toml, outbox.py says what a month has to send, send.py delivers it and
log.py keeps OUT/<stem>/邮件/sent.json so that nothing is sent twice.

Functions for callers other than the command line (the local web page):

    load_settings(path: Path) -> MailSettings
        Read and check mail.toml ([smtp] host, port, security, user,
        password_env, from, timeout). Raises MailConfigError (an InputError:
        str() is a Chinese message naming file and line).
    password_from_env(settings: MailSettings) -> str | None
        The password from the variable settings.password_env names; None
        when there is no user; MailConfigError when the variable is unset.
    plan(month_dir: Path) -> list[Planned]
        The month's messages (from manifest.json, kind "mail") in list order.
        Planned: branch, path, recipients, subject, attachments (file names),
        size, message_id, delivered {address: time}, pending (addresses
        still to send), already_sent (bool). Raises OutboxError.
    send_pending(month_dir: Path, settings: MailSettings, password: str | None,
                 on_result: Callable[[SendResult], None] | None = None) -> SendReport
        Send every pending message; on_result is called after each branch
        (SendResult: branch, delivered, refused {address: reason}, error, ok).
        SendReport: results, skipped (sent before), ok, not_reached. Raises
        SendBusy when another process is sending the same month, OutboxError
        and MailConfigError (host or from missing).
"""

from .log import SendBusy
from .outbox import OutboxError, Planned, plan
from .send import SendReport, SendResult, send_pending
from .settings import MailConfigError, MailSettings, load_settings, password_from_env

__all__ = [
    "MailConfigError",
    "MailSettings",
    "OutboxError",
    "Planned",
    "SendBusy",
    "SendReport",
    "SendResult",
    "load_settings",
    "password_from_env",
    "plan",
    "send_pending",
]
