"""Title line balancing (LAYOUT.md "Title", L09, L10).

A 公文 title that does not fit one line is set in several centred lines,
each a whole phrase where possible, the lines of similar length, and never a
last line that holds only the document type ("的通知"), and never a line
that ends inside a word (L26): the words come from handouts.typeset.words
(jieba, cached); phrase boundaries are weighed from punctuation, spaces and
the words titles are usually broken at, kept here as data.

One decision for both files: the PDF and the Word writer call
balance_title with the same nominal measure (title_measure) and width, so
the two files divide a title alike. The caller passes the measure, so this
is testable without fonts.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from ..model.textrules import DOC_TYPES
from .linebreak import NO_END, NO_START, SPACES
from .words import word_boundaries

# Break penalties: the cost of ending a line between two characters. Lower is
# better; a title is broken where the sum of penalties and imbalance is least.
ANYWHERE = 10.0  # between two words, nothing else known
INSIDE_WORD = 1e3  # between two characters of one word (L26): only if nothing else fits
AFTER_PUNCT = 0.0  # after 、，；： — the natural place
AT_SPACE = 0.0  # joint issuers "A办公厅 B办公厅"
AFTER_CLOSE = 1.0  # after 》）” …
BEFORE_OPEN = 1.0  # before 《（“ …
AFTER_DE = 4.0  # after 的: the end of a modifier
BEFORE_WORD = 4.0  # before a word that usually opens a title phrase
INSIDE_BOOK = 10.0  # added inside 《…》: the quoted name should stay whole
ILLEGAL = 1e6  # a 禁则 violation or a split digit run: only if nothing else fits
TAIL = 1e5  # a line holding only "的通知" and the like
EXTRA_LINE = 10.0  # each line beyond the fewest that could hold the text
BALANCE = 100.0  # weight of the squared deviation from the mean line width

PUNCT_BREAK_AFTER = frozenset("、，；：,;:")
CLOSERS = frozenset("》）)”’】〉」』〕")
OPENERS = frozenset("《（(“‘【〈「『〔")
# Words before which titles are commonly broken ("关于印发", "推进……").
BREAK_BEFORE_WORDS = (
    "关于", "印发", "转发", "推进", "推动", "加快", "加强", "促进", "深入", "进一步",
    "做好", "开展", "全面", "新时代",
)
# Words that form one phrase with a listed word after them: "关于|印发" is no boundary.
JOINS_NEXT_WORD = ("关于",)
# A run of digits or Latin letters with its range mark ("2024—2035") is never split.
_WORD = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+(?:[—–\-~～][0-9０-９]+)*[%％]?")
TAIL_MAX = 8  # longer lines are never tails: 的 + a 文种 + closing marks
_TAIL = re.compile("^[的之]?(?:" + "|".join(DOC_TYPES) + ")$")
# Whatever may surround a tail and still leave it a tail: "》的通知" is one.
_TAIL_STRIP = "".join(sorted(CLOSERS | OPENERS | set("。，、；："))) + " \u3000"

# Paragraph styles set in this font role get balanced title lines (L10).
TITLE_ROLE = "title"


def is_tail(line: str) -> bool:
    """A line that holds only a document-type ending such as 的通知 (L10)."""
    core = line.strip(_TAIL_STRIP)
    return (bool(core) and bool(_TAIL.match(core))) or 0 < len(core) <= 1


def _word_cuts(text: str) -> set[int]:
    """Positions inside a digit/Latin run."""
    cuts: set[int] = set()
    for m in _WORD.finditer(text):
        cuts.update(range(m.start() + 1, m.end()))
    return cuts


def _book_depth(text: str) -> list[int]:
    """depth[i] > 0: a break before text[i] falls inside 《…》."""
    depth, level = [], 0
    for ch in text:
        depth.append(level)
        if ch == "《":
            level += 1
        elif ch == "》" and level:
            level -= 1
    depth.append(0)
    return depth


def break_penalties(text: str, boundaries: frozenset[int] | None = None) -> list[float]:
    """penalty[i]: the cost of a line break before text[i] (i in 1..len-1).

    boundaries: where words meet (handouts.typeset.words); None: everywhere."""
    n = len(text)
    pen = [ILLEGAL] * (n + 1)
    words = _word_cuts(text)
    depth = _book_depth(text)
    for i in range(1, n):
        before, after = text[i - 1], text[i]
        if before in SPACES or after in SPACES:
            # The space itself is dropped; the break is judged by its neighbours.
            pen[i] = AT_SPACE if _legal_around_space(text, i) else ILLEGAL
            continue
        if after in NO_START or before in NO_END or i in words:
            continue
        cost = ANYWHERE
        if before in PUNCT_BREAK_AFTER:
            cost = AFTER_PUNCT
        elif before in CLOSERS:
            cost = AFTER_CLOSE
        elif after in OPENERS:
            cost = BEFORE_OPEN
        elif any(text.startswith(w, i) for w in BREAK_BEFORE_WORDS) and not _inside_word(text, i):
            cost = BEFORE_WORD
        elif before == "的":
            cost = AFTER_DE
        if depth[i] > 0:
            cost += INSIDE_BOOK
        if boundaries is not None and i not in boundaries:
            cost += INSIDE_WORD
        pen[i] = cost
    return pen


def _inside_word(text: str, i: int) -> bool:
    return any(text.endswith(w, 0, i) for w in JOINS_NEXT_WORD)


def _legal_around_space(text: str, i: int) -> bool:
    s = i
    while s > 0 and text[s - 1] in SPACES:
        s -= 1
    e = i
    while e < len(text) and text[e] in SPACES:
        e += 1
    return 0 < s and e < len(text) and text[s - 1] not in NO_END and text[e] not in NO_START


def _piece(text: str, a: int, b: int) -> str:
    return text[a:b].strip("".join(SPACES))


def split_line(
    text: str,
    measure: Callable[[str], float],
    width: float,
    context: Sequence[float] = (),
) -> list[str]:
    """Break one title line into balanced lines no wider than `width`.

    `measure` must be additive: the width of a text is the sum of its
    characters' widths.

    `context` holds the widths of the title's other lines, which stay as
    they are; the new lines are balanced against all lines' mean width.
    """
    text = text.strip("".join(SPACES))
    if not text:
        return []
    total = measure(text)
    if total <= width:
        return [text]
    pen = break_penalties(text, word_boundaries(text))
    n = len(text)
    fewest = max(2, math.ceil(total / width))
    best: tuple[float, list[int]] | None = None
    for k in range(fewest, fewest + 3):
        if k > n:
            break
        target = (sum(context) + total) / (len(context) + k)
        found = _best_breaks(text, measure, width, pen, k, target)
        if found is None:
            continue
        cost = found[0] + EXTRA_LINE * (k - fewest)
        if best is None or cost < best[0]:
            best = (cost, found[1])
    if best is None:  # nothing fits even with illegal breaks: one character per line, at worst
        return _greedy(text, measure, width)
    cuts = [0, *best[1], n]
    return [p for a, b in itertools.pairwise(cuts) if (p := _piece(text, a, b))]


def _best_breaks(
    text: str,
    measure: Callable[[str], float],
    width: float,
    pen: list[float],
    k: int,
    target: float,
) -> tuple[float, list[int]] | None:
    """Dynamic programme over break positions: k lines, least total cost."""
    n = len(text)
    # Widths are additive (no kerning in Chinese titles): prefix sums of the
    # characters' widths, spaces at a piece's ends left out.
    x = [0.0, *itertools.accumulate(measure(ch) for ch in text)]
    space = "".join(SPACES)

    def piece_cost(a: int, b: int) -> float | None:
        while a < b and text[a] in space:
            a += 1
        while b > a and text[b - 1] in space:
            b -= 1
        w = x[b] - x[a]
        if w > width + 1e-6:
            return None
        cost = BALANCE * ((w - target) / width) ** 2
        if b - a <= TAIL_MAX and is_tail(text[a:b]):
            cost += TAIL
        return cost

    # The pieces that may end at b, with their costs: the same for every
    # line count j, so worked out once.
    pieces: list[list[tuple[int, float]]] = [[] for _ in range(n + 1)]
    for b in range(1, n + 1):
        for a in range(b - 1, -1, -1):
            pc = piece_cost(a, b)
            if pc is None:
                break  # wider pieces lie further left
            pieces[b].append((a, pc))
    # best[j][b]: least cost of j lines covering text[:b]
    inf = math.inf
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[-1] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for j in range(1, k + 1):
        before, here, came = best[j - 1], best[j], back[j]
        for b in range(1, n + 1):
            if b < n and j == k:
                continue
            brk = 0.0 if b == n else pen[b]
            for a, pc in pieces[b]:
                if before[a] == inf:
                    continue
                cost = before[a] + pc + brk
                if cost < here[b]:
                    here[b] = cost
                    came[b] = a
    if best[k][n] == inf:
        return None
    cuts, b = [], n
    for j in range(k, 0, -1):
        a = back[j][b]
        if a > 0:
            cuts.append(a)
        b = a
    return best[k][n], sorted(cuts)


def _greedy(text: str, measure: Callable[[str], float], width: float) -> list[str]:
    out, start = [], 0
    for i in range(1, len(text) + 1):
        if measure(text[start:i]) > width and i - 1 > start:
            out.append(text[start : i - 1])
            start = i - 1
    out.append(text[start:])
    return [p for p in (s.strip("".join(SPACES)) for s in out) if p]


def balance_title(
    lines: Sequence[str],
    measure: Callable[[str], float],
    width: float,
) -> list[str]:
    """The lines a title is set in.

    The input's own lines are kept when each fits `width` and none is a bare
    tail; a tail line joins the line before it; a line too wide is re-broken,
    balanced against the lines that stay.
    """
    kept = _kept(lines)
    if len(kept) == 1 and measure(kept[0]) > width:
        return split_line(kept[0], measure, width)
    out: list[str] = []
    for i, line in enumerate(kept):
        if measure(line) <= width:
            out.append(line)
            continue
        others = [measure(x) for j, x in enumerate(kept) if j != i and measure(x) <= width]
        out.extend(split_line(line, measure, width, context=others))
    return out


def _kept(lines: Sequence[str]) -> list[str]:
    """The input's lines, stripped, empty ones dropped, a tail joined to the line before."""
    kept: list[str] = []
    for raw in lines:
        line = raw.strip("".join(SPACES))
        if not line:
            continue
        if kept and is_tail(line):
            kept[-1] = kept[-1] + line
        else:
            kept.append(line)
    return kept


def title_measure(size: float) -> Callable[[str], float]:
    """The width balance_title decides with, in both writers: Han and
    full-width marks 1 em, everything else ½ em (as compose.render.zi_width).
    A title's Han glyphs are set narrower than 1 em (tracking), so a line the
    measure lets through fits the PDF's block too."""

    def measure(text: str) -> float:
        return sum(size if unicodedata.east_asian_width(c) in "WFA" else size / 2 for c in text)

    return measure


def segment_titles(titles: Iterable[Sequence[str]]) -> None:
    """Look up the words of every line balance_title may divide, ahead of
    time: a build does it once in the parent process, so forked writers find
    them in memory and the cache file gets them."""
    for lines in titles:
        for line in _kept(lines):
            word_boundaries(line)
