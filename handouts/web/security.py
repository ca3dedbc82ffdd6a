"""Who may drive the local server: this PC's clerk, through the page the server gave out.

Three fences, each checked on every request before any route runs:
- the peer is a loopback address (the socket is bound to 127.0.0.1 as well);
- Host (and Origin, when a browser sends one) name this server, 127.0.0.1 or
  localhost on its own port: a page on another site that re-points its DNS
  name at 127.0.0.1 (DNS rebinding) sends its own name and is refused;
- the per-start token: query `token`, header `X-Handouts-Token`, or the cookie
  the page sets from the address printed at start. Another local user, or a
  web page in another tab, does not know it.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import json
import secrets
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-handouts-token"
QUERY = "token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(port: int) -> str:
    # Cookies are shared by every port of a host: two servers must not
    # overwrite each other's token.
    return f"handouts_token_{port}"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass
class Guard:
    """The checks of one server start: its port and its token."""

    port: int
    token: str = field(default_factory=new_token)

    @property
    def hosts(self) -> set[str]:
        names = {"127.0.0.1", "localhost"}
        # On port 80 a browser sends the bare name.
        return {f"{n}:{self.port}" for n in names} | (names if self.port == 80 else set())

    @property
    def origins(self) -> set[str]:
        return {f"http://{h}" for h in self.hosts}

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}/?{QUERY}={self.token}"

    def token_ok(self, offered: str | None) -> bool:
        return bool(offered) and hmac.compare_digest(offered.encode(), self.token.encode())

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """Why a request is refused (status, Chinese message), or None to let it in."""
        client = scope.get("client")
        if client is None or not is_loopback(client[0]):
            return 403, "只接受本机（127.0.0.1）的连接"
        headers = _headers(scope)
        if headers.get("host", "").lower() not in self.hosts:
            return 403, "地址不对：请使用启动时显示的 http://127.0.0.1 地址"
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return 403, "拒绝来自其他网页的请求（Origin）"
        if headers.get("sec-fetch-site") == "cross-site":
            return 403, "拒绝来自其他网页的请求（Sec-Fetch-Site）"
        if not (self.token_ok(_query_token(scope)) or self.token_ok(headers.get(HEADER))
                or self.token_ok(_cookies(headers).get(cookie_name(self.port)))):
            return 401, "缺少或错误的访问令牌（token）：请使用启动时显示的完整地址打开页面"
        return None


class GuardMiddleware:
    """Pure ASGI middleware: nothing of the app runs for a refused request."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        refused = self.guard.refusal(scope)
        if refused is None:
            await self.app(scope, receive, _hardened(send))
            return
        if scope["type"] != "http":  # websocket: close without a word
            await send({"type": "websocket.close", "code": 1008})
            return
        status, message = refused
        if "text/html" in _headers(scope).get("accept", ""):
            # A browser opening an old bookmark: say what to do, in a page.
            kind = b"text/html; charset=utf-8"
            body = _REFUSED_PAGE.format(message=html.escape(message)).encode("utf-8")
        else:
            kind = b"application/json; charset=utf-8"
            body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store"), *_SAFE_HEADERS]})
        await send({"type": "http.response.body", "body": body})


_REFUSED_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>无法打开</title><body style="font-family:sans-serif;margin:3em">
<h1 style="font-size:20px">无法打开学习材料生成工具</h1><p>{message}</p>
<p>每次启动时地址都会变化：请使用启动窗口中以 http:// 开头的那一行完整地址。</p></body></html>
"""


# On every answer: no guessing of content types, and no Referer (the first address has the token).
_SAFE_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


def _hardened(send: Send) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *_SAFE_HEADERS]}
        await send(message)

    return sender


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _query_token(scope: Scope) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(QUERY)
    return values[0] if values else None


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    from http.cookies import CookieError, SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}
