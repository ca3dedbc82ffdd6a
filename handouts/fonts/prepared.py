"""Prepared fonts: registered ReportLab fonts for a set of texts, with per-character fallback."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFont

from .discovery import FontFace
from .registry import Source, activate, widen


def is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Zs"


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
        if is_space(ch):
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
        if whole is None or cp not in whole[1] or not widen(font, whole[0]):
            return False
        return bool(font.face.charToGlyph.get(cp))

    def _activate(self, name: str) -> None:
        activate(name, self._fonts[name])
