"""Issue 7: bad input gets a clear error and loses nothing; input is never markup.

Every awkward input in tests/corpus/ (plus a few generated here, such as a
30,000-character line) either builds completely (exit 0, every character of
the cleaned input in the handout's PDF and DOCX, every removal recorded in a
note) or stops with exit 1 and a Chinese message naming file and line, never
with a traceback. Input text is never interpreted as ReportLab, XML, Word or
Jinja2 markup, and nothing derived from input can write outside the output
folder.
"""

from __future__ import annotations

import collections
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from handouts.build import BuildContext, BuildError, build_package
from handouts.compose.render import compose_handout, environment
from handouts.model.parse import parse
from handouts.read.source import InputError, decode, read_source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BRANCHES = ("马克思主义学院党总支", "商学院党总支")
# Blank characters the reader may legitimately drop as indentation or trailing space.
BLANKS = " \t\u3000\u00a0\u2002\u2003\u2009\r\n"


# -- helpers -------------------------------------------------------------------


def generate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env)


def branch_list(folder: Path, names: tuple[str, ...] = BRANCHES) -> Path:
    path = folder / "branches.txt"
    path.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    return path


def squeeze(text: str) -> str:
    return "".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def pdf_body_text(data: bytes) -> str:
    """Non-whitespace text of a numbered PDF with its folios ("— N —") taken out:
    page N must carry exactly its own number."""
    out = []
    for number, text in enumerate(pdf_pages(data), start=1):
        s, folio = squeeze(text), f"—{number}—"
        if s.endswith(folio):
            s = s[: -len(folio)]
        elif s.startswith(folio):
            s = s[len(folio):]
        else:
            raise AssertionError(f"page {number} has no folio {folio!r}: …{s[-40:]!r}")
        out.append(s)
    return "".join(out)


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    text = "".join(t.text or "" for t in root.iter(f"{W}t"))
    # Word joiners around a range mark between digits keep it on one line (L29).
    return re.sub(r"(?<=\d)\u2060(?=[—～–])|(?<=[—～–])\u2060(?=\d)", "", text)


def first_difference(expected: str, actual: str) -> str:
    for i, (a, b) in enumerate(zip(expected, actual, strict=False)):
        if a != b:
            return f"at {i}: expected …{expected[max(0, i - 15):i + 15]!r}, got …{actual[max(0, i - 15):i + 15]!r}"
    return f"lengths {len(expected)} vs {len(actual)}: tail {expected[len(actual):][:40]!r}"


def assert_same_text(expected: str, actual: str, what: str) -> None:
    assert actual == expected, f"{what}: {first_difference(expected, actual)}"


def read_manifest(seed_out: Path) -> dict:
    return json.loads((seed_out / "manifest.json").read_text(encoding="utf-8"))


def handout_files(seed_out: Path) -> dict[str, Path]:
    files = [f for f in read_manifest(seed_out)["files"] if f["kind"] == "handout"]
    return {f["format"]: seed_out / f["path"] for f in files}


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def assert_clean_failure(result: subprocess.CompletedProcess[str], seed: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "内部错误" not in result.stderr, result.stderr
    assert seed.name in result.stderr, result.stderr
    assert re.search(r"错误：.*[\u4e00-\u9fff]", result.stderr), result.stderr


def assert_removals_noted(seed: Path) -> None:
    """Every visible character of the decoded input that is not in the cleaned
    lines is listed as removed by a note on its own line."""
    source = read_source(seed)
    text, _, _ = decode(seed.read_bytes(), str(seed))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for sep in ("\u2028", "\u2029", "\x85"):
        text = text.replace(sep, "\n")
    raw = text.split("\n")
    removed: dict[int, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for note in source.notes:
        removed[note.line].update(ch for ch in note.removed if ch not in BLANKS)
    for number, line in enumerate(raw, start=1):
        cleaned = source.lines[number - 1] if number <= len(source.lines) else ""
        gone = collections.Counter(ch for ch in line if ch not in BLANKS)
        gone.subtract(ch for ch in cleaned if ch not in BLANKS)
        lost = +gone  # drop zero and negative counts
        unexplained = lost - removed[number]
        assert not unexplained, f"{seed.name} line {number}: removed without a note: {dict(unexplained)!r}"


def assert_manifest_matches(seed_out: Path) -> None:
    """manifest.json lists exactly the files on disk, with their sha256 and page counts."""
    manifest = read_manifest(seed_out)
    on_disk = {p.relative_to(seed_out).as_posix() for p in files_under(seed_out)}
    assert on_disk == {f["path"] for f in manifest["files"]} | {"manifest.json"}
    for f in manifest["files"]:
        data = (seed_out / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
        if f["format"] == "pdf":
            assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == f["pages"], f["path"]


def assert_complete_build(result: subprocess.CompletedProcess[str], seed: Path, out: Path) -> Path:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    seed_out = out / seed.stem
    files = handout_files(seed_out)
    assert set(files) == {"pdf", "docx"}
    expected = squeeze("\n".join(read_source(seed).lines))
    assert_same_text(expected, pdf_body_text(files["pdf"].read_bytes()), f"{seed.name} PDF")
    assert_same_text(expected, squeeze(docx_text(files["docx"].read_bytes())), f"{seed.name} DOCX")
    assert_removals_noted(seed)
    assert_manifest_matches(seed_out)
    return seed_out


# -- the corpus ----------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    outcome: str  # "ok", "error" or "either" (a complete build or a located error)
    stderr: tuple[str, ...] = ()  # fragments the messages must hold
    line: int | None = None  # the line an error must name
    encoding: str | None = None  # the encoding the reader must detect
    char: str | None = None  # an "either" case: the character an error must name


CORPUS_CASES = {
    "empty.txt": Expect("error", ("为空",)),
    "binary.txt": Expect("error", ("不是文本文件",)),
    "invalid-byte-line5.txt": Expect("error", ("编码",), line=5),
    "utf16le-bom-crlf.txt": Expect("ok", encoding="utf-16-le"),
    "gb18030-crlf.txt": Expect("ok", encoding="gb18030"),
    "markup.txt": Expect("ok"),
    "controls.txt": Expect("ok"),
    "truncated-utf8.txt": Expect("ok", ("第 35 行", "截断")),
    # A GB18030 or UTF-16 file cut inside its last character: the reader
    # may keep the rest with a warning (as for UTF-8) or stop at line 35.
    "truncated-gb18030.txt": Expect("either", line=35),
    "truncated-utf16le.txt": Expect("either", line=35),
    "notice-only.txt": Expect("ok"),
    "attachments-only.txt": Expect("ok", ("没有找到通知正文",)),
    "attachment-numbers.txt": Expect("ok", ("第 24 行", "编号重复", "第 35 行", "缺少附件2、附件3")),
    "long-title.txt": Expect("ok"),
    # Outside the BMP: set in some font, or exit 1 naming the character and its line.
    "astral-ext-b.txt": Expect("either", char="\U00020000"),
    "astral-ext-e.txt": Expect("either", char="\U0002C35B"),
    "emoji.txt": Expect("either", char="\U0001F600"),
}


def test_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.suffix == ".txt") == sorted(CORPUS_CASES)


def check_case(seed: Path, expect: Expect, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = generate(str(seed), "-o", str(out), "--branches", str(branch_list(tmp_path)))
    for fragment in expect.stderr:
        assert fragment in result.stderr, (fragment, result.stderr)
    if expect.outcome == "either" and expect.char is not None and result.returncode != 0:
        lines = read_source(seed).lines
        line = next(n for n, text in enumerate(lines, start=1) if expect.char in text)
        assert_clean_failure(result, seed)
        assert f"第 {line} 行" in result.stderr, result.stderr
        assert expect.char in result.stderr or f"U+{ord(expect.char):04X}" in result.stderr
        assert not [p for p in files_under(out) if p.suffix in (".pdf", ".docx")]
        return
    if expect.outcome == "error" or (expect.outcome == "either" and result.returncode != 0):
        assert_clean_failure(result, seed)
        if expect.line is not None:
            assert f"第 {expect.line} 行" in result.stderr, result.stderr
        assert result.stdout == ""
        assert not files_under(out), "a failed build must write nothing"
        return
    seed_out = assert_complete_build(result, seed, out)
    if expect.encoding:
        assert read_source(seed).encoding == expect.encoding
    if seed.name == "markup.txt":
        assert_markup_literal(seed_out)
    manifest = read_manifest(seed_out)
    assert {f["kind"] for f in manifest["files"]} == {"handout", "record-sheet", "signin-sheet",
                                                      "print-bundle"}
    assert {f["branch"] for f in manifest["files"]} == {None, *BRANCHES}


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
def test_corpus(name: str, tmp_path: Path) -> None:
    check_case(CORPUS / name, CORPUS_CASES[name], tmp_path)


def test_truncated_utf8_warns_and_records_the_bytes() -> None:
    source = read_source(CORPUS / "truncated-utf8.txt")
    warning = [n for n in source.notes if n.severity == "warning"]
    assert warning and warning[0].line == 35 and bytes.fromhex(warning[0].removed) == "。".encode()[:2]


def test_control_characters_are_removed_with_notes() -> None:
    source = read_source(CORPUS / "controls.txt")
    removed = "".join(n.removed for n in source.notes)
    for ch in ("\x0b", "\x00", "\x0c", "\u200b", "\x1b", "\x7f", "[bookmark: _GoBack]"):
        assert ch in removed, repr(ch)
    assert not any(ch in line for line in source.lines for ch in "\x0b\x00\x0c\u200b\x1b\x7f")


NOTICE = (CORPUS / "notice-only.txt").read_text(encoding="utf-8")


def test_a_30000_character_line(tmp_path: Path) -> None:
    sentence = "坚持以习近平新时代中国特色社会主义思想为指导，2024—2035年覆盖率达到95.5%以上；“全球南方”卓然壮大……"
    line = (sentence * (30000 // len(sentence) + 1))[:29999] + "。"
    assert len(line) == 30000
    seed = tmp_path / "long-line.txt"
    seed.write_text(NOTICE.replace("请各二级党组织认真组织教职工参加学习，学习时间和形式可结合实际作相应调整。", line),
                    encoding="utf-8")
    result = generate(str(seed), "-o", str(tmp_path / "out"), "--branches", str(branch_list(tmp_path)),
                      "--formats", "pdf,docx")
    assert_complete_build(result, seed, tmp_path / "out")


def test_an_unbreakable_latin_run_longer_than_a_line(tmp_path: Path) -> None:
    """A URL-like run of 3,000 letters and digits cannot keep to "never split a
    Latin run": it must still appear complete (or stop with a located error)."""
    run = "https://example.org/" + "abc123" * 500
    seed = tmp_path / "url.txt"
    seed.write_text(NOTICE.replace("学习时间和形式可结合实际作相应调整。", f"网址：{run}。"), encoding="utf-8")
    result = generate(str(seed), "-o", str(tmp_path / "out"), "--branches", str(branch_list(tmp_path)))
    if result.returncode == 0:
        assert_complete_build(result, seed, tmp_path / "out")
    else:
        assert_clean_failure(result, seed)
        assert "第 8 行" in result.stderr


def test_a_failed_build_keeps_the_previous_output(tmp_path: Path) -> None:
    """A month that built once and then fails (a character no font has, or a
    file that became unreadable) leaves the earlier files as they were."""
    seed = tmp_path / "2025-04.txt"
    seed.write_text(NOTICE, encoding="utf-8")
    out = tmp_path / "out"
    branches = branch_list(tmp_path)
    assert generate(str(seed), "-o", str(out), "--branches", str(branches)).returncode == 0
    before = {p: p.read_bytes() for p in files_under(out)}
    for broken in (NOTICE.replace("认真组织", "认真\u0378组织").encode("utf-8"),
                   (CORPUS / "binary.txt").read_bytes()):
        seed.write_bytes(broken)
        result = generate(str(seed), "-o", str(out), "--branches", str(branches))
        assert_clean_failure(result, seed)
        assert {p: p.read_bytes() for p in files_under(out)} == before


# -- markup look-alikes --------------------------------------------------------

LITERALS = ("<b>粗体标签</b>", "<font name=x size=40 color=red>红字</font>", "&#20013;&#x4e2d;&lt;&gt;&nbsp;&amp;",
            "]]>", "<![CDATA[数据]]>", "{{ 7*7 }}", "{% if true %}条件{% endif %}", "{# 注释 #}",
            "{{ package.title }}", "<w:t>文字</w:t><w:br/>", "<!ENTITY e \"实体\">]>&e;", "{{ 8*8 }}",
            "%(name)s")


def assert_markup_literal(seed_out: Path) -> None:
    files = handout_files(seed_out)
    pdf = squeeze("".join(pdf_pages(files["pdf"].read_bytes())))
    docx = squeeze(docx_text(files["docx"].read_bytes()))
    for literal in LITERALS:
        assert squeeze(literal) in pdf, ("PDF", literal)
        assert squeeze(literal) in docx, ("DOCX", literal)
    for evaluated in ("49", "64"):
        assert evaluated not in pdf and evaluated not in docx


def test_templates_escape_and_refuse_undefined_names() -> None:
    env = environment()
    assert env.autoescape is True or env.autoescape("x.xml.j2") is True
    assert issubclass(env.undefined, jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ no_such_field }}").render()
    assert env.from_string("{{ t }}").render(t="<b>&{{ 7*7 }}") == "&lt;b&gt;&amp;{{ 7*7 }}"


def test_templates_cannot_reach_python_internals() -> None:
    """A template (a clerk edits them) must not reach the file system through
    ''.__class__.__mro__ and friends: the environment has to be sandboxed."""
    env = environment()
    for probe in ("{{ ''.__class__.__mro__ }}",
                  "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                  "{{ cycler.__init__.__globals__.os }}"):
        with pytest.raises((jinja2.exceptions.SecurityError, jinja2.UndefinedError)):
            env.from_string(probe).render()


def test_input_text_is_never_template_source() -> None:
    source = read_source(CORPUS / "markup.txt")
    doc = compose_handout(parse(source))
    text = "".join(run.text for section in doc.sections for block in section.blocks
                   for run in getattr(block, "runs", []))
    assert "{{ 7*7 }}" in text and "{% if true %}条件{% endif %}" in text and "<b>粗体标签</b>" in text
    assert "49" not in text


# -- file names from input -----------------------------------------------------

MARKUP_BRANCH = "<b>机关</b>&amp;{{ 7*7 }}党支部"
HOSTILE_BRANCHES = ("../../etc/x", "a/b", "a_b", "CON", ".hidden", "..", "nul", "x\\..\\..\\y",
                    MARKUP_BRANCH)


def test_branch_names_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    seed = work / "hostile.txt"
    seed.write_text("../../逃逸/CON\n" + NOTICE.split("\n", 1)[1], encoding="utf-8")
    out = work / "out"
    result = generate(str(seed), "-o", str(out), "--branches",
                      str(branch_list(work, HOSTILE_BRANCHES)), "--formats", "docx")
    assert result.returncode == 0, result.stderr
    seed_out = out / "hostile"
    written = files_under(tmp_path)
    outside = [p for p in written if seed_out not in p.parents and p not in (seed, work / "branches.txt")]
    assert not outside, outside
    manifest = read_manifest(seed_out)
    assert {f["branch"] for f in manifest["files"]} == {None, *HOSTILE_BRANCHES}
    listed = {seed_out / f["path"] for f in manifest["files"]} | {seed_out / "manifest.json"}
    assert set(p for p in written if seed_out in p.parents) == listed
    names = [f["path"] for f in manifest["files"]]
    assert len(set(n.casefold() for n in names)) == len(names)
    for f in manifest["files"]:
        parts = Path(f["path"]).parts
        assert ".." not in parts and not any(p.startswith(".") for p in parts), f["path"]
        assert Path(parts[-1]).stem.upper() not in ("CON", "NUL"), f["path"]
        if f["branch"] == MARKUP_BRANCH:  # the real name, literally, on the sheet
            text = squeeze(docx_text((seed_out / f["path"]).read_bytes()))
            assert squeeze(MARKUP_BRANCH) in text and "49" not in text, f["path"]


def test_a_long_branch_name_gives_a_usable_file_name(tmp_path: Path) -> None:
    """Names are cut to fit: a file name holds at most 255 bytes (ext4, NTFS in UTF-16
    units), and the temporary name and a "（新生成）" suffix must still fit."""
    name = "机关" * 60 + "党支部"
    out = tmp_path / "out"
    seed = CORPUS / "notice-only.txt"
    result = generate(str(seed), "-o", str(out), "--branches", str(branch_list(tmp_path, (name,))),
                      "--formats", "docx")
    assert result.returncode == 0, result.stderr
    sheets = [f for f in read_manifest(out / seed.stem)["files"] if f["branch"] == name]
    assert len(sheets) == 2
    for f in sheets:
        assert len(Path(f["path"]).name.encode()) <= 200, f["path"]


def test_seed_file_names_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    """The output folder is named after the seed: a seed called "...txt" has the stem ".."."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    seed = inputs / "...txt"
    assert seed.stem == ".."
    seed.write_text(NOTICE, encoding="utf-8")
    out = tmp_path / "a" / "out"
    result = generate(str(seed), "-o", str(out), "--branches", str(branch_list(inputs)),
                      "--formats", "docx")
    assert "Traceback" not in result.stderr
    written = [p for p in files_under(tmp_path) if inputs not in p.parents]
    assert written, result.stderr
    outside = [p for p in written if out not in p.parents]
    assert not outside, f"written outside {out}: {outside}"


# -- random documents, in process -----------------------------------------------

HAN = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
       "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
       "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质"
       "习近党委宣传网工部教职治论通知附件落实贯彻")
PUNCT = "，。、：；！？“”‘’《》（）【】——……·　 "
OTHER = "0123456789ABCDxyz<>&{}%#/\\\"'[]=;\x0b\u200b"
ALPHABET = HAN + PUNCT + OTHER
words = st.text(alphabet=ALPHABET, min_size=1, max_size=60)
number = st.integers(min_value=1, max_value=12)


@st.composite
def structure_line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["text", "text", "text", "attachment", "h1", "h2", "item", "item4",
                                 "date", "addressee", "signature", "source", "note", "table", "blank",
                                 "range"]))
    han = "一二三四五六七八九十"
    text = draw(words)
    n = draw(number)
    return {
        "text": text,
        "attachment": f"附件{n}",
        "h1": f"{han[n % 10]}、{text}",
        "h2": f"（{han[n % 10]}）{text}",
        "item": f"{n}.{text}",
        "item4": f"（{n}）{text}",
        "date": f"20{n + 13}年{n}月{n + 3}日",
        "addressee": f"各{text[:10]}：",
        "signature": "党委宣传网工部",
        "source": f"（来源：{text}      发布时间：2025-02-{n + 10}）",
        "note": "（此件公开发布）",
        "table": f"{text}\t{draw(words)}",
        "blank": "",
        "range": f"（20{n + 13}—20{n + 20}年）",
    }[kind]


documents = st.lists(structure_line(), min_size=1, max_size=25).map(lambda lines: "\n".join(lines) + "\n")
DOCUMENTED = (InputError, BuildError)


@pytest.fixture(scope="module")
def build_context() -> BuildContext:
    return BuildContext()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents)
def test_random_documents_build_completely(text: str, build_context: BuildContext) -> None:
    from handouts.fonts.fontset import FontConfigError, MissingGlyphError

    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "random.txt"
        seed.write_bytes(text.encode("utf-8"))
        try:
            source = read_source(seed)
            package = parse(source)
            folder, files = build_package(package, out=Path(tmp) / "out", branches=["商学院党总支"],
                                          formats=["pdf", "docx"], force=False, ctx=build_context)
        except (*DOCUMENTED, MissingGlyphError, FontConfigError) as exc:
            assert str(exc) and re.search(r"[\u4e00-\u9fff]", str(exc)), repr(exc)
            return
        expected = squeeze("\n".join(source.lines))
        handout = {f.format: folder.root / f.path for f in files if f.kind == "handout"}
        assert_same_text(expected, pdf_body_text(handout["pdf"].read_bytes()), "PDF")
        assert_same_text(expected, squeeze(docx_text(handout["docx"].read_bytes())), "DOCX")
        assert_removals_noted(seed)
        assert not list(folder.root.rglob(".handouts-*"))
