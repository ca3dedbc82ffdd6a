"""The local web page's routes (README, "网页界面").

HTTP contract for scripts and tests:
- POST /api/outline (multipart `file`) → the --outline JSON;
- POST /api/build (multipart `file`, optional `branches` text) → application/zip
  of the month's folder with manifest.json;
- bad input → 400 {"error": the CLI's message, "messages": [...]}; a body over
  20 MB → 413. Everything else serves the page: /api/inspect, /api/jobs/….
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..build import atomic_write
from ..cli import outline_json
from ..model.package import Package
from ..model.parse import parse
from ..places.resources import current
from ..read.branches import read_branches
from ..read.source import InputError, SourceText, decode, read_bytes
from .http import HTTPError, done_job_of, error_response, job_of
from .jobs import Job, Jobs, UploadError, upload_name
from .mailstep import MailStep, mail_routes
from .security import QUERY, Guard, GuardMiddleware, cookie_name

HERE = Path(__file__).resolve().parent
MAX_UPLOAD = 20 * 1024 * 1024  # bytes of the seed file
MAX_BODY = MAX_UPLOAD + 256 * 1024  # the multipart envelope and the branch list on top

_pages = Environment(loader=FileSystemLoader(HERE / "templates"),
                     autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def default_branches(request: Request) -> str:
    """The saved branch list's text (any encoding the command line reads), or empty."""
    path: Path = request.app.state.branches_path
    try:
        return decode(path.read_bytes(), str(path))[0].replace("\r\n", "\n")
    except (OSError, InputError):
        return ""


async def read_body(request: Request, limit: int, too_big: str) -> None:
    """Read the body, refusing it (413) as soon as it passes limit, whatever it claims."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise HTTPError(413, too_big)
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPError(413, too_big)
        chunks.append(chunk)
    request._body = b"".join(chunks)  # form() parses what was read, nothing more


async def read_upload(request: Request) -> tuple[str, bytes, str | None]:
    """(safe file name, bytes, branch list text or None) of a multipart upload."""
    await read_body(request, MAX_BODY, "文件太大：学习材料不能超过 20 MB")
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception as exc:  # malformed multipart: python-multipart's words are English
        raise HTTPError(400, f"错误：无法读取上传的内容（{exc}）") from None
    upload, branches = form.get("file"), form.get("branches")
    if not isinstance(upload, UploadFile):
        raise HTTPError(400, "错误：没有收到文件：请选择一个 .txt 或 .docx 学习材料（字段 file）")
    try:
        name = upload_name(upload.filename)
    except UploadError as exc:
        raise HTTPError(400, f"错误：{exc}") from None
    data = await upload.read()
    if len(data) > MAX_UPLOAD:
        raise HTTPError(413, "文件太大：学习材料不能超过 20 MB")
    return name, data, branches if isinstance(branches, str) else None


def _parse(name: str, data: bytes) -> tuple[SourceText, Package]:
    try:
        source = read_bytes(data, name)
        return source, parse(source)
    except InputError as exc:
        raise HTTPError(400, f"错误：{exc}") from None


async def page(request: Request) -> Response:
    guard: Guard = request.app.state.guard
    if QUERY in request.query_params:
        # The token moves from the address into a cookie, out of the browser's history.
        response: Response = RedirectResponse("/", status_code=303)
        response.set_cookie(cookie_name(guard.port), guard.token, httponly=True, samesite="strict")
        return response
    html = _pages.get_template("index.html").render(
        version=__version__, branches=default_branches(request),
        mail=request.app.state.mailstep.page_info())
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "Content-Security-Policy": _CSP})


# Everything the page uses ships in the package: no other origin is ever asked.
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'")


async def api_outline(request: Request) -> Response:
    name, data, _ = await read_upload(request)
    _, package = await anyio.to_thread.run_sync(_parse, name, data)
    return Response(outline_json([package]), media_type="application/json; charset=utf-8")


async def api_inspect(request: Request) -> Response:
    """What the page shows beside the input: its lines, the structure, every note."""
    name, data, _ = await read_upload(request)
    source, package = await anyio.to_thread.run_sync(_parse, name, data)
    return JSONResponse({"name": name, "lines": source.lines, "summary": summary(package),
                         "notes": [n.to_json() | {"severity": n.severity} for n in package.notes]})


def summary(package: Package) -> dict[str, Any]:
    notice = package.notice
    return {
        "title": package.title, "encoding": package.encoding,
        "study_date": package.study_date.isoformat() if package.study_date else None,
        "notice": None if notice is None else {
            "title": "".join(notice.title), "line": notice.title_line,
            "items": [{"label": b.label, "text": b.text, "line": b.line} for b in notice.items],
            "date": notice.date.text if notice.date else None,
        },
        "attachments": [{
            "label": a.label, "line": a.line, "title": "".join(a.title),
            "source": a.source.text if a.source else None,
            "headings": [sum(1 for b in a.blocks if b.kind == "heading" and b.level == lvl)
                         for lvl in (1, 2, 3, 4)],
            "paragraphs": sum(1 for b in a.blocks if b.kind == "paragraph"),
        } for a in package.attachments],
    }


async def api_build(request: Request) -> Response:
    job = await _start(request)
    await anyio.to_thread.run_sync(job.finished.wait)
    if job.state != "done":
        raise _failure(job)
    return _zip(job)


async def api_job_start(request: Request) -> Response:
    job = await _start(request)
    return JSONResponse(job.status(), status_code=202)


async def _start(request: Request) -> Job:
    name, data, branches = await read_upload(request)
    await anyio.to_thread.run_sync(_parse, name, data)  # a bad input is a 400 before any build
    jobs: Jobs = request.app.state.jobs
    step: MailStep = request.app.state.mailstep
    info = step.page_info()
    # With usable mail settings every build also writes the branches' .eml files.
    mail_config = step.config if info is not None and info["error"] is None else None
    return jobs.start(name, data, default_branches(request) if branches is None else branches,
                      mail_config=mail_config)


def _failure(job: Job) -> HTTPError:
    errors = job.errors or ["错误：生成失败"]
    internal = all(e.startswith("内部错误") for e in errors)
    return HTTPError(500 if internal else 400, errors[0], job.messages)


async def api_job(request: Request) -> Response:
    return JSONResponse(job_of(request).status())


def _zip(job: Job) -> Response:
    assert job.result is not None
    name = f"{job.result['folder']}.zip"
    return FileResponse(job.path("result.zip"), media_type="application/zip",
                        headers={"Content-Disposition": _attachment(name)})


def _attachment(name: str) -> str:
    return f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"


async def api_job_zip(request: Request) -> Response:
    return _zip(done_job_of(request))


async def api_job_file(request: Request) -> Response:
    """A file of the build, by its manifest path: only what the manifest lists is served."""
    job = done_job_of(request)
    assert job.result is not None
    relative = request.path_params["path"]
    listed = {f["path"] for f in job.result["manifest"]["files"]} | {"manifest.json"}
    if relative not in listed:
        raise HTTPError(404, "没有这个文件")
    path = job.path("out", job.result["folder"], *relative.split("/"))
    inline = relative.endswith((".pdf", ".json")) and "download" not in request.query_params
    disposition = "inline" if inline else "attachment"
    leaf = relative.rsplit("/", 1)[-1]
    return FileResponse(path, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(leaf)}"})


async def api_job_preview(request: Request) -> Response:
    job = done_job_of(request)
    assert job.result is not None
    name = request.path_params["name"]
    if name not in {p["name"] for p in job.result["previews"]}:
        raise HTTPError(404, "没有这个预览")
    return FileResponse(job.path("previews", name), media_type="image/png")


async def api_branches(request: Request) -> Response:
    return JSONResponse({"text": default_branches(request)})


async def api_branches_save(request: Request) -> Response:
    """Save the edited list as the default (seeds/branches.txt), after reading it back
    the way a build will: an unusable list is a 400 and the saved file stays as it was."""
    await read_body(request, MAX_BODY - MAX_UPLOAD, "名单太长")
    form = await request.form(max_files=0, max_fields=2)
    text = form.get("branches")
    if not isinstance(text, str):
        raise HTTPError(400, "错误：没有收到名单（字段 branches）")
    path: Path = request.app.state.branches_path
    jobs: Jobs = request.app.state.jobs
    trial = jobs.root / "branches-check" / path.name
    trial.parent.mkdir(exist_ok=True)
    data = text.replace("\r\n", "\n").encode("utf-8")
    trial.write_bytes(data)
    try:
        names, notes = read_branches(trial)
    except InputError as exc:
        raise HTTPError(400, f"错误：{path.name}：{exc.message}") from None
    atomic_write(path, data)
    return JSONResponse({"saved": str(path), "count": len(names),
                         "warnings": [f"警告：{path.name} 第 {n.line} 行：{n.message}" for n in notes]})


def create_app(guard: Guard, jobs: Jobs, lifespan: Any = None,
               branches_path: Path | None = None, mailstep: MailStep | None = None) -> Starlette:

    routes = [
        Route("/", page),
        Route("/api/outline", api_outline, methods=["POST"]),
        Route("/api/inspect", api_inspect, methods=["POST"]),
        Route("/api/build", api_build, methods=["POST"]),
        Route("/api/branches", api_branches),
        Route("/api/branches", api_branches_save, methods=["POST"]),
        Route("/api/jobs", api_job_start, methods=["POST"]),
        Route("/api/jobs/{job}", api_job),
        Route("/api/jobs/{job}/zip", api_job_zip),
        Route("/api/jobs/{job}/files/{path:path}", api_job_file),
        Route("/api/jobs/{job}/previews/{name}", api_job_preview),
        *mail_routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPError: error_response}, lifespan=lifespan)
    # The home folder's branch list (the checkout's for generate.py --serve, the
    # folder holding seeds/ for an installed handouts serve / handouts-app).
    home = current().home
    app.state.guard, app.state.jobs = guard, jobs
    app.state.branches_path = branches_path or home / "seeds" / "branches.txt"
    app.state.mailstep = mailstep or MailStep(config=home / "seeds" / "mail.toml", state_root=home / "output")
    app.add_middleware(GuardMiddleware, guard=guard)
    return app
