"""Finding font files and the faces in them, cheaply.

Scanning runs on every build, so it never parses outlines: a face is known by
its name, OS/2 and table directory, and those facts are cached on disk keyed
by (path, size, mtime). Character maps and coverage are in cmap.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# fontTools is imported where a font file is read: a warm build reads none.

FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc"})
INDEX_FILE = "font-index.json"
# Bump when FaceInfo changes so stale cache files are ignored, not misread.
INDEX_VERSION = 1

# Name IDs: 1 family, 16 typographic family, 21 WWS family; 4 full, 6 PostScript.
_FAMILY_IDS = (1, 16, 21)
_FULL_IDS = (4, 6)
_LANG_EN, _LANG_ZH_CN = 0x409, 0x804

# OS/2 bits that mark a CJK font: code pages JIS, GB2312, Wansung, Big5, Johab
# (ulCodePageRange1 bits 17-21) and "CJK Unified Ideographs" (Unicode range 59).
_CJK_CODEPAGES = 0x1F << 17
_CJK_UNICODE_RANGE2 = 1 << (59 - 32)


@dataclass(frozen=True)
class FaceInfo:
    """What the scan knows about one face (one member of a .ttc)."""

    path: str
    index: int
    display: str  # the name shown to users: Chinese full name if any, else English
    families: tuple[str, ...]  # matching keys of family names, all languages
    full_names: tuple[str, ...]  # matching keys of full and PostScript names
    weight: int
    italic: bool
    fs_type: int
    outline: str  # "glyf", "cff" or "" (bitmap-only or unknown)
    cjk: bool


def match_key(name: str) -> str:
    """Normalise a font name for matching: "仿宋_GB2312" == "仿宋 gb2312"."""
    return "".join(ch for ch in name.casefold() if ch not in " -_\t")


# --- locating files -------------------------------------------------------


def system_font_dirs() -> list[Path]:
    """The platform's usual font folders, existing or not."""
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
    ]


def fontconfig_files() -> list[Path]:
    """Font files fontconfig knows (it also sees folders we do not scan)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, "--format", "%{file}\n"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line) for line in out.splitlines() if Path(line).suffix.lower() in FONT_SUFFIXES]


def scan_dirs(dirs: Iterable[Path], exclude: Sequence[Path] = ()) -> list[Path]:
    """Font files under dirs, recursively; hidden folders (such as .cache) skipped."""
    # Linked folders are followed (distributions link font packages in), once each.
    seen = {os.path.realpath(p) for p in exclude}
    found: list[Path] = []
    for root in dirs:
        if not root.is_dir() or os.path.realpath(root) in seen:
            continue
        seen.add(os.path.realpath(root))
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            keep = []
            for d in sorted(dirnames):
                real = os.path.realpath(Path(dirpath, d))
                if not d.startswith(".") and real not in seen:
                    seen.add(real)
                    keep.append(d)
            dirnames[:] = keep
            found.extend(
                Path(dirpath, f) for f in sorted(filenames)
                if Path(f).suffix.lower() in FONT_SUFFIXES and not f.startswith(".")
            )
    return found


# --- reading names ---------------------------------------------------------


def read_faces(path: Path) -> list[FaceInfo]:
    """Every face in a font file, from the name and OS/2 tables only."""
    from fontTools.ttLib.sfnt import readTTCHeader

    with path.open("rb") as fh:
        is_collection = fh.read(4) == b"ttcf"
        fh.seek(0)
        count = readTTCHeader(fh).numFonts if is_collection else 1
    return [_read_face(path, i) for i in range(count)]


def _read_face(path: Path, index: int) -> FaceInfo:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        names = font["name"].names if "name" in font else []
        families = _names(names, _FAMILY_IDS)
        full = _names(names, _FULL_IDS)
        os2 = font["OS/2"] if "OS/2" in font else None
        outline = "glyf" if "glyf" in font else ("cff" if "CFF " in font or "CFF2" in font else "")
        return FaceInfo(
            path=str(path),
            index=index,
            display=_display_name(names) or path.stem,
            families=tuple(sorted({match_key(n) for n in families})),
            full_names=tuple(sorted({match_key(n) for n in full})),
            weight=getattr(os2, "usWeightClass", 400),
            italic=bool(getattr(os2, "fsSelection", 0) & 1),
            fs_type=getattr(os2, "fsType", 0),
            outline=outline,
            cjk=_is_cjk(os2),
        )


def _names(records: Iterable, ids: tuple[int, ...]) -> list[str]:
    out = []
    for rec in records:
        if rec.nameID in ids:
            text = rec.toUnicode(errors="ignore").strip("\0 ")
            if text:
                out.append(text)
    return out


def _display_name(records: Iterable) -> str:
    """Chinese full name when the font has one (clerks know 仿宋, not FangSong)."""
    best: dict[tuple[int, int], str] = {}
    for rec in records:
        if rec.nameID in (4, 1) and rec.platformID == 3:
            text = rec.toUnicode(errors="ignore").strip("\0 ")
            if text:
                best.setdefault((rec.langID, rec.nameID), text)
    for key in ((_LANG_ZH_CN, 4), (_LANG_EN, 4), (_LANG_ZH_CN, 1), (_LANG_EN, 1)):
        if key in best:
            return best[key]
    return next(iter(best.values()), "")


def _is_cjk(os2: object) -> bool:
    if os2 is None:
        return False
    codepages = getattr(os2, "ulCodePageRange1", 0) or 0
    return bool(codepages & _CJK_CODEPAGES or getattr(os2, "ulUnicodeRange2", 0) & _CJK_UNICODE_RANGE2)


# --- choosing faces -----------------------------------------------------------

_FS_RESTRICTED, _FS_NO_SUBSET, _FS_BITMAP_ONLY = 0x0002, 0x0100, 0x0200


def matching(faces: Sequence[FaceInfo], names: Iterable[str]) -> list[FaceInfo]:
    """Faces named by `names`, in their order.

    A full name ("Noto Serif CJK SC Bold") picks exactly those faces; a family
    name picks its most regular upright face, not every weight.
    """
    out: list[FaceInfo] = []
    for name in names:
        key = match_key(name)
        exact = sorted((f for f in faces if key in f.full_names), key=lambda f: (f.path, f.index))
        if exact:
            out += exact
            continue
        family = sorted((f for f in faces if key in f.families), key=style_rank)
        out += [f for f in family if style_rank(f)[:3] == style_rank(family[0])[:3]]
    return out


def style_rank(info: FaceInfo) -> tuple[bool, int, bool, str, int]:
    # Upright, weight nearest 400, heavier on a tie (Medium over Light).
    return (info.italic, abs(info.weight - 400), info.weight < 400, info.path, info.index)


def unusable_reason(info: FaceInfo) -> str:
    """Why a face cannot be embedded in the PDF (Chinese), or "" if it can."""
    fs = info.fs_type
    if fs & _FS_RESTRICTED:
        return f"字体许可禁止嵌入（OS/2 fsType 0x{fs:04X}：restricted license embedding）"
    if fs & _FS_NO_SUBSET:
        return f"字体许可禁止子集化（OS/2 fsType 0x{fs:04X}：no subsetting），而 PDF 只嵌入用到的字"
    if fs & _FS_BITMAP_ONLY:
        return f"字体许可只允许嵌入位图（OS/2 fsType 0x{fs:04X}：bitmap embedding only）"
    if not info.outline:
        return "没有 TrueType 或 CFF 轮廓（outlines），无法嵌入 PDF"
    return ""


# --- the on-disk index -------------------------------------------------------


class FontIndex:
    """(path, size, mtime) → faces, kept in <cache>/font-index.json."""

    def __init__(self, cache_dir: Path) -> None:
        self.file = cache_dir / INDEX_FILE
        self._entries = self._load()
        self._dirty = False
        # Files that could not be read, with the reason, for the --fonts report.
        self.problems: dict[str, str] = {}

    def _load(self) -> dict[str, dict]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def faces(self, paths: Iterable[Path]) -> list[FaceInfo]:
        """Faces of the given files, reading only files that are new or changed."""
        out: list[FaceInfo] = []
        for path in paths:
            out.extend(self._faces_of(path))
        self.save()
        return out

    def _faces_of(self, path: Path) -> list[FaceInfo]:
        key = os.path.realpath(path)
        try:
            st = os.stat(key)
        except OSError:
            return []
        entry = self._entries.get(key)
        if not entry or entry.get("size") != st.st_size or entry.get("mtime_ns") != st.st_mtime_ns:
            entry = self._read_entry(Path(key), st)
            self._entries[key] = entry
            self._dirty = True
        if entry.get("error"):
            self.problems[key] = entry["error"]
        return [_face_from_json(f) for f in entry.get("faces", [])]

    @staticmethod
    def _read_entry(path: Path, st: os.stat_result) -> dict:
        entry: dict = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
        try:
            entry["faces"] = [asdict(f) for f in read_faces(path)]
        except Exception as exc:  # any broken file is reported, not fatal
            entry["faces"] = []
            entry["error"] = f"{type(exc).__name__}: {exc}"
        return entry

    def save(self) -> None:
        if not self._dirty:
            return
        self._entries = {k: v for k, v in self._entries.items() if os.path.exists(k)}
        payload = {"version": INDEX_VERSION, "files": self._entries}
        try:
            atomic_write(self.file, json.dumps(payload, ensure_ascii=False, sort_keys=True).encode())
        except OSError:
            return  # a read-only cache only costs speed
        self._dirty = False


def _face_from_json(data: dict) -> FaceInfo:
    data = dict(data)
    data["families"] = tuple(data["families"])
    data["full_names"] = tuple(data["full_names"])
    return FaceInfo(**data)


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
