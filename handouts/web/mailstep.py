"""The mail step of the page (issue 14's handouts.mail): one template block, one endpoint.

Until handouts.mail exists the block is not shown and the endpoint answers
501, so the page and its contract do not change when mail arrives.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def mail_settings() -> dict[str, Any] | None:
    """What the page needs to know about mail, or None when mail is not available."""
    try:
        from .. import mail  # noqa: F401  (issue 14)
    except ImportError:
        return None
    return None


async def api_mail(request: Request) -> Response:
    return JSONResponse({"error": "邮件发送功能尚未安装（handouts.mail）"}, status_code=501)


def mail_routes() -> list[Route]:
    return [Route("/api/jobs/{job}/mail", api_mail, methods=["GET", "POST"])]
