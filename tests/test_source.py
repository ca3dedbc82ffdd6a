"""Reading: encodings, line ends, artefacts, .docx drafts, unreadable files (issue 2)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import docx
import pytest

from handouts.read import source
from handouts.read.source import InputError, read_bytes, read_source

TEXT = "关于学习的通知\n各党总支：\n请认真学习。\n党委宣传部\n2025年3月4日\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),
        ("gb18030", b"", "gb18030"),
        ("gbk", b"", "gb18030"),
    ],
)
def test_encodings(encoding: str, prefix: bytes, expected: str) -> None:
    src = read_bytes(prefix + TEXT.encode(encoding), "x.txt")
    assert src.encoding == expected
    assert src.lines == TEXT.splitlines()


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends(newline: str) -> None:
    data = TEXT.replace("\n", newline).encode("gb18030")
    assert read_bytes(data, "x.txt").lines == TEXT.splitlines()


def test_artefacts_removed_with_notes() -> None:
    text = "标题\n[bookmark: _GoBack]正文\x0c一\u200b二\x0b三\n 附件1\n\u3000\u3000缩进段落\n"
    src = read_bytes(text.encode("utf-8"), "x.txt")
    assert src.lines == ["标题", "正文一二三", "附件1", "缩进段落"]
    by_line = {}
    for note in src.notes:
        by_line.setdefault(note.line, []).append(note)
    assert [n.removed for n in by_line[2] if n.removed] == ["[bookmark: _GoBack]", "\x0c\u200b\x0b"]
    assert any("空格" in n.message for n in by_line[3])
    assert any("缩进" in n.message for n in by_line[4])


def test_truncated_multibyte_character_is_noted_not_fatal() -> None:
    data = "第一行\n第二行内容".encode()[:-1]
    src = read_bytes(data, "cut.txt")
    assert src.lines == ["第一行", "第二行内"]
    warning = [n for n in src.notes if n.severity == "warning"]
    assert warning and warning[0].line == 2 and "截断" in warning[0].message


def test_docx_draft(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("关于学习的通知")
    d.add_paragraph("各党总支：")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "序号", "内容"
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "学习"
    d.add_paragraph("请认真学习。")
    path = tmp_path / "draft.docx"
    d.save(str(path))
    src = read_source(path)
    assert src.encoding == "docx"
    assert src.lines == ["关于学习的通知", "各党总支：", "序号\t内容", "1\t学习", "请认真学习。"]


def test_docx_recognised_by_content_not_name(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("标题")
    buf = io.BytesIO()
    d.save(buf)
    path = tmp_path / "misnamed.txt"
    path.write_bytes(buf.getvalue())
    assert read_source(path).lines == ["标题"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "为空"),
        (b"   \n\n  ", "为空"),
        (bytes(range(256)) * 20, "不是文本文件"),
        (b"%PDF-1.4\n...", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".doc"),
        (b"PK\x03\x04broken zip", "Word"),
        (b"\x00\x01\x02\x03" * 200, "不是文本文件"),
    ],
)
def test_unreadable_inputs_raise_input_error(data: bytes, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        read_bytes(data, "bad.txt")
    assert fragment in str(info.value)
    assert "bad.txt" in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="不存在"):
        read_source(tmp_path / "none.txt")
    with pytest.raises(InputError, match="文件夹"):
        read_source(tmp_path)


def test_invalid_bytes_name_the_line() -> None:
    data = "第一行\n第二行\n".encode() + b"\xff\xfe\xfd\x80\x81 tail\n"
    # Not UTF-8, and not GB18030 either: the message names line 3.
    data = data.replace(b"\xff\xfe", b"\xff\xff")
    with pytest.raises(InputError) as info:
        read_bytes(data, "bad.txt")
    assert info.value.line == 3


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16-le"])
def test_truncated_file_in_other_encodings(encoding: str) -> None:
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b""
    data = bom + "第一行\n第二行内容".encode(encoding)[:-1]
    src = read_bytes(data, "cut.txt")
    assert src.lines == ["第一行", "第二行内"]
    assert any("截断" in n.message and n.line == 2 for n in src.notes)


def test_clean_utf8_beats_a_repaired_gb18030_reading() -> None:
    # "ꀀ" in UTF-8 (EA 80 80) reads in GB18030 only by dropping a cut byte.
    src = read_bytes("ꀀ".encode(), "x.txt")
    assert (src.encoding, src.lines, src.notes) == ("utf-8", ["ꀀ"], [])


# The character classes source.py uses for speed, against their definitions
# in Unicode categories and code blocks, over every BMP code point and a
# stride through the others.
CODE_POINTS = [*range(0x10000), *range(0x10000, 0x110000, 97)]


def test_removable_class_is_controls_surrogates_and_invisibles() -> None:
    invisible = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}
    for cp in CODE_POINTS:
        ch = chr(cp)
        expected = ch not in "\t\n" and (
            ch in invisible or unicodedata.category(ch) in ("Cc", "Cs"))
        assert bool(source._REMOVABLE.fullmatch(ch)) == expected, hex(cp)


def test_binary_controls_class_is_cc_but_text_layout_controls() -> None:
    for cp in CODE_POINTS:
        ch = chr(cp)
        expected = unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0c\x0b"
        assert bool(source._BINARY_CONTROLS.fullmatch(ch)) == expected, hex(cp)


def test_plausibility_counts_chinese_text_as_usual() -> None:
    assert source._plausibility("学习贯彻，“二十大”精神。ABC 123\n") == 1.0
    assert source._plausibility("abcé") == 0.75  # é (U+00E9) is not usual
    assert source._plausibility("") == 1.0


# Issue 19.3: UTF-16 without a BOM. CJK code units such as U+300A 《 hold the
# byte 0x0A, so the March seed (full of 《》) was refused as binary data.
MARCH = Path(__file__).resolve().parent.parent / "seeds" / "2025-03.txt"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(encoding: str) -> None:
    text = MARCH.read_text(encoding="utf-8")
    assert "\u300a" in text
    src = read_bytes(text.encode(encoding), "march.txt")
    assert src.encoding == encoding
    assert src.lines == read_source(MARCH).lines


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_cut_in_its_last_character(encoding: str) -> None:
    data = "《第一行》\n第二行内容".encode(encoding)[:-1]
    src = read_bytes(data, "cut.txt")
    assert (src.encoding, src.lines) == (encoding, ["《第一行》", "第二行内"])
    assert any("截断" in n.message and n.line == 2 for n in src.notes)


@pytest.mark.parametrize("text", ["关于\n", "一二三", "《学习》\n各党总支：\n", "ABC 2025\n"])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "gb18030", "utf-8"])
def test_short_texts_keep_their_encoding(text: str, encoding: str) -> None:
    src = read_bytes(text.encode(encoding), "x.txt")
    assert src.lines == text.splitlines()
    if encoding.startswith("utf-16"):
        assert src.encoding == encoding


def test_random_bytes_are_not_taken_for_utf16() -> None:
    import random

    rng = random.Random(19)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(2 * rng.randrange(8, 200)))
        try:
            src = read_bytes(data, "x.bin")
        except InputError:
            continue
        assert not src.encoding.startswith("utf-16"), data.hex()
