"""The font layer: font roles → Word family names and embeddable PDF fonts.

Documents name roles (title, body, heading1, heading2, folio), never files.
`FontSet.load()` reads fonts/fonts.toml and finds, per role, the faces the PDF
may use: files dropped into fonts/, then installed system fonts, then free
substitutes. `FontSet.prepare()` assigns every character to the first face
that has it (the role's own faces, then other roles', then any installed CJK
face), converts CFF faces to TrueType subsets, cuts TrueType faces down to the
characters in use (both cached on disk) and registers everything with ReportLab.

A warm build reads no big font file: what each face covers comes from the
coverage cache, and ReportLab only ever opens the small cached subsets, which
embed in the PDF exactly as the whole fonts would (fontconvert.build_subset).
Font files are read once per process: coverage, character maps, subsets and
ReportLab font objects are memoised at module level.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFace

from .config import ROLE_LABELS, ROLES, FontConfigError, RoleConfig, load_config
from .convert import ConvertedCache
from .files import (
    Coverage,
    CoverageCache,
    FaceInfo,
    FontIndex,
    fontconfig_files,
    matching,
    read_cmap,
    scan_dirs,
    style_rank,
    system_font_dirs,
    unusable_reason,
)
from .reuse import reuse_subsets

__all__ = [
    "ROLES",
    "FontConfigError",
    "FontFace",
    "FontSet",
    "MissingGlyphError",
    "PreparedFonts",
    "fonts_report",
]

PROJECT_DIR = Path(__file__).resolve().parents[2]
CACHE_ENV = "HANDOUTS_FONT_CACHE"
ORIGIN_LABELS = {"user": "用户字体", "system": "系统字体", "substitute": "替代字体"}

# Per-character fallback tries the other roles' faces in this order: regular
# text faces before the heavy title face, which would look bold in running text.
FALLBACK_ROLE_ORDER = ("body", "folio", "heading2", "heading1", "title")

# Always put into a role's main font when the face has them, so that page
# numbers and stray ASCII punctuation never need a second prepare().
BASE_CHARS = "".join(map(chr, range(0x20, 0x7F))) + (
    "\u3000—–…·、。，．：；！？“”‘’（）《》〈〉【】〔〕「」『』％"
)

FaceKey = tuple[str, int]
Source = tuple[str, int]  # (file ReportLab reads, subfont index)


class MissingGlyphError(Exception):
    """A character no available font has. The caller adds file and line."""

    def __init__(self, char: str, role: str) -> None:
        self.char = char
        self.codepoint = f"U+{ord(char):04X}"
        self.role = role
        label = ROLE_LABELS.get(role, role)
        super().__init__(
            f"字符“{char}”（{self.codepoint}）在所有可用字体中都没有字形（missing glyph），"
            f"用于{label}（{role}）。请安装含有该字的字体，或把这样的字体文件放入 fonts/ 目录。"
        )

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.char, self.role))


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


# --- per-process memo ---------------------------------------------------------

_INDEXES: dict[Path, FontIndex] = {}
_FC_FILES: list[Path] | None = None
_CMAPS: dict[tuple[str, int, int, int, bool], dict[int, int]] = {}
_COVERAGE: dict[tuple[str, int, int, int, bool], Coverage] = {}
# (face, cache dir) → (converted file, code points it holds): grows to the
# union of all sets asked for, so earlier PreparedFonts stay valid.
_CONVERTED: dict[tuple[str, int, int, int, Path], tuple[Path, frozenset[int]]] = {}
_RL_FONTS: dict[tuple[str, Source], TTFont] = {}
_ACTIVE: dict[str, TTFont] = {}  # what we last registered under each name
_COLLECTIONS: dict[str, bool] = {}  # font file → is it a collection (.ttc)
_WHOLE_FACES: dict[Source, TTFontFace] = {}  # whole TrueType faces, read only if needed
_NO_COVERAGE = Coverage.from_cmap({})


def clear_memo() -> None:
    """Forget everything read in this process (tests; long-running callers)."""
    global _FC_FILES
    for memo in (_INDEXES, _CMAPS, _COVERAGE, _CONVERTED, _RL_FONTS, _ACTIVE, _COLLECTIONS,
                 _WHOLE_FACES):
        memo.clear()
    _FC_FILES = None


def _stat_key(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


# --- loading ------------------------------------------------------------------


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else PROJECT_DIR / "fonts" / ".cache"


class FontSet:
    """The faces available for every role, in priority order."""

    def __init__(
        self,
        config: Mapping[str, RoleConfig],
        user_faces: Sequence[FaceInfo],
        system_faces: Sequence[FaceInfo],
        cache_dir: Path,
        problems: Mapping[str, str] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.problems = dict(problems or {})  # unreadable files in fonts/: path → reason
        self._config = dict(config)
        self._user_keys = {(f.path, f.index) for f in user_faces}
        self._broken: dict[FaceKey, str] = {}  # faces that failed when used
        self._covers: dict[FaceKey, Mapping[int, int]] = {}
        self._ranked: dict[str, list[tuple[FontFace, str]]] = {}
        for role in ROLES:
            self._ranked[role] = _rank(config[role], user_faces, system_faces)
        self._installed = _installed_cjk(user_faces, system_faces, self._user_keys)
        self._fill_empty_roles()

    @classmethod
    def load(
        cls,
        config: Path | None = None,
        font_dir: Path | None = None,
        cache_dir: Path | None = None,
        system_dirs: Sequence[Path] | None = None,
    ) -> FontSet:
        roles = load_config(config or PROJECT_DIR / "fonts" / "fonts.toml")
        font_dir = font_dir or PROJECT_DIR / "fonts"
        cache_dir = cache_dir or default_cache_dir()
        if cache_dir not in _INDEXES:
            _INDEXES[cache_dir] = FontIndex(cache_dir)
        index = _INDEXES[cache_dir]
        user_files = scan_dirs([font_dir], exclude=[cache_dir])
        system_files = _system_files(system_dirs, font_dir, user_files)
        user_faces = index.faces(user_files)
        problems = {str(p): index.problems[os.path.realpath(p)]
                    for p in user_files if os.path.realpath(p) in index.problems}
        return cls(roles, user_faces, index.faces(system_files), cache_dir, problems)

    def _fill_empty_roles(self) -> None:
        for role in ROLES:
            if any(not reason for _, reason in self._ranked[role]):
                continue
            if not self._installed:
                raise FontConfigError(
                    f"没有找到可用于{ROLE_LABELS[role]}（{role}）的中文字体，系统中也没有任何可嵌入的"
                    "中文字体。请把字体文件放入 fonts/ 目录，或安装中文字体（如 fonts-noto-cjk）。"
                )
            # Any Chinese font is still a stand-in for the conventional face.
            self._ranked[role] += [(replace(f, origin="substitute"), "") for f in self._installed]

    # -- roles ----------------------------------------------------------------

    def word_family(self, role: str) -> str:
        return self._role(role).word

    def word_alternates(self, role: str) -> list[str]:
        return list(self._role(role).alternates)

    def hint(self, role: str) -> str:
        return self._role(role).hint

    def candidates(self, role: str) -> list[FontFace]:
        """Available, embeddable faces for the role, best first."""
        return [f for f, reason in self._ranked[self._role(role).role]
                if not reason and f.key not in self._broken]

    def chosen(self, role: str) -> FontFace:
        found = self.candidates(role)
        if not found:
            raise FontConfigError(f"{ROLE_LABELS[role]}（{role}）已没有可用的字体。")
        return found[0]

    def skipped(self, role: str) -> list[tuple[FontFace, str]]:
        """Faces named for the role that cannot be used, with the reason (Chinese)."""
        out = [(f, reason) for f, reason in self._ranked[self._role(role).role] if reason]
        out += [(f, self._broken[f.key]) for f, r in self._ranked[role]
                if not r and f.key in self._broken]
        return out

    def _role(self, role: str) -> RoleConfig:
        try:
            return self._config[role]
        except KeyError:
            raise FontConfigError(
                f"未知的字体角色（font role）：{role}；可用角色：{'、'.join(ROLES)}。"
            ) from None

    # -- fallback chains ------------------------------------------------------

    def chain(self, role: str) -> list[FontFace]:
        """Where a character of `role` is looked for: role, other roles, any CJK face."""
        order = [role] + [r for r in FALLBACK_ROLE_ORDER if r != role]
        seen: set[FaceKey] = set()
        out: list[FontFace] = []
        for face in [f for r in order for f in self.candidates(r)] + self._installed:
            if face.key not in seen and face.key not in self._broken:
                seen.add(face.key)
                out.append(face)
        return out

    def cover(self, face: FontFace) -> Mapping[int, int]:
        """Code point → glyph of a face, as ReportLab will see it (memoised).

        Which code points are covered comes from the on-disk coverage cache
        when warm; glyph ids are read from the font only if asked for.
        """
        if face.key not in self._covers:
            self._covers[face.key] = self._read_cover(face)
        return self._covers[face.key]

    def _read_cover(self, face: FontFace) -> Coverage:
        size, mtime = _stat_key(face.path)
        key = (str(face.path), face.index, size, mtime, face.is_cff)
        if key not in _COVERAGE:
            try:
                # A CFF face is read by us, a TrueType face by ReportLab.
                _COVERAGE[key] = CoverageCache(self.cache_dir).get(
                    face.path, face.index, reportlab_choice=not face.is_cff, glyphs=lambda: _cmap(key)
                )
            except Exception as exc:  # a broken font is skipped, not fatal
                self._broken[face.key] = f"无法读取字符映射表（cmap）：{exc}"
                _COVERAGE[key] = _NO_COVERAGE
        return _COVERAGE[key]

    def plan(self, role: str, text: str) -> tuple[dict[str, tuple[int, str]], list[str]]:
        """Each character → (position in chain(role), character drawn); and those no face has."""
        chain = self.chain(role)
        uses: dict[str, tuple[int, str]] = {}
        missing: list[str] = []
        for ch in dict.fromkeys(text):
            use = self._space_use(chain, ch) if _is_space(ch) else self._glyph_use(chain, ch)
            if use is None:
                missing.append(ch)
            else:
                uses[ch] = use
        return uses, missing

    def _glyph_use(self, chain: list[FontFace], ch: str) -> tuple[int, str] | None:
        cp = ord(ch)
        for pos, face in enumerate(chain):
            if cp in self.cover(face):
                return pos, ch
        return None

    def _space_use(self, chain: list[FontFace], ch: str) -> tuple[int, str]:
        # Whitespace never fails: drawn as itself if the main face has it,
        # otherwise as an ordinary space.
        if chain and ord(ch) in self.cover(chain[0]) and unicodedata.category(ch) == "Zs":
            return 0, ch
        for pos, face in enumerate(chain):
            if 0x20 in self.cover(face):
                return pos, " "
        raise FontConfigError("所有可用字体都没有空格字形（space），字体文件可能已损坏。")

    # -- preparing ------------------------------------------------------------

    def prepare(self, text_by_role: Mapping[str, str]) -> PreparedFonts:
        """Register fonts covering the given text with ReportLab.

        Only the roles given are prepared (pass "" for a role with no text of
        its own: its main font then still holds ASCII and common punctuation).
        Raises MissingGlyphError for a character no font has. A role's fonts
        are re-registered under the same names when later calls need more
        characters; do not call prepare() while a canvas is half drawn.
        """
        for role in text_by_role:
            self._role(role)
        # Each failure marks one more face broken, so this ends.
        while True:
            try:
                return self._prepare_once(text_by_role)
            except _FaceFailed as failed:
                self._broken[failed.face.key] = failed.reason

    def _prepare_once(self, text_by_role: Mapping[str, str]) -> PreparedFonts:
        # Only the roles asked for: an unused role costs no conversion.
        plans: dict[str, dict[str, tuple[int, str]]] = {}
        for role in (r for r in ROLES if r in text_by_role):
            uses, missing = self.plan(role, text_by_role[role])
            if missing:
                raise MissingGlyphError(missing[0], role)
            plans[role] = uses
        chains = {role: self.chain(role) for role in plans}
        for role in plans:
            if not chains[role]:
                self.chosen(role)  # raises FontConfigError
            if not self.cover(chains[role][0]):
                raise _FaceFailed(chains[role][0], "没有可用的 Unicode 字符映射表（cmap）")
        sources = self._sources(_glyph_needs(self, chains, plans))
        return self._register(chains, plans, sources)

    def _sources(self, needs: dict[FaceKey, tuple[FontFace, set[int]]]) -> dict[FaceKey, Source]:
        sources: dict[FaceKey, Source] = {}
        for key, (face, codepoints) in needs.items():
            if not face.is_cff:
                sources[key] = self._subset_source(face, codepoints)
                continue
            try:
                sources[key] = (str(self._converted(face, codepoints)), 0)
            except Exception as exc:  # an unconvertible face is skipped
                raise _FaceFailed(face, f"无法转换为 TrueType：{type(exc).__name__}: {exc}") from exc
        return sources

    def _subset_source(self, face: FontFace, codepoints: set[int]) -> Source:
        # ReportLab parses the whole cmap and hmtx of a file it opens: a cached
        # subset takes milliseconds where a 20 000-glyph font takes a tenth of
        # a second or more, and embeds the same bytes. A face we cannot cut
        # down (or a cache we cannot write) is read whole, as it always was.
        try:
            return (str(self._converted(face, codepoints)), 0)
        except Exception:
            return _whole_source(face)

    def _converted(self, face: FontFace, codepoints: set[int]) -> Path:
        memo_key = (str(face.path), face.index, *_stat_key(face.path), self.cache_dir)
        held_path, held = _CONVERTED.get(memo_key, (None, frozenset()))
        if held_path is not None and codepoints <= held:
            return held_path
        cache = ConvertedCache(self.cache_dir, "cff" if face.is_cff else "glyf")
        path, held = cache.get(face.path, face.index, held | codepoints)
        _CONVERTED[memo_key] = (path, held)
        return path

    def _register(
        self,
        chains: Mapping[str, list[FontFace]],
        plans: Mapping[str, dict[str, tuple[int, str]]],
        sources: Mapping[FaceKey, Source],
    ) -> PreparedFonts:
        fonts: dict[str, TTFont] = {}
        faces: dict[str, FontFace] = {}
        files: dict[str, Source] = {}
        names: dict[str, list[str]] = {}
        uses: dict[str, dict[str, tuple[str, str]]] = {}
        whole: dict[str, tuple[Source, Mapping[int, int]]] = {}
        # One ReportLab font per face: ReportLab names a face's PDF objects
        # after the face, so a face registered twice (two roles falling back
        # to one font, or a machine with a single CJK font) collides on save.
        by_face: dict[FaceKey, str] = {}
        for role in plans:
            positions = sorted({0} | {pos for pos, _ in plans[role].values()})
            named: dict[int, str] = {}
            for pos in positions:
                face = chains[role][pos]
                name = by_face.get(face.key)
                if name is None:
                    name = by_face[face.key] = f"HO-{role}-{pos}"
                    fonts[name], files[name] = _reportlab_font(face, name, sources[face.key])
                    faces[name] = face
                    if _is_subset(face, files[name]):
                        whole[name] = (_whole_source(face), self.cover(face))
                named[pos] = name
            names[role] = [named[pos] for pos in positions]
            uses[role] = {ch: (named[pos], drawn) for ch, (pos, drawn) in plans[role].items()}
        fallbacks = [
            (ch, role, chains[role][pos].family)
            for role in plans
            for ch, (pos, _) in plans[role].items()
            if pos > 0 and not _is_space(ch)
        ]
        return PreparedFonts(fonts, faces, files, names, uses, fallbacks, whole=whole)


class _FaceFailed(Exception):
    def __init__(self, face: FontFace, reason: str) -> None:
        super().__init__(reason)
        self.face, self.reason = face, reason


def _glyph_needs(
    fontset: FontSet,
    chains: Mapping[str, list[FontFace]],
    plans: Mapping[str, dict[str, tuple[int, str]]],
) -> dict[FaceKey, tuple[FontFace, set[int]]]:
    """Code points each face must hold: planned characters, plus BASE_CHARS for main faces."""
    needs: dict[FaceKey, tuple[FontFace, set[int]]] = {}
    for role in plans:
        main = chains[role][0]
        cover = fontset.cover(main)
        needs.setdefault(main.key, (main, set()))[1].update(
            cp for cp in map(ord, BASE_CHARS) if cp in cover
        )
        for pos, drawn in plans[role].values():
            face = chains[role][pos]
            needs.setdefault(face.key, (face, set()))[1].add(ord(drawn))
    return needs


def _reportlab_font(face: FontFace, name: str, source: Source) -> tuple[TTFont, Source]:
    """The ReportLab font for a name, and the file it was read from.

    A TrueType subset ReportLab cannot read (it should not happen) gives way
    to the whole face, so that failures and their messages stay as they were.
    """
    font = _RL_FONTS.get((name, source))
    if font is not None:
        return font, source
    path, index = source
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError) as exc:
        if _is_subset(face, source):
            return _reportlab_font(face, name, _whole_source(face))
        raise _FaceFailed(face, f"ReportLab 无法读取：{exc}") from exc
    if _is_subset(face, source):
        # ReportLab names a collection member "<PostScript name>-<index>" in
        # the PDF; reading the subset it would not know the face came from one.
        font.face.subfontNameX = f"-{face.index}".encode() if _is_collection(face.path) else b""
    reuse_subsets(font)
    _RL_FONTS[(name, source)] = font
    return font, source


def _whole_source(face: FontFace) -> Source:
    return (str(face.path), face.index)


def _is_subset(face: FontFace, source: Source) -> bool:
    """Whether ReportLab reads a cached subset of a TrueType face rather than the face itself."""
    return not face.is_cff and source != _whole_source(face)


def _is_collection(path: Path) -> bool:
    if str(path) not in _COLLECTIONS:
        with open(path, "rb") as fh:
            _COLLECTIONS[str(path)] = fh.read(4) == b"ttcf"
    return _COLLECTIONS[str(path)]


def _cmap(key: tuple[str, int, int, int, bool]) -> dict[int, int]:
    """read_cmap of a face, memoised; only needed when a glyph id is asked for."""
    if key not in _CMAPS:
        path, index, _, _, is_cff = key
        _CMAPS[key] = read_cmap(Path(path), index, reportlab_choice=not is_cff)
    return _CMAPS[key]


def _widen(font: TTFont, source: Source) -> bool:
    """Give a font read from a subset its whole face; False if that cannot be read.

    The whole face embeds what the subset held with the same bytes (see
    fontconvert.build_subset), so even a font already drawn with can switch.
    """
    face = _WHOLE_FACES.get(source)
    if face is None:
        try:
            face = _WHOLE_FACES[source] = TTFontFace(source[0], subfontIndex=source[1])
        except (TTFError, OSError, ValueError):
            return False
    font.face = face
    return True


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Zs"


# --- resolution -----------------------------------------------------------------


def _rank(
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
                out.append((_face(info, origin), unusable_reason(info)))
    return out


def _face(info: FaceInfo, origin: str) -> FontFace:
    return FontFace(Path(info.path), info.index, info.display, origin, info.outline == "cff")


def _installed_cjk(
    user: Sequence[FaceInfo], system: Sequence[FaceInfo], user_keys: set[FaceKey]
) -> list[FontFace]:
    """Every embeddable CJK face, regular upright ones first: the last fallback."""
    usable = [f for f in list(user) + list(system) if f.cjk and not unusable_reason(f)]
    usable.sort(key=lambda f: ((f.path, f.index) not in user_keys, *style_rank(f)))
    return [_face(f, "user" if (f.path, f.index) in user_keys else "system") for f in usable]


def _system_files(
    system_dirs: Sequence[Path] | None, font_dir: Path, user_files: Sequence[Path]
) -> list[Path]:
    global _FC_FILES
    if system_dirs is None:
        if _FC_FILES is None:
            _FC_FILES = fontconfig_files()
        files = _FC_FILES + scan_dirs(system_font_dirs())
    else:
        files = scan_dirs(system_dirs)
    user_root = os.path.realpath(font_dir) + os.sep
    taken = {os.path.realpath(p) for p in user_files}
    unique: dict[str, Path] = {}
    for path in files:
        real = os.path.realpath(path)
        if real not in taken and not real.startswith(user_root):
            unique.setdefault(real, Path(real))
    return [unique[k] for k in sorted(unique)]


# --- prepared fonts ----------------------------------------------------------------


class PreparedFonts:
    """Registered ReportLab fonts for a set of texts, with per-character fallback."""

    def __init__(
        self,
        fonts: Mapping[str, TTFont],
        faces: Mapping[str, FontFace],
        files: Mapping[str, Source],
        names: Mapping[str, list[str]],
        uses: Mapping[str, dict[str, tuple[str, str]]],
        fallbacks: list[tuple[str, str, str]],
        whole: Mapping[str, tuple[Source, Mapping[int, int]]] | None = None,
    ) -> None:
        self._fonts = dict(fonts)
        # Fonts read from a TrueType subset: the whole face and what it covers,
        # for characters prepare() was not given (see _has).
        self._whole = dict(whole or {})
        self._files = dict(files)
        self._faces = dict(faces)
        self._names = dict(names)
        self._uses = {role: dict(u) for role, u in uses.items()}
        self._widths: dict[tuple[str, str], float] = {}
        self.fallbacks = fallbacks
        for name in self._fonts:
            self._activate(name)

    def font_name(self, role: str) -> str:
        """The role's main ReportLab font name."""
        name = self._role_names(role)[0]
        self._activate(name)
        return name

    def font_names(self, role: str) -> list[str]:
        """The main font name, then the fallbacks the prepared text needs."""
        return list(self._role_names(role))

    def segments(self, role: str, text: str) -> list[tuple[str, str]]:
        """[(font name, substring)]: runs of text set in one font."""
        runs: list[tuple[str, list[str]]] = []
        for ch in text:
            name, drawn = self._use(role, ch)
            if runs and runs[-1][0] == name:
                runs[-1][1].append(drawn)
            else:
                runs.append((name, [drawn]))
        for name in {name for name, _ in runs}:
            self._activate(name)
        return [(name, "".join(chars)) for name, chars in runs]

    def advance(self, role: str, ch: str, size: float) -> float:
        """Width of one character in points."""
        return self._width_1000(role, ch) * size / 1000

    def width(self, role: str, text: str, size: float) -> float:
        return sum(self._width_1000(role, ch) for ch in text) * size / 1000

    def face(self, font_name: str) -> FontFace:
        try:
            return self._faces[font_name]
        except KeyError:
            raise KeyError(f"{font_name!r} is not a font of this PreparedFonts") from None

    def font_file(self, font_name: str) -> tuple[Path, int]:
        """The TrueType file ReportLab reads for a font name (a cached subset:
        converted for CFF faces, cut down for TrueType ones) and its index in a
        collection."""
        path, index = self._files[font_name]
        return Path(path), index

    def _role_names(self, role: str) -> list[str]:
        try:
            return self._names[role]
        except KeyError:
            raise ValueError(f"role {role!r} was not passed to FontSet.prepare()") from None

    def _width_1000(self, role: str, ch: str) -> float:
        key = (role, ch)
        if key not in self._widths:
            name, drawn = self._use(role, ch)
            self._widths[key] = self._fonts[name].face.getCharWidth(ord(drawn))
        return self._widths[key]

    def _use(self, role: str, ch: str) -> tuple[str, str]:
        uses = self._uses.setdefault(role, {})
        if ch not in uses:
            uses[ch] = self._late_use(role, ch)
        return uses[ch]

    def _late_use(self, role: str, ch: str) -> tuple[str, str]:
        # A character prepare() was not given: usable if a registered font of
        # the role has it (TrueType faces hold all their glyphs). Spaces as in
        # FontSet._space_use.
        names = self._role_names(role)
        if _is_space(ch):
            if not (unicodedata.category(ch) == "Zs" and self._has(names[0], ord(ch))):
                ch = " "
        for name in names:
            if self._has(name, ord(ch)):
                return name, ch
        raise ValueError(
            f"character {ch!r} (U+{ord(ch):04X}) of role {role!r} was not passed to "
            "FontSet.prepare(); include all text that will be drawn"
        )

    def _has(self, name: str, cp: int) -> bool:
        """Whether a registered font has a glyph for cp.

        A font read from a subset of a TrueType face switches to the whole
        face when that has the glyph (slow, but only for text prepare() was
        not given), so such text works as it did before faces were subset.
        """
        font = self._fonts[name]
        if font.face.charToGlyph.get(cp):
            return True
        whole = self._whole.get(name)
        if whole is None or cp not in whole[1] or not _widen(font, whole[0]):
            return False
        return bool(font.face.charToGlyph.get(cp))

    def _activate(self, name: str) -> None:
        # Another prepare() may have registered a different font under this
        # name; drawing with this object must use its own fonts.
        font = self._fonts[name]
        if _ACTIVE.get(name) is not font:
            # registerFont sets up the family mapping Paragraph needs, but it
            # keeps a name's first font and maps a new name to any earlier
            # font of the same PostScript name: both would be stale subsets.
            pdfmetrics.registerFont(font)
            pdfmetrics._fonts[name] = font
            _ACTIVE[name] = font


# --- the --fonts report ---------------------------------------------------------------


def fonts_report(fontset: FontSet, text_by_role: Mapping[str, str]) -> str:
    """For `python generate.py --fonts`: per role the Word name, PDF face, why, coverage."""
    lines: list[str] = []
    for role in ROLES:
        lines += _role_report(fontset, role, text_by_role.get(role, ""))
        lines.append("")
    if fontset.problems:
        lines.append("fonts/ 目录中无法读取的字体文件：")
        lines += [f"  {path}：{reason}" for path, reason in sorted(fontset.problems.items())]
    return "\n".join(lines).rstrip() + "\n"


def _role_report(fontset: FontSet, role: str, text: str) -> list[str]:
    face = fontset.chosen(role)
    word = fontset.word_family(role)
    alternates = "、".join(fontset.word_alternates(role)) or "无"
    kind = "CFF 轮廓，转换为 TrueType 后嵌入" if face.is_cff else "TrueType 轮廓，直接嵌入"
    lines = [
        f"【{ROLE_LABELS[role]} {role}】",
        f"  Word 字体：{word}（备选 alternates：{alternates}）",
        f"  PDF 字体：{face.family} — {face.path}，索引 {face.index}（{kind}）",
        f"  来源：{_why(face, word)}",
        f"  覆盖：{_coverage(fontset, role, text)}",
    ]
    if face.origin == "substitute":
        example = f"（如 {fontset.hint(role)}）" if fontset.hint(role) else ""
        lines.append(f"  提示：将 {word} 字体文件{example}放入 fonts/ 目录，或在系统中安装该字体，"
                     "PDF 即改用常规字体。")
    for skipped, reason in fontset.skipped(role):
        lines.append(f"  已跳过：{skipped.family} — {skipped.path}，索引 {skipped.index}：{reason}")
    return lines


def _why(face: FontFace, word: str) -> str:
    label = ORIGIN_LABELS[face.origin]
    if face.origin == "user":
        return f"{label}（user font，fonts/ 目录中的文件）"
    if face.origin == "system":
        return f"{label}（system font，已安装）"
    return f"{label}（substitute：未找到 {word}，以其他字体代替）"


def _coverage(fontset: FontSet, role: str, text: str) -> str:
    chars = [ch for ch in dict.fromkeys(text) if not _is_space(ch)]
    if not chars:
        return "未给出文字"
    uses, missing = fontset.plan(role, "".join(chars))
    chain = fontset.chain(role)
    fallen = [f"{ch}（U+{ord(ch):04X}）→ {chain[pos].family}"
              for ch, (pos, _) in uses.items() if pos > 0]
    parts = [f"{len(chars)} 个字符"]
    if not fallen and not missing:
        parts.append("全部有字形")
    if fallen:
        parts.append(f"{len(fallen)} 个改用其他字体：" + "；".join(fallen))
    if missing:
        parts.append(f"{len(missing)} 个没有任何字体含有：" +
                     "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in missing))
    return "，".join(parts)
