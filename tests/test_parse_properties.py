"""Property: no text makes reading or parsing raise, and nothing is lost (issue 2)."""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handouts.model.parse import parse
from handouts.read.source import InputError, read_bytes

STRUCTURE = [
    "附件1", "附件2", " 附件3", "附件", "附件：", "关于学习的通知", "各单位：", "各党总支:",
    "一、总体要求", "（一）加强领导。各单位要重视。", "(二)落实", "1.文件", "（1）任务", "1)任务",
    "2025年3月4日", "二〇二五年三月四日", "2025年2月30日", "宣传部", "国家发展改革委",
    "（此件公开发布）", "（本文有删减）", "（来源：网站      发布时间：2025-02-17）",
    "（2025—2027年）", "3月11日为教职工政治理论学习时间。", "序号\t姓名", "1\t张三", "",
    "[bookmark: _GoBack]正文", "——立德树人。", "特此通知",
]

line = st.one_of(
    st.sampled_from(STRUCTURE),
    st.text(max_size=60),
    st.text(alphabet="一二三、。，（）()：:“”《》0123456789.附件年月日 \t\u3000", max_size=30),
)


def outline_chars(data: object) -> Counter[str]:
    acc: Counter[str] = Counter()

    def walk(x: object) -> None:
        if isinstance(x, str):
            acc.update(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in ("encoding", "iso", "message", "study_date", "removed", "severity"):
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    return acc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, min_size=1, max_size=25), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_reading_and_parsing_never_raise_and_lose_nothing(lines: list[str], encoding: str) -> None:
    text = "\n".join(lines)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    try:
        source = read_bytes(data, "p.txt")
    except InputError as exc:
        # Only inputs without any usable text may be refused.
        assert exc.path == "p.txt"
        kept = [ch for ch in text if ch.isprintable() and not ch.isspace()]
        assert len(kept) <= len(text) // 20 or "binary" in exc.message or "编码" in exc.message
        return
    if source.encoding != encoding and encoding != "utf-16":
        # A few bytes can be valid in both UTF-8 and GB18030 ("¡" is "隆"); the
        # reader then prefers the reading that looks Chinese. What matters is
        # that nothing of what it read is lost.
        text = data.decode(source.encoding)
    package = parse(source)
    outline = package.to_json()
    json.dumps(outline, ensure_ascii=False)  # serialisable
    removed = Counter("".join(n.removed for n in package.notes if n.removed))
    wanted = Counter(ch for ch in text if not ch.isspace()) - removed
    have = outline_chars(outline)
    missing = wanted - have
    # The encoder may have replaced nothing; the only legitimate losses are
    # removed artefacts (recorded) and whitespace.
    assert not missing, f"lost characters: {missing!r}"
