"""Built-in data, the user's copies that win over it, and the cache folder.

The checkout keeps templates/ and fonts/fonts.toml at its top, where clerks
edit them; a wheel carries the same files as the package data of
handouts.templates and handouts.fontdata (pyproject.toml maps the folders).
Either way they are "built in". A user's folder overrides them file by file:
--templates DIR / --fonts-dir DIR first, then templates/ and fonts/ in the
home folder (the folder holding seeds/ and output/), then, for font files
only, the per-user font folder of the OS.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path

APP = "handouts"
CACHE_ENV = "HANDOUTS_FONT_CACHE"
# The places of this run handed to a child process (the web page's builds).
HOME_ENV, TEMPLATES_ENV, FONTS_ENV = "HANDOUTS_HOME", "HANDOUTS_TEMPLATES", "HANDOUTS_FONTS_DIR"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Data package and a file it always holds, per built-in folder.
_BUILTIN = {"templates": ("handouts.templates", "style.toml"), "fonts": ("handouts.fontdata", "fonts.toml")}
_FILES = contextlib.ExitStack()  # keeps extracted resources (a zipped install) for the process


def checkout() -> Path | None:
    """The source checkout this package runs from (editable or not installed), if any."""
    root = _PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "fonts" / "fonts.toml").is_file():
        return root
    return None


@functools.cache
def builtin_dir(kind: str) -> Path:
    """The folder of built-in files of a kind ("templates" or "fonts"), found once per process."""
    package, marker = _BUILTIN[kind]
    try:
        resource = importlib.resources.files(package) / marker
    except ModuleNotFoundError:
        # Not installed, or installed editable: setuptools' editable finder
        # cannot import a data-only package mapped beside its parent.
        resource = None
    if resource is not None and resource.is_file():
        return _FILES.enter_context(importlib.resources.as_file(resource)).parent
    root = checkout()
    return (root or _PACKAGE_DIR) / kind


def user_font_dir() -> Path:
    """Fonts a user installs for this tool alone: %APPDATA%\\handouts\\fonts on
    Windows, ~/Library/Application Support/handouts/fonts on macOS,
    $XDG_DATA_HOME/handouts/fonts (~/.local/share/handouts/fonts) elsewhere."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False, roaming=True)) / "fonts"


def default_cache_dir() -> Path:
    """HANDOUTS_FONT_CACHE, else fonts/.cache in a checkout, else the user cache folder.

    Never inside site-packages: an installed package may be read-only and is
    shared by users. A checkout keeps its cache beside its fonts, as it always
    did (warm caches survive, `git clean -X` removes it)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    root = checkout()
    if root is not None:
        return root / "fonts" / ".cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


@dataclass(frozen=True)
class Found:
    path: Path
    origin: str  # "user" | "builtin"


@dataclass(frozen=True)
class Places:
    """Where one run looks for its inputs; the CLI sets it once (use())."""

    home: Path
    templates: Path | None = None  # --templates DIR
    fonts: Path | None = None  # --fonts-dir DIR

    def template_dirs(self) -> list[Path]:
        """Template folders, first wins: the user's, then the built-in one."""
        return self._layers(self.templates, "templates")

    def font_config_dirs(self) -> list[Path]:
        return self._layers(self.fonts, "fonts")

    def font_dirs(self) -> list[Path]:
        """Folders whose font files count as the user's, first wins."""
        dirs = [d for d in (self.fonts, self.home / "fonts", user_font_dir()) if d is not None]
        builtin = builtin_dir("fonts")
        if checkout() is not None:
            dirs.append(builtin)  # a checkout's fonts/ is the user's font folder too
        return _unique(dirs)

    def template(self, name: str) -> Found:
        return _first(self.template_dirs(), name, builtin_dir("templates"))

    def font_config(self) -> Found:
        return _first(self.font_config_dirs(), "fonts.toml", builtin_dir("fonts"))

    def _layers(self, given: Path | None, kind: str) -> list[Path]:
        builtin = builtin_dir(kind)
        dirs = [d for d in (given, self.home / kind) if d is not None and d.is_dir()]
        return _unique([*dirs, builtin])


def _first(dirs: list[Path], name: str, builtin: Path) -> Found:
    for folder in dirs:
        if (folder / name).is_file():
            return Found(folder / name, "builtin" if _same(folder, builtin) else "user")
    return Found(builtin / name, "builtin")


def _same(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _unique(dirs: list[Path]) -> list[Path]:
    seen: set[str] = set()
    out = []
    for d in dirs:
        if os.path.realpath(d) not in seen:
            seen.add(os.path.realpath(d))
            out.append(d)
    return out


_current: Places | None = None


def use(places: Places) -> None:
    """Set where this process looks (the CLI, once, before anything is loaded)."""
    global _current
    _current = places


def current() -> Places:
    """What use() set; otherwise HANDOUTS_HOME (set for a child process), the
    checkout's folders as always, or the current folder."""
    if _current is not None:
        return _current
    handed = os.environ.get(HOME_ENV)
    if handed:
        given = {env: Path(os.environ[env]) if os.environ.get(env) else None
                 for env in (TEMPLATES_ENV, FONTS_ENV)}
        return Places(home=Path(handed), templates=given[TEMPLATES_ENV], fonts=given[FONTS_ENV])
    return Places(home=checkout() or Path.cwd())


def template_dirs(template_dir: Path | None = None) -> tuple[str, ...]:
    """Template folders, first wins: template_dir (given by a caller or a
    test), else the user's templates/ folders, then the built-in one."""
    dirs = [template_dir, builtin_dir("templates")] if template_dir else current().template_dirs()
    return tuple(str(d) for d in dirs)


def handed_down(places: Places) -> dict[str, str]:
    """The environment that makes a child process's current() equal places."""
    return {HOME_ENV: str(places.home), TEMPLATES_ENV: str(places.templates or ""),
            FONTS_ENV: str(places.fonts or "")}
