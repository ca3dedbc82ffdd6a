"""Issue 19.6: mutated seeds through reading and parsing, bounded and seeded.

For every input: read_bytes + parse either succeed or raise the tool's
InputError (nothing else), and when they succeed every non-space character
the reader decoded is in the model (any of its texts) or in a note (the text
it says it removed). A seeded generator, not a time limit, bounds the run, so
that a failure is reproducible: the assertion message names the case.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from handouts.model.parse import parse
from handouts.read.source import InputError, decode, read_bytes

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = 400
# Pieces a clerk's file is made of, and the awkward ones (controls, BOMs,
# separators, markup) the reader must either keep or note.
PIECES = ["附件1\n", "附件\n", "附件2：\n", "1.", "（一）", "一、", "（1）", "第一，", "各二级党组织：\n",
          "党委宣传网工部\n", "2025年3月4日\n", "（此件公开发布）\n", "（来源：新华社 发布时间：2025-03-01）\n",
          "《", "》", "\u3000\u3000", "\t", "\r\n", "\r", "\n\n", "\x00", "\x0b", "\x0c", "\x1b", "\x7f",
          "\u200b", "\ufeff", "\u00ad", "\u2028", "\x85", "[bookmark: _GoBack]", "<w:t>", "&amp;", "{{ x }}",
          "\U00020000", "😀", "é", "ＡＢＣ", "１２", " ", "——", "……", "表1\n序号\t内容\n1\t甲\n"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16-le", "utf-16-be", "utf-16"]


def seeds() -> list[str]:
    march = (ROOT / "seeds" / "2025-03.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    texts = ["".join(march[:60]), "".join(march[:12] + march[120:150])]
    for name in ("notice-only.txt", "attachments-only.txt", "attachment-numbers.txt", "markup.txt"):
        texts.append(decode((CORPUS / name).read_bytes(), name)[0])
    return texts


def mutate_text(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text) + 1)
        roll = rng.random()
        if roll < 0.45:
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif roll < 0.65:
            text = text[:at] + text[at + rng.randint(1, 40):]
        elif roll < 0.85:
            end = min(len(text), at + rng.randint(1, 80))
            text = text[:at] + text[at:end] * 2 + text[end:]
        else:
            text = text[:at] + chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0x4e00, 0x9fff),
                                               rng.randrange(0x3000, 0x3040), rng.randrange(0xa0, 0x2000)])) + text[at:]
    return text


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(buf) + 1)
        roll = rng.random()
        if roll < 0.4 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif roll < 0.7:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        else:
            del buf[at:at + rng.randint(1, 5)]
    if rng.random() < 0.2:
        buf = buf[: rng.randrange(len(buf) + 1)]  # cut anywhere, also inside a character
    return bytes(buf)


def inputs() -> Iterator[tuple[int, bytes, str | None]]:
    """(case, bytes, the text they encode when no byte was mutated)."""
    rng = random.Random(20250319)
    texts = seeds()
    for case in range(CASES):
        text: str | None = mutate_text(rng, rng.choice(texts))
        data = text.encode(rng.choice(ENCODINGS))
        if rng.random() < 0.3:
            data, text = mutate_bytes(rng, data), None
        yield case, data, text


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings(v)


def test_mutated_seeds_read_and_parse_without_losing_a_character() -> None:
    outcomes = Counter()
    for case, data, encoded in inputs():
        try:
            package = parse(read_bytes(data, "fuzz.txt"))
        except InputError as exc:
            assert exc.path == "fuzz.txt" and exc.message, case
            # A clerk's text in any of the encodings read is never refused.
            assert encoded is None, f"case {case}: a text file refused: {exc}"
            outcomes["refused"] += 1
            continue
        # Any other exception fails the test here, naming the case by its number.
        outcomes["read"] += 1
        text, _, _ = decode(data, "fuzz.txt")
        if encoded is not None:
            assert text.removeprefix("\ufeff") == encoded.removeprefix("\ufeff"), f"case {case}: misread"
        model = package.to_json()
        notes = model.pop("notes")
        found = Counter("".join(strings(model))) + Counter("".join(n.get("removed", "") for n in notes))
        wanted = Counter(ch for ch in text if not ch.isspace())
        lost = {ch: n - found[ch] for ch, n in wanted.items() if found[ch] < n}
        assert not lost, f"case {case}: characters lost without a note: {lost!r}"
    # The generator makes both kinds of input; a change that refused everything would not pass.
    assert outcomes["read"] > CASES // 2 and outcomes["refused"] > 0, outcomes


XML_SAFE = str.maketrans({c: None for c in map(chr, [*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0xfffe])})


def test_mutated_docx_drafts_keep_every_character(tmp_path: Path) -> None:
    """The same texts as Word drafts, paragraphs wrapped at random in the
    containers Word uses (content controls, custom XML, insertions, links,
    table cells): every non-space character arrives in the model."""
    from xml.sax.saxutils import escape

    from test_docx_draft import make_docx, p, r

    wrappers = ["<w:sdt><w:sdtContent>{}</w:sdtContent></w:sdt>", '<w:customXml w:element="x">{}</w:customXml>',
                '<w:ins w:id="1" w:author="a">{}</w:ins>', '<w:hyperlink w:anchor="a">{}</w:hyperlink>',
                '<w:smartTag w:element="s">{}</w:smartTag>', "{}"]
    rng = random.Random(20250320)
    texts = seeds()
    for case in range(12):
        text = mutate_text(rng, rng.choice(texts)).translate(XML_SAFE).replace("\ud800", "")
        text = "".join(ch for ch in text if not 0xd800 <= ord(ch) <= 0xdfff)
        body = []
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            run = rng.choice(wrappers).format(r(escape(line)))
            para = p(run)
            if rng.random() < 0.2:
                para = rng.choice(wrappers[:2]).format(para)
            if rng.random() < 0.1:
                para = f"<w:tbl><w:tr><w:tc>{para}</w:tc></w:tr></w:tbl>"
            body.append(para)
        try:
            package = parse(read_bytes(make_docx(tmp_path / f"{case}.docx", "".join(body)).read_bytes(),
                                       "fuzz.docx"))
        except InputError as exc:
            assert exc.path == "fuzz.docx", case
            continue
        model = package.to_json()
        notes = model.pop("notes")
        found = Counter("".join(strings(model))) + Counter("".join(n.get("removed", "") for n in notes))
        wanted = Counter(ch for ch in text if not ch.isspace())
        lost = {ch: n - found[ch] for ch, n in wanted.items() if found[ch] < n}
        assert not lost, f"docx case {case}: characters lost without a note: {lost!r}"


def test_odd_word_structures_raise_nothing_but_input_errors(tmp_path: Path) -> None:
    """Random nesting of the elements the .docx reader knows, with missing,
    odd or damaged attributes: read_source either reads or says why."""
    from test_docx_draft import make_docx

    from handouts.read.source import read_source

    tags = ["w:p", "w:r", "w:t", "w:tbl", "w:tr", "w:tc", "w:sdt", "w:sdtContent", "w:sdtPr", "w:customXml",
            "w:ins", "w:del", "w:delText", "w:moveFrom", "w:moveTo", "w:hyperlink", "w:pPr", "w:rPr",
            "w:numPr", "w:numId", "w:ilvl", "w:vanish", "w:sym", "w:tab", "w:br", "w:cr", "w:noBreakHyphen",
            "w:softHyphen", "w:footnoteReference", "w:endnoteReference", "w:drawing", "w:pict", "w:object",
            "w:txbxContent", "w:ruby", "w:rubyBase", "w:rt", "w:showingPlcHdr", "w:trPr", "w:fldSimple",
            "m:oMath", "m:t", "mc:AlternateContent", "mc:Choice", "mc:Fallback", "w:altChunk", "w:pStyle"]
    values = ["", "0", "1", "-3", "F0FC", "zz", "999999999999", "110000", "Wingdings", "Symbol", "x" * 50]
    rng = random.Random(20250321)

    def element(depth: int) -> str:
        tag = rng.choice(tags)
        attrs = "".join(f' w:{name}="{rng.choice(values)}"' for name in ("val", "char", "font", "id")
                        if rng.random() < 0.3)
        inner = "".join(element(depth + 1) for _ in range(rng.randint(0, 3) if depth < 5 else 0))
        if tag in ("w:t", "m:t", "w:delText"):
            inner = rng.choice(["文字", "", "甲乙 丙", "《通知》"])
        return f"<{tag}{attrs}>{inner}</{tag}>"

    read = 0
    for case in range(150):
        body = "<w:p><w:r><w:t>开头</w:t></w:r></w:p>" + "".join(element(0) for _ in range(rng.randint(1, 6)))
        path = make_docx(tmp_path / f"{case}.docx", body)
        try:
            read_source(path)
            read += 1
        except InputError as exc:
            assert exc.path == str(path), case
    assert read > 100
