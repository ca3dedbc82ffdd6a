"""Word's automatic numbering (word/numbering.xml) as the text Word shows.

A draft's study items (1. 2. …), headings (一、（一）) or "附件1" may be
automatic list numbers rather than typed text: the paragraph then holds no
number at all. The reader writes the number Word would show in front of the
paragraph text, so that the parser sees what the clerk sees.

Counters follow Word: one per abstract list (w:num instances sharing an
abstract list continue it unless they override the start), a level's number
restarts after a higher level's, unused higher levels show their start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from .wordml import attr, local, to_int

_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(n: int, digits: str = _DIGITS, ten: str = "十", hundred: str = "百") -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百〇五 (as Word counts)."""
    if n <= 0 or n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = digits[hundreds] + hundred if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + ten
    elif hundreds and units:
        out += digits[0]
    return out + (digits[units] if units else "")


def _letters(n: int, upper: bool) -> str:
    base = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "abcdefghijklmnopqrstuvwxyz"
    return base[(n - 1) % 26] * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _roman(n: int, upper: bool) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += letters * count
    return out if upper else out.lower()


def _enclosed(first: int, last: int) -> Callable[[int], str]:
    return lambda n: chr(first + n - 1) if 1 <= n <= last - first + 1 else str(n)


FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "decimalHalfWidth": str,
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "japaneseCounting": _chinese,
    "taiwaneseCounting": _chinese,
    "ideographDigital": lambda n: "".join(_DIGITS[int(d)] for d in str(n)),
    "chineseLegalSimplified": lambda n: _chinese(n, _LEGAL, "拾", "佰"),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10] if n > 0 else str(n),
    "ideographZodiac": lambda n: _BRANCHES[(n - 1) % 12] if n > 0 else str(n),
    "decimalEnclosedCircle": _enclosed(0x2460, 0x2473),
    "decimalEnclosedCircleChinese": _enclosed(0x2460, 0x2473),
    "decimalEnclosedParen": _enclosed(0x2474, 0x2487),
    "decimalEnclosedFullstop": _enclosed(0x2488, 0x249B),
    "upperLetter": lambda n: _letters(n, True),
    "lowerLetter": lambda n: _letters(n, False),
    "upperRoman": lambda n: _roman(n, True),
    "lowerRoman": lambda n: _roman(n, False),
    "none": lambda n: "",
}


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "tab"  # tab | space | nothing
    legal: bool = False  # w:isLgl: every level's number in decimal
    bullet_font: str = ""


@dataclass
class Numbering:
    """The numbering definitions of one document and the counters of one reading."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, Level], dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)  # formats shown as decimal

    @classmethod
    def parse(cls, root: etree._Element | None) -> Numbering:
        out = cls()
        if root is None:
            return out

        def levels(parent: etree._Element) -> dict[int, Level]:
            return {to_int(attr(lvl, "ilvl"), 0): _level(lvl)
                    for lvl in parent if local(lvl) == "lvl"}

        for el in root:
            if local(el) == "abstractNum":
                out.abstract[attr(el, "abstractNumId") or ""] = levels(el)
        for el in root:
            if local(el) != "num":
                continue
            ref = next((attr(c, "val") for c in el if local(c) == "abstractNumId"), "") or ""
            replaced: dict[int, Level] = {}
            starts: dict[int, int] = {}
            for override in (c for c in el if local(c) == "lvlOverride"):
                ilvl = to_int(attr(override, "ilvl"), 0)
                for c in override:
                    if local(c) == "startOverride":
                        starts[ilvl] = to_int(attr(c, "val"), 1)
                    elif local(c) == "lvl":
                        replaced[ilvl] = _level(c)
            out.nums[attr(el, "numId") or ""] = (ref, replaced, starts)
        return out

    def label(self, num_id: str, ilvl: int, symbol: Callable[[str, str], str]) -> str:
        """The next number of that list and level, as Word shows it ('' if none)."""
        if num_id not in self.nums or num_id == "0":
            return ""
        ref, replaced, starts = self.nums[num_id]
        defined = {**self.abstract.get(ref, {}), **replaced}
        level = defined.get(ilvl, Level())
        counts = self.counters.setdefault(ref, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for k, start in starts.items():
                counts[k] = start - 1
        counts[ilvl] = counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        if level.fmt == "bullet":
            text = "".join(symbol(ch, level.bullet_font) for ch in level.text)
        else:
            text = level.text
            for k in range(8, -1, -1):  # %10 is no placeholder; %1…%9 are
                if f"%{k + 1}" in text:
                    shown = defined.get(k, Level())
                    value = counts.get(k, shown.start)
                    fmt = "decimal" if level.legal else shown.fmt
                    if fmt not in FORMATS:
                        self.unknown.add(fmt)
                    shown_value = FORMATS.get(fmt, str)(value) if value > 0 else str(value)
                    text = text.replace(f"%{k + 1}", shown_value)
        return text + (" " if level.suffix == "space" and text else "")


def _level(lvl: etree._Element) -> Level:
    level = Level()
    for c in lvl:
        name = local(c)
        if name == "start":
            level.start = to_int(attr(c, "val"), 1)
        elif name == "numFmt":
            level.fmt = attr(c, "val") or "decimal"
        elif name == "lvlText":
            level.text = attr(c, "val") or ""
        elif name == "suff":
            level.suffix = attr(c, "val") or "tab"
        elif name == "isLgl":
            level.legal = (attr(c, "val") or "true") not in ("0", "false", "off")
        elif name == "rPr":
            fonts = next((f for f in c if local(f) == "rFonts"), None)
            if fonts is not None:
                level.bullet_font = attr(fonts, "ascii") or attr(fonts, "hAnsi") or ""
    return level
