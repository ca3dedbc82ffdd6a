"""Web-page debris copied along with a notice (issue 20, point 1).

Clerks often reuse a notice copied from a college website: navigation bars,
breadcrumbs, the column's name, "发布时间：… 点击量：…" lines and page tools
come with it. None of it belongs on page 1, in the title or in a file name.
The recognisers are a table: (kind, where, pattern). `where` says in which
part of the package a pattern may apply: "notice" patterns only in the
notice part (an attachment's "来源：… 日期：…" line is its source line),
"any" everywhere. A matching line is taken out of the text and kept as a
note with its line number and the removed text, so nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = r"^[\s·•●○◆◇■□▪►▶|｜【\[]*"
_META_LABEL = (r"(?:点击量|点击数|点击率|点击|浏览量|浏览次数|浏览|阅读量|阅读次数|阅读|访问量|访问次数|"
               r"作者|编辑|责任编辑|责编|审核|审稿|审校|初审|复审|终审|摄影|供稿|撰稿|通讯员|"
               r"发布时间|发布日期|发布人|发布者|发布单位|发布部门|发文时间|更新时间|录入|"
               r"来源|信息来源|稿件来源|文章来源|日期|时间)")
_META_STRONG = (r"(?:点击量|点击数|点击率|点击|浏览量|浏览次数|浏览|阅读量|阅读次数|访问量|访问次数|"
                r"责任编辑|责编|审核|审稿|审校|初审|复审|终审|发布时间|发布日期|发布人|发布者|"
                r"发布单位|发布部门|发文时间|更新时间|录入|作者|编辑|来源|信息来源|稿件来源|文章来源)")
# Site words that make a line of short space-separated words a navigation bar.
_NAV_WORDS = ("网站首页", "首页", "加入收藏", "设为首页", "联系我们", "网站地图", "English",
              "无障碍", "繁体", "简体", "登录", "注册", "学校主页", "返回首页", "站内搜索")
# Column names that stand alone on a line above (or below) an article.
CATEGORY_LABELS = frozenset((
    "通知公告", "通知通告", "公告通知", "正文", "文章正文", "文章详情", "详情",
    "党建工作", "党建动态", "党建园地", "党建要闻", "党务公开", "信息公开", "理论学习", "学习园地",
    "理论园地", "思政教育", "宣传思想", "新闻动态", "学院新闻", "校园新闻", "综合新闻", "工作动态",
    "要闻", "图片新闻", "通知文件", "文件通知", "规章制度", "当前位置", "您的位置", "您现在的位置",
))


@dataclass(frozen=True)
class Debris:
    kind: str  # what the note calls it
    where: str  # "any" or "notice"
    pattern: re.Pattern[str]


DEBRIS: tuple[Debris, ...] = (
    # 「网站首页 >> 通知公告 >> 正文」, 「当前位置：首页 > 通知公告」
    Debris("导航路径（breadcrumb）", "any", re.compile(
        r"^(?:当前位置|您的位置|您现在的位置|位置)\s*[:：]|"
        r"^(?!.*<)(?=.*(?:首页|主页|正文|栏目))[^。，；]{0,40}?(?:>>|＞＞|»|›|>|＞|→|/)|"
        r"^(?!.*<)(?=.*[\u4e00-\u9fff])[^。，；]{0,40}?(?:>>|＞＞|»|›|>|＞)[^。，；]{0,40}"
        r"(?:>>|＞＞|»|›|>|＞)")),
    # 「首页 加入收藏 设为首页」: the site's menu bar.
    Debris("网站导航栏", "any", re.compile(
        r"^(?=.*(?:" + "|".join(_NAV_WORDS) + r"))(?:[^\s。，；：]{1,8}(?:\s+|\s*[|｜/]\s*|$)){2,}$")),
    # 「【打印本页】【关闭窗口】」, 「分享到：」, 「上一篇：…」
    Debris("网页工具栏", "any", re.compile(
        r"^(?:[【\[]?\s*(?:打印本页|打印此页|打印|关闭窗口|关闭|返回顶部|返回列表|收藏|字体|字号)"
        r"[^】\]]{0,12}[】\]]?\s*){1,6}$|"
        r"^(?:分享到|上一篇|下一篇|上一条|下一条|相关文章|相关阅读|附件下载)\s*[:：]?|"
        r"^(?:扫一扫|版权所有|Copyright|©|技术支持\s*[:：])|ICP备\d")),
    # 「发布时间：2025-04-01  作者：党委宣传部  点击量：235」, with a bullet or not.
    # In an attachment a line that starts with 来源 is its source line instead.
    Debris("网页信息行（发布时间、作者、点击量等）", "notice-or-not-source", re.compile(
        _BULLET + _META_STRONG + r"\s*[:：]|"
        + _BULLET + _META_LABEL + r"\s*[:：][^。]{0,60}?\s" + _META_LABEL + r"\s*[:：]|"
        + r"[\s|｜]" + _META_STRONG + r"\s*[:：]\s*\d+\s*(?:次)?\s*$|"
        # 「日期：2025-04-01」: a date the way web pages write it, not 2025年4月1日.
        + _BULLET + r"(?:日期|时间)\s*[:：]\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|"
        # 「2025-04-01 10:21」, 「[2025-04-01]」 alone: the page's publishing date.
        + r"^[\[【(（]?\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?[\]】)）]?$")),
    # Copied from a WeChat article: the account line on top, the buttons below.
    Debris("微信公众号页面残留", "any", re.compile(
        r"^(?:阅读原文|阅读全文|点击上方.{0,12}关注.{0,12}|预览时标签不可点|微信扫一扫.{0,20}|"
        r"(?:赞|在看|分享|收藏|点赞|写留言|留言)(?:\s+(?:赞|在看|分享|收藏|点赞|写留言|留言))*)$|"
        r"^原创\s+\S{2,30}\s+\S{2,30}(?:\s+\d{4}[-年]\d{1,2}[-月]\d{1,2}日?)?(?:\s+\d{1,2}:\d{2})?$")),
    Debris("网页栏目名称", "notice", re.compile(
        r"^[【\[]?(?:" + "|".join(sorted(CATEGORY_LABELS, key=len, reverse=True)) + r")[】\]]?\s*[:：]?$")),
)

# 「关于…的通知    发布时间：2025-04-01  点击：12」: metadata run on after a
# title, set off by spaces. Only a strong label counts ("时间：" may be text).
TRAILING_META = re.compile(r"(?:\s{2,}|\t|　+|\s*[|｜]\s*)" + _META_STRONG + r"\s*[:：].*$")

# A line longer than this is text, whatever it starts with.
_MAX_DEBRIS = 120


def debris_kind(text: str, part: str) -> str | None:
    """What kind of web debris the line is, or None. part: "notice" or "attachment"."""
    if len(text) > _MAX_DEBRIS or "。" in text:
        return None
    for d in DEBRIS:
        if d.where == "notice" and part != "notice":
            continue
        if d.where == "notice-or-not-source" and part != "notice" and _SOURCE_START.match(text):
            continue
        if d.pattern.search(text):
            return d.kind
    return None


# 「【通知】关于…的通知」「[置顶]关于…」: the site's tag in front of a title.
LEADING_TAG = re.compile(r"^[【\[](?:通知|公告|通告|重要|置顶|最新|转发|热点|推荐|公示)[】\]]\s*(?=\S)")


def leading_tag(text: str) -> int | None:
    """Where the text after a web tag such as 【通知】 begins, if the line has one."""
    m = LEADING_TAG.match(text)
    return m.end() if m else None


def trailing_meta(text: str) -> int | None:
    """Where web metadata run on after the text of a line begins, if it does."""
    if text.startswith(("（", "(", "【", "[")) or _SOURCE_START.match(text):
        return None  # 「（来源：… 发布时间：…）」 is a source line, kept whole
    m = TRAILING_META.search(text)
    if m is None or m.start() == 0 or "。" in text[m.start():]:
        return None
    return m.start()


_SOURCE_START = re.compile(r"^[（(]?\s*(?:来\s*源|稿件来源|信息来源|文章来源|转自)\s*[:：]")


def clean_line(text: str, part: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The line without its web debris (None: nothing is left) and, for the
    notes, (message, removed text) for each piece taken out."""
    pieces: list[tuple[str, str]] = []
    tag = leading_tag(text) if part == "notice" else None
    if tag is not None:
        pieces.append(("网页残留（标题前的网页标签），不作为正文：" + text[:tag].strip(), text[:tag]))
        text = text[tag:]
    cut = trailing_meta(text) if part == "notice" else None
    if cut is not None and not debris_kind(text[:cut].rstrip(), part):
        pieces.append(("网页残留（行尾的发布时间、点击量等），不作为正文：" + text[cut:].strip(), text[cut:]))
        return text[:cut].rstrip(), pieces
    kind = debris_kind(text, part)
    if kind:
        pieces.append((f"网页残留（{kind}），不作为正文：{text}", text))
        return None, pieces
    return text, pieces
