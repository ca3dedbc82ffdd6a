"""Branch list and safe file names (issue 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.read.branches import read_branches, safe_filename, unique_filenames
from handouts.read.source import InputError

ROOT = Path(__file__).resolve().parent.parent


def test_the_seed_branch_list() -> None:
    names, notes = read_branches(ROOT / "seeds" / "branches.txt")
    assert names[0] == "马克思主义学院党总支"
    assert len(names) == 8
    assert notes == []


def test_comments_blanks_duplicates_and_gbk(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes("# 名单\n\n商学院党总支  # 注释\n　财经学院党总支\n商学院党总支\n".encode("gbk"))
    names, notes = read_branches(path)
    assert names == ["商学院党总支", "财经学院党总支"]
    assert [(n.line, n.severity) for n in notes] == [(5, "warning")]


@pytest.mark.parametrize("content", [b"", b"# only comments\n\n"])
def test_empty_list_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="名单"):
        read_branches(path)


def test_missing_list(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="找不到"):
        read_branches(tmp_path / "none.txt")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("商学院党总支", "商学院党总支"),
        ("机关/直属党支部", "机关_直属党支部"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        (".隐藏党支部", "隐藏党支部"),
        ("..", "_"),
        ("CON", "_CON"),
        ("第一党支部.", "第一党支部"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_unique_filenames_keep_branches_apart() -> None:
    assert unique_filenames(["a/b", "a_b", "A_B"]) == ["a_b", "a_b-2", "A_B-3"]


def test_long_names_fit_the_file_system() -> None:
    name = "很长的党支部名称" * 30
    safe = safe_filename(name)
    assert len(safe.encode("utf-8")) <= 120
    assert name.startswith(safe)


# Issue 14: a line may carry e-mail addresses.

def test_addresses_in_every_accepted_spelling(tmp_path: Path) -> None:
    from handouts.read.branches import read_branch_list

    path = tmp_path / "b.txt"
    path.write_text(
        "马克思主义学院党总支 <makesi@example.edu.cn>\n"
        "商学院党总支 <a@example.edu.cn>, <b@example.edu.cn>  # 两个地址\n"
        "财经学院党总支 <c@example.edu.cn, d@example.edu.cn>\n"
        "智慧康养学院党总支＜ｅ＠ｅｘａｍｐｌｅ．ｅｄｕ．ｃｎ＞，＜f@example.edu.cn＞\n"
        "机关/直属<党支部>\n"
        "文化与旅游学院党总支\n", encoding="utf-8")
    branches, notes = read_branch_list(path)
    assert [(b.name, b.addresses, b.line) for b in branches] == [
        ("马克思主义学院党总支", ("makesi@example.edu.cn",), 1),
        ("商学院党总支", ("a@example.edu.cn", "b@example.edu.cn"), 2),
        ("财经学院党总支", ("c@example.edu.cn", "d@example.edu.cn"), 3),
        ("智慧康养学院党总支", ("e@example.edu.cn", "f@example.edu.cn"), 4),
        ("机关/直属<党支部>", (), 5),  # a name with <…> but no address, as before
        ("文化与旅游学院党总支", (), 6),
    ]
    assert notes == []
    names, _ = read_branches(path)  # the old interface: names only
    assert names[1] == "商学院党总支"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("商学院党总支 <shang@example>", "不是有效的电子邮件地址"),
        ("商学院党总支 <shang.example.edu.cn>", "不是有效的电子邮件地址"),
        ("商学院党总支 <a@example.edu.cn> 备注", "格式不对"),
        ("商学院党总支 <>", "没有电子邮件地址"),
        ("商学院党总支 shang@example.edu.cn", "尖括号"),
        ("<shang@example.edu.cn>", "没有二级党组织名称"),
        ("商学院党总支 <商学院@example.edu.cn>", "不是有效的电子邮件地址"),
    ],
)
def test_a_malformed_address_names_file_and_line(tmp_path: Path, line: str, fragment: str) -> None:
    path = tmp_path / "b.txt"
    path.write_text(f"# 名单\n马克思主义学院党总支\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_branches(path)
    assert info.value.line == 3 and fragment in str(info.value) and "b.txt 第 3 行" in str(info.value)

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_branch_list_without_bom(tmp_path: Path, encoding: str) -> None:
    """Issue 19.3: the branch list is decoded like a seed, BOM or not."""
    path = tmp_path / "b.txt"
    path.write_bytes("《试点》马克思主义学院党总支\n商学院党总支\n".encode(encoding))
    names, notes = read_branches(path)
    assert names == ["《试点》马克思主义学院党总支", "商学院党总支"]
    assert notes == []


def test_member_counts_with_and_without_addresses(tmp_path: Path) -> None:
    """Issue 21: `名称 [32人]` gives the sign-in sheet its rows; both syntaxes combine."""
    from handouts.read.branches import read_branch_list

    path = tmp_path / "b.txt"
    path.write_text(
        "马克思主义学院党总支 [32人]\n"
        "商学院党总支 ［１２］ <a@example.edu.cn>\n"
        "财经学院党总支 <b@example.edu.cn>, <c@example.edu.cn> [40 人]\n"
        "机关（直属）党支部\n"
        "图书馆 [分馆] 党支部\n",
        encoding="utf-8")
    listed, notes = read_branch_list(path)
    assert [(b.name, b.members, b.addresses) for b in listed] == [
        ("马克思主义学院党总支", 32, ()),
        ("商学院党总支", 12, ("a@example.edu.cn",)),
        ("财经学院党总支", 40, ("b@example.edu.cn", "c@example.edu.cn")),
        ("机关（直属）党支部", None, ()),
        ("图书馆 [分馆] 党支部", None, ()),  # brackets without a count are part of the name
    ]
    assert notes == []
    assert read_branches(path)[0][0] == "马克思主义学院党总支"


@pytest.mark.parametrize(("line", "fragment"), [
    ("商学院党总支 [三十人]", "阿拉伯数字"),
    ("商学院党总支 [0人]", "1 到 999"),
    ("商学院党总支 [1200人]", "1 到 999"),
    ("[32人]", "人数前没有"),
])
def test_a_malformed_member_count_names_file_and_line(tmp_path: Path, line: str, fragment: str) -> None:
    path = tmp_path / "b.txt"
    path.write_text(f"# 名单\n财经学院党总支\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_branches(path)
    assert info.value.line == 3 and fragment in info.value.message
