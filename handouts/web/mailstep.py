"""The page's mail step (issue 14's handouts.mail): who gets what, confirm, per-branch result.

One template block (index.html, "mail") and one endpoint, /api/jobs/{job}/mail:
GET → the settings, the plan of the build and the current send; POST → send
what is pending (after the clerk confirmed on the page).

Shown only when seeds/mail.toml exists. A build's month folder lives in the
server's work folder, but "never send twice" must hold across builds and
with the command line: the send log is the one the command line keeps,
OUTPUT/<month>/邮件/sent.json. It is copied into the build before planning
and sending, and back after every branch, under the command line's lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..build import atomic_write
from ..mail import (
    MailConfigError,
    MailSettings,
    OutboxError,
    SendBusy,
    SendResult,
    load_settings,
    password_from_env,
    plan,
    send_pending,
)
from ..mail.log import LOG_NAME, sending_lock
from ..mail.message import FOLDER
from ..read.branches import safe_filename
from .http import HTTPError, done_job_of


@dataclass
class MailRun:
    state: str = "running"  # running | done | failed
    results: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "results": self.results, "skipped": self.skipped,
                "error": self.error, "not_reached": [r["branch"] for r in self.results if not r["ok"]]}


@dataclass
class MailStep:
    config: Path  # the home folder's seeds/mail.toml
    state_root: Path  # the command line's output root: its send logs
    runs: dict[str, MailRun] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def settings(self) -> MailSettings | None:
        """None without mail.toml; MailConfigError when it is broken."""
        if not self.config.is_file():
            return None
        return load_settings(self.config)

    def page_info(self) -> dict[str, Any] | None:
        """What index.html's mail block shows before any build, or None: no block."""
        try:
            settings = self.settings()
        except MailConfigError as exc:
            return {"error": f"错误：{exc}"}
        return None if settings is None else describe(settings)

    def kept_log(self, month: str) -> Path:
        """The command line's send log for this month (month is a build's safe folder name)."""
        if month != safe_filename(month):
            raise OutboxError(f"月份文件夹名称不安全：{month}")
        return self.state_root / month / FOLDER / LOG_NAME


def describe(settings: MailSettings) -> dict[str, Any]:
    needs_password = settings.user is not None
    try:
        password_from_env(settings)
        from_env = needs_password
    except MailConfigError:
        from_env = False
    return {"sender": str(settings.sender) if settings.sender else None, "host": settings.host,
            "port": settings.port, "security": settings.security, "user": settings.user,
            "password_env": settings.password_env, "needs_password": needs_password,
            "password_from_env": from_env, "error": None}


def _copy(source: Path, target: Path) -> None:
    if source.is_file():
        atomic_write(target, source.read_bytes())


def _result(r: SendResult) -> dict[str, Any]:
    return {"branch": r.branch, "delivered": r.delivered, "refused": r.refused, "error": r.error,
            "ok": r.ok}


def _planned(month_dir: Path) -> list[dict[str, Any]]:
    return [{"branch": p.branch, "recipients": p.recipients, "pending": p.pending,
             "subject": p.subject, "attachments": p.attachments, "size": p.size,
             "already_sent": p.already_sent,
             "sent_at": max(p.delivered.values(), default=None)} for p in plan(month_dir)]


def _month(request: Request) -> tuple[str, Path]:
    job = done_job_of(request)
    assert job.result is not None
    folder = job.result["folder"]
    return job.id, job.path("out", folder)


async def api_mail(request: Request) -> Response:
    step: MailStep = request.app.state.mailstep
    try:
        settings = step.settings()
    except MailConfigError as exc:
        raise HTTPError(400, f"错误：{exc}") from None
    if settings is None:
        raise HTTPError(404, f"没有邮件设置（{step.config}）：邮件一步不可用")
    job_id, month_dir = _month(request)
    if request.method == "POST":
        return await _start(request, step, settings, job_id, month_dir)
    kept = step.kept_log(month_dir.name)
    with step.lock:
        run = step.runs.get(job_id)
        try:
            if run is None or run.state != "running":
                _copy(kept, month_dir / FOLDER / LOG_NAME)
            items = _planned(month_dir)
        except OutboxError as exc:
            raise HTTPError(400, f"错误：{exc}") from None
    return JSONResponse({"settings": describe(settings), "plan": items,
                         "run": run.to_json() if run else None, "log": str(kept)})


async def _start(request: Request, step: MailStep, settings: MailSettings, job_id: str,
                 month_dir: Path) -> Response:
    form = await request.form(max_files=0, max_fields=2)
    typed = form.get("password")
    try:
        settings.require_smtp()
        password = typed if isinstance(typed, str) and typed else password_from_env(settings)
    except MailConfigError as exc:
        raise HTTPError(400, f"错误：{exc}") from None
    with step.lock:
        if (old := step.runs.get(job_id)) is not None and old.state == "running":
            raise HTTPError(409, "正在发送，请等待结果")
        run = step.runs[job_id] = MailRun()
    threading.Thread(target=_send, args=(step, run, settings, password, month_dir), daemon=True,
                     name=f"mail-{job_id}").start()
    return JSONResponse(run.to_json(), status_code=202)


def _send(step: MailStep, run: MailRun, settings: MailSettings, password: str | None,
          month_dir: Path) -> None:
    """Send under the command line's lock with the command line's log, copied back after each branch."""
    kept = step.kept_log(month_dir.name)
    mine = month_dir / FOLDER / LOG_NAME

    def after(result: SendResult) -> None:
        run.results.append(_result(result))
        _copy(mine, kept)

    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        with sending_lock(kept.parent):
            _copy(kept, mine)
            report = send_pending(month_dir, settings, password, on_result=after)
            _copy(mine, kept)
        run.skipped = report.skipped
        run.state = "done"
    except (SendBusy, OutboxError, MailConfigError, OSError) as exc:
        run.error = f"错误：{exc}"
        run.state = "failed"


def mail_routes() -> list[Route]:
    return [Route("/api/jobs/{job}/mail", api_mail, methods=["GET", "POST"])]
