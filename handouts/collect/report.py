"""What --collect prints: in Chinese, every branch that has not returned a
sheet, every problem with the file it is in, every file that gave no sheet."""

from __future__ import annotations

from .tally import MISSING, PROBLEM, SUBMITTED, Tally

_KINDS = (("unreadable", "无法读取的文件（已跳过）"), ("not-sheet", "不是学习记录表的文件"),
          ("sheet", "不计入本月的记录表"))


def report_lines(t: Tally, *, folder: str, seed: str, read: int, sheets: int,
                 skipped: list[tuple[str, str]], written: list[str]) -> list[str]:
    ok, bad, missing = (t.by_status(s) for s in (SUBMITTED, PROBLEM, MISSING))
    lines = [
        f"收回记录表：{folder}（{t.month_text}，学习材料 {seed}）",
        f"读取文件 {read} 个，其中学习记录表 {sheets} 份；二级党组织 {len(t.rows)} 个："
        f"已提交 {len(ok)} 个，有问题 {len(bad)} 个，未提交 {len(missing)} 个。",
    ]
    if missing:
        lines.append(f"未提交（{len(missing)} 个）：")
        lines += [f"  {r.branch}" for r in missing]
    if bad:
        lines.append(f"有问题（{len(bad)} 个）：")
        for r in bad:
            lines += [f"  {r.branch}：{p}" for p in r.problems]
    for kind, heading in _KINDS:
        files = [f for f in t.files if f.kind == kind]
        if files:
            lines.append(f"{heading}（{len(files)} 个）：")
            lines += [f"  {f.file}：{f.message}" for f in files]
    if skipped:
        lines.append(f"未读取（{len(skipped)} 个）：")
        lines += [f"  {name}：{why}" for name, why in skipped]
    if written:
        lines.append("汇总：" + "、".join(written))
    return lines
