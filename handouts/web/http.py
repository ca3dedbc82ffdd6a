"""What the routes share: the error that becomes a JSON answer, and finding a build."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .jobs import Job


class HTTPError(Exception):
    """An answer other than 200: status and the Chinese message (the CLI's own for bad input)."""

    def __init__(self, status: int, message: str, messages: list[str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.messages = status, message, messages or [message]


def error_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPError)
    return JSONResponse({"error": exc.message, "messages": exc.messages}, status_code=exc.status)


def job_of(request: Request) -> Job:
    job = request.app.state.jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPError(404, "找不到这次生成（可能已被清理），请重新生成")
    return job


def done_job_of(request: Request) -> Job:
    job = job_of(request)
    if job.state != "done" or job.result is None:
        raise HTTPError(409, "这次生成还没有完成")
    return job
