"""Issue 18.7: the wheel is complete. Installed in a fresh venv outside the
checkout and run from an empty folder holding only the March seed and the
branch list, `handouts` writes the same bytes as the checkout's build.

How it stays offline and robust on CI: the wheel is built from a copy of the
checkout with `pip wheel --no-build-isolation --no-index` (setuptools comes
from the test extra), and installed with `--no-deps --no-index` into a venv
made `--without-pip`. The venv is given the test venv's dependencies by a
.pth line naming its site-packages folder: as a plain path, not a site
folder, so the test venv's own .pth files (the editable install of this
checkout) are not run and `handouts` can only come from the wheel. That also
means the installed build uses exactly the ReportLab, fontTools and
python-docx versions of the checkout build, which byte identity needs. That
the wheel's declared requirements are met is checked with `pip check`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
BRANCHES = ROOT / "seeds" / "branches.txt"
# What never goes into the copy the wheel is built from (font files in fonts/
# do: the wheel must leave them out).
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "output", "*.egg-info", "__pycache__",
                              ".cache", ".pytest_cache", ".ruff_cache", ".hypothesis", "bench")

pytestmark = pytest.mark.install


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src") / "handouts"
    shutil.copytree(ROOT, src, ignore=SKIP)
    # What a user leaves in fonts/ (git-ignored), which must never ship.
    (src / "fonts" / "方正小标宋简体.ttf").write_bytes(b"\0\1\0\0" + bytes(60))
    (src / "fonts" / ".cache").mkdir(exist_ok=True)
    (src / "fonts" / ".cache" / "font-index.json").write_text("{}", encoding="utf-8")
    dist = src.parent / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(dist), str(src)], cwd=src.parent)
    [built] = dist.glob("handouts-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A space and Chinese in the path, as on a clerk's PC.
    env_dir = tmp_path_factory.mktemp("venv") / "装 handouts"
    run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=env_dir.parent)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "-q", str(wheel)], cwd=env_dir.parent)
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=env_dir.parent).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz-test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return env_dir


def clean_env(tmp: Path) -> dict[str, str]:
    """No checkout on the path, no cache override, user folders inside tmp."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "HANDOUTS_FONT_CACHE", "HANDOUTS_DEBUG", "VIRTUAL_ENV")}
    env.update(XDG_CACHE_HOME=str(tmp / "cache"), XDG_DATA_HOME=str(tmp / "data"),
               HOME=str(tmp / "home"), LOCALAPPDATA=str(tmp / "cache"), APPDATA=str(tmp / "data"))
    return env


def bin_of(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def test_wheel_holds_every_template_and_only_fonts_toml_of_fonts(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    templates = sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_file())
    assert sorted(n.split("/")[-1] for n in names if n.startswith("handouts/templates/")) == templates
    assert [n for n in names if n.startswith("handouts/fontdata/")] == ["handouts/fontdata/fonts.toml"]
    assert not [n for n in names if n.lower().endswith((".ttf", ".otf", ".ttc", ".otc"))]
    assert not [n for n in names if ".cache/" in n or n.endswith((".pyc", "font-index.json"))]
    # Every subpackage on disk is in the wheel (setup.py finds them).
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "handouts").rglob("__init__.py")}
    assert packages <= {n.rsplit("/", 1)[0] for n in names}
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "handouts = handouts.cli:run" in entry_points
    assert "handouts-app = handouts.web:main" in entry_points


def test_installed_wheel_builds_the_same_bytes_as_the_checkout(venv: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    run([sys.executable, str(ROOT / "generate.py"), "seeds/2025-03.txt", "-o", str(reference)],
        cwd=ROOT, env=env)

    work = tmp_path / "十二月 学习"
    (work / "seeds").mkdir(parents=True)
    shutil.copy2(SEED, work / "seeds" / SEED.name)
    shutil.copy2(BRANCHES, work / "seeds" / BRANCHES.name)
    env = clean_env(tmp_path)
    result = run([str(bin_of(venv, "handouts"))], cwd=work, env=env)
    assert "完成" in result.stderr

    assert sorted(p.name for p in work.iterdir()) == ["output", "seeds"]
    built = digests(work / "output")
    assert built == digests(reference)
    assert len(built) > 30

    # The caches went to the user cache folder, nothing into the installation.
    assert (tmp_path / "cache" / "handouts" / "font-index.json").is_file()
    assert (tmp_path / "cache" / "handouts" / "templates").is_dir()  # compiled templates
    stray = [p for p in venv.rglob("*") if p.name in ("font-index.json", "coverage", ".cache")
             or p.suffix == ".bin"]
    assert not stray


def test_installed_module_and_requirements(venv: Path, tmp_path: Path) -> None:
    python = bin_of(venv, "python.exe" if os.name == "nt" else "python")
    env = clean_env(tmp_path)
    help_text = run([str(python), "-m", "handouts", "--help"], cwd=tmp_path, env=env).stdout
    assert "--templates" in help_text and "--fonts-dir" in help_text
    where = run([str(python), "-c", "import handouts; print(handouts.__file__)"], cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)
    run([sys.executable, "-m", "pip", "--python", str(python), "check"], cwd=tmp_path, env=env)


def test_installed_fonts_report_says_what_is_built_in(venv: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "seeds").mkdir(parents=True)
    shutil.copy2(SEED, work / "seeds" / SEED.name)
    (work / "templates").mkdir()
    shutil.copy2(ROOT / "templates" / "style.toml", work / "templates" / "style.toml")
    env = clean_env(tmp_path)
    report = run([str(bin_of(venv, "handouts")), "--fonts"], cwd=work, env=env).stdout
    site = str(venv)
    lines = {line.split("：")[0].strip(): line for line in report.splitlines() if "：" in line}
    assert "用户副本" in lines["style.toml"] and str(work / "templates") in lines["style.toml"]
    assert "内置" in lines["handout.xml.j2"] and site in lines["handout.xml.j2"]
    assert "内置" in lines["fonts.toml"] and site in lines["fonts.toml"]
    assert str(tmp_path / "cache" / "handouts") in report
