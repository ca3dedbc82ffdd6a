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
from .places.resources import Places, builtin_dir, use
from .read.source import InputError, read_source

SEED_SUFFIXES = (".txt", ".docx")
EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that speaks Chinese and exits 2 on wrong usage."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"用法错误（usage）：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _arguments(prog: str = "handouts") -> _Parser:
    p = _Parser(
        prog=prog,
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
    mode.add_argument("--volume", metavar="YEAR", type=_year, default=None,
                      help="把输出目录中该年已生成的各月学习材料合成一本汇编 PDF（PDF/A-2b）")
    mode.add_argument("--collect", metavar="DIR", default=None,
                      help="收集 DIR 中各支部交回的学习记录表（PDF、Word），写出学习情况汇总"
                           "（.xlsx、.docx、.pdf），并列出未提交和有问题的支部；SEED 为该月的学习材料")
    p.add_argument("--templates", metavar="DIR", default=None,
                   help="自己的模板目录：其中的文件逐个取代内置模板（默认 templates/，若存在）")
    p.add_argument("--fonts-dir", metavar="DIR", default=None,
                   help="自己的字体目录：字体文件优先使用，其中的 fonts.toml 取代内置字体配置")
    p.add_argument("--force", action="store_true",
                   help="覆盖已被手工修改过的输出文件")
    p.add_argument("--embed-fonts", action="store_true",
                   help="在 Word 文件中嵌入 PDF 所用字体的子集（没有公文字体的电脑上也显示一致）")
    p.add_argument("--serve", action="store_true",
                   help="在本机启动网页界面（只监听 127.0.0.1），并打开浏览器")
    p.add_argument("--port", type=int, default=None, help="网页界面的端口（默认自动选一个空闲端口）")
    p.add_argument("--no-browser", action="store_true", help="启动网页界面时不打开浏览器")
    p.add_argument("--mail", action="store_true",
                   help="另为名单中有电子邮件地址的每个二级党组织写一封邮件（OUT/<月份>/邮件/<支部>.eml）")
    p.add_argument("--send", action="store_true",
                   help="生成邮件并通过 SMTP 发送（发送前列出收件人并要求确认；已发送的不再发送）")
    p.add_argument("--mail-config", metavar="FILE", default=None,
                   help="邮件设置（默认输入文件旁边的 mail.toml）")
    p.add_argument("--yes", action="store_true", help="发送前不再询问确认")
    p.add_argument("--version", action="version", version=f"handouts {__version__}")
    return p


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"年份应为四位数字，如 2025，不能是 {text!r}")
    return int(text)


def _serve_argv(args: argparse.Namespace, prog: str) -> list[str]:
    """The web server's own arguments, from generate.py's; seeds make no sense there."""
    if args.seeds or args.outline or args.check or args.fonts or args.mail or args.send:
        _arguments(prog).error("--serve 不能与输入文件、--outline、--check、--fonts、--mail 或 --send"
                               " 同时使用（网页上有邮件一步）")
    out = [] if args.port is None else ["--port", str(args.port)]
    return out + (["--no-browser"] if args.no_browser else [])


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
        elif note.severity == "doubt":
            # What the parser guessed (issue 20): worth a look before printing.
            print(f"请核对：{_place(package.path, note)}", file=sys.stderr)
        elif verbose:
            print(f"说明：{_place(package.path, note)}", file=sys.stderr)


def outline_json(packages: Sequence[Package]) -> str:
    """The --outline text (DESIGN.md): one package's JSON object, a list for several."""
    data = [p.to_json() for p in packages]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"


def load(path: Path) -> Package:
    return parse(read_source(path))


def run(home: Path | None = None, prog: str = "handouts") -> NoReturn:
    """The command's entry point: main(), then leave at once.

    When main() returns every output is written, fsynced and renamed and the
    worker pool is closed; tearing the interpreter down object by object
    (fonts, documents, modules) only took another tenth of a second."""
    status = main(home=home, prog=prog)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    os._exit(status)


def main(argv: Sequence[str] | None = None, *, home: Path | None = None, prog: str = "handouts") -> int:
    """Run the command line; home holds seeds/, output/ and the user's
    templates/ and fonts/ (default: the current folder)."""
    # A run lives for seconds and its objects die by reference counting; the
    # cyclic collector only walked the imported modules and the parsed
    # package again and again. Font conversion, which does make cyclic
    # garbage, turns it back on (build.py).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(list(sys.argv[1:] if argv is None else argv), home or Path.cwd(), prog)
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


def _main(argv: list[str], home: Path, prog: str) -> int:
    if argv[:1] == ["serve"] and not Path("serve").exists():
        from .web import main as serve  # `handouts serve [--port P] [--no-browser]`

        use(Places(home=home))
        return serve(argv[1:])
    args = _arguments(prog).parse_args(argv)
    if args.serve:
        from .web import main as serve

        serve_argv = _serve_argv(args, prog)
        if _places(args, home) is None:
            return EXIT_INPUT
        return serve(serve_argv)
    formats = _usage(args, prog)
    if _places(args, home) is None:
        return EXIT_INPUT
    out = Path(args.out) if args.out else _shown(home / "output")
    if args.volume is not None:
        from .volume import build_volume

        return build_volume(args.volume, out)
    branches = Path(args.branches) if args.branches else _shown(home / "seeds" / "branches.txt")
    seeds = [Path(s) for s in args.seeds] or default_seeds(home / "seeds", branches)
    if not seeds:
        print(f"错误：{_shown(home / 'seeds')} 中没有 .txt 或 .docx 输入文件"
              "（请在存放 seeds/ 的文件夹中运行，或给出输入文件）", file=sys.stderr)
        return EXIT_INPUT
    if args.fonts:
        from .check import print_fonts_report

        return print_fonts_report(seeds)
    packages, status = _load_all(seeds)
    if args.collect is not None:
        if status != EXIT_OK and args.seeds:
            return status
        from .collect.run import collect

        return collect(Path(args.collect), packages, out=out, branches_path=branches, formats=formats)
    if args.outline:
        return _outline(packages, status)
    if args.check:
        return _check(packages, status)
    if status != EXIT_OK:
        return status
    return _build(args, packages, out=out, branches=branches, formats=formats, seeds=seeds)


def _usage(args: argparse.Namespace, prog: str) -> list[str]:
    """The formats asked for; combinations that make no sense end here as usage errors (exit 2)."""
    fail = _arguments(prog).error
    if args.port is not None or args.no_browser:
        fail("--port 和 --no-browser 只能与 --serve 一起使用")
    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("pdf", "docx")]
    if bad or not formats:
        fail(f"--formats 只能是 pdf、docx 或 pdf,docx，不能是 {args.formats!r}")
    if (args.mail or args.send) and (args.outline or args.check or args.fonts):
        fail("--mail、--send 不能与 --outline、--check、--fonts 同时使用")
    if (args.mail or args.send) and set(formats) != {"pdf", "docx"}:
        fail("--mail、--send 需要 Word 和 PDF 两种格式（邮件附件），不能与 --formats 同时限定")
    if (args.mail_config or args.yes) and not (args.mail or args.send):
        fail("--mail-config、--yes 只与 --mail 或 --send 一起使用")
    for option, value in (("-o/--out", args.out), ("--branches", args.branches)):
        if value is not None and not value.strip():
            fail(f"{option} 后面的路径不能为空")
    if args.volume is not None and args.seeds:
        fail("--volume 从输出目录中已生成的月份合成汇编，不能同时给出输入文件")
    if args.collect is not None and len(args.seeds) > 1:
        fail("--collect 只能配一个学习材料文件（SEED）")
    return formats


def _load_all(seeds: list[Path]) -> tuple[list[Package], int]:
    packages: list[Package] = []
    status = EXIT_OK
    for seed in seeds:
        try:
            packages.append(load(seed))
        except InputError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            status = EXIT_INPUT
    return packages, status


def _outline(packages: list[Package], status: int) -> int:
    for package in packages:
        print_notes(package, verbose=False)
    if packages:
        sys.stdout.write(outline_json(packages))
    return status


def _check(packages: list[Package], status: int) -> int:
    from .check import check_glyphs

    for package in packages:
        print_notes(package, verbose=True)
        if not check_glyphs(package):
            status = EXIT_INPUT
        else:
            doubts = f"、需核对 {len(package.doubts)} 处" if package.doubts else ""
            print(f"{package.path}：检查通过，通知 {1 if package.notice else 0} 份、"
                  f"附件 {len(package.attachments)} 个，警告 {len(package.warnings)} 条{doubts}。",
                  file=sys.stderr)
    return status


def _build(args: argparse.Namespace, packages: list[Package], *, out: Path, branches: Path,
           formats: list[str], seeds: list[Path]) -> int:
    """Build every package; with --mail/--send also the .eml files, then send them."""
    from .build import build_all

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


def _places(args: argparse.Namespace, home: Path) -> Places | None:
    """Where this run looks for templates and fonts; None (message printed) if a folder is missing."""
    given = {"--templates": args.templates, "--fonts-dir": args.fonts_dir}
    for option, folder in given.items():
        if folder is not None and not Path(folder).is_dir():
            print(f"错误：{option} 指定的目录 {folder} 不存在", file=sys.stderr)
            return None
    for kind, marker in (("templates", "style.toml"), ("fonts", "fonts.toml")):
        if not (builtin_dir(kind) / marker).is_file():
            print(f"错误：找不到内置的 {kind}/{marker}（{builtin_dir(kind)}）；安装不完整，"
                  "请重新安装 handouts，或在项目目录中运行 python generate.py", file=sys.stderr)
            return None
    places = Places(home=home, templates=Path(args.templates) if args.templates else None,
                    fonts=Path(args.fonts_dir) if args.fonts_dir else None)
    use(places)
    return places
