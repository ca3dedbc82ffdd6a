"""Command line (DESIGN.md, "Command-line contract").

Arguments, progress, messages and exit codes only; the work happens in the
library. Exit status: 0 done (warnings printed), 1 an input or content error,
2 wrong usage. No input ever produces a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .model.package import Note, Package
from .model.parse import parse
from .read.source import InputError, read_source

PROJECT = Path(__file__).resolve().parent.parent
SEED_SUFFIXES = (".txt", ".docx")
EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that speaks Chinese and exits 2 on wrong usage."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"用法错误（usage）：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _arguments() -> _Parser:
    p = _Parser(
        prog="generate.py",
        description="把每月政治理论学习材料生成公文格式的 Word/PDF 和各支部学习记录表、签到表。",
    )
    p.add_argument("seeds", nargs="*", metavar="SEED",
                   help="输入文件（.txt 或 .docx）；默认 seeds/ 下的全部月份文件")
    p.add_argument("-o", "--out", metavar="DIR", default=None, help="输出目录（默认 output/）")
    p.add_argument("--branches", metavar="FILE", default=None,
                   help="二级党组织名单（默认 seeds/branches.txt）")
    p.add_argument("--formats", default="pdf,docx", help="输出格式：pdf,docx（默认两者）")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--outline", action="store_true",
                      help="以 JSON 输出解析结构，不写文件")
    mode.add_argument("--check", action="store_true",
                      help="只读取、解析并检查字体和字符，不写文件")
    mode.add_argument("--fonts", action="store_true", help="列出每个字体角色选用的字体及原因")
    p.add_argument("--force", action="store_true",
                   help="覆盖已被手工修改过的输出文件")
    p.add_argument("--embed-fonts", action="store_true",
                   help="在 Word 文件中嵌入 PDF 所用字体的子集（没有公文字体的电脑上也显示一致）")
    p.add_argument("--mail", action="store_true",
                   help="另为名单中有电子邮件地址的每个二级党组织写一封邮件（OUT/<月份>/邮件/<支部>.eml）")
    p.add_argument("--send", action="store_true",
                   help="生成邮件并通过 SMTP 发送（发送前列出收件人并要求确认；已发送的不再发送）")
    p.add_argument("--mail-config", metavar="FILE", default=None,
                   help="邮件设置（默认输入文件旁边的 mail.toml）")
    p.add_argument("--yes", action="store_true", help="发送前不再询问确认")
    p.add_argument("--version", action="version", version=f"handouts {__version__}")
    return p


def default_seeds(seed_dir: Path, branches: Path | None) -> list[Path]:
    if not seed_dir.is_dir():
        return []
    skip = {branches.resolve()} if branches else set()
    return sorted(
        _shown(p) for p in seed_dir.iterdir()
        if p.suffix.lower() in SEED_SUFFIXES and p.is_file() and p.resolve() not in skip
        and p.name != "branches.txt" and not p.name.startswith((".", "~$"))
    )


def _shown(path: Path) -> Path:
    """Messages name files the way the clerk would type them: relative to here."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _place(path: str, note: Note) -> str:
    return f"{path} 第 {note.line} 行：{note.message}"


def print_notes(package: Package, *, verbose: bool) -> None:
    for note in package.notes:
        if note.severity == "warning":
            print(f"警告：{_place(package.path, note)}", file=sys.stderr)
        elif verbose:
            print(f"说明：{_place(package.path, note)}", file=sys.stderr)


def load(path: Path) -> Package:
    return parse(read_source(path))


def run() -> NoReturn:
    """The command's entry point: main(), then leave at once.

    When main() returns every output is written, fsynced and renamed and the
    worker pool is closed; tearing the interpreter down object by object
    (fonts, documents, modules) only took another tenth of a second."""
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    # A run lives for seconds and its objects die by reference counting; the
    # cyclic collector only walked the imported modules and the parsed
    # package again and again. Font conversion, which does make cyclic
    # garbage, turns it back on (build.py).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # never a traceback for the clerk
        if os.environ.get("HANDOUTS_DEBUG"):
            raise
        print(f"内部错误（internal error）：{type(exc).__name__}: {exc}\n"
              "请把输入文件和这条信息发给维护者；设置环境变量 HANDOUTS_DEBUG=1 可看到详细信息。",
              file=sys.stderr)
        return EXIT_INPUT
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str]) -> int:
    args = _arguments().parse_args(argv)
    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("pdf", "docx")]
    if bad or not formats:
        _arguments().error(f"--formats 只能是 pdf、docx 或 pdf,docx，不能是 {args.formats!r}")
    if (args.mail or args.send) and (args.outline or args.check or args.fonts):
        _arguments().error("--mail、--send 不能与 --outline、--check、--fonts 同时使用")
    if (args.mail or args.send) and set(formats) != {"pdf", "docx"}:
        _arguments().error("--mail、--send 需要 Word 和 PDF 两种格式（邮件附件），不能与 --formats 同时限定")
    if (args.mail_config or args.yes) and not (args.mail or args.send):
        _arguments().error("--mail-config、--yes 只与 --mail 或 --send 一起使用")
    branches = Path(args.branches) if args.branches else _shown(PROJECT / "seeds" / "branches.txt")
    seeds = [Path(s) for s in args.seeds] or default_seeds(PROJECT / "seeds", branches)
    if not seeds:
        print(f"错误：{PROJECT / 'seeds'} 中没有 .txt 或 .docx 输入文件", file=sys.stderr)
        return EXIT_INPUT

    from .compose.style import TEMPLATES

    if not TEMPLATES.is_dir():
        # templates/ and fonts/ live beside the package in the checkout.
        print(f"错误：找不到模板目录 {TEMPLATES}；请在项目目录中运行 python generate.py，"
              "或用 pip install -e . 安装", file=sys.stderr)
        return EXIT_INPUT
    if args.fonts:
        from .check import print_fonts_report

        return print_fonts_report(seeds)

    packages: list[Package] = []
    status = EXIT_OK
    for seed in seeds:
        try:
            packages.append(load(seed))
        except InputError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            status = EXIT_INPUT
    if args.outline:
        for package in packages:
            print_notes(package, verbose=False)
        data = [p.to_json() for p in packages]
        if not data:
            return status
        json.dump(data[0] if len(data) == 1 else data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return status
    if args.check:
        from .check import check_glyphs

        for package in packages:
            print_notes(package, verbose=True)
            if not check_glyphs(package):
                status = EXIT_INPUT
            else:
                print(f"{package.path}：检查通过，通知 1 份、附件 {len(package.attachments)} 个，"
                      f"警告 {len(package.warnings)} 条。", file=sys.stderr)
        return status
    if status != EXIT_OK:
        return status
    from .build import build_all

    out = Path(args.out) if args.out else PROJECT / "output"
    mail, settings = None, None
    if args.mail or args.send:
        from .mail.console import mail_job
        from .mail.settings import MailConfigError, default_config

        config = Path(args.mail_config) if args.mail_config else _shown(default_config(seeds))
        try:
            mail, settings = mail_job(config, explicit=args.mail_config is not None, send=args.send)
        except MailConfigError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_INPUT
    status = build_all(packages, out=out, branches=branches, formats=formats, force=args.force,
                       embed_fonts=args.embed_fonts, mail=mail)
    if status != EXIT_OK or not args.send or settings is None:
        return status  # nothing is sent from a build that failed
    from .mail.console import send_months
    from .read.branches import safe_filename

    months = [out / safe_filename(Path(p.path).stem) for p in packages]
    return send_months(months, settings, yes=args.yes)
