"""Issue 7.4: a clerk's edits to an output file are never overwritten without --force.

A file that no longer matches the previous manifest was edited by hand: the
next build keeps it, writes the new file beside it and warns; --force
overwrites it. Unchanged files are left alone, deleted ones come back.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
BRANCHES = ("马克思主义学院党总支", "商学院党总支")
NEW_SUFFIX = "（新生成）"


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.seed = root / "2025-04.txt"
        self.seed.write_bytes((CORPUS / "gb18030-crlf.txt").read_bytes())
        self.branches = root / "branches.txt"
        self.branches.write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
        self.out = root / "out"
        self.folder = self.out / self.seed.stem

    def build(self, *extra: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
        result = subprocess.run(
            [sys.executable, str(ROOT / "generate.py"), str(self.seed), "-o", str(self.out),
             "--branches", str(self.branches), *extra],
            cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        return result

    def manifest(self) -> dict[str, dict]:
        data = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
        return {f["path"]: f for f in data["files"]}

    def handout(self, fmt: str) -> Path:
        (path,) = [p for p, f in self.manifest().items() if f["kind"] == "handout" and f["format"] == fmt]
        return self.folder / path

    def sheet(self, kind: str, fmt: str) -> Path:
        paths = sorted(p for p, f in self.manifest().items()
                       if f["kind"] == kind and f["format"] == fmt and f["branch"] == BRANCHES[1])
        return self.folder / paths[0]


def beside(path: Path) -> Path:
    return path.with_name(f"{path.stem}{NEW_SUFFIX}{path.suffix}")


def edit_docx(path: Path) -> bytes:
    document = docx.Document(str(path))
    document.add_paragraph("组织委员手工补充：本月学习改在4月9日。")
    buf = io.BytesIO()
    document.save(buf)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    w = Workspace(tmp_path_factory.mktemp("first"))
    w.build()
    return w.out


@pytest.fixture
def ws(tmp_path: Path, first_build: Path) -> Workspace:
    """A workspace whose output folder holds a complete first build."""
    w = Workspace(tmp_path)
    shutil.copytree(first_build, w.out)
    return w


def test_hand_edited_files_are_kept_until_force(ws: Workspace) -> None:
    docx_path = ws.handout("docx")
    pdf_path = ws.sheet("record-sheet", "pdf")
    generated = {p: p.read_bytes() for p in (docx_path, pdf_path)}
    edited = {docx_path: edit_docx(docx_path),
              pdf_path: generated[pdf_path] + b"\n% annotated by the clerk\n"}
    pdf_path.write_bytes(edited[pdf_path])
    untouched = ws.handout("pdf")
    before = untouched.stat().st_mtime_ns

    for run in range(2):  # and again: the second build must not forget the edits
        result = ws.build()
        for path in (docx_path, pdf_path):
            assert path.read_bytes() == edited[path], f"build {run + 2} overwrote the clerk's {path.name}"
            assert beside(path).read_bytes() == generated[path], path
            assert path.name in result.stderr and "手工修改" in result.stderr, result.stderr
            assert "--force" in result.stderr
        manifest = ws.manifest()
        for path in (docx_path, pdf_path):
            entry = manifest[beside(path).relative_to(ws.folder).as_posix()]
            assert entry["sha256"] == sha(generated[path])
        assert untouched.stat().st_mtime_ns == before, "an unchanged file was rewritten"
        for relative, entry in manifest.items():
            assert sha((ws.folder / relative).read_bytes()) == entry["sha256"], relative

    result = ws.build("--force")
    assert "手工修改" not in result.stderr
    for path in (docx_path, pdf_path):
        assert path.read_bytes() == generated[path], f"--force did not overwrite {path.name}"
        assert ws.manifest()[path.relative_to(ws.folder).as_posix()]["sha256"] == sha(generated[path])


def test_a_build_without_changes_touches_nothing(ws: Workspace) -> None:
    files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in ws.folder.rglob("*")
             if p.is_file() and p.name != "manifest.json"}
    result = ws.build()
    assert "手工修改" not in result.stderr
    for path, (data, mtime) in files.items():
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime, path
    assert not [p for p in ws.folder.rglob(f"*{NEW_SUFFIX}*")]


def test_a_deleted_file_is_written_again(ws: Workspace) -> None:
    path = ws.sheet("signin-sheet", "docx")
    data = path.read_bytes()
    path.unlink()
    result = ws.build()
    assert path.read_bytes() == data
    assert "手工修改" not in result.stderr


def test_a_changed_seed_replaces_untouched_files(ws: Workspace) -> None:
    """Only a mismatch with the manifest means a hand edit: files the previous
    build wrote are replaced when the seed changes."""
    old = ws.handout("docx").read_bytes()
    text = ws.seed.read_bytes().replace("认真组织".encode("gb18030"), "认真组织全体".encode("gb18030"))
    ws.seed.write_bytes(text)
    result = ws.build()
    assert "手工修改" not in result.stderr, result.stderr
    assert ws.handout("docx").read_bytes() != old
    assert not [p for p in ws.folder.rglob(f"*{NEW_SUFFIX}*")]


@pytest.mark.parametrize("manifest", [None, b"{bad", b'{"files": [{"path": 1}]}', b"\xff\xfe"])
def test_hand_edits_survive_a_missing_or_damaged_manifest(ws: Workspace, manifest: bytes | None) -> None:
    """Issue 19.1: without a readable manifest nothing vouches for the files,
    so one that differs from what this build writes is kept, the new one goes
    beside it, and the next build (with a manifest again) still keeps it."""
    pdf_path = ws.handout("pdf")
    generated = pdf_path.read_bytes()
    edited = generated + b"\n% annotated by the clerk\n"
    pdf_path.write_bytes(edited)
    others = {p: p.read_bytes() for p in ws.folder.rglob("*") if p.is_file() and p != pdf_path}
    if manifest is None:
        (ws.folder / "manifest.json").unlink()
    else:
        (ws.folder / "manifest.json").write_bytes(manifest)

    for run in range(2):
        result = ws.build()
        assert pdf_path.read_bytes() == edited, f"build {run + 2} overwrote the clerk's PDF"
        assert beside(pdf_path).read_bytes() == generated
        assert pdf_path.name in result.stderr and "--force" in result.stderr, result.stderr
        if run == 0:
            assert "manifest.json" in result.stderr
            assert ("缺失" if manifest is None else "损坏") in result.stderr, result.stderr
        for path, data in others.items():  # unchanged files stay as they are
            if path.name != "manifest.json":
                assert path.read_bytes() == data, path
        assert [p.name for p in ws.folder.rglob(f"*{NEW_SUFFIX}*")] == [beside(pdf_path).name]
        listed = ws.manifest()
        for relative, entry in listed.items():
            assert sha((ws.folder / relative).read_bytes()) == entry["sha256"], relative

    result = ws.build("--force")
    assert pdf_path.read_bytes() == generated


def test_a_file_the_manifest_does_not_know_is_not_overwritten(ws: Workspace) -> None:
    """A file where the build would write, but not written by the last build
    (the clerk saved a file of that name there): kept like a hand edit."""
    path = ws.sheet("signin-sheet", "pdf")
    manifest_path = ws.folder / "manifest.json"
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    relative = path.relative_to(ws.folder).as_posix()
    data["files"] = [f for f in data["files"] if f["path"] != relative]
    manifest_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    path.write_bytes(b"%PDF-1.4 the clerk's own sign-in sheet")
    result = ws.build()
    assert path.read_bytes() == b"%PDF-1.4 the clerk's own sign-in sheet"
    assert beside(path).exists() and "manifest.json 中没有" in result.stderr, result.stderr


def test_an_edited_file_beside_an_edited_file_is_kept_too(ws: Workspace) -> None:
    """The clerk edits the handout, then also the （新生成） copy written beside it."""
    pdf_path = ws.handout("pdf")
    generated = pdf_path.read_bytes()
    pdf_path.write_bytes(generated + b"\n% first edit\n")
    ws.build()
    beside(pdf_path).write_bytes(generated + b"\n% second edit\n")
    result = ws.build()
    assert pdf_path.read_bytes() == generated + b"\n% first edit\n"
    assert beside(pdf_path).read_bytes() == generated + b"\n% second edit\n"
    assert beside(beside(pdf_path)).read_bytes() == generated
    assert beside(pdf_path).name in result.stderr
    listed = ws.manifest()
    for relative, entry in listed.items():
        assert sha((ws.folder / relative).read_bytes()) == entry["sha256"], relative
