"""Issue 19.4: the output side gets clear Chinese messages, never 「内部错误」.

An output path that is a file, a read-only folder, a full disk, a file held
open by another program (Windows: WPS or Acrobat makes os.replace fail with
PermissionError): a message naming the path and what to do, exit status 1,
and every file already written complete. `-o ""` is wrong usage (exit 2).

Real conditions where the machine allows them (a 128 KiB tmpfs for the full
disk, chmod or chattr +i for the read-only folder); otherwise, and for the
Windows lock, the build runs in a subprocess whose os functions raise the
error the operating system would.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
SEED = CORPUS / "notice-only.txt"


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}


def generate(*args: str, patch: str = "") -> subprocess.CompletedProcess[str]:
    """generate.py, with `patch` (Python) run first in the same process."""
    driver = textwrap.dedent(f"""
        import errno, os, sys
        sys.path.insert(0, {str(ROOT)!r})
        {textwrap.indent(textwrap.dedent(patch), '        ').strip()}
        from handouts.cli import run
        sys.argv = ["generate.py", *sys.argv[1:]]
        run()
    """)
    return subprocess.run([sys.executable, "-c", driver, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=environment())


@pytest.fixture
def branches(tmp_path: Path) -> Path:
    path = tmp_path / "branches.txt"
    path.write_text("商学院党总支\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A complete build of the seed: every file's bytes."""
    root = tmp_path_factory.mktemp("reference")
    (root / "b.txt").write_text("商学院党总支\n", encoding="utf-8")
    result = generate(str(SEED), "-o", str(root / "out"), "--branches", str(root / "b.txt"))
    assert result.returncode == 0, result.stderr
    return snapshot(root / "out" / SEED.stem)


def changed_seed(tmp_path: Path) -> Path:
    """The seed with one sentence changed: every output file would be rewritten."""
    from handouts.read.source import read_source

    source = read_source(SEED)
    text = "\n".join(source.lines) + "\n"
    assert "讲话要点" in text
    seed = tmp_path / SEED.name
    seed.write_text(text.replace("讲话要点", "讲话要点摘编"), encoding="utf-8")
    return seed


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def assert_clear_failure(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


def assert_complete(folder: Path, reference: dict[str, bytes]) -> None:
    """Every file left is one the full build writes, byte for byte (no half file, no temporary)."""
    for name, data in snapshot(folder).items():
        if name != "manifest.json":
            assert reference.get(name) == data, f"{name} is incomplete or foreign"


def test_output_path_is_a_file(tmp_path: Path, branches: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("not a folder", encoding="utf-8")
    result = generate(str(SEED), "-o", str(out), "--branches", str(branches))
    assert_clear_failure(result, str(out), "是一个文件", "-o")
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_empty_output_path_is_wrong_usage(branches: Path) -> None:
    for args in (["-o", ""], ["--out="], ["--branches", ""]):
        result = generate(str(SEED), *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "用法错误" in result.stderr and "Traceback" not in result.stderr


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make folder and its subfolders unwritable for real; yields the patch
    to use instead when this machine allows neither way (root without chattr)."""
    folders = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
    if os.geteuid() != 0:
        for f in folders:
            f.chmod(0o555)
        try:
            yield ""
        finally:
            for f in folders:
                f.chmod(0o755)
        return
    frozen = []
    for f in folders if shutil.which("chattr") else []:
        if subprocess.run(["chattr", "+i", str(f)], capture_output=True).returncode != 0:
            break
        frozen.append(f)
    try:
        if frozen and len(frozen) == len(folders):
            yield ""
            return
    finally:
        for f in frozen:
            subprocess.run(["chattr", "-i", str(f)], capture_output=True)
    yield f"""
        import builtins
        _open = builtins.open
        def _refuse(file, mode="r", *a, **k):
            if str(file).startswith({str(folder)!r}) and any(m in mode for m in "wxa"):
                raise PermissionError(errno.EACCES, "Permission denied", str(file))
            return _open(file, mode, *a, **k)
        builtins.open = _refuse
    """


def test_read_only_output_folder(tmp_path: Path, branches: Path, reference: dict[str, bytes]) -> None:
    out = tmp_path / "out"
    assert generate(str(SEED), "-o", str(out), "--branches", str(branches)).returncode == 0
    folder = out / SEED.stem
    before = snapshot(folder)
    seed = changed_seed(tmp_path)
    with read_only(folder) as patch:
        result = generate(str(seed), "-o", str(out), "--branches", str(branches), patch=patch)
    assert_clear_failure(result, str(folder), "权限", "-o")
    assert snapshot(folder) == before


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[tuple[Path, str]]:
    """A real 128 KiB file system if this machine lets us mount one; else a
    patch that makes the disk full after the first 100 KiB written."""
    where.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(where)], capture_output=True).returncode == 0
    if mounted:
        try:
            yield where, ""
        finally:
            subprocess.run(["umount", str(where)], capture_output=True)
        return
    yield where, """
        _fsync, _written = os.fsync, [0]
        def _full(fd):
            _written[0] += os.fstat(fd).st_size
            if _written[0] > 100_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            _fsync(fd)
        os.fsync = _full
    """


def test_full_disk(tmp_path: Path, branches: Path, reference: dict[str, bytes]) -> None:
    with small_disk(tmp_path / "disk") as (out, patch):
        result = generate(str(SEED), "-o", str(out), "--branches", str(branches), patch=patch)
        assert_clear_failure(result, "磁盘空间不足", str(out / SEED.stem))
        left = snapshot(out / SEED.stem)
        assert left, "nothing was written before the disk filled up"
        assert_complete(out / SEED.stem, reference)
        assert not [n for n in left if ".handouts-tmp-" in n]


LOCK = """
    _replace = os.replace
    def _locked(src, dst):
        if os.fspath(dst).endswith({name!r}):
            # What Windows says when WPS or Acrobat has the file open.
            raise PermissionError(errno.EACCES, "另一个程序正在使用此文件，进程无法访问。", os.fspath(dst))
        _replace(src, dst)
    os.replace = _locked
"""


def test_a_file_held_by_another_program(tmp_path: Path, branches: Path, reference: dict[str, bytes]) -> None:
    out = tmp_path / "out"
    assert generate(str(SEED), "-o", str(out), "--branches", str(branches)).returncode == 0
    folder = out / SEED.stem
    before = snapshot(folder)
    seed = changed_seed(tmp_path)
    locked = "学习记录表/商学院党总支学习记录表.pdf"
    result = generate(str(seed), "-o", str(out), "--branches", str(branches),
                      patch=LOCK.format(name="商学院党总支学习记录表.pdf"))
    assert_clear_failure(result, str(folder / locked), "关闭")
    after = snapshot(folder)
    assert after[locked] == before[locked], "the held file must stay as it was"
    assert generate(str(seed), "-o", str(tmp_path / "fresh"), "--branches", str(branches)).returncode == 0
    fresh = snapshot(tmp_path / "fresh" / SEED.stem)
    assert fresh[locked] != before[locked]
    for name in set(after) - {locked, "manifest.json"}:
        assert after[name] == fresh[name], f"the rest of the build must go on: {name}"
    manifest = json.loads(after["manifest.json"])
    import hashlib

    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(after) - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(after[name]).hexdigest() == digest, name
    # Closed again: the next build replaces it without calling it a hand edit.
    result = generate(str(seed), "-o", str(out), "--branches", str(branches))
    assert result.returncode == 0 and "手工修改" not in result.stderr, result.stderr
    assert snapshot(folder)[locked] != before[locked]
