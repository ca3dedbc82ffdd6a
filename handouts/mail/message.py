"""One branch's e-mail: subject and body from templates/mail.txt.j2, the
built files as attachments, serialised by Python's email package.

Nothing here touches the disk for output or the network: build.py writes
the bytes, send.py delivers them. The same input gives the same bytes:
Date comes from the notice's date, Message-ID and the MIME boundary from a
digest of everything the message carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..compose.render import cn_date
from ..model.package import Package
from ..places.resources import template_dirs

FOLDER = "邮件"
MESSAGE_TABLE = "mail-message.toml"
# China Standard Time, the time zone of the notice's date.
CST = dt.timezone(dt.timedelta(hours=8), "CST")
# Outlook opens a message with this header as an unsent draft, ready to send
# from the clerk's own account; send.py removes it before delivering.
UNSENT = "X-Unsent"
MIME_TYPES = {
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("application", "pdf"),
}


class _MailPolicy(EmailPolicy):
    """policy.SMTP, but Content-Type and address headers folded within 100 columns.

    At 78 Python's folder cannot break the .docx MIME type (71 characters)
    and RFC 2047-encodes it, so no program recognises the attachment; and it
    splits a branch's display name over two encoded words, which its own
    parser then reads with a space inside. At 100 both stay whole (a name of
    up to 15 characters is one encoded word of at most 75). Other headers
    keep the usual 78."""

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in _WIDE:
            return EmailPolicy.fold_binary(self.clone(max_line_length=100), name, value)
        return super().fold_binary(name, value)


_WIDE = {"content-type", "from", "to", "cc"}
SMTP_POLICY = _MailPolicy(linesep="\r\n")


class MailError(Exception):
    """A message cannot be composed (template, missing attachment): Chinese text."""


@dataclass(frozen=True)
class AttachmentSpec:
    kind: str  # manifest kind: handout | record-sheet | signin-sheet
    format: str  # pdf | docx


@dataclass(frozen=True)
class MessageTable:
    template: str
    send_hour: int  # the hour of the notice's date written as Date
    attachments: tuple[AttachmentSpec, ...]


@dataclass(frozen=True)
class Attachment:
    filename: str  # what the branch sees: no folder
    format: str
    data: bytes


def message_table(template_dir: Path | None = None) -> MessageTable:
    return _message_table(template_dirs(template_dir))


@lru_cache(maxsize=4)
def _message_table(dirs: tuple[str, ...]) -> MessageTable:
    path = next((Path(d) / MESSAGE_TABLE for d in dirs if (Path(d) / MESSAGE_TABLE).is_file()),
                Path(dirs[-1]) / MESSAGE_TABLE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return MessageTable(
            template=str(data["template"]),
            send_hour=int(data.get("send_hour", 9)),
            attachments=tuple(AttachmentSpec(str(a["kind"]), str(a["format"]))
                              for a in data["attachment"]),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise MailError(f"{path}：无法读取邮件设置（{exc}）") from None


def environment(template_dir: Path | None = None) -> ImmutableSandboxedEnvironment:
    return _environment(template_dirs(template_dir))


@lru_cache(maxsize=4)
def _environment(dirs: tuple[str, ...]) -> ImmutableSandboxedEnvironment:
    """Plain text, so no autoescape; sandboxed and strict like the document templates."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn_date"] = cn_date
    return env


def notice_title(package: Package) -> str:
    if package.notice and package.notice.title:
        return "".join(package.notice.title)
    return package.title


def mail_context(package: Package, branch: str, attachments: list[str]) -> dict[str, object]:
    issued = package.issue_date
    when = package.study_date or issued
    return {
        "branch": branch,
        "title": package.title,
        "notice_title": notice_title(package),
        "study_date": cn_date(package.study_date),
        "issue_date": cn_date(issued),
        "month": f"{when.year}年{when.month}月" if when else "",
        "issuer": package.issuer,
        "items": package.study_items,
        "attachments": attachments,
    }


def render_text(package: Package, branch: str, attachments: list[str],
                template_dir: Path | None = None) -> tuple[str, str]:
    """(subject, body): the template's first line is the subject, the rest the body."""
    name = message_table(template_dir).template
    env = environment(template_dir)
    try:
        shown = env.get_template(name).filename or name
    except jinja2.TemplateNotFound:
        raise MailError(f"找不到邮件模板 {name}") from None
    try:
        text = env.get_template(name).render(
            **mail_context(package, branch, attachments))
    except jinja2.TemplateError as exc:
        where = f"第 {exc.lineno} 行：" if getattr(exc, "lineno", None) else ""
        raise MailError(f"{shown} {where}{exc}") from None
    subject, _, body = text.replace("\r\n", "\n").partition("\n")
    subject = " ".join(subject.split())
    if not subject:
        raise MailError(f"{shown} 第 1 行（邮件主题 subject）是空的")
    return subject, body.lstrip("\n").rstrip() + "\n"


def sender_domain(sender: Address | None) -> str:
    return sender.domain if sender and sender.domain else "handouts.invalid"


def compose_message(package: Package, branch: str, addresses: tuple[str, ...],
                    sender: Address | None, attachments: list[Attachment], seed_sha256: str,
                    template_dir: Path | None = None) -> EmailMessage:
    """The branch's message; without a sender it has no From (a draft to send by hand)."""
    subject, body = render_text(package, branch, [a.filename for a in attachments], template_dir)
    digest = hashlib.sha256("\n".join([
        seed_sha256, branch, *addresses, str(sender or ""), subject, body,
        *(f"{a.filename}:{hashlib.sha256(a.data).hexdigest()}" for a in attachments),
    ]).encode("utf-8")).hexdigest()
    msg = EmailMessage(policy=SMTP_POLICY)
    if sender is not None:
        msg["From"] = sender
    msg["To"] = [Address(branch, addr_spec=a) for a in addresses]
    msg["Subject"] = subject
    day = package.issue_date or package.study_date
    if day is not None:
        hour = message_table(template_dir).send_hour
        msg["Date"] = format_datetime(dt.datetime.combine(day, dt.time(hour), CST))
    msg["Message-ID"] = f"<handouts.{digest[:32]}@{sender_domain(sender)}>"
    msg[UNSENT] = "1"
    # Base64 keeps every line short and 7-bit, whatever the server accepts.
    msg.set_content(body, charset="utf-8", cte="base64")
    for a in attachments:
        maintype, subtype = MIME_TYPES[a.format]
        # filename*= and name*= (RFC 2231): Outlook, Foxmail, Thunderbird and
        # Gmail read one or the other.
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename,
                           params={"name": a.filename})
    msg.set_boundary(f"----=_handouts_{digest[32:56]}")
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=SMTP_POLICY)


@dataclass(frozen=True)
class MailJob:
    """What build_package needs to write the .eml files."""

    recipients: dict[str, tuple[str, ...]]  # branch → addresses, in list order
    sender: Address | None = None


@dataclass(frozen=True)
class BuiltFile:
    """One file of the build, as mail_files needs it."""

    kind: str
    format: str
    branch: str | None
    path: str  # relative to the month folder
    data: bytes


def attachments_for(branch: str, files: list[BuiltFile],
                    template_dir: Path | None = None) -> list[Attachment]:
    out: list[Attachment] = []
    for spec in message_table(template_dir).attachments:
        found = [f for f in files if f.kind == spec.kind and f.format == spec.format
                 and f.branch in (branch, None)]
        if not found:
            raise MailError(f"邮件附件（{spec.kind} .{spec.format}）没有生成："
                            "--mail 需要 --formats pdf,docx")
        out.append(Attachment(Path(found[0].path).name, spec.format, found[0].data))
    return out


def mail_files(package: Package, job: MailJob, files: list[BuiltFile], seed_sha256: str,
               eml_names: dict[str, str], template_dir: Path | None = None
               ) -> list[tuple[str, bytes, str]]:
    """(relative path, .eml bytes, branch) for every branch with an address, in list order."""
    out = []
    for branch, addresses in job.recipients.items():
        if not addresses:
            continue
        msg = compose_message(package, branch, addresses, job.sender,
                              attachments_for(branch, files, template_dir), seed_sha256, template_dir)
        out.append((f"{FOLDER}/{eml_names[branch]}.eml", message_bytes(msg), branch))
    return out
