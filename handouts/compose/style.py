"""templates/style.toml → a typed style sheet, read once per process.

Both writers take every length from here, so the Word file and the PDF agree
by construction. All derived geometry is in PDF points.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

MM = 72 / 25.4  # points per millimetre


class StyleError(Exception):
    """A broken style sheet: a Chinese message naming the key."""


@dataclass(frozen=True)
class ParagraphStyle:
    name: str
    word: str
    role: str
    size: float
    align: str = "justify"
    first_indent: float = 0.0
    left_indent: float = 0.0
    right_indent: float = 0.0
    keep_with_next: bool = False
    rest_role: str | None = None
    date_offset: float = 0.0


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    lines: int
    chars: int
    body_size: float

    @property
    def block_left(self) -> float:
        return self.margin_left

    @property
    def block_right(self) -> float:
        return self.width - self.margin_right

    @property
    def block_top(self) -> float:
        """Distance of the text block's top from the page's top edge."""
        return self.margin_top

    @property
    def block_bottom(self) -> float:
        return self.height - self.margin_bottom

    @property
    def block_width(self) -> float:
        return self.block_right - self.block_left

    @property
    def block_height(self) -> float:
        return self.block_bottom - self.block_top

    @property
    def line_pitch(self) -> float:
        return self.block_height / self.lines

    @property
    def char_pitch(self) -> float:
        return self.block_width / self.chars

    @property
    def tracking(self) -> float:
        """Space added after each body character so that `chars` fill a line (negative: tight)."""
        return self.char_pitch - self.body_size


@dataclass(frozen=True)
class Folio:
    role: str
    size: float
    format: str
    offset: float  # points below the text block
    indent_chars: float


@dataclass(frozen=True)
class TableStyle:
    border_pt: float
    padding: float  # points
    ruled_pitch: float  # points
    cell_line_factor: float  # inside cells lines are off the page grid: pitch = size × this


@dataclass(frozen=True)
class StyleSheet:
    page: Page
    folio: Folio
    styles: dict[str, ParagraphStyle]
    tables: TableStyle

    def __getitem__(self, name: str) -> ParagraphStyle:
        try:
            return self.styles[name]
        except KeyError:
            raise StyleError(f"样式表中没有样式“{name}”（templates/style.toml）") from None

    def roles_of_style(self) -> dict[str, str]:
        return {name: s.role for name, s in self.styles.items()}


def _known(cls: type, data: dict, where: str) -> dict:
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise StyleError(f"style.toml [{where}] 中有未知的键：{', '.join(sorted(unknown))}")
    return data


def load_style(path: Path | None = None) -> StyleSheet:
    """The style sheet at path; by default the user's style.toml, else the built-in one."""
    return _load_style(path or _default_path())


def _default_path() -> Path:
    from ..places.resources import current

    return current().template("style.toml").path


@lru_cache(maxsize=4)
def _load_style(path: Path) -> StyleSheet:
    return _sheet(_read(path), path)


def load_variant(name: str, path: Path | None = None) -> StyleSheet:
    """The style sheet with [variants.<name>] laid over it: its [page] keys
    replace the main page's, its styles join the main ones. Only documents
    that ask for the variant see it (the summary of --collect); the main
    sheet, and with it every Word file's styles part, stays as it is."""
    return _load_variant(name, path or _default_path())


@lru_cache(maxsize=4)
def _load_variant(name: str, path: Path) -> StyleSheet:
    data = _read(path)
    variant = data.get("variants", {}).get(name)
    if variant is None:
        raise StyleError(f"样式表 {path} 中没有 [variants.{name}]")
    merged = dict(data)
    merged["page"] = {**data["page"], **variant.get("page", {})}
    merged["styles"] = {**data["styles"], **variant.get("styles", {})}
    return _sheet(merged, path)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StyleError(f"无法读取样式表 {path}：{exc}") from None


def _sheet(data: dict, path: Path) -> StyleSheet:
    try:
        pg = data["page"]
        page = Page(
            width=pg["width_mm"] * MM,
            height=pg["height_mm"] * MM,
            margin_top=pg["margin_top_mm"] * MM,
            margin_bottom=pg["margin_bottom_mm"] * MM,
            margin_left=pg["margin_left_mm"] * MM,
            margin_right=pg["margin_right_mm"] * MM,
            lines=int(pg["lines"]),
            chars=int(pg["chars"]),
            body_size=float(pg["body_size"]),
        )
        fo = data["folio"]
        folio = Folio(fo["role"], float(fo["size"]), fo["format"], fo["offset_mm"] * MM,
                      float(fo["indent_chars"]))
        tb = data["tables"]
        tables = TableStyle(float(tb["border_pt"]), tb["padding_mm"] * MM,
                            tb["ruled_pitch_mm"] * MM, float(tb["cell_line_factor"]))
        styles = {
            name: ParagraphStyle(name=name, **_known(ParagraphStyle, dict(s), f"styles.{name}"))
            for name, s in data["styles"].items()
        }
    except KeyError as exc:
        raise StyleError(f"样式表 {path} 缺少键 {exc}") from None
    except TypeError as exc:
        raise StyleError(f"样式表 {path} 有错误：{exc}") from None
    return StyleSheet(page, folio, styles, tables)
