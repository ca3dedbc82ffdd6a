"""Local web page for the clerk (issue 16): `python generate.py --serve`, `handouts serve`.

main() binds 127.0.0.1 only, prints the address with its per-start token
(the first line starting with http://) and opens the browser. Builds run in
child processes (jobs.py, worker.py) inside a temporary work folder that is
removed when the server stops.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import socket
import sys
import threading
import webbrowser
from collections.abc import AsyncIterator, Sequence

__all__ = ["main"]


def _arguments() -> argparse.ArgumentParser:
    from ..cli import _Parser

    p = _Parser(prog="handouts serve", description="在本机浏览器中使用学习材料生成工具。")
    p.add_argument("--port", type=int, default=0, help="端口（默认自动选一个空闲端口）")
    p.add_argument("--no-browser", action="store_true", help="不打开浏览器")
    return p


def say(line: str) -> None:
    """A line for the console; a GUI start (pythonw, issue 18) has none."""
    if sys.stdout is not None:
        print(line, flush=True)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 only (port 0: the system picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform != "win32":  # on Windows SO_REUSEADDR would let two servers share a port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    return sock


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server and open the page; returns the exit status when it stops."""
    args = _arguments().parse_args(list(sys.argv[1:] if argv is None else argv))
    if not 0 <= args.port <= 65535:
        _arguments().error(f"端口必须在 0–65535 之间，不能是 {args.port}")
    gc.enable()  # the command line turns it off for its short runs; a server lives long
    try:
        sock = bind(args.port)
    except OSError as exc:
        print(f"错误：无法在 127.0.0.1:{args.port} 上启动（{exc.strerror or exc}）；"
              "换一个 --port，或不写 --port 让系统选择", file=sys.stderr)
        return 1
    import uvicorn

    from .app import create_app
    from .jobs import Jobs
    from .security import Guard

    guard = Guard(sock.getsockname()[1])
    jobs = Jobs()

    @contextlib.asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        # uvicorn's shutdown on Ctrl+C or SIGTERM runs this before it re-raises the
        # signal, which may end the process: the work folder goes here, not in finally.
        yield
        jobs.close()
        say("已停止。")

    app = create_app(guard, jobs, lifespan=lifespan)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    say("学习材料生成工具已在本机启动，请在浏览器中打开（关闭本窗口或按 Ctrl+C 停止）：")
    say(guard.address)
    if not args.no_browser:
        threading.Timer(0.5, webbrowser.open, args=(guard.address,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        jobs.close()
        sock.close()
    return 0
