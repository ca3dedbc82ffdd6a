"""The command-line contract (DESIGN.md): exit statuses, messages, --outline JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env)


def test_outline_is_the_design_json() -> None:
    result = run("--outline", str(SEED))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"title", "encoding", "notes", "notice", "attachments"} <= data.keys()
    assert set(data["notice"]) >= {"title", "addressee", "blocks", "signature", "date"}
    assert [a["number"] for a in data["attachments"]] == list(range(1, 8))
    for att in data["attachments"]:
        assert {"number", "label", "title", "source", "blocks"} <= att.keys()
        for block in att["blocks"]:
            assert {"kind", "text", "line"} <= block.keys()
            assert isinstance(block["line"], int) and block["line"] > 0
            if block["kind"] == "heading":
                assert block["level"] in (1, 2, 3, 4) and "lead" in block
    items = [b for b in data["notice"]["blocks"] if b["kind"] == "item"]
    assert [b["label"] for b in items] == [f"{n}." for n in range(1, 8)]
    assert data["notes"][0]["line"] == 18
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "不存在"),
        (b"", "为空"),
        (bytes(range(256)) * 40, "不是文本文件"),
    ],
)
def test_bad_input_exits_1_with_a_located_chinese_message(tmp_path: Path, content: bytes | None,
                                                          fragment: str) -> None:
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    for mode in ("--outline", "--check", None):
        args = [mode] if mode else ["-o", str(tmp_path / "out")]
        result = run(*args, str(path))
        assert result.returncode == 1, (mode, result.stderr)
        assert fragment in result.stderr and "bad.txt" in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_directory_as_input(tmp_path: Path) -> None:
    result = run("--outline", str(tmp_path))
    assert result.returncode == 1
    assert "文件夹" in result.stderr and "Traceback" not in result.stderr


def test_wrong_usage_exits_2(tmp_path: Path) -> None:
    for args in (["--no-such-option"], ["--formats", "odt", str(SEED)], ["--outline", "--check"]):
        result = run(*args)
        assert result.returncode == 2, args
        assert "用法错误" in result.stderr
        assert "Traceback" not in result.stderr


def test_warnings_name_file_and_line(tmp_path: Path) -> None:
    seed = tmp_path / "m.txt"
    seed.write_text("关于学习的通知\n各单位：\n3月11日为学习时间。\n1.甲\n2.乙\n宣传部\n2025年3月4日\n附件1\n甲\n正文。\n",
                    encoding="gbk")
    result = run("--outline", str(seed))
    assert result.returncode == 0
    assert f"{seed} 第 4 行" in result.stderr and "警告" in result.stderr
    assert json.loads(result.stdout)["encoding"] == "gb18030"


def test_check_passes_on_the_march_seed() -> None:
    result = run("--check", str(SEED))
    assert result.returncode == 0, result.stderr
    assert "检查通过" in result.stderr
    assert result.stdout == ""


def test_check_names_a_character_no_font_has(tmp_path: Path) -> None:
    seed = tmp_path / "m.txt"
    seed.write_text("关于学习的通知\n各单位：\n请学习\U0010fffd。\n宣传部\n2025年3月4日\n", encoding="utf-8")
    result = run("--check", str(seed))
    assert result.returncode == 1
    assert "U+10FFFD" in result.stderr and "第 3 行" in result.stderr
    assert "Traceback" not in result.stderr


def test_embed_fonts_puts_font_parts_in_every_docx(tmp_path: Path) -> None:
    branches = tmp_path / "b.txt"
    branches.write_text("商学院党总支\n", encoding="utf-8")
    result = run(str(SEED), "-o", str(tmp_path / "out"), "--branches", str(branches),
                 "--formats", "docx", "--embed-fonts")
    assert result.returncode == 0, result.stderr
    import zipfile

    docs = sorted((tmp_path / "out" / "2025-03").rglob("*.docx"))
    assert len(docs) == 3
    for doc in docs:
        names = zipfile.ZipFile(doc).namelist()
        assert any(n.startswith("word/fonts/") and n.endswith(".odttf") for n in names), doc
