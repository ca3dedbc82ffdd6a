"""Issue 19.2: every word of a .docx draft is read, the way Word shows it.

Each case builds a real .docx (python-docx's package with our own
word/document.xml and, where needed, footnotes and endnotes parts) and reads
it back through read_source: text in content controls, custom XML, tables,
text boxes, notes, symbols and hyphens, tracked changes; what is not text is
named in a note with its paragraph number; DTDs and entities are refused as
an input error that names the file.
"""

from __future__ import annotations

import functools
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from handouts.read.source import InputError, read_source

ROOT = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (f'xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def p(*runs: str, ppr: str = "") -> str:
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


@functools.cache
def _blank() -> bytes:
    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def make_docx(path: Path, body: str, footnotes: str = "", endnotes: str = "",
              prolog: str = "", numbering: str = "") -> Path:
    blank = io.BytesIO(_blank())
    out = io.BytesIO()
    with zipfile.ZipFile(blank) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {NS}><w:body>{body}</w:body></w:document>'.encode()
            elif item.filename == "word/numbering.xml" and numbering:
                data = f"<w:numbering {NS}>{numbering}</w:numbering>".encode()
            elif item.filename == "word/_rels/document.xml.rels":
                extra = "".join(
                    f'<Relationship Id="rIdX{kind}" Type="{REL}/{kind}" Target="{kind}.xml"/>'
                    for kind, content in (("footnotes", footnotes), ("endnotes", endnotes)) if content)
                data = data.replace(b"</Relationships>", extra.encode() + b"</Relationships>")
            dst.writestr(item, data, compress_type=zipfile.ZIP_STORED)  # fast: tests build many
        for kind, content in (("footnotes", footnotes), ("endnotes", endnotes)):
            if content:
                tag = kind[:-1]
                dst.writestr(f"word/{kind}.xml", f'<w:{kind} {NS}><w:{tag} w:type="separator" w:id="-1">'
                             f'{p(r("SEPARATOR"))}</w:{tag}>{content}</w:{kind}>')
    path.write_bytes(out.getvalue())
    return path


def read(tmp_path: Path, body: str, **parts: str):
    return read_source(make_docx(tmp_path / "draft.docx", body, **parts))


def messages(src) -> str:
    return "\n".join(f"{n.line}:{n.message}" for n in src.notes)


def test_content_controls_and_custom_xml_at_every_level(tmp_path: Path) -> None:
    body = (p(r("关于学习的通知"))
            + f"<w:sdt><w:sdtPr/><w:sdtContent>{p(r('控件中的段落'))}{p(r('第二段'))}</w:sdtContent></w:sdt>"
            + p(r("前"), f"<w:sdt><w:sdtContent>{r('行内控件')}</w:sdtContent></w:sdt>", r("后"))
            + f'<w:customXml w:element="x">{p(r("自定义块"))}</w:customXml>'
            + p(f'<w:customXml w:element="y">{r("自定义行内")}</w:customXml>')
            + "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
            + p(r("单击或点击此处输入文字。")) + "</w:sdtContent></w:sdt>"
            + p(r("完")))
    src = read(tmp_path, body)
    assert src.lines == ["关于学习的通知", "控件中的段落", "第二段", "前行内控件后", "自定义块", "自定义行内", "完"]
    assert "占位文字" in messages(src) and "单击或点击此处输入文字。" in messages(src)


def test_tables_cell_by_cell_nested_once(tmp_path: Path) -> None:
    def cell(*content: str) -> str:
        return f"<w:tc>{''.join(content)}</w:tc>"

    nested = f"<w:tbl><w:tr>{cell(p(r('内1')))}{cell(p(r('内2')))}</w:tr></w:tbl>"
    body = (p(r("表前"))
            + f"<w:tbl><w:tr>{cell(p(r('序号')))}{cell(p(r('内容')))}</w:tr>"
            + f"<w:sdt><w:sdtContent><w:tr>{cell(p(r('1')))}{cell(p(r('甲')), nested, p(r('乙')))}</w:tr>"
            + "</w:sdtContent></w:sdt></w:tbl>"
            + p(r("表后")))
    assert read(tmp_path, body).lines == ["表前", "序号\t内容", "1\t甲 内1 内2 乙", "表后"]


def test_text_boxes_once_after_their_paragraph(tmp_path: Path) -> None:
    box = f"<w:txbxContent>{p(r('文本框中的话'))}</w:txbxContent>"
    run = ("<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic><a:graphicData>"
           f"<wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
           f"</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>"
           "</mc:Fallback></mc:AlternateContent></w:r>")
    src = read(tmp_path, p(r("锚定段落"), run) + p(r("下一段")))
    assert src.lines == ["锚定段落", "文本框中的话", "下一段"]
    assert "2:第 1 段：文本框" in messages(src)


def test_footnotes_and_endnotes_follow_their_paragraph(tmp_path: Path) -> None:
    foot = f'<w:footnote w:id="2">{p("<w:r><w:footnoteRef/></w:r>", r("脚注文字"))}</w:footnote>'
    end = f'<w:endnote w:id="5">{p("<w:r><w:endnoteRef/></w:r>", r("尾注文字"))}</w:endnote>'
    body = (p(r("正文甲"), '<w:r><w:footnoteReference w:id="2"/></w:r>', r("。"))
            + p(r("正文乙"), '<w:r><w:endnoteReference w:id="5"/></w:r>'))
    src = read(tmp_path, body, footnotes=foot, endnotes=end)
    assert src.lines == ["正文甲[1]。", "[1]脚注文字", "正文乙[2]", "[2]尾注文字"]
    assert "脚注 [1]" in messages(src) and "尾注 [2]" in messages(src)
    assert "SEPARATOR" not in "".join(src.lines)


def test_tabs_breaks_symbols_and_hyphens(tmp_path: Path) -> None:
    body = p(r("甲"), "<w:r><w:tab/></w:r>", r("乙"), "<w:r><w:br/></w:r>", r("丙"), "<w:r><w:cr/></w:r>",
             r("丁"), '<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>',
             '<w:r><w:sym w:font="Symbol" w:char="F061"/><w:sym w:font="宋体" w:char="2605"/></w:r>',
             r("COVID"), "<w:r><w:noBreakHyphen/></w:r>", r("19"), "<w:r><w:softHyphen/></w:r>", r("年"))
    src = read(tmp_path, body)
    assert src.lines == ["甲\t乙", "丙", "丁✓α★COVID-19年"]
    assert any(n.removed == "\u00ad" for n in src.notes)


def test_tracked_insertions_kept_deletions_dropped(tmp_path: Path) -> None:
    body = (p(r("请"), f'<w:ins w:id="1" w:author="a">{r("认真")}</w:ins>', r("学习"),
              '<w:del w:id="2" w:author="a"><w:r><w:delText>原文</w:delText></w:r></w:del>')
            + p(r("被合并"), ppr='<w:pPr><w:rPr><w:del w:id="3" w:author="a"/></w:rPr></w:pPr>')
            + p(r("的段落")))
    src = read(tmp_path, body)
    assert src.lines == ["请认真学习", "被合并的段落"]
    text = messages(src)
    assert "插入" in text and "认真" in text and "删除" in text and "原文" in text
    assert any(n.removed == "原文" for n in src.notes)


def test_images_and_equations_are_named_with_their_paragraph(tmp_path: Path) -> None:
    image = ("<w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic><pic:blipFill>"
             '<a:blip/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
    math = "<m:oMath><m:r><m:t>x+1</m:t></m:r></m:oMath>"
    src = read(tmp_path, p(r("第一段")) + p(r("图："), image) + p(r("式："), math))
    assert src.lines == ["第一段", "图：", "式："]
    text = messages(src)
    assert "2:第 2 段有图片" in text, text
    assert "3:第 3 段的公式" in text and "x+1" in text
    assert {n.severity for n in src.notes} == {"warning"}  # both are content the handout will lack


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE w:document [<!ENTITY x "实体">]>',
    '<!DOCTYPE w:document SYSTEM "file:///etc/passwd">',
])
def test_dtds_are_refused_naming_the_file(tmp_path: Path, prolog: str) -> None:
    path = make_docx(tmp_path / "实体.docx", p(r("正文&x;")) if "ENTITY" in prolog else p(r("正文")),
                     prolog=prolog)
    with pytest.raises(InputError) as info:
        read_source(path)
    assert "实体.docx" in str(info.value) and "DTD" in str(info.value)
    assert "root:" not in str(info.value)


def test_an_undefined_entity_is_an_input_error(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "e.docx", p(r("正文&nbsp;")))
    with pytest.raises(InputError) as info:
        read_source(path)
    assert "e.docx" in str(info.value) and "XML" in str(info.value)


def test_a_content_control_keeps_its_text_from_the_command_line(tmp_path: Path) -> None:
    march = (ROOT / "seeds" / "2025-03.txt").read_text(encoding="utf-8").splitlines()
    paragraphs = [p(r(line)) if line else p() for line in march]
    # The notice's body paragraphs inside one content control, as a template would hold them.
    body = "".join(paragraphs[:3]) + f"<w:sdt><w:sdtContent>{''.join(paragraphs[3:12])}</w:sdtContent></w:sdt>" \
        + "".join(paragraphs[12:])
    path = make_docx(tmp_path / "2025-03.docx", body)
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), "--outline", str(path)],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for line in march[3:12]:
        if line.strip():
            assert line.strip()[-8:] in result.stdout, line


def numbered(num: int, level: int, text: str) -> str:
    return p(r(text), ppr=f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>')


def test_automatic_numbering_is_written_as_word_shows_it(tmp_path: Path) -> None:
    def lvl(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
        return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl>')

    numbering = (f'<w:abstractNum w:abstractNumId="0">{lvl(0, "decimal", "%1.")}{lvl(1, "chineseCounting", "（%2）")}'
                 "</w:abstractNum>"
                 f'<w:abstractNum w:abstractNumId="1">{lvl(0, "chineseCounting", "%1、", start=9)}</w:abstractNum>'
                 f'<w:abstractNum w:abstractNumId="2">{lvl(0, "decimal", "附件%1")}</w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
                 '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
                 '<w:num w:numId="3"><w:abstractNumId w:val="0"/>'
                 '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
                 '<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>')
    body = (numbered(2, 0, "学习要求") + numbered(2, 0, "工作安排") + numbered(1, 0, "甲") + numbered(1, 0, "乙")
            + numbered(1, 1, "丙") + numbered(1, 1, "丁") + numbered(1, 0, "戊") + numbered(1, 1, "己")
            + numbered(3, 0, "重新编号") + numbered(4, 0, "") + p(r("标题")) + numbered(0, 0, "不编号"))
    src = read_source(make_docx(tmp_path / "n.docx", body, numbering=numbering))
    assert src.lines == ["九、学习要求", "十、工作安排", "1.甲", "2.乙", "（一）丙", "（二）丁", "3.戊", "（一）己",
                         "1.重新编号", "附件1", "标题", "不编号"]
    assert "1:第 1 段：Word 自动编号" in messages(src)


def test_python_docx_list_styles_number_through_the_style(tmp_path: Path) -> None:
    d = docx.Document()
    for text, style in (("甲", "List Number"), ("乙", "List Number"), ("点", "List Bullet")):
        d.add_paragraph(text, style=style)
    d.save(str(tmp_path / "l.docx"))
    assert read_source(tmp_path / "l.docx").lines == ["1.甲", "2.乙", "•点"]
