"""Issue 17: --collect reads the sheets branches send back and summarises the month.

The March build's own sheets are filled the way branches fill them (pypdf
for the PDF form, with and without appearance streams; python-docx for the
Word table), plus what also lands in the clerk's mailbox: a flattened PDF,
a wrong month, a duplicate, a damaged file, a password, a scan, the handout
itself, a sign-in sheet and Word's lock file. One branch sends nothing.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
from reportlab.pdfgen.canvas import Canvas
from sheetfill import fill_docx, fill_pdf

from handouts.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
BRANCHES = [b.strip() for b in (ROOT / "seeds" / "branches.txt").read_text(encoding="utf-8").splitlines()
            if b.strip() and not b.startswith("#")]
SHANG = {"place": "行政楼三楼会议室", "host": "张三丰", "recorder": "李四", "expected": "32",
         "present": "30", "absent": "王五（出差）、赵六（病假）",
         "discussion": "大家围绕重要讲话精神进行了深入交流。", "discussion_more": "续页：讨论记录未完部分。"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert main([str(SEED), "-o", str(out)]) == 0
    return out / "2025-03"


def blank(built: Path, branch: str, fmt: str) -> Path:
    return built / "学习记录表" / f"{branch}学习记录表.{fmt}"


@pytest.fixture(scope="module")
def returned(built, tmp_path_factory) -> Path:
    box = tmp_path_factory.mktemp("returned")
    fill_pdf(blank(built, "商学院党总支", "pdf"), box / "商学院党总支学习记录表.pdf", SHANG)
    fill_pdf(blank(built, "财经学院党总支", "pdf"), box / "财经学院" / "记录表.pdf",
             {"place": "财经楼201", "host": "", "recorder": "钱七", "expected": "20", "present": "25"},
             viewer=True)
    fill_docx(blank(built, "文化与旅游学院党总支", "docx"), box / "文旅.docx",
              {"time": "2025年3月12日　14时30分至16时00分", "place": "图书馆报告厅", "host": "孙八",
               "recorder": "周九", "expected": "18", "present": "17", "absent": "吴十（病假）",
               "discussion": "结合专业建设谈体会。", "discussion_more": "续页也写了。"},
              modes=("集中学习", "专题研讨"))
    fill_docx(blank(built, "智慧康养学院党总支", "docx"), box / "康养.docx",
              {"time": "2025年4月2日", "place": "康养楼", "host": "郑一", "recorder": "王二",
               "expected": "15", "present": "15"})
    # A duplicate: the Word file and, differently filled, the PDF.
    fill_docx(blank(built, "马克思主义学院党总支", "docx"), box / "马院.docx",
              {"place": "马院会议室", "host": "冯三", "recorder": "陈四", "expected": "12", "present": "11"})
    fill_pdf(blank(built, "马克思主义学院党总支", "pdf"), box / "马院.pdf",
             {"place": "马院会议室", "host": "冯三", "recorder": "陈四", "expected": "12", "present": "10"})
    # Filled, then flattened into page text (qpdf, as "flatten"/"print to PDF" do).
    filled = fill_pdf(blank(built, "民政与社会治理学院党总支", "pdf"), box.parent / "mz.pdf",
                      {"place": "民政楼105", "host": "褚五", "recorder": "卫六", "expected": "22",
                       "present": "21", "absent": "蒋七（事假）", "discussion": "扁平化后仍可读取。"})
    subprocess.run(["qpdf", "--flatten-annotations=all", str(filled), str(box / "民政学院（已打印）.pdf")],
                   check=True)
    # Another month: last month's sheet sent again.
    wrong = docx.Document(str(blank(built, "大数据与信息产业学院党总支", "docx")))
    for p in wrong.paragraphs:
        for run in p.runs:
            run.text = run.text.replace("2025年3月", "2025年2月")
    wrong.save(str(box / "大数据学院.docx"))
    # 智能工程学院党总支 sends nothing. The rest are not sheets, or cannot be read.
    data = blank(built, "商学院党总支", "pdf").read_bytes()
    (box / "损坏.pdf").write_bytes(data[: len(data) // 3])
    (box / "损坏.docx").write_bytes(blank(built, "商学院党总支", "docx").read_bytes()[:2000])
    locked = pypdf.PdfWriter(clone_from=str(blank(built, "商学院党总支", "pdf")))
    locked.encrypt("secret", algorithm="RC4-128")
    with open(box / "加密.pdf", "wb") as fh:
        locked.write(fh)
    (box / "扫描件.pdf").write_bytes(scanned(blank(built, "商学院党总支", "pdf"), box.parent))
    (box / "通知.docx").write_bytes((built / "2025年3月教职工政治理论学习内容.docx").read_bytes())
    (box / "签到表.pdf").write_bytes((built / "签到表" / "商学院党总支签到表.pdf").read_bytes())
    (box / "~$文旅.docx").write_bytes(b"\x06lock")
    return box


def scanned(pdf: Path, work: Path) -> bytes:
    """The sheet as a scanner gives it: one picture per page, no text."""
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(work / "scan")],
                   check=True)
    png = next(work.glob("scan*.png"))
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(595, 842), invariant=1)
    canvas.drawImage(str(png), 0, 0, 595, 842)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def collected(returned, tmp_path_factory):
    before = snapshot(returned)
    out = tmp_path_factory.mktemp("summary")
    import contextlib

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["--collect", str(returned), str(SEED), "-o", str(out)])
    assert snapshot(returned) == before  # nothing in DIR is changed
    return status, stdout.getvalue(), stderr.getvalue(), out / "2025-03"


HEADERS = ["序号", "二级党组织", "学习时间", "学习地点", "主持人", "记录人", "应到人数", "实到人数", "出勤率",
           "缺席人员及原因", "学习形式", "学习讨论", "状态", "问题及说明", "文件"]


def rows_of(path: Path) -> dict[str, dict[str, object]]:
    ws = openpyxl.load_workbook(path)["学习情况汇总"]
    assert [c.value for c in ws[2]] == HEADERS
    rows = {}
    for r in range(3, 3 + len(BRANCHES)):
        values = [ws.cell(r, n).value for n in range(1, len(HEADERS) + 1)]
        rows[values[1]] = dict(zip(HEADERS, values, strict=True))
    return rows


def test_spreadsheet_cell_by_cell(collected) -> None:
    status, _out, err, folder = collected
    assert status == 0, err
    rows = rows_of(folder / "学习情况汇总.xlsx")
    assert list(rows) == BRANCHES  # one row per branch, in branch-list order
    assert [rows[b]["序号"] for b in BRANCHES] == list(range(1, len(BRANCHES) + 1))
    shang = rows["商学院党总支"]
    assert {k: shang[k] for k in HEADERS[2:13]} == {
        "学习时间": "2025年3月11日", "学习地点": "行政楼三楼会议室", "主持人": "张三丰", "记录人": "李四",
        "应到人数": 32, "实到人数": 30, "出勤率": pytest.approx(30 / 32), "缺席人员及原因": "王五（出差）、赵六（病假）",
        "学习形式": None, "学习讨论": "大家围绕重要讲话精神进行了深入交流。\n续页：讨论记录未完部分。", "状态": "已提交"}
    assert shang["文件"] == "商学院党总支学习记录表.pdf" and shang["问题及说明"] is None
    wenlv = rows["文化与旅游学院党总支"]
    assert (wenlv["学习时间"], wenlv["学习形式"], wenlv["实到人数"], wenlv["状态"]) == \
        ("2025年3月12日 14时30分至16时00分", "集中学习、专题研讨", 17, "已提交")
    assert wenlv["学习讨论"] == "结合专业建设谈体会。\n续页也写了。"
    minzheng = rows["民政与社会治理学院党总支"]  # read back from the flattened page's text
    assert (minzheng["学习地点"], minzheng["主持人"], minzheng["应到人数"], minzheng["实到人数"],
            minzheng["缺席人员及原因"], minzheng["学习讨论"], minzheng["状态"]) == \
        ("民政楼105", "褚五", 22, 21, "蒋七（事假）", "扁平化后仍可读取。", "已提交")
    caijing = rows["财经学院党总支"]
    assert (caijing["学习地点"], caijing["主持人"], caijing["应到人数"], caijing["实到人数"], caijing["状态"]) == \
        ("财经楼201", None, 20, 25, "有问题")
    assert caijing["问题及说明"] == ("主持人未填写（财经学院/记录表.pdf）\n"
                                 "实到人数（25）大于应到人数（20）（财经学院/记录表.pdf）")
    kangyang = rows["智慧康养学院党总支"]
    assert (kangyang["学习时间"], kangyang["状态"]) == ("2025年4月2日", "有问题")
    assert kangyang["问题及说明"] == "学习时间 2025年4月2日 不在2025年3月（康养.docx）"
    maoyuan = rows["马克思主义学院党总支"]
    assert maoyuan["状态"] == "有问题" and maoyuan["实到人数"] == 11  # the first of equally full sheets
    assert maoyuan["问题及说明"] == "收到 2 份记录表（马院.docx、马院.pdf），内容不同，汇总采用 马院.docx"
    assert maoyuan["文件"] == "马院.docx\n马院.pdf"
    bigdata = rows["大数据与信息产业学院党总支"]
    assert (bigdata["学习地点"], bigdata["状态"]) == (None, "有问题")
    assert "2025年2月" in bigdata["问题及说明"] and "大数据学院.docx" in bigdata["问题及说明"]
    missing = rows["智能工程学院党总支"]
    assert (missing["状态"], missing["学习时间"], missing["出勤率"]) == ("未提交", None, None)


def test_totals_and_file_list(collected) -> None:
    wb = openpyxl.load_workbook(collected[3] / "学习情况汇总.xlsx")
    ws = wb["学习情况汇总"]
    total = [c.value for c in ws[3 + len(BRANCHES)]]
    # 商 32/30, 财经 20/25, 文旅 18/17, 康养 15/15, 马院 12/11, 民政 22/21
    assert total[1] == "合计" and total[6:9] == [119, 119, pytest.approx(1.0)]
    assert ws.cell(3, 9).number_format == "0.0%"
    listing = {row[0]: row[1] for row in wb["文件清单"].iter_rows(min_row=2, values_only=True)}
    assert listing["损坏.pdf"] == listing["加密.pdf"] == listing["扫描件.pdf"] == "无法读取"
    assert listing["通知.docx"] == listing["签到表.pdf"] == "不是记录表"
    assert listing["~$文旅.docx"] == "未读取" and listing["大数据学院.docx"] == "不计入本月"
    assert listing["马院.pdf"] == "学习记录表"


def test_printed_report(collected) -> None:
    _status, out, _err, _folder = collected
    lines = out.splitlines()
    at = lines.index("未提交（1 个）：")
    assert lines[at + 1] == "  智能工程学院党总支"
    for line in [
        "  财经学院党总支：实到人数（25）大于应到人数（20）（财经学院/记录表.pdf）",
        "  财经学院党总支：主持人未填写（财经学院/记录表.pdf）",
        "  智慧康养学院党总支：学习时间 2025年4月2日 不在2025年3月（康养.docx）",
        "  马克思主义学院党总支：收到 2 份记录表（马院.docx、马院.pdf），内容不同，汇总采用 马院.docx",
        "  大数据与信息产业学院党总支：未交本月记录表，收到的文件是2025年2月的记录表，不是2025年3月的（大数据学院.docx）",
        "  损坏.docx：文件已损坏，无法作为 Word 文件打开（zip 结构不完整）",
        "  加密.pdf：有密码保护，无法读取；请支部取消密码后重新发送",
        "  扫描件.pdf：是扫描的图像：没有表单域也没有文字，无法读取；请支部发送填好的 PDF 或 Word 文件",
        "  签到表.pdf：这是签到表，不是学习记录表",
        "  ~$文旅.docx：Word/WPS 打开文件时留下的临时文件",
    ]:
        assert line in lines, line
    assert any(ln.startswith("  损坏.pdf：文件已损坏") for ln in lines)
    assert any(ln.startswith("  通知.docx：不是学习记录表") for ln in lines)
    assert "已提交 3 个，有问题 4 个，未提交 1 个" in lines[1]
    assert "Traceback" not in out + _err


def test_summary_page_pdf_and_docx(collected, tmp_path) -> None:
    folder = collected[3]
    pdf = folder / "学习情况汇总.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info and "841.89 x 595.276" in info  # one landscape A4 page
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "2025年3月教职工政治理论学习情况汇总" in text
    for value in ("张三丰", "93.8%", "125.0%", "已提交", "未提交（1个）", "大数据与信息产业学院党总支"):
        assert value in text.replace(" ", ""), value
    d = docx.Document(str(folder / "学习情况汇总.docx"))
    section = d.sections[0]
    assert section.orientation == 1 and section.page_width > section.page_height  # WD_ORIENT.LANDSCAPE
    cells = [c.text for row in d.tables[0].rows for c in row.cells]
    assert "行政楼三楼会议室" in cells and "已提交" in cells and "未提交" in cells
    lo = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                         "--convert-to", "pdf", "--outdir", str(tmp_path), str(folder / "学习情况汇总.docx")],
                        capture_output=True, timeout=180)
    assert lo.returncode == 0, lo.stderr
    pages = subprocess.run(["pdfinfo", str(tmp_path / "学习情况汇总.pdf")], capture_output=True, text=True,
                           check=True).stdout
    assert "Pages:           1" in pages  # Word's layout (LibreOffice) keeps it on one page too


def test_summary_is_deterministic(returned, collected, tmp_path) -> None:
    import contextlib

    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--collect", str(returned), str(SEED), "-o", str(tmp_path)]) == 0
    for name in ("学习情况汇总.xlsx", "学习情况汇总.docx", "学习情况汇总.pdf"):
        assert (tmp_path / "2025-03" / name).read_bytes() == (collected[3] / name).read_bytes(), name
    props = openpyxl.load_workbook(tmp_path / "2025-03" / "学习情况汇总.xlsx").properties
    assert props.created.date().isoformat() == props.modified.date().isoformat() == "2025-03-04"


def test_seed_chosen_from_the_sheets_and_bad_folders(returned, tmp_path, capsys) -> None:
    assert main(["--collect", str(returned), "-o", str(tmp_path)]) == 0  # seeds/ has March only
    assert (tmp_path / "2025-03" / "学习情况汇总.xlsx").is_file()
    capsys.readouterr()
    assert main(["--collect", str(tmp_path / "nowhere"), str(SEED)]) == 1
    assert "不是文件夹" in capsys.readouterr().err
    # The summary would land inside the folder being collected.
    assert main(["--collect", str(tmp_path), str(SEED), "-o", str(tmp_path)]) == 1
    assert "请用 -o 指定别的输出目录" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--collect", str(returned), str(SEED), str(SEED)])
    assert exc.value.code == 2
