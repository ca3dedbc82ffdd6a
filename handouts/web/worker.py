"""One build for the web page, in its own process: `python -m handouts.web.worker JOBDIR`.

A child process rather than a thread of the server: the build forks its
writer pool, which is only safe from a single-threaded process, and a build
that fails hard cannot take the page down with it. It runs the command
line's own steps (load, build_all), so every message on stderr is the one
`generate.py` prints; stdout carries progress as JSON lines for jobs.py.

JOBDIR/input/ holds the uploaded seed and branches.txt (the working
directory, so messages name the files as the clerk knows them); the month's
folder goes to JOBDIR/out/, then JOBDIR/result.zip, JOBDIR/previews/*.png and
JOBDIR/result.json.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

from ..build import MANIFEST, build_all
from ..cli import load
from ..model.package import Package
from ..read.source import InputError

# Thumbnails: the handout's first pages and one record sheet, this wide in pixels.
HANDOUT_PAGES = 4
THUMB_WIDTH = 300


def say(stage: str, **more: Any) -> None:
    print(json.dumps({"stage": stage, **more}, ensure_ascii=False), flush=True)


def main(argv: list[str]) -> int:
    job = Path(argv[0]).resolve()
    spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
    say("parse")
    try:
        package = load(Path(spec["seed"]))
    except InputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    mail = None
    if spec.get("mail_config"):  # the server found usable mail settings: write the .eml files
        from ..mail import MailConfigError, load_settings
        from ..mail.message import MailJob

        try:
            mail = MailJob(recipients={}, sender=load_settings(Path(spec["mail_config"])).sender)
        except MailConfigError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
    say("compose")  # fonts and layout; the writers' progress follows
    status = build_all([package], out=job / "out", branches=Path(spec["branches"]),
                       formats=["pdf", "docx"], force=False, mail=mail,
                       progress=lambda done, total: say("write", done=done, total=total))
    if status != 0:
        return status
    folders = [p for p in (job / "out").iterdir() if (p / MANIFEST).is_file()]
    if len(folders) != 1:
        print("错误：生成结果中没有 manifest.json", file=sys.stderr)
        return 1
    folder = folders[0]
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    say("zip")
    write_zip(folder, job / "result.zip", package)
    say("preview")
    previews = render_previews(folder, manifest, job / "previews")
    result = {"folder": folder.name, "manifest": manifest, "previews": previews}
    (job / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    say("done")
    return 0


def write_zip(folder: Path, target: Path, package: Package) -> None:
    """The month's folder as one zip; same files → same bytes.

    Entries carry the notice's date (else 1980-01-01) instead of the build's
    clock, so that rebuilding an unchanged month gives the same zip."""
    day = package.issue_date
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day and day.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in files:
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(target)


def render_previews(folder: Path, manifest: dict[str, Any], out: Path) -> list[dict[str, Any]]:
    """PNG thumbnails, rendered with PDFium (a wheel on every system, Windows included)."""
    import pypdfium2 as pdfium

    out.mkdir(parents=True, exist_ok=True)
    wanted: list[tuple[str, str, int]] = []  # (file, caption, page index)
    pdfs = [f for f in manifest["files"] if f["format"] == "pdf"]
    handout = next((f for f in pdfs if f["kind"] == "handout"), None)
    if handout:
        for i in range(min(HANDOUT_PAGES, handout["pages"] or 0)):
            wanted.append((handout["path"], f"学习材料 第 {i + 1} 页", i))
    sheet = next((f for f in pdfs if f["kind"] == "record-sheet"), None)
    if sheet:
        wanted.append((sheet["path"], f"{sheet['branch']}学习记录表", 0))
    shown = []
    for n, (path, caption, index) in enumerate(wanted, start=1):
        pdf = pdfium.PdfDocument(str(folder / path))
        try:
            page = pdf[index]
            scale = THUMB_WIDTH / page.get_width()
            image = page.render(scale=scale).to_pil()
            name = f"{n}.png"
            image.save(out / name, format="PNG", optimize=True)
            shown.append({"name": name, "file": path, "page": index + 1, "caption": caption,
                          "width": image.width, "height": image.height})
            page.close()
        finally:
            pdf.close()
    return shown


def run(argv: list[str]) -> int:
    """main() with the command line's promise: a Chinese message, never a traceback."""
    import os

    try:
        return main(argv)
    except Exception as exc:
        if os.environ.get("HANDOUTS_DEBUG"):
            raise
        print(f"内部错误（internal error）：{type(exc).__name__}: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
