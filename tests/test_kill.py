"""Issue 7.2: a build killed at any moment (SIGKILL) loses nothing.

Every file a killed build leaves is complete (the same bytes a full build
writes, or the previous version), a PDF parses and a DOCX opens; the next
normal run removes the temporary files and writes a manifest that matches
the files. The kill moments are random but seeded, spread over the normal
build time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pypdf

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
BRANCHES = ("马克思主义学院党总支", "商学院党总支")
TMP_PREFIX = ".handouts-"
KILLS = 8


def command(seed: Path, out: Path, branches: Path) -> list[str]:
    return [sys.executable, str(ROOT / "generate.py"), str(seed), "-o", str(out),
            "--branches", str(branches)]


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}


def build(seed: Path, out: Path, branches: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    result = subprocess.run(command(seed, out, branches), cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env=environment())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result, time.perf_counter() - start


def killed_build(seed: Path, out: Path, branches: Path, delay: float) -> None:
    proc = subprocess.Popen(command(seed, out, branches), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=environment(), start_new_session=True)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and anything it started
        proc.wait()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every finished file (temporaries aside), by path relative to folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(TMP_PREFIX)}


def assert_readable(name: str, data: bytes) -> None:
    if name.endswith(".pdf"):
        reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
        assert len(reader.pages) >= 1, name
        for page in reader.pages:
            page.extract_text()
    elif name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None, name
        docx.Document(io.BytesIO(data))
    elif name.endswith(".json"):
        json.loads(data)


def assert_manifest_matches(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    written_last = (folder / "manifest.json").stat().st_mtime_ns
    assert all(p.stat().st_mtime_ns <= written_last for p in folder.rglob("*") if p.is_file())
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == listed | {"manifest.json"}
    for f in manifest["files"]:
        data = (folder / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
        if f["format"] == "pdf":
            assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == f["pages"], f["path"]


def test_killed_builds_leave_only_complete_files(tmp_path: Path) -> None:
    branches = tmp_path / "branches.txt"
    branches.write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
    # One seed path for every build, so that the manifests agree byte for byte.
    seed = tmp_path / "2025-04.txt"
    old_text = (CORPUS / "gb18030-crlf.txt").read_bytes()
    new_text = old_text.replace("请各二级党组织认真组织教职工参加学习".encode("gb18030"),
                                "请各二级党组织结合实际认真组织全体教职工参加学习".encode("gb18030"))
    assert new_text != old_text
    seed.write_bytes(old_text)
    _, duration = build(seed, tmp_path / "ref-old", branches)
    old = snapshot(tmp_path / "ref-old" / seed.stem)
    seed.write_bytes(new_text)
    build(seed, tmp_path / "ref-new", branches)
    new = snapshot(tmp_path / "ref-new" / seed.stem)
    assert set(old) == set(new) and old["manifest.json"] != new["manifest.json"]

    out = tmp_path / "out"
    folder = out / seed.stem
    rng = random.Random(20250401)
    seed.write_bytes(old_text)
    for n in range(KILLS):
        # First half: a first build, killed. Second half: a rebuild of a changed
        # seed over the complete first build, killed.
        if n == KILLS // 2:  # a complete first build (the same bytes as ref-old's)
            # Every first-half kill may have come before the build made its folder.
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(tmp_path / "ref-old", out)
            seed.write_bytes(new_text)
        allowed = (old,) if n < KILLS // 2 else (old, new)
        killed_build(seed, out, branches, rng.uniform(0, duration))
        for name, data in snapshot(folder).items():
            assert any(data == ref.get(name) for ref in allowed), f"kill {n}: {name} is incomplete or foreign"
            assert_readable(name, data)

    result, _ = build(seed, out, branches)
    assert "手工修改" not in result.stderr, "a killed build is no hand edit"
    assert not list(out.rglob(f"{TMP_PREFIX}*"))
    assert snapshot(folder) == new
    assert_manifest_matches(folder)


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporaries_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    """What a build killed inside a write leaves: .handouts-tmp-<host>-<pid>-<random>,
    half written. Removed once its owner is gone; nothing else is ever deleted
    (issue 19.1): not a live build's temporary, not another machine's, not a
    clerk's file whose name merely looks like one."""
    from handouts.output import HOST

    branches = tmp_path / "branches.txt"
    branches.write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
    seed = CORPUS / "notice-only.txt"
    folder = tmp_path / "out" / seed.stem
    (folder / "学习记录表").mkdir(parents=True)
    gone = dead_pid()
    leftovers = [folder / f".handouts-tmp-{HOST}-{gone}-0123456789abcdef",
                 folder / "学习记录表" / f".handouts-tmp-{HOST}-{gone}-fedcba9876543210",
                 folder / f".handouts-tmp-{HOST}-{gone}-00112233aabbccdd"]
    for path in leftovers:
        path.write_bytes(b"%PDF-1.4 half written")
    foreign = {folder / f".handouts-tmp-{HOST}-{os.getpid()}-0123456789abcdef": b"a live build's",
               folder / f".handouts-tmp-{'0' * 8 if HOST != '0' * 8 else '1' * 8}-{gone}-0123456789abcdef":
                   b"another machine's build",
               folder / f"{TMP_PREFIX}4242-2025年4月教职工政治理论学习内容.pdf": b"looks like an old temporary",
               folder / f"{TMP_PREFIX}备忘.txt": "组织委员的备忘".encode(),
               folder / "学习记录表" / ".handouts-tmp-笔记.txt": b"a note"}
    for path, data in foreign.items():
        path.write_bytes(data)
    build(seed, tmp_path / "out", branches)
    assert not [p for p in leftovers if p.exists()]
    for path, data in foreign.items():
        assert path.read_bytes() == data, f"{path.name} was not the tool's to delete"
        path.unlink()
    assert_manifest_matches(folder)


def test_atomic_write_renames_within_the_folder(tmp_path: Path, monkeypatch) -> None:
    from handouts import build as build_module

    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        assert Path(dst).exists() is False or Path(dst).read_bytes() == b"old"
        assert Path(src).read_bytes() == b"new content", "renamed before it was complete"
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(build_module.os, "replace", replace)
    target = tmp_path / "sub" / "文件.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")
    build_module.atomic_write(target, b"new content")
    assert target.read_bytes() == b"new content"
    ((src, dst),) = renames
    assert dst == target and src.parent == target.parent and src.name.startswith(TMP_PREFIX)
    assert sorted(p.name for p in target.parent.iterdir()) == ["文件.pdf"]
