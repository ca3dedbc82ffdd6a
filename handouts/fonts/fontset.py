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
from dataclasses import replace
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFont

from ..places.resources import current
from . import discovery, registry
from .cmap import Coverage, CoverageCache, read_cmap
from .config import ROLE_LABELS, ROLES, FontConfigError, RoleConfig, load_config
from .convert import ConvertedCache
from .discovery import FaceKey, FontFace, default_cache_dir, installed_cjk, rank
from .prepared import PreparedFonts, is_space
from .registry import FaceFailed, Source, is_subset, reportlab_font, whole_source
from .report import fonts_report
from .scan import FaceInfo

__all__ = [
    "ROLES",
    "FontConfigError",
    "FontFace",
    "FontSet",
    "MissingGlyphError",
    "PreparedFonts",
    "default_cache_dir",
    "fonts_report",
]

# Per-character fallback tries the other roles' faces in this order: regular
# text faces before the heavy title face, which would look bold in running text.
FALLBACK_ROLE_ORDER = ("body", "folio", "heading2", "heading1", "title")

# Always put into a role's main font when the face has them, so that page
# numbers and stray ASCII punctuation never need a second prepare().
BASE_CHARS = "".join(map(chr, range(0x20, 0x7F))) + (
    "\u3000—–…·、。，．：；！？“”‘’（）《》〈〉【】〔〕「」『』％"
)




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



# --- per-process memo ---------------------------------------------------------

_CMAPS: dict[tuple[str, int, int, int, bool], dict[int, int]] = {}
_COVERAGE: dict[tuple[str, int, int, int, bool], Coverage] = {}
# (face, cache dir) → (converted file, code points it holds): grows to the
# union of all sets asked for, so earlier PreparedFonts stay valid.
_CONVERTED: dict[tuple[str, int, int, int, Path], tuple[Path, frozenset[int]]] = {}
_NO_COVERAGE = Coverage.from_cmap({})


def clear_memo() -> None:
    """Forget everything read in this process (tests; long-running callers)."""
    for memo in (_CMAPS, _COVERAGE, _CONVERTED):
        memo.clear()
    discovery.clear_memo()
    registry.clear_memo()


def _stat_key(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


# --- loading ------------------------------------------------------------------


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
            self._ranked[role] = rank(config[role], user_faces, system_faces)
        self._installed = installed_cjk(user_faces, system_faces, self._user_keys)
        self._fill_empty_roles()

    @classmethod
    def load(
        cls,
        config: Path | None = None,
        font_dir: Path | Sequence[Path] | None = None,
        cache_dir: Path | None = None,
        system_dirs: Sequence[Path] | None = None,
    ) -> FontSet:
        """Defaults: the fonts.toml and user font folders of places.current()."""
        places = current()
        roles = load_config(config or places.font_config().path)
        if font_dir is None:
            font_dirs = places.font_dirs()
        else:
            font_dirs = [font_dir] if isinstance(font_dir, Path) else list(font_dir)
        cache_dir = cache_dir or default_cache_dir()
        user_faces, system_faces, problems = discovery.discover(font_dirs, cache_dir, system_dirs)
        return cls(roles, user_faces, system_faces, cache_dir, problems)

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
            use = self._space_use(chain, ch) if is_space(ch) else self._glyph_use(chain, ch)
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
            except FaceFailed as failed:
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
                raise FaceFailed(chains[role][0], "没有可用的 Unicode 字符映射表（cmap）")
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
                raise FaceFailed(face, f"无法转换为 TrueType：{type(exc).__name__}: {exc}") from exc
        return sources

    def _subset_source(self, face: FontFace, codepoints: set[int]) -> Source:
        # ReportLab parses the whole cmap and hmtx of a file it opens: a cached
        # subset takes milliseconds where a 20 000-glyph font takes a tenth of
        # a second or more, and embeds the same bytes. A face we cannot cut
        # down (or a cache we cannot write) is read whole, as it always was.
        try:
            return (str(self._converted(face, codepoints)), 0)
        except Exception:
            return whole_source(face)

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
                    fonts[name], files[name] = reportlab_font(face, name, sources[face.key])
                    faces[name] = face
                    if is_subset(face, files[name]):
                        whole[name] = (whole_source(face), self.cover(face))
                named[pos] = name
            names[role] = [named[pos] for pos in positions]
            uses[role] = {ch: (named[pos], drawn) for ch, (pos, drawn) in plans[role].items()}
        fallbacks = [
            (ch, role, chains[role][pos].family)
            for role in plans
            for ch, (pos, _) in plans[role].items()
            if pos > 0 and not is_space(ch)
        ]
        return PreparedFonts(fonts, faces, files, names, uses, fallbacks, whole=whole)


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


def _cmap(key: tuple[str, int, int, int, bool]) -> dict[int, int]:
    """read_cmap of a face, memoised; only needed when a glyph id is asked for."""
    if key not in _CMAPS:
        path, index, _, _, is_cff = key
        _CMAPS[key] = read_cmap(Path(path), index, reportlab_choice=not is_cff)
    return _CMAPS[key]
