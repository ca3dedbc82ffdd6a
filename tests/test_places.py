"""Issue 18.1/18.2: built-in templates and font configuration, the user's
copies that override them file by file, and where the caches go."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handouts.compose.render import environment
from handouts.compose.sheets import sheet_kinds
from handouts.places import resources
from handouts.places.resources import Places

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"


def test_a_checkout_reads_its_own_folders_as_the_built_in_ones() -> None:
    assert resources.checkout() == ROOT
    assert resources.builtin_dir("templates") == ROOT / "templates"
    assert resources.builtin_dir("fonts") == ROOT / "fonts"


def test_user_templates_override_file_by_file(tmp_path: Path) -> None:
    own = tmp_path / "mine"
    own.mkdir()
    shutil.copy2(ROOT / "templates" / "style.toml", own / "style.toml")
    (own / "signin-sheet.xml.j2").write_text("<document/>", encoding="utf-8")
    places = Places(home=tmp_path, templates=own)
    assert places.template("style.toml") == resources.Found(own / "style.toml", "user")
    assert places.template("sheets.toml") == resources.Found(ROOT / "templates" / "sheets.toml", "builtin")
    env = environment(own)
    assert Path(env.get_template("signin-sheet.xml.j2").filename) == own / "signin-sheet.xml.j2"
    assert Path(env.get_template("handout.xml.j2").filename) == ROOT / "templates" / "handout.xml.j2"


def test_home_templates_then_given_folder_win(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "sheets.toml").write_text("", encoding="utf-8")
    given = tmp_path / "given"
    given.mkdir()
    places = Places(home=tmp_path)
    assert places.template("sheets.toml").path == tmp_path / "templates" / "sheets.toml"
    assert places.template_dirs() == [tmp_path / "templates", ROOT / "templates"]
    (given / "sheets.toml").write_text("", encoding="utf-8")
    assert Places(home=tmp_path, templates=given).template("sheets.toml").path == given / "sheets.toml"


def test_user_font_folders_in_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    given = tmp_path / "given"
    dirs = Places(home=tmp_path, fonts=given).font_dirs()
    assert dirs == [given, tmp_path / "fonts", tmp_path / "data" / "handouts" / "fonts", ROOT / "fonts"]
    (given / "fonts.toml").parent.mkdir()
    shutil.copy2(ROOT / "fonts" / "fonts.toml", given / "fonts.toml")
    assert Places(home=tmp_path, fonts=given).font_config() == resources.Found(given / "fonts.toml", "user")
    assert Places(home=tmp_path).font_config().origin == "builtin"


def test_cache_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("HANDOUTS_FONT_CACHE", raising=False)
    assert resources.default_cache_dir() == ROOT / "fonts" / ".cache"  # a checkout keeps its own
    monkeypatch.setenv("HANDOUTS_FONT_CACHE", str(tmp_path / "env"))
    assert resources.default_cache_dir() == tmp_path / "env"
    # Installed: the package sits in site-packages with no checkout around it.
    monkeypatch.delenv("HANDOUTS_FONT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "site-packages" / "handouts")
    assert resources.checkout() is None
    assert resources.default_cache_dir() == tmp_path / "xdg" / "handouts"


def module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HANDOUTS_DEBUG", "PYTHONPATH")}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's package, run as the installed command is
    return subprocess.run([sys.executable, "-m", "handouts", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_installed_command_works_in_the_current_folder(tmp_path: Path) -> None:
    # templates/sheets.toml beside the seeds lists only the record sheet.
    (tmp_path / "seeds").mkdir()
    shutil.copy2(SEED, tmp_path / "seeds" / SEED.name)
    (tmp_path / "seeds" / "branches.txt").write_text("商学院党总支\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    sheets = (ROOT / "templates" / "sheets.toml").read_text(encoding="utf-8")
    (tmp_path / "templates" / "sheets.toml").write_text(sheets.split("[[sheet]]\nkind = \"signin")[0],
                                                         encoding="utf-8")
    result = module("--formats", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    month = tmp_path / "output" / "2025-03"
    assert (month / "学习记录表" / "商学院党总支学习记录表.pdf").is_file()
    assert not (month / "签到表").exists()
    assert sheet_kinds()[1].kind == "signin-sheet"  # the checkout's own list is untouched


def test_fonts_beside_the_seeds_override_fonts_toml(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "fonts.toml").write_text("[roles.title]\n", encoding="utf-8")
    shutil.copy2(SEED, tmp_path / SEED.name)
    result = module(SEED.name, "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert f"字体配置文件 {tmp_path / 'fonts' / 'fonts.toml'} 的 [roles.title] 缺少 word" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("option", ["--templates", "--fonts-dir"])
def test_a_missing_user_folder_is_a_clear_error(tmp_path: Path, option: str) -> None:
    result = module(option, str(tmp_path / "没有"), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{option} 指定的目录" in result.stderr and "没有" in result.stderr


def test_no_seeds_in_the_current_folder(tmp_path: Path) -> None:
    result = module(cwd=tmp_path)
    assert result.returncode == 1
    assert "seeds" in result.stderr and "没有 .txt 或 .docx 输入文件" in result.stderr
