"""Recognisers for the pieces of a Chinese official document, as data.

Each recogniser looks at one line of text, nothing else; the parser decides
from position which of them applies. Kept apart from the parser so that a
new numbering style or date form is one table entry, not a new branch.
"""

from __future__ import annotations

import datetime as dt
import re

HAN_NUMERALS = "一二三四五六七八九十百零〇"

# (level, pattern): the numbering of 公文 headings, most specific first.
# (?!\d) keeps "3.5%" and "1.2万" from passing as a numbered heading; a
# number followed by a year or a month ("1.4月15日…", "1.2024年…") is one.
_DATE_AFTER_NUMBER = r"(?=[0-9０-９]{4}\s*年|[0-9０-９]{1,2}\s*月(?:[0-9０-９]{1,2}\s*日|份)?)"
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{HAN_NUMERALS}]{{1,4}}[、．]\s*")),
    (2, re.compile(rf"^[（(][{HAN_NUMERALS}]{{1,4}}[）)]\s*")),
    (3, re.compile(r"^[0-9０-９]{1,3}(?:[.．、](?![0-9０-９])|[.．]" + _DATE_AFTER_NUMBER
                   + r"|\.\s)\s*")),
    (4, re.compile(r"^[（(][0-9０-９]{1,3}[）)]\s*")),
    (4, re.compile(r"^[0-9０-９]{1,3}[)）]\s*")),
)

# Brackets inside which a 。 does not end a run-in heading's lead phrase.
_OPENERS = {"“": "”", "《": "》", "（": "）", "(": ")", "〈": "〉", "‘": "’", "「": "」", "【": "】"}
_LEAD_END = "。：:"
# A run-in heading's lead is a short phrase (LAYOUT.md L19): the longest in
# the March seed is 21 字 after the number. A "lead" longer than this is the
# whole first sentence of a numbered paragraph, and a numbered line without
# any 。 or ： longer than HEADING_MAX is a sentence, not a heading.
LEAD_MAX = 30
HEADING_MAX = 40
# Punctuation that closes a sentence or a line on purpose (broken-line joins).
CLOSING = set("。！？；：…”’」』）》】!?;:)")
# A title line is short: longer lines are sentences (issue 20).
TITLE_MAX = 50

ATTACHMENT_LABEL = re.compile(
    r"^附\s*件\s*(?P<num>[0-9０-９]{1,3}|[一二三四五六七八九十]{1,3})?\s*[:：]?\s*$"
)
# "附件1：标题" with the title on the label's line.
ATTACHMENT_LABEL_WITH_TITLE = re.compile(
    r"^附\s*件\s*(?P<num>[0-9０-９]{1,3})\s*[:：]\s*(?P<title>\S.*)$"
)

SOURCE = re.compile(r"^[（(]?\s*(?:来源|来\s*源|稿件来源|信息来源|转自)\s*[:：]")

_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_ARABIC_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_HAN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_HAN_DATE = re.compile(r"^([〇○零O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                       r"([一二三四五六七八九十]{1,3})日$")
# Loose shape of a date line, to warn about one that does not parse.
DATE_SHAPE = re.compile(r"^[0-9０-９〇○零一二三四五六七八九]{4}\s*年.{1,4}月.{1,4}日$")
# A date inside running text: "3月11日", "2025年3月11日".
INLINE_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日")

# Lines that end a document's body but are no signature.
_CLOSINGS = re.compile(r"^(特此|此致|敬礼|以上|附件[:：])")
_SENTENCE_PUNCT = set("。，；：！？,;:!?")
_TERMINAL_PUNCT = set("。；：，！？;:,!?")

# Parenthesised lines that annotate a quoted document rather than continue it.
NOTE = re.compile(
    r"^[（(][^（）()]{0,40}(此件|本文|删减|删节|节选|摘编|公开发布|有删改|略)[^（）()]{0,20}[）)]$"
)
YEAR_RANGE = re.compile(r"^[（(]\d{4}\s*[—–\-－~～至]+\s*\d{4}\s*年?[）)]$")

# 文种: the words a notice title ends with.
DOC_TYPES = ("通知", "通报", "意见", "决定", "方案", "安排", "计划", "函", "报告", "办法",
             "规定", "要点", "纪要", "请示", "批复", "公告", "通告", "决议", "讲话", "措施")


def heading_level(text: str) -> tuple[int, str] | None:
    """The heading level and its number label ("一、") if the line is numbered."""
    for level, pattern in HEADING_PATTERNS:
        m = pattern.match(text)
        if m and len(text) > m.end():
            return level, m.group(0)
    return None


def split_lead(text: str) -> tuple[str, str]:
    """Split a run-in heading after the first top-level 。 or ： (LAYOUT.md, L19).

    A 。 inside “”《》（） belongs to a quotation, not to the heading.
    """
    stack: list[str] = []
    for i, ch in enumerate(text):
        if stack and ch == stack[-1]:
            stack.pop()
        elif ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif ch in _LEAD_END and not stack:
            return text[: i + 1], text[i + 1 :]
    return text, ""


def parse_date(text: str) -> dt.date | None:
    """A date line in Arabic (2025年3月4日) or 〇-style (二〇二五年三月四日) numerals."""
    s = text.strip().translate(_DIGITS)
    m = _ARABIC_DATE.match(s)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _HAN_DATE.match(s)
        if m:
            year = int("".join(str(_HAN_DIGIT[c]) for c in m.group(1)))
            return dt.date(year, _han_small(m.group(2)), _han_small(m.group(3)))
    except ValueError:
        return None
    return None


def _han_small(s: str) -> int:
    """一 … 三十一: the numerals of months and days."""
    if "十" not in s:
        return _HAN_DIGIT[s]
    tens, _, ones = s.partition("十")
    return (_HAN_DIGIT[tens] if tens else 1) * 10 + (_HAN_DIGIT[ones] if ones else 0)


def looks_like_date(text: str) -> bool:
    return len(text) <= 20 and bool(DATE_SHAPE.match(text.strip().translate(_DIGITS)))


def is_addressee(text: str) -> bool:
    """主送: a line that ends with a colon and holds no sentence."""
    return (
        text.endswith(("：", ":"))
        and len(text) <= 120
        and "。" not in text
        and heading_level(text) is None
        and not _CLOSINGS.match(text)
        and not SOURCE.match(text)
        # 「学习内容：」 opens the study items; it addresses nobody.
        and not STUDY_INTRO.search(text)
        and not STUDY_END.match(text)
    )


def is_signature_line(text: str) -> bool:
    """An issuing organ's name: short, no sentence punctuation, no numbering."""
    return (
        0 < len(text) <= 40
        and not (_SENTENCE_PUNCT & set(text))
        and heading_level(text) is None
        and not looks_like_date(text)
        and not _CLOSINGS.match(text)
        and not text.startswith(("（", "(", "“", "《", "——"))
    )


def numbered_paragraph(text: str, label: str) -> bool:
    """A numbered line that is one sentence rather than a heading (issue 20,
    point 5): its lead phrase, or the whole line without one, is too long."""
    lead, _rest = split_lead(text)
    if lead[-1:] in _LEAD_END:
        return len(lead) - len(label) > LEAD_MAX
    return len(text) - len(label) > HEADING_MAX or text[-1] in "，、；;,"


def is_title_like(text: str) -> bool:
    """A line that can belong to a title: short, no terminal punctuation."""
    return (
        0 < len(text) <= TITLE_MAX
        and text[-1] not in _TERMINAL_PUNCT
        and "。" not in text
        and heading_level(text) is None
        and not looks_like_date(text)
        and not SOURCE.match(text)
        and not ATTACHMENT_LABEL.match(text)
    )


def is_notice_title_line(text: str) -> bool:
    """A line that can belong to the notice's title or cover line: title-like
    and no clause of a sentence ("根据学校安排，现将有关事项通知如下")."""
    return is_title_like(text) and "，" not in text and not text.endswith("如下")


def ends_with_doc_type(text: str) -> bool:
    return text.rstrip("》）)").endswith(DOC_TYPES)


def unclosed(text: str) -> bool:
    """A title line that leaves 《 or （ open continues on the next line."""
    return text.count("《") > text.count("》") or text.count("（") > text.count("）")


def han_number(text: str) -> int | None:
    """附件 numbers: Arabic, full-width or 一…九十九."""
    s = text.translate(_DIGITS)
    if s.isdigit():
        return int(s)
    try:
        if all(c in "一二三四五六七八九十" for c in s):
            return _han_small(s)
    except KeyError:
        return None
    return None


# -- study items (issue 20, point 2) -----------------------------------------

# (style, label pattern) of a study item or of a group heading above items.
# The style tells nesting apart: "1.重要讲话" over "（1）…" is two styles.
ITEM_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("han", HEADING_PATTERNS[0][1]),
    ("han-paren", HEADING_PATTERNS[1][1]),
    ("arabic", HEADING_PATTERNS[2][1]),
    ("arabic-paren", HEADING_PATTERNS[3][1]),
    ("arabic-half", HEADING_PATTERNS[4][1]),
    ("circled", re.compile(r"^[①-⑳]\s*")),
    ("theme", re.compile(rf"^(?:主题|专题|篇目|第)[{HAN_NUMERALS}]{{1,3}}(?:讲|课|篇|期|部分|专题)?"
                         r"\s*(?:[：:、.．]|\s)\s*")),
    ("bullet", re.compile(r"^[●•·◆◇■□▪►▶★☆◎]\s*")),
    ("book", re.compile(r"^(?=《)")),  # 《…》-led, unnumbered: the label is empty
)
# Words that open the study-content part of a notice.
STUDY_INTRO = re.compile(
    r"(?:学习|研读|必学|选学|自学)[^。，；]{0,6}?(?:内容|篇目|材料|资料|文件|书目|文章|专题|主题|重点)"
    r"|(?:内容|篇目|材料|资料|书目)如下")
# Words that open a part after it: requirements, schedules, closing instructions.
STUDY_END = re.compile(
    r"^(?:(?:相关|工作|学习|有关|具体|其他|组织|活动)?(?:要求|安排|事项|说明)|注意事项|"
    r"学习(?:时间|地点|形式|方式|对象|记录)|参加(?:人员|对象)|联系(?:人|方式))\s*[：:。]?")
# A list item is not a sentence: requirement paragraphs are.
SENTENCE_END = "。；;，,"


def item_label(text: str) -> tuple[str, str] | None:
    """(style, label as written) if the line is labelled like a list entry."""
    for style, pattern in ITEM_LABELS:
        m = pattern.match(text)
        if m and len(text) > m.end():
            return style, m.group(0)
    return None


def is_sentence(text: str) -> bool:
    """A line that reads as running text rather than the name of a document."""
    if not text:
        return False
    if text[-1] in "，,":
        return True
    # "1.《…》第五卷；" ends a list entry; a requirement has clauses or length.
    return text[-1] in "。；;" and (len(text) > 60 or "，" in text)


def label_number(label: str) -> int | None:
    """The number in an item label: "3." → 3, "（二）" → 2, "③" → 3."""
    digits = re.search(r"[0-9０-９]+", label)
    if digits:
        return int(digits.group(0).translate(_DIGITS))
    circled = re.search(r"[①-⑳]", label)
    if circled:
        return ord(circled.group(0)) - ord("①") + 1
    han = re.search(rf"[{HAN_NUMERALS}]+", label)
    return han_number(han.group(0)) if han else None
