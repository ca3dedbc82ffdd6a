"""Issue 7.3: the same input and fonts give byte-identical PDF and DOCX files.

Two builds into different folders must agree byte for byte, whatever the time
zone, the working directory, Python's hash seed, the state of the font cache
or the other seeds built in the same run; and no file carries the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
SEED = CORPUS / "gb18030-crlf.txt"  # notice, two attachments, a quoted document
OTHER = CORPUS / "markup.txt"  # different characters, fonts and structure
BRANCHES = ("马克思主义学院党总支", "商学院党总支")
FONT_CACHE_ENV = "HANDOUTS_FONT_CACHE"


def generate(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    full.update(env)
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300, env=full)
    assert result.returncode == 0, result.stderr
    return result


def outputs(folder: Path) -> dict[str, bytes]:
    """Every PDF and DOCX under folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.suffix in (".pdf", ".docx")}


def manifest_files(folder: Path) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]


def assert_identical(a: Path, b: Path) -> None:
    left, right = outputs(a), outputs(b)
    assert left, f"nothing built in {a}"
    assert sorted(left) == sorted(right)
    differing = [name for name in left if left[name] != right[name]]
    assert not differing, f"differ between {a} and {b}: {differing}"
    assert manifest_files(a) == manifest_files(b)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of SEED from the project folder, UTC, hash seed 1."""
    work = tmp_path_factory.mktemp("reference")
    (work / "branches.txt").write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
    generate(str(SEED), "-o", str(work / "out"), "--branches", str(work / "branches.txt"),
             TZ="UTC", PYTHONHASHSEED="1")
    folder = work / "out" / SEED.stem
    kinds = {f["kind"] for f in manifest_files(folder)}
    assert kinds == {"handout", "record-sheet", "signin-sheet", "print-bundle"}
    return folder


def test_rebuild_elsewhere_is_byte_identical(reference: Path, tmp_path: Path) -> None:
    """Another folder, time zone, working directory and hash seed; a relative seed path."""
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    seed = elsewhere / SEED.name
    shutil.copy(SEED, seed)
    (elsewhere / "names.txt").write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
    generate(SEED.name, "-o", "built", "--branches", "names.txt", cwd=elsewhere,
             TZ="Pacific/Kiritimati", PYTHONHASHSEED="2")
    assert_identical(reference, elsewhere / "built" / SEED.stem)


def test_font_cache_state_does_not_change_the_output(reference: Path, tmp_path: Path) -> None:
    """The reference used the project's warm cache (converted supersets of other
    builds); a fresh, empty cache must give the same bytes."""
    (tmp_path / "branches.txt").write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
    generate(str(SEED), "-o", str(tmp_path / "out"), "--branches", str(tmp_path / "branches.txt"),
             **{FONT_CACHE_ENV: str(tmp_path / "font-cache"), "TZ": "Asia/Shanghai"})
    assert (tmp_path / "font-cache").is_dir(), "the cache variable was not honoured"
    assert_identical(reference, tmp_path / "out" / SEED.stem)


def test_other_seeds_in_the_same_run_do_not_change_the_output(reference: Path, tmp_path: Path) -> None:
    """Fonts prepared for an earlier seed of the same run must not leak into the next one."""
    (tmp_path / "branches.txt").write_text("\n".join(BRANCHES) + "\n", encoding="utf-8")
    generate(str(OTHER), str(SEED), "-o", str(tmp_path / "out"), "--branches",
             str(tmp_path / "branches.txt"))
    assert_identical(reference, tmp_path / "out" / SEED.stem)


def test_no_clock_in_the_files(reference: Path) -> None:
    today = dt.date.today()
    stamps = (today.strftime("%Y%m%d"), today.isoformat())
    files = outputs(reference)
    for name, data in files.items():
        if name.endswith(".pdf"):
            info = pypdf.PdfReader(io.BytesIO(data)).metadata or {}
            for key in ("/CreationDate", "/ModDate"):
                value = str(info.get(key, ""))
                assert not value.startswith(f"D:{stamps[0]}"), (name, key, value)
            assert stamps[0].encode() not in data, name
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for entry in z.infolist():
                    assert dt.date(*entry.date_time[:3]) != today, (name, entry.filename)
                core = z.read("docProps/core.xml").decode("utf-8")
                assert stamps[1] not in core, (name, core)
