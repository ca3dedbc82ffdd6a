"""One seed → every output file and manifest.json (DESIGN.md, "build").

The only stage that touches the disk for output, through output.OutputFolder
(atomic files, hand edits, messages for write failures); manifest.json is
written last.
"""

from __future__ import annotations

import gc
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .compose.document import Document
from .compose.render import ComposeError, compose_handout
from .compose.sheets import compose_bundle, compose_sheet, sheet_kinds
from .compose.style import StyleError, StyleSheet, load_style
from .model.package import Package
from .output import MANIFEST, OutputError, OutputFolder, atomic_write, describe_write_error, sha256_of
from .read.branches import read_branch_list, safe_filename, unique_filenames
from .read.source import InputError
from .typeset.titles import TITLE_ROLE, segment_titles
from .typeset.words import save as save_words

__all__ = ["MANIFEST", "BuildError", "OutputError", "OutputFolder", "atomic_write", "build_package"]
# Called with (files rendered, files in all) as the writers finish: the web page's progress bar.
Progress = Callable[[int, int], None]


@dataclass
class OutputFile:
    path: str  # relative to the seed's output folder, POSIX separators
    kind: str  # handout | record-sheet | signin-sheet | print-bundle | mail
    format: str  # pdf | docx | eml
    branch: str | None
    pages: int | None
    sha256: str
    blank_pages: int | None = None  # pages added so that branches start on odd pages

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "kind": self.kind, "format": self.format,
                               "branch": self.branch, "pages": self.pages, "sha256": self.sha256}
        if self.blank_pages is not None:
            out["blank_pages"] = self.blank_pages
        return out


@dataclass
class BuildContext:
    """What a process loads once and reuses for every document it writes."""

    style: StyleSheet = field(default_factory=load_style)
    timings: dict[str, float] = field(default_factory=dict)
    _fontset: Any = None

    @property
    def fontset(self) -> Any:
        if self._fontset is None:
            from .fonts.fontset import FontSet

            with self.timer("fonts"):
                self._fontset = FontSet.load()
        return self._fontset

    def timer(self, stage: str) -> _Timer:
        return _Timer(self.timings, stage)


class _Timer:
    def __init__(self, acc: dict[str, float], stage: str) -> None:
        self.acc, self.stage = acc, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.acc[self.stage] = self.acc.get(self.stage, 0.0) + time.perf_counter() - self.start


class BuildError(Exception):
    """A content error found while building: Chinese message with file and line."""


def build_all(packages: list[Package], *, out: Path, branches: Path, formats: list[str],
              force: bool, embed_fonts: bool = False, mail: Any = None,
              progress: Progress | None = None) -> int:
    """mail: a mail.message.MailJob (its recipients are filled in here) to write .eml files.
    progress: told (files rendered, files in all) as the writers finish (the web page)."""
    from .fonts.fontset import FontConfigError, MissingGlyphError

    content_errors: tuple[type[Exception], ...] = (BuildError, FontConfigError, StyleError, ComposeError)
    if mail is not None:  # the mail package (smtplib, email) only for a build that writes mail
        from .mail.message import MailError

        content_errors += (MailError,)
    try:
        listed, notes = read_branch_list(branches)
    except InputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    names = [b.name for b in listed]
    for note in notes:
        print(f"警告：{branches} 第 {note.line} 行：{note.message}", file=sys.stderr)
    if mail is not None:
        mail = type(mail)(recipients={b.name: b.addresses for b in listed}, sender=mail.sender)
        if missing := [b.name for b in listed if not b.addresses]:
            print(f"警告：{branches} 中以下 {len(missing)} 个二级党组织没有电子邮件地址，不生成邮件："
                  + "、".join(missing), file=sys.stderr)
    ctx = BuildContext()
    status = 0
    for package in packages:
        for note in package.notes:
            if note.severity in ("warning", "doubt"):
                word = "警告" if note.severity == "warning" else "请核对"
                print(f"{word}：{package.path} 第 {note.line} 行：{note.message}", file=sys.stderr)
        try:
            folder, files = build_package(package, out=out, branches=names, formats=formats,
                                          force=force, ctx=ctx, embed_fonts=embed_fonts, mail=mail,
                                          progress=progress,
                                          members={b.name: b.members for b in listed})
        except MissingGlyphError as exc:
            print(f"错误：{locate_char(exc.char, package, names, branches)}：{exc}", file=sys.stderr)
            status = 1
            continue
        except OutputError as exc:
            for w in getattr(exc, "warnings", []):
                print(f"警告：{w}", file=sys.stderr)
            print(f"错误：{exc}", file=sys.stderr)
            print(f"未完成：{package.path}（已写好的文件完整无损）", file=sys.stderr)
            status = 1
            continue
        except content_errors as exc:
            print(f"错误：{package.path}：{exc}", file=sys.stderr)
            status = 1
            continue
        for w in folder.warnings:
            print(f"警告：{w}", file=sys.stderr)
        for e in folder.errors:
            print(f"错误：{e}", file=sys.stderr)
        pages = sum(f.pages or 0 for f in files if f.kind == "handout" and f.format == "pdf")
        print(("完成" if not folder.errors else f"部分完成（{len(folder.errors)} 个文件未能替换）")
              + f"：{package.path} → {folder.root}（{len(files)} 个文件"
              + (f"，学习材料 {pages} 页" if pages else "") + "）", file=sys.stderr)
        status = status or (1 if folder.errors else 0)
    return status


def locate_char(char: str, package: Package, branches: list[str], branches_path: Path) -> str:
    """Where a character stands in the input: file and line, for the error message."""
    from .read.source import read_source

    try:
        lines = read_source(package.path).lines
    except InputError:
        lines = []
    for number, line in enumerate(lines, start=1):
        if char in line:
            return f"{package.path} 第 {number} 行"
    for branch in branches:
        if char in branch:
            return f"{branches_path}（{branch}）"
    return package.path


def build_package(package: Package, *, out: Path, branches: list[str], formats: Iterable[str],
                  force: bool, ctx: BuildContext, embed_fonts: bool = False, mail: Any = None,
                  progress: Progress | None = None, members: dict[str, int | None] | None = None
                  ) -> tuple[OutputFolder, list[OutputFile]]:
    """members: each branch's member count from the branch list, if given (sign-in rows)."""
    from .pdf.writer import fonts_text

    formats = list(formats)
    stem = safe_filename(Path(package.path).stem)
    folder = OutputFolder(out / stem, force, fence=out)
    style = ctx.style
    kinds = sheet_kinds()
    with ctx.timer("compose"), _no_gc():
        handout = compose_handout(package)
        file_names = unique_filenames(branches)
        counts = members or {}
        sheets = [(b, [compose_sheet(k, package, b, members=counts.get(b)) for k in kinds])
                  for b in branches]
        bundle = compose_bundle(package, sheets)
    with ctx.timer("fonts"), _gc_on():
        prepared = ctx.fontset.prepare(fonts_text([handout, bundle], style))
    with ctx.timer("words"):
        # In the parent: forked writers inherit the words, the cache file gets them.
        segment_titles(_titles([handout, bundle, *(d for _, docs in sheets for d in docs)], style))

    jobs: list[Job] = []

    def emit(doc: Document, relative: str, kind: str, branch: str | None) -> None:
        for fmt in ("pdf", "docx"):
            if fmt in formats:
                # The bundle repeats the sheets' sections: their PDFs go to one
                # worker with it, which lays each section out once.
                group = "sheets" if fmt == "pdf" and kind != "handout" else None
                jobs.append(Job(fmt, doc, f"{relative}.{fmt}", kind, branch, group))

    emit(handout, _handout_name(package), "handout", None)
    for (branch, docs), fname in zip(sheets, file_names, strict=True):
        for kind, doc in zip(kinds, docs, strict=True):
            emit(doc, f"{kind.folder}/{fname}{kind.name}", kind.kind, branch)
    if "pdf" in formats:
        jobs.append(Job("pdf", bundle, "学习记录表和签到表（打印合集）.pdf", "print-bundle", None,
                        "sheets"))
    with ctx.timer("write"), _no_gc():
        rendered = render_all(jobs, _Writers(style, prepared, ctx.fontset, embed_fonts), progress)
    save_words()
    planned = [OutputFile(job.relative, job.kind, job.format, job.branch, pages, sha256_of(data))
               for job, (data, pages) in zip(jobs, rendered, strict=True)]
    contents = [data for data, _ in rendered]
    if mail is not None:
        for planned_mail, data in _plan_mail(package, mail, jobs, rendered,
                                             dict(zip(branches, file_names, strict=True))):
            planned.append(planned_mail)
            contents.append(data)
    sheet_kinds_ = {k.kind for k in kinds}
    sheet_pages = sum(f.pages or 0 for f in planned if f.format == "pdf" and f.kind in sheet_kinds_)
    for f in planned:
        if f.kind == "print-bundle" and f.pages is not None:
            f.blank_pages = f.pages - sheet_pages
    return folder, write_files(folder, package, planned, contents)


def write_files(folder: OutputFolder, package: Package, planned: list[OutputFile],
                contents: list[bytes]) -> list[OutputFile]:
    """Write every file, then the manifest; returns the files written.

    A file held by another program is left as it was (folder.errors) and the
    rest goes on. When writing becomes impossible (full disk, no permission)
    the files already renamed into place stay complete, and a manifest of
    what is on disk is attempted before the OutputError goes up."""
    files: list[OutputFile] = []
    entries: list[dict[str, Any]] = []
    index = 0
    try:
        for index in range(len(planned)):
            planned_file, data = planned[index], contents[index]
            path = folder.write(planned_file.path, data)
            if path is None:  # left as it was: described as the last build did
                entries.extend(folder.carry(planned_file.path))
                continue
            planned_file.path = path
            files.append(planned_file)
            entries.append(planned_file.to_json())
    except OutputError as exc:
        for rest in planned[index:]:
            entries.extend(folder.carry(rest.path))
        try:
            write_manifest(folder, package, entries)
        except OSError:
            pass  # the disk that refused the files refuses this too; the old manifest stays
        exc.warnings = folder.warnings  # type: ignore[attr-defined]
        raise
    try:
        write_manifest(folder, package, entries)
    except OSError as exc:
        raise OutputError(describe_write_error(exc, folder.root / MANIFEST)) from None
    return files


@contextmanager
def _gc_on() -> Iterator[None]:
    """The cyclic collector on, whatever the caller chose: converting a CFF
    face makes cyclic garbage (80 MB more at the peak without it)."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while documents are composed and written.

    Their objects die by reference counting; the collector only walked the
    fonts, templates and documents that live for the whole build (a tenth of
    a second, and in forked workers it also touched, so copied, their
    pages). Font preparation stays outside: converting a CFF face makes real
    cyclic garbage."""
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()  # what exists now is never collected: the workers inherit it as is
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


@dataclass
class Job:
    format: str  # pdf | docx
    doc: Document
    relative: str
    kind: str
    branch: str | None
    group: str | None = None  # jobs of one group are written in order by one worker


@dataclass
class _Writers:
    """What a writer needs, prepared once in the parent process."""

    style: StyleSheet
    prepared: Any  # PreparedFonts
    fontset: Any  # FontSet
    embed_fonts: bool = False  # subsets of the PDF's faces inside the .docx
    # Sections and rows laid out in this process (each worker has its own copy).
    memo: Any = None  # pdf_layout.LayoutMemo, made on first use (the import is lazy)

    def render(self, fmt: str, doc: Document) -> tuple[bytes, int | None]:
        from .docx.writer import write_docx
        from .pdf.writer import write_pdf

        buf = io.BytesIO()
        if fmt == "pdf":
            if self.memo is None:
                from .pdf.layout import LayoutMemo

                self.memo = LayoutMemo()
            info = write_pdf(doc, buf, style=self.style, fonts=self.prepared, memo=self.memo)
            return buf.getvalue(), info.pages
        write_docx(doc, buf, style=self.style, fonts=self.fontset,
                   embed=self.prepared if self.embed_fonts else None)
        return buf.getvalue(), None


# Set just before forking the workers, which inherit it (and the fonts that
# the parent registered with ReportLab) instead of receiving it by pickle.
_WORK: tuple[list[Job], _Writers] | None = None


def _render_unit(indices: list[int]) -> list[tuple[bytes, int | None]]:
    assert _WORK is not None
    jobs, writers = _WORK
    return [writers.render(jobs[i].format, jobs[i].doc) for i in indices]


def workers_wanted() -> int:
    """Worker processes for writing: one per core (at most 4), where fork exists.

    HANDOUTS_JOBS=1 writes in this process (debugging, or a machine where
    forking is unwelcome). Workers are only ever forked: a spawned worker
    would import everything and load the fonts again (a second or more on
    Windows and macOS, where the whole build takes about that), so without
    fork, HANDOUTS_JOBS included, everything is written in this process."""
    import multiprocessing

    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    env = os.environ.get("HANDOUTS_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


def render_all(jobs: list[Job], writers: _Writers, progress: Progress | None = None
               ) -> list[tuple[bytes, int | None]]:
    """Every job's bytes, in job order; in parallel where it pays."""
    global _WORK
    workers = workers_wanted()
    tell = progress or (lambda done, total: None)
    tell(0, len(jobs))
    if workers <= 1 or len(jobs) < 4:
        serial = []
        for job in jobs:
            serial.append(writers.render(job.format, job.doc))
            tell(len(serial), len(jobs))
        return serial
    import multiprocessing

    groups: dict[object, list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault(job.group if job.group is not None else i, []).append(i)
    # Largest units first, so that no worker is left with one big unit at the end.
    units = sorted(groups.values(), key=lambda unit: -sum(_weight(jobs[i]) for i in unit))
    _WORK = (jobs, writers)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = {}
            for unit, rendered in zip(units, pool.imap(_render_unit, units, chunksize=1), strict=True):
                results.update(zip(unit, rendered, strict=True))
                tell(len(results), len(jobs))
    finally:
        _WORK = None
    return [results[i] for i in range(len(jobs))]


def _weight(job: Job) -> int:
    size = sum(len(p.text) for p in job.doc.paragraphs())
    return size * (3 if job.format == "pdf" else 1)


def _plan_mail(package: Package, mail: Any, jobs: list[Job], rendered: list[tuple[bytes, int | None]],
               names: dict[str, str]) -> list[tuple[OutputFile, bytes]]:
    """OUT/<stem>/邮件/<branch>.eml for every branch with an address (mail/message.py)."""
    from .mail.message import BuiltFile, mail_files

    built = [BuiltFile(j.kind, j.format, j.branch, j.relative, data)
             for j, (data, _) in zip(jobs, rendered, strict=True)]
    made = mail_files(package, mail, built, _seed_sha256(package) or "", names)
    return [(OutputFile(relative, "mail", "eml", branch, None, sha256_of(data)), data)
            for relative, data, branch in made]


def _seed_sha256(package: Package) -> str | None:
    try:
        return sha256_of(Path(package.path).read_bytes())
    except OSError:
        return None


def _titles(docs: Iterable[Document], style: StyleSheet) -> Iterator[list[str]]:
    """The hard lines of every title paragraph, as the writers balance them."""
    for doc in docs:
        for p in doc.paragraphs():
            if style[p.style].role == TITLE_ROLE:
                yield ["".join(r.text for r in runs) for runs in p.lines()]


def _handout_name(package: Package) -> str:
    return safe_filename(package.title or Path(package.path).stem)


def recorded_seed(seed: Path) -> str:
    """The seed as the manifest names it, the same from any working directory
    and output folder: relative to the home folder (the checkout for
    generate.py, the folder holding seeds/ for an installed `handouts`) when it
    lies there, else by file name (its sha256 is recorded beside it)."""
    from .places.resources import current

    try:
        return seed.resolve().relative_to(current().home.resolve()).as_posix()
    except ValueError:
        return seed.name


def write_manifest(folder: OutputFolder, package: Package, entries: list[dict[str, Any]]) -> None:
    seed = Path(package.path)
    seed_sha = _seed_sha256(package)
    manifest = {
        "seed": recorded_seed(seed),
        "seed_sha256": seed_sha,
        "generator": f"handouts {__version__}",
        "files": entries,
    }
    if folder.edited:
        # Files a clerk edited, with the digest they had when generated.
        manifest["edited"] = folder.edited
    data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    atomic_write(folder.root / MANIFEST, data)
