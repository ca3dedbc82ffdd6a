"""Chinese line breaking (禁则) and justification for the PDF writer.

LAYOUT.md "Line breaking" and rules L06, L07, L20-L22. ReportLab's own CJK
wrap is Japanese-oriented and ignores the line-end list, so the PDF writer
asks this module where lines break and where each character goes. Pure
Python on purpose: the rules are testable without fonts or a PDF.

Model: the text is cut into atoms (a character, a digit/Latin run, a run of
dashes or ellipses, a run of spaces); atoms that may not be separated are
glued into units; lines are filled greedily with units. A unit that does not
fit is either pulled up, by compressing the blank half of full-width
punctuation, or pushed down to the next line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

# Glue characters forbid a break on both sides, so they sit in both tables.
_GLUE = "\u00a0\u2007\u202f\u200d\u2060"

# Never at a line start (clreq, GB/T 15834). Full-width, ASCII and halfwidth
# forms are all listed because pasted text mixes them. Dashes and ellipses are
# here because a lone one must not start a line either.
NO_START = frozenset(
    "、，。．：；！？）】》〉」』〕〗〙〛｝］＞”’·・"
    + ",.;:!?)]}"
    + "｡､｣"
    + "%‰℃％"
    + "々〻ゝゞヽヾー"
    + "—―…⋯"
    + "‐–～〜"
    + _GLUE
)

# Never at a line end: opening brackets and quotes, and currency signs that
# belong to the number after them.
NO_END = frozenset("（【《〈「『〔〖〘〚｛［＜“‘" + "([{" + "｢" + "￥＄$£€" + _GLUE)

# Runs of these are one atom: "——" and "……" are never split. Mapping both
# dash forms to one class keeps a mixed "—―" together as well.
_RUN_CLASS = {"—": "dash", "―": "dash", "…": "ellipsis", "⋯": "ellipsis"}

# Breakable spaces: kept as glue inside a line, dropped at a break. U+200B is
# a zero-width break opportunity; no-break spaces are in _GLUE instead.
SPACES = frozenset(
    " \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a" + "\u200b\u205f\u3000"
)

# Full-width punctuation whose glyph fills half the em box; the other half is
# blank and may be compressed. The table says which side the blank is on.
SQUEEZE_RIGHT = frozenset("，。、；：！？．）】》〉」』〕〗〙〛｝］”’")
SQUEEZE_LEFT = frozenset("（【《〈「『〔〖〘〚｛［“‘")

# Inside a digit/Latin run: joiners bind only when a letter or digit follows
# ("3.5", "https://x.cn/a_b", "2025-02-17"); a range mark binds only between
# digits ("2024—2035", "1—2", "3～5"); suffixes bind after the run ("90%").
_JOINERS = frozenset(".,:/-_@#&=?~+'%\\")
_RANGE_MARKS = frozenset("—～~–-")
_SUFFIXES = frozenset("%‰℃％°")
# May open a run when a letter or digit follows ("_GoBack", "#3"); signs only
# before a digit ("-5℃").
_LEADERS = frozenset("_#@")
_SIGNS = frozenset("+-−±")

_HAN_RANGES = (
    (0x3007, 0x3007),  # 〇
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)
# Full-width digits and Latin letters, which category-based tests would miss
# because they sit above the CJK boundary.
_FULLWIDTH_ALNUM = ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
_CJK_START = 0x2E80


@lru_cache(maxsize=8192)  # a page asks about the same few hundred characters
def is_han(ch: str) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _HAN_RANGES)


@lru_cache(maxsize=8192)
def _is_alnum(ch: str) -> bool:
    o = ord(ch)
    if any(lo <= o <= hi for lo, hi in _FULLWIDTH_ALNUM):
        return True
    # str.isalnum() is true for Han too, hence the script boundary.
    return o < _CJK_START and unicodedata.category(ch)[0] in "LN"


@lru_cache(maxsize=8192)
def _is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"


@lru_cache(maxsize=8192)
def _is_mark(ch: str) -> bool:
    # Combining marks and variation selectors belong to the character before.
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


_SQUEEZABLE = SQUEEZE_RIGHT | SQUEEZE_LEFT


def squeezable(ch: str) -> bool:
    """Full-width punctuation whose half-em blank can be compressed."""
    return ch in _SQUEEZABLE


def _blank(ch: str, adv: float, em: float) -> float:
    # The glyph body takes half an em; only what lies beyond it is blank, so a
    # font that sets the mark narrower (or tracking) leaves less to squeeze.
    if not squeezable(ch):
        return 0.0
    return max(0.0, min(0.5 * em, adv - 0.5 * em))


def _eps(em: float) -> float:
    return 1e-6 * max(abs(em), 1.0)


# Advances: a function of the character, or each character's advance in
# text order (when a width depends on where the character stands, say on the
# font role of its run).
Advances = Callable[[str], float] | Sequence[float]


def _advances(text: str, advance: Advances) -> Sequence[float]:
    if callable(advance):
        return [advance(c) for c in text]
    if len(advance) != len(text):
        raise ValueError("one advance per character of the text")
    return advance


@dataclass(frozen=True)
class Line:
    start: int  # index into text (inclusive)
    end: int  # index into text (exclusive); spaces dropped at a break lie outside
    natural: float  # sum of advances of text[start:end], unsqueezed, unjustified
    squeeze: float  # >= 0: width to remove by compressing punctuation (0 if it fits)
    last: bool  # last line of the paragraph (not justified)


# ---------------------------------------------------------------- atoms/units


def _word_end(text: str, i: int) -> int:
    n = len(text)
    j = i + 1
    while True:
        while j < n and _is_alnum(text[j]):
            j += 1
        k = j
        while k < n and text[k] in _JOINERS:
            k += 1
        if j < k < n and _is_alnum(text[k]):
            j = k
            continue
        if j + 1 < n and text[j] in _RANGE_MARKS and _is_digit(text[j - 1]) and _is_digit(text[j + 1]):
            j += 1
            continue
        break
    while j < n and text[j] in _SUFFIXES:
        j += 1
    return j


def _atom_end(text: str, i: int) -> int:
    n = len(text)
    ch = text[i]
    o = ord(ch)
    # Han and CJK punctuation, most of any text: an atom of one character.
    # (Every other class below lies under U+2E80, but for U+3000 and the
    # full-width letters and digits.)
    if o >= _CJK_START and ch != "\u3000" and not 0xFF10 <= o <= 0xFF5A:
        j = i + 1
        while j < n and _is_mark(text[j]):
            j += 1
        return j
    nxt = text[i + 1] if i + 1 < n else ""
    if ch in SPACES:
        j = i + 1
        while j < n and text[j] in SPACES:
            j += 1
    elif ch in _RUN_CLASS:
        j = i + 1
        while j < n and _RUN_CLASS.get(text[j]) == _RUN_CLASS[ch]:
            j += 1
    elif (
        _is_alnum(ch)
        or (ch in _LEADERS and nxt and _is_alnum(nxt))
        or (ch in _SIGNS and nxt and _is_digit(nxt))
    ):
        j = _word_end(text, i)
    else:
        j = i + 1
    while j < n and _is_mark(text[j]):
        j += 1
    return j


def _atoms(text: str) -> list[tuple[int, int]]:
    """Ranges of text that are never broken or spread internally."""
    out = []
    append = out.append
    i, n = 0, len(text)
    while i < n:
        # _atom_end's first case inline: most of a text is one-character atoms.
        o = ord(text[i])
        if o >= _CJK_START and o != 0x3000 and not 0xFF10 <= o <= 0xFF5A and (
                i + 1 == n or not _is_mark(text[i + 1])):
            j = i + 1
        else:
            j = _atom_end(text, i)
        append((i, j))
        i = j
    return out


def _may_break(text: str, before: int, after: int) -> bool:
    """May a line end with text[before] and the next start with text[after]?"""
    return text[after] not in NO_START and text[before] not in NO_END


def _units(text: str) -> list[list[int]]:
    """[start, end] of each unbreakable unit; what lies between two is spaces."""
    units: list[list[int]] = []
    last = -1  # index of the last non-space character placed in a unit
    for s, e in _atoms(text):
        ch = text[s]
        if ch in SPACES:
            continue  # spaces are decided by the atoms on either side
        if not units:
            units.append([0, e])  # leading spaces stay with the first unit
        elif ch not in NO_START and text[last] not in NO_END:  # _may_break(text, last, s)
            units.append([s, e])
        else:
            units[-1][1] = e
        last = e - 1
    # Trailing spaces are dropped like break spaces: kept, they could only
    # overflow an unjustified last line, and a space-only text has no lines.
    return units


# ------------------------------------------------------------------ breaking


def break_lines(
    text: str,
    advance: Advances,
    widths: Sequence[float],
    em: float,
    squeeze_fit: bool = False,
) -> list[Line]:
    """Break one paragraph into lines.

    squeeze_fit: pull a unit that overflows only by a prohibition (禁则) up
    into the line by compressing punctuation, as the PDF once did; off, the
    unit is pushed down (as Word breaks).

    widths[i] is the available width of line i; the last value repeats, so a
    first-line indent is widths=[w - 2 * em, w]. Spaces at a break and at the
    end of the paragraph lie outside every line; a text of nothing but spaces
    gives no lines.
    """
    if not widths:
        raise ValueError("widths must hold at least one width")
    units = _units(text)
    if not units:
        return []
    eps = _eps(em)
    advs = _advances(text, advance)
    x = [0.0, *accumulate(advs)]
    q = [0.0, *accumulate([_blank(c, a, em) if c in _SQUEEZABLE else 0.0
                           for c, a in zip(text, advs, strict=True)])]
    han = [0, *accumulate(map(is_han, text))]

    def width(i: int) -> float:
        return widths[min(i, len(widths) - 1)]

    def squeezable_amount(s: int, e: int) -> float:
        # Blanks at the line's outer edges do not count: compressing them would
        # move a glyph box past the text block (L02, L06, L07).
        amount = q[e] - q[s]
        if text[s] in SQUEEZE_LEFT:
            amount -= q[s + 1] - q[s]
        if text[e - 1] in SQUEEZE_RIGHT:
            amount -= q[e] - q[e - 1]
        return amount

    def fits(s: int, e: int, w: float) -> bool:
        return x[e] - x[s] - squeezable_amount(s, e) <= w + eps

    spans: list[tuple[int, int]] = []  # unit index ranges, one per line
    a = 0
    while a < len(units):
        w = width(len(spans))
        s = units[a][0]
        if not fits(s, units[a][1], w):
            _split_unit(text, units, x, a, s, w, eps, force=True)
        b = a + 1
        while b < len(units):
            us, ue = units[b]
            if x[ue] - x[s] <= w + eps:
                b += 1
                continue
            # Never pulled up by squeezing punctuation (issue 21, L29): a unit
            # that does not fit goes down whole, as Word and LibreOffice push
            # it, so both files break their lines alike; the line is spread.
            if squeeze_fit and ue - us > 1 and x[us + 1] - x[s] <= w + eps and fits(s, ue, w):
                b += 1
                continue
            if not fits(us, ue, width(len(spans) + 1)) and _split_unit(
                    text, units, x, b, s, w, eps, force=False):
                b += 1  # its head fills this line instead of leaving a gap
            break
        spans.append((a, b))
        a = b

    _avoid_orphan(spans, units, han, fits, width(len(spans) - 1))

    lines = []
    for i, (a, b) in enumerate(spans):
        s, e = units[a][0], units[b - 1][1]
        natural = x[e] - x[s]
        over = natural - width(i)
        lines.append(Line(s, e, natural, over if over > eps else 0.0, i == len(spans) - 1))
    return lines


def _split_unit(text: str, units: list[list[int]], x: list[float], u: int, s: int, w: float,
                eps: float, force: bool) -> bool:
    """Last resort for a unit wider than a line: cut units[u] by characters,
    at a permitted place if one fits, so its head ends the line from s."""
    us, ue = units[u]
    best = legal = None
    for p in range(us + 1, ue):
        if x[p] - x[s] > w + eps:
            break
        best = p
        if _may_break(text, p - 1, p) and SPACES.isdisjoint(text[p - 1 : p + 1]):
            legal = p
    cut = legal or best or (us + 1 if force else None)
    if cut is None or cut >= ue:
        return False
    # Spaces at a forced cut are dropped as at any break.
    head, tail = cut, cut
    while head > us + 1 and text[head - 1] in SPACES:
        head -= 1
    while tail < ue - 1 and text[tail] in SPACES:
        tail += 1
    units[u : u + 1] = [[us, head], [tail, ue]]
    return True


def _avoid_orphan(
    spans: list[tuple[int, int]],
    units: list[list[int]],
    han: list[int],
    fits: Callable[[int, int, float], bool],
    last_width: float,
) -> None:
    """L22: move the fewest units from the previous line down until the last
    line holds two Han characters, if the last line can take them."""
    if len(spans) < 2:
        return
    (pa, pb), (la, lb) = spans[-2], spans[-1]
    end = units[lb - 1][1]
    if han[end] - han[units[la][0]] >= 2:
        return
    for k in range(pb - 1, pa, -1):  # the previous line keeps at least one unit
        start = units[k][0]
        if han[end] - han[start] >= 2:
            if fits(start, end, last_width):
                spans[-2], spans[-1] = (pa, k), (k, lb)
            return


# ------------------------------------------------------------- justification


def _waterfill(caps: list[float], need: float) -> list[float]:
    """Take `need` from the caps as evenly as they allow."""
    out = [0.0] * len(caps)
    live = [i for i, c in enumerate(caps) if c > 0]
    live.sort(key=caps.__getitem__)
    for left, i in enumerate(live):
        take = min(caps[i], need / (len(live) - left))
        out[i] = take
        need -= take
    return out


def _squeeze_plan(chars: str, advs: list[float], need: float, em: float) -> list[float]:
    caps = [_blank(c, a, em) for c, a in zip(chars, advs, strict=True)]
    # Same edge rule as break_lines, so every promised squeeze can be delivered.
    if chars[0] in SQUEEZE_LEFT:
        caps[0] = 0.0
    if chars[-1] in SQUEEZE_RIGHT:
        caps[-1] = 0.0
    n = len(chars)
    # Blanks that touch another mark's blank ("。”", "），", "，“") go first:
    # two blanks side by side are the widest holes in the line.
    touching = [
        (c in SQUEEZE_RIGHT and i + 1 < n and squeezable(chars[i + 1]))
        or (c in SQUEEZE_LEFT and i > 0 and squeezable(chars[i - 1]))
        for i, c in enumerate(chars)
    ]
    cut = [0.0] * n
    for tier in (touching, [True] * n):
        room = [caps[i] - cut[i] if tier[i] else 0.0 for i in range(n)]
        took = _waterfill(room, need)
        cut = [c + t for c, t in zip(cut, took, strict=True)]
        need -= sum(took)
    return cut


def justify_offsets(
    text: str,
    line: Line,
    advance: Advances,
    target: float,
    em: float,
) -> list[float]:
    """x offset of each character of text[line.start:line.end] for a line set
    to `target` width.

    Extra width is spread evenly over the gaps between characters, except
    inside a digit/Latin run or a dash pair, which would come apart; a last
    line keeps natural spacing. Missing width is taken from the blank half of
    full-width punctuation (right side of ，。 and closing marks, left side of
    opening marks), at most 0.5 em each, never at the line's outer edges.
    """
    chars = text[line.start : line.end]
    if not chars:
        return []
    advs = ([advance(c) for c in chars] if callable(advance)
            else list(advance[line.start : line.end]))
    slack = target - sum(advs)
    eps = _eps(em)
    n = len(chars)
    offsets = []
    pos = 0.0
    if slack < -eps:
        cut = _squeeze_plan(chars, advs, -slack, em)
        for c, a, r in zip(chars, advs, cut, strict=True):
            left = r if c in SQUEEZE_LEFT else 0.0
            offsets.append(pos - left)
            pos += a - r
        return offsets
    extra = [0.0] * n
    if slack > eps and not line.last and n > 1:
        atom_of = [0] * n
        for k, (s, e) in enumerate(_atoms(chars)):
            atom_of[s:e] = [k] * (e - s)
        gaps = [i for i in range(n - 1) if atom_of[i] != atom_of[i + 1]] or list(range(n - 1))
        for i in gaps:
            extra[i] = slack / len(gaps)
    for a, g in zip(advs, extra, strict=True):
        offsets.append(pos)
        pos += a + g
    return offsets
