"""Builds for the web page: one work folder per build, run by worker.py in a child process.

Everything the server writes lives under its own work folder (a fresh
temporary directory, removed when the server stops). An uploaded file's
name only ever becomes one safe file name inside a job's input/ folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..places.resources import current, handed_down
from ..read.branches import safe_filename

SUFFIXES = (".txt", ".docx")
KEEP_JOBS = 8  # finished builds kept for download; older ones are removed
TIMEOUT = 600  # seconds: a build that takes longer has hung
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class UploadError(Exception):
    """An upload refused before reading it: Chinese message for the page."""


def upload_name(filename: str | None) -> str:
    """The upload's name as a single safe file name: no folders, no '..', a seed suffix."""
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    name = safe_filename(base) if base else ""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUFFIXES:
        shown = base or "（没有文件名）"
        raise UploadError(f"{shown}：只接受 .txt 或 .docx 格式的学习材料")
    stem = PurePosixPath(name).stem
    # The job's branch list has that name; Windows reserves CON.txt as it does CON.
    if name.casefold() == "branches.txt" or safe_filename(stem) != stem:
        name = f"_{name}"
    return name


@dataclass
class Job:
    id: str
    dir: Path
    seed: str
    state: str = "running"  # running | done | failed
    stage: str = "start"
    done: int = 0
    total: int = 0
    messages: list[str] = field(default_factory=list)  # the CLI's stderr lines
    result: dict[str, Any] | None = None
    started: float = field(default_factory=time.monotonic)
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith(("错误：", "内部错误"))]

    def status(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "state": self.state, "stage": self.stage,
                               "done": self.done, "total": self.total, "seed": self.seed,
                               "seconds": round(time.monotonic() - self.started, 1),
                               "messages": self.messages, "errors": self.errors}
        if self.result is not None:
            out.update(self.result)
        return out

    def path(self, *parts: str) -> Path:
        """A path inside this job's folder; one that would leave it does not exist."""
        target = self.dir.joinpath(*parts).resolve()
        if self.dir.resolve() not in target.parents:
            raise FileNotFoundError(parts)
        return target


class Jobs:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="handouts-web-")).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def start(self, filename: str | None, data: bytes, branches: str,
              mail_config: Path | None = None) -> Job:
        name = upload_name(filename)
        job_id = secrets.token_hex(8)
        folder = self.root / job_id
        (folder / "input").mkdir(parents=True)
        (folder / "input" / name).write_bytes(data)
        (folder / "input" / "branches.txt").write_text(branches, encoding="utf-8")
        spec = {"seed": name, "branches": "branches.txt",
                "mail_config": str(mail_config) if mail_config else None}
        (folder / "job.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        job = Job(job_id, folder, name)
        with self.lock:
            self.jobs[job_id] = job
            self._prune()
        threading.Thread(target=self._run, args=(job,), daemon=True, name=f"job-{job_id}").start()
        return job

    def _prune(self) -> None:
        finished = [j for j in self.jobs.values() if j.finished.is_set()]
        for old in sorted(finished, key=lambda j: j.started)[:-KEEP_JOBS]:
            del self.jobs[old.id]
            shutil.rmtree(old.dir, ignore_errors=True)

    def _run(self, job: Job) -> None:
        env = dict(os.environ)
        # The child imports this very package, installed or straight from the checkout.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
        env["PYTHONIOENCODING"] = "utf-8"
        env.update(handed_down(current()))  # the user's templates/ and fonts/ win there too
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "handouts.web.worker", str(job.dir)],
                cwd=job.dir / "input", env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", errors="replace",
                # No console window flashing up for each build on Windows.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as exc:
            job.messages.append(f"内部错误：无法启动生成进程（{exc}）")
            self._finish(job, ok=False)
            return
        reader = threading.Thread(target=self._read_errors, args=(job, proc), daemon=True)
        reader.start()
        assert proc.stdout is not None
        for line in proc.stdout:
            self._progress(job, line)
        try:
            code = proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
            job.messages.append("内部错误：生成超时，已停止")
        reader.join()
        if code not in (0, 1) and not job.errors:
            job.messages.append(f"内部错误：生成进程意外退出（状态 {code}）")
        self._finish(job, ok=code == 0)

    @staticmethod
    def _read_errors(job: Job, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.strip():
                job.messages.append(line.rstrip("\n"))

    @staticmethod
    def _progress(job: Job, line: str) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        job.stage = event.get("stage", job.stage)
        job.done = event.get("done", job.done)
        job.total = event.get("total", job.total)

    @staticmethod
    def _finish(job: Job, ok: bool) -> None:
        if ok:
            try:
                job.result = json.loads((job.dir / "result.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                ok = False
                job.messages.append("内部错误：生成进程没有留下结果")
        job.state = "done" if ok else "failed"
        job.stage = "done" if ok else "failed"
        job.finished.set()
