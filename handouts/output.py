"""Writing into one seed's output folder: atomic files, hand edits, errors.

Every file is written under a temporary name in its own folder and renamed
into place, so a build killed at any moment leaves complete files only. A
file the tool cannot vouch for (edited since the last build, or unknown to a
missing or damaged manifest) is kept and the new file goes beside it unless
--force. Nothing the tool did not write is ever deleted: temporary files carry
a name no person would choose and are removed only once their owner process
is gone. Failures to write get a Chinese message naming the path and what to
do (README, "输出文件夹与出错").
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
NEW_SUFFIX = "（新生成）"
TMP_PREFIX = ".handouts-tmp-"
# .handouts-tmp-<host>-<pid>-<random>: the host tag keeps a build on another
# machine writing into a shared folder safe from this one's clean-up.
_TMP_NAME = re.compile(r"\.handouts-tmp-([0-9a-f]{8})-([0-9]{1,10})-([0-9a-f]{16})")
HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


class OutputError(Exception):
    """The output side failed (a file where a folder should be, no permission,
    a full disk): a Chinese message naming the path and what to do."""


class FileInUse(OSError):
    """os.replace refused: on Windows, WPS, Word or Acrobat holds the target open."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def temporary_name() -> str:
    return f"{TMP_PREFIX}{HOST}-{os.getpid()}-{secrets.token_hex(8)}"


def atomic_write(target: Path, data: bytes) -> None:
    """Write data at target via a temporary file in the same folder and os.replace.

    Raises FileInUse when only the final rename failed for lack of permission
    (the folder took the temporary file, so the target itself is held)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(temporary_name())
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise FileInUse(exc.errno, exc.strerror, str(target)) from exc
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass  # renamed into place, or never made


def process_alive(pid: int) -> bool:
    """Whether a process of this id runs on this machine (when unsure: yes)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    code = ctypes.c_ulong()
    try:
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
    finally:
        kernel32.CloseHandle(handle)
    return not ok or code.value == 259  # STILL_ACTIVE


# errno → what went wrong and what the clerk can do about it.
_REASONS = {
    errno.ENOSPC: "磁盘空间不足（no space left on device）：请清理磁盘，"
                  "或用 -o 指定其他磁盘上的输出目录，然后重新生成",
    errno.EDQUOT: "超出磁盘配额（disk quota exceeded）：请清理文件，或用 -o 指定其他输出目录，然后重新生成",
    errno.EROFS: "所在磁盘是只读的（read-only file system）：请用 -o 指定可以写入的输出目录",
    errno.EACCES: "没有写入权限（permission denied）：请检查该文件夹的权限，或用 -o 指定另一个输出目录",
    errno.EPERM: "不允许写入（operation not permitted）：请检查该文件夹的权限，或用 -o 指定另一个输出目录",
    errno.EISDIR: "这里已有一个同名的文件夹（is a directory）：请改名或移走该文件夹后重新生成",
    errno.ENAMETOOLONG: "路径太长（name too long）：请用 -o 指定一个较短的输出目录",
}


def describe_write_error(exc: OSError, path: Path) -> str:
    """A Chinese message for an OSError met while writing path."""
    if isinstance(exc, FileInUse):
        return (f"无法替换 {path}：文件正被其他程序打开（如 WPS、Word、Acrobat），或是只读文件"
                "（permission denied）。请关闭该文件后重新生成；其余文件已照常写好")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = _file_in_the_way(path)
        return (f"无法写入 {path}：{blocker} 是一个文件，不是文件夹（not a directory）。"
                "请改名或移走这个文件，或用 -o 指定另一个输出目录")
    reason = _REASONS.get(exc.errno or 0)
    if reason is None:
        reason = (f"{exc.strerror or exc}：请检查磁盘和文件夹，或用 -o 指定另一个输出目录")
    return f"无法写入 {path}：{reason}"


def _file_in_the_way(path: Path) -> Path:
    """The nearest existing ancestor of path (or path) that is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate if not candidate.is_dir() else path
    return path


@dataclass
class _Previous:
    """What the last build's manifest says about the folder."""

    state: str  # ok | missing | damaged
    digests: dict[str, str] = field(default_factory=dict)  # path → sha256 as generated
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # path → manifest entry
    edited: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, manifest: Path) -> _Previous:
        try:
            raw = manifest.read_bytes()
        except FileNotFoundError:
            return cls("missing")
        except OSError:
            return cls("damaged")
        try:
            data = json.loads(raw.decode("utf-8"))
            files = {f["path"]: f for f in data.get("files", []) if isinstance(f["sha256"], str)}
            edited = {f["path"]: f for f in data.get("edited", []) if isinstance(f["sha256"], str)}
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls("damaged")
        digests = {p: f["sha256"] for p, f in {**files, **edited}.items()}
        return cls("ok", digests, files, edited)


class OutputFolder:
    """Atomic, hand-edit-respecting writes into one seed's output folder."""

    def __init__(self, root: Path, force: bool, fence: Path | None = None) -> None:
        self.root = root
        self.force = force
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # Nothing may be written outside the chosen output folder.
            self.fence = (fence or root).resolve()
        except OSError as exc:
            raise OutputError(describe_write_error(exc, root)) from None
        self.previous = _Previous.read(root / MANIFEST)
        self.warnings: list[str] = []
        self.errors: list[str] = []  # files that could not be replaced; the build went on
        # Hand-edited files left in place: remembered in the manifest so that
        # later builds go on protecting them.
        self.edited: list[dict[str, str]] = []
        if self.previous.state == "damaged":
            self.warnings.append(f"{root / MANIFEST} 已损坏，无法读取；与本次生成内容不同的文件都会保留，"
                                 "本次生成后重写 manifest.json")
        self.remove_stale_temporaries()

    def remove_stale_temporaries(self) -> None:
        """Temporary files of a build that was killed: never complete, never a
        clerk's. Only names of the tool's own pattern, from this machine, whose
        owner process is gone; anything else is left alone."""
        for tmp in self.root.rglob(f"{TMP_PREFIX}*"):
            match = _TMP_NAME.fullmatch(tmp.name)
            if match is None or match.group(1) != HOST or process_alive(int(match.group(2))):
                continue
            try:
                if tmp.is_file() and not tmp.is_symlink() and self.fence in tmp.resolve().parents:
                    tmp.unlink()
            except OSError:
                pass

    def resolve(self, relative: str) -> Path:
        target = (self.root / relative).resolve()
        if self.fence not in target.parents:
            raise OutputError(f"输出路径越界：{relative}")  # never write outside OUT
        return target

    def write(self, relative: str, data: bytes) -> str | None:
        """Write data at relative (atomically); returns the path actually used,
        or None when the file is held by another program (noted in errors).
        Raises OutputError when writing is impossible."""
        target = self.resolve(relative)
        try:
            # The file beside may itself be an edited one: ends at a free name
            # or at one of ours (each turn adds a suffix).
            while target.is_file():
                try:
                    current = target.read_bytes()
                except PermissionError as exc:  # Windows: held open, not even readable
                    raise FileInUse(exc.errno, exc.strerror, str(target)) from exc
                if current == data:
                    return relative  # unchanged: keep the file and its time stamp
                if self.force or self.previous.digests.get(relative) == sha256_of(current):
                    break  # ours, untouched since the last build: replace it
                relative = self._keep(relative, target, data)
                target = self.resolve(relative)
            atomic_write(target, data)
        except FileInUse as exc:
            self.errors.append(describe_write_error(exc, target))
            return None
        except OSError as exc:
            raise OutputError(describe_write_error(exc, target)) from None
        return relative

    def _keep(self, relative: str, target: Path, data: bytes) -> str:
        """Leave target as it is; the new file goes beside it. Returns the new path."""
        recorded = self.previous.digests.get(relative)
        stem, suffix = os.path.splitext(relative)
        beside = f"{stem}{NEW_SUFFIX}{suffix}"
        if recorded is not None:
            why = "在上次生成后被手工修改过"
        elif self.previous.state == "ok":
            why = "不是本工具上次生成的文件（manifest.json 中没有它）"
        else:
            word = "缺失" if self.previous.state == "missing" else "已损坏"
            why = f"与本次生成的内容不同，而 manifest.json {word}，无法确认它是否被手工修改过"
        # The digest it had when generated; unknown ones get this build's, so
        # that the next build still finds the file changed and keeps it.
        self.edited.append({"path": relative, "sha256": recorded or sha256_of(data)})
        self.warnings.append(f"{target} {why}，未覆盖；新文件写为 {self.root / beside}"
                             "（确认无需保留原文件时加 --force）")
        return beside

    def carry(self, relative: str) -> list[dict[str, Any]]:
        """A file left as it was (held open, or not reached): the manifest goes
        on describing it as the last one did. Returns its "files" entry, if any."""
        if relative in self.previous.files:
            return [self.previous.files[relative]]
        if relative in self.previous.edited and self.previous.edited[relative] not in self.edited:
            self.edited.append(self.previous.edited[relative])
        return []
