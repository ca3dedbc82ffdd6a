"""Where fonts come from: user and system font files, ranked per role.

A role's candidates are the faces fonts.toml names, found first among the
user's font files, then among installed system fonts, then as free
substitutes; any embeddable CJK face is the last resort. The file scan and
its on-disk index are in scan.py; this module turns them into ranked faces.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..places.resources import CACHE_ENV, default_cache_dir
from .config import RoleConfig
from .scan import (
    FaceInfo,
    FontIndex,
    fontconfig_files,
    matching,
    scan_dirs,
    style_rank,
    system_font_dirs,
    unusable_reason,
)

__all__ = ["CACHE_ENV", "FontFace", "default_cache_dir", "discover", "face_of", "installed_cjk", "rank"]

FaceKey = tuple[str, int]


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int
    family: str
    origin: str  # "user" | "system" | "substitute"
    is_cff: bool

    @property
    def key(self) -> FaceKey:
        return (str(self.path), self.index)


# Per process: one index per cache folder, fontconfig asked once.
_INDEXES: dict[Path, FontIndex] = {}
_FC_FILES: list[Path] | None = None


def clear_memo() -> None:
    global _FC_FILES
    _INDEXES.clear()
    _FC_FILES = None


def discover(
    font_dirs: Sequence[Path], cache_dir: Path, system_dirs: Sequence[Path] | None
) -> tuple[list[FaceInfo], list[FaceInfo], dict[str, str]]:
    """User faces (font_dirs, first wins), system faces, and unreadable user files (path → reason)."""
    if cache_dir not in _INDEXES:
        _INDEXES[cache_dir] = FontIndex(cache_dir)
    index = _INDEXES[cache_dir]
    user_files = scan_dirs(font_dirs, exclude=[cache_dir])
    system_files = _system_files(system_dirs, font_dirs, user_files)
    user_faces = index.faces(user_files)
    problems = {str(p): index.problems[os.path.realpath(p)]
                for p in user_files if os.path.realpath(p) in index.problems}
    return user_faces, index.faces(system_files), problems


def rank(
    rc: RoleConfig, user: Sequence[FaceInfo], system: Sequence[FaceInfo]
) -> list[tuple[FontFace, str]]:
    """(face, reason it cannot be used or "") in priority order, each face once."""
    tiers = [
        (user, rc.candidates, "user"),
        (system, rc.candidates, "system"),
        (list(user) + list(system), rc.substitutes, "substitute"),
    ]
    seen: set[FaceKey] = set()
    out: list[tuple[FontFace, str]] = []
    for faces, names, origin in tiers:
        for info in matching(faces, names):
            if (info.path, info.index) not in seen:
                seen.add((info.path, info.index))
                out.append((face_of(info, origin), unusable_reason(info)))
    return out


def face_of(info: FaceInfo, origin: str) -> FontFace:
    return FontFace(Path(info.path), info.index, info.display, origin, info.outline == "cff")


def installed_cjk(
    user: Sequence[FaceInfo], system: Sequence[FaceInfo], user_keys: set[FaceKey]
) -> list[FontFace]:
    """Every embeddable CJK face, regular upright ones first: the last fallback."""
    usable = [f for f in list(user) + list(system) if f.cjk and not unusable_reason(f)]
    usable.sort(key=lambda f: ((f.path, f.index) not in user_keys, *style_rank(f)))
    return [face_of(f, "user" if (f.path, f.index) in user_keys else "system") for f in usable]


def _system_files(
    system_dirs: Sequence[Path] | None, font_dirs: Sequence[Path], user_files: Sequence[Path]
) -> list[Path]:
    global _FC_FILES
    if system_dirs is None:
        if _FC_FILES is None:
            _FC_FILES = fontconfig_files()
        files = _FC_FILES + scan_dirs(system_font_dirs())
    else:
        files = scan_dirs(system_dirs)
    user_roots = tuple(os.path.realpath(d) + os.sep for d in font_dirs)
    taken = {os.path.realpath(p) for p in user_files}
    unique: dict[str, Path] = {}
    for path in files:
        real = os.path.realpath(path)
        if real not in taken and not real.startswith(user_roots):
            unique.setdefault(real, Path(real))
    return [unique[k] for k in sorted(unique)]
