"""OUT/<stem>/邮件/sent.json: who has been sent what, so that nothing is sent twice.

One entry per delivered SMTP transaction, rewritten atomically after each,
so that a run killed at any moment leaves a log of everything the server
accepted. A lock file keeps two senders (the command, the web page) from
working on one month at the same time.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..output import atomic_write

LOG_NAME = "sent.json"
LOCK_NAME = ".sending.lock"


class SendBusy(Exception):
    """Another process is sending this month's mail right now."""


class SentLog:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LOG_NAME
        self.entries: list[dict[str, Any]] = self._read()

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            # Never guess: an unreadable log could mean sending everything again.
            raise ValueError(f"{self.path}：发送记录无法读取（{exc}）；请检查或恢复该文件后再发送") from None
        entries = data.get("sent") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ValueError(f"{self.path}：发送记录格式不对（缺少 sent 列表）")
        return entries

    def delivered(self, branch: str) -> dict[str, str]:
        """Address (lower case) → when it was delivered, for one branch."""
        out: dict[str, str] = {}
        for entry in self.entries:
            if entry.get("branch") == branch:
                for address in entry.get("to", []):
                    out.setdefault(str(address).lower(), str(entry.get("time", "")))
        return out

    def record(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        data = json.dumps({"sent": self.entries}, ensure_ascii=False, indent=2) + "\n"
        atomic_write(self.path, data.encode("utf-8"))


@contextmanager
def sending_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the month's mail folder, released when the process dies."""
    folder.mkdir(parents=True, exist_ok=True)
    fh = open(folder / LOCK_NAME, "a+b")
    try:
        try:
            _lock(fh.fileno())
        except OSError:
            raise SendBusy(f"{folder}：另一个程序正在发送这些邮件，请等它结束后再试") from None
        yield
    finally:
        fh.close()  # closing releases the lock


def _lock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
