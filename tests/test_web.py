"""The web page's HTTP contract (issue 16), through Starlette's TestClient.

POST /api/build → zip of the month's folder with manifest.json; POST /api/outline →
the --outline JSON; bad input → 400 with the CLI's message; > 20 MB → 413; the token,
Host and Origin checks; uploaded names never leave the work folder.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from handouts.web.app import MAX_UPLOAD, create_app
from handouts.web.jobs import Jobs, UploadError, upload_name
from handouts.web.mailstep import MailStep
from handouts.web.security import Guard, cookie_name

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
CORPUS = ROOT / "tests" / "corpus"
PORT = 47816


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard(PORT)


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    jobs = Jobs(tmp_path_factory.mktemp("web-work"))
    yield jobs
    jobs.close()


def client_for(guard: Guard, jobs: Jobs, *, token: bool = True, host: str = "127.0.0.1",
               peer: str = "127.0.0.1") -> TestClient:
    headers = {"X-Handouts-Token": guard.token} if token else {}
    # No mail.toml: a clerk's seeds/mail.toml must not change what these tests build.
    no_mail = MailStep(config=jobs.root / "no-mail.toml", state_root=jobs.root / "output")
    return TestClient(create_app(guard, jobs, mailstep=no_mail), base_url=f"http://{host}:{guard.port}",
                      client=(peer, 50000), headers=headers, follow_redirects=False)


@pytest.fixture(scope="module")
def client(guard: Guard, jobs: Jobs) -> TestClient:
    return client_for(guard, jobs)


@pytest.fixture(scope="module")
def march_zip(client: TestClient) -> bytes:
    response = client.post("/api/build", files={"file": ("2025-03.txt", SEED.read_bytes(), "text/plain")})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


def test_page_is_chinese_and_self_contained(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html and "选择本月学习材料" in html
    assert "马克思主义学院党总支" in html  # the default branch list, ready to edit
    # Nothing fetched from elsewhere: every src/href is this server's.
    assert "http://" not in html.replace(f"127.0.0.1:{PORT}", "") and "https://" not in html
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200


def test_build_returns_the_months_folder_as_zip(march_zip: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(march_zip)) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("2025-03/manifest.json"))
        listed = {f["path"] for f in manifest["files"]}
        assert {f"2025-03/{p}" for p in listed} | {"2025-03/manifest.json"} == names
        assert manifest["seed"] == "2025-03.txt"
        assert manifest["seed_sha256"] is not None
    kinds = {(f["kind"], f["format"]) for f in manifest["files"]}
    assert ("handout", "pdf") in kinds and ("print-bundle", "pdf") in kinds
    branches = [ln for ln in SEED.with_name("branches.txt").read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith("#")]
    for kind in ("record-sheet", "signin-sheet"):
        assert {f["branch"] for f in manifest["files"] if f["kind"] == kind} == set(branches)


def test_zip_holds_the_clis_bytes_and_is_deterministic(client: TestClient, march_zip: bytes,
                                                       tmp_path: Path) -> None:
    """The page builds what the command line builds, byte for byte (manifest included,
    run the same way: seed and branches.txt in the working folder), and again the same zip."""
    (tmp_path / "2025-03.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "branches.txt").write_bytes(SEED.with_name("branches.txt").read_bytes())
    result = cli("2025-03.txt", "-o", "out", "--branches", "branches.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    built = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
             for p in (tmp_path / "out").rglob("*") if p.is_file()}
    with zipfile.ZipFile(io.BytesIO(march_zip)) as zf:
        zipped = {name: zf.read(name) for name in zf.namelist()}
    assert zipped == built
    again = client.post("/api/build", files={"file": ("2025-03.txt", SEED.read_bytes())})
    assert again.content == march_zip


def test_build_uses_the_branch_list_sent(client: TestClient) -> None:
    response = client.post("/api/build", files={"file": ("2025-03.txt", SEED.read_bytes())},
                           data={"branches": "# 两个支部\n商学院党总支\n财经学院党总支\n"})
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        manifest = json.loads(zf.read("2025-03/manifest.json"))
    assert {f["branch"] for f in manifest["files"] if f["branch"]} == {"商学院党总支", "财经学院党总支"}


def test_outline_is_the_cli_json(client: TestClient) -> None:
    response = client.post("/api/outline", files={"file": ("2025-03.txt", SEED.read_bytes())})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    expected = cli("--outline", "2025-03.txt", cwd=SEED.parent).stdout
    assert response.text == expected
    assert len(response.json()["attachments"]) == 7


def test_bad_input_is_400_with_the_cli_message(client: TestClient) -> None:
    seed = CORPUS / "invalid-byte-line5.txt"
    response = client.post("/api/build", files={"file": (seed.name, seed.read_bytes())})
    assert response.status_code == 400
    expected = cli(seed.name, "-o", "/nonexistent-never-written", cwd=CORPUS).stderr.strip()
    assert response.json()["error"] == expected
    assert "第 5 行" in expected and "Traceback" not in response.text
    outline = client.post("/api/outline", files={"file": (seed.name, seed.read_bytes())})
    assert outline.status_code == 400 and outline.json()["error"] == expected


def test_error_found_while_building_is_400(client: TestClient, tmp_path: Path) -> None:
    """A character no font has: found by the build, named with file and line like the CLI."""
    text = "关于学习的通知\n各单位：\n请学习\U0010fffd。\n宣传部\n2025年3月4日\n"
    response = client.post("/api/build", files={"file": ("m.txt", text.encode("utf-8"))})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error.startswith("错误：m.txt 第 3 行") and "U+10FFFD" in error


def test_bad_branch_list_is_400(client: TestClient) -> None:
    response = client.post("/api/build", files={"file": ("2025-03.txt", SEED.read_bytes())},
                           data={"branches": "# 只有注释\n"})
    assert response.status_code == 400
    assert response.json()["error"] == "错误：branches.txt：二级党组织名单中没有任何名称（只有注释或空行）"


@pytest.mark.parametrize("name", ["2025-03.pdf", "notes", ""])
def test_only_txt_and_docx_are_taken(client: TestClient, name: str) -> None:
    response = client.post("/api/outline", files={"file": (name, b"abc")})
    assert response.status_code == 400
    assert "错误" in response.json()["error"]


def test_missing_file_field_is_400(client: TestClient) -> None:
    response = client.post("/api/build", data={"branches": "商学院党总支"})
    assert response.status_code == 400 and "没有收到文件" in response.json()["error"]


def test_over_20_mb_is_413(client: TestClient) -> None:
    big = b"a" * (MAX_UPLOAD + 1)
    response = client.post("/api/build", files={"file": ("big.txt", big)})
    assert response.status_code == 413
    assert "20 MB" in response.json()["error"]


def test_upload_names_stay_inside_the_work_folder(client: TestClient, jobs: Jobs) -> None:
    for evil, safe in [("../../etc/x.txt", "x.txt"), ("..\\..\\boot.ini.txt", "boot.ini.txt"),
                       ("/abs/path/2025-03.txt", "2025-03.txt"), ("branches.txt", "_branches.txt"),
                       ("a:b*c.txt", "a_b_c.txt"), ("CON.txt", "_CON.txt"), ("nul.docx", "_nul.docx")]:
        assert upload_name(evil) == safe
    with pytest.raises(UploadError):
        upload_name("..")
    response = client.post("/api/outline", files={"file": ("../../../2025-03.txt", SEED.read_bytes())})
    assert response.status_code == 200
    for job in jobs.jobs.values():
        assert job.dir.resolve().parent == jobs.root


@pytest.mark.parametrize("path", ["/", "/api/branches", "/static/app.js"])
def test_every_request_needs_the_token(guard: Guard, jobs: Jobs, path: str) -> None:
    anonymous = client_for(guard, jobs, token=False)
    assert anonymous.get(path).status_code == 401
    assert anonymous.get(path, headers={"X-Handouts-Token": "wrong"}).status_code == 401
    assert anonymous.get(path, params={"token": guard.token}).status_code in (200, 303)


def test_a_browser_without_the_token_gets_a_page_saying_what_to_do(guard: Guard, jobs: Jobs) -> None:
    response = client_for(guard, jobs, token=False).get("/", headers={"Accept": "text/html"})
    assert response.status_code == 401 and response.headers["content-type"].startswith("text/html")
    assert "http://" in response.text and "令牌" in response.text


def test_post_needs_the_token(guard: Guard, jobs: Jobs) -> None:
    anonymous = client_for(guard, jobs, token=False)
    response = anonymous.post("/api/outline", files={"file": ("2025-03.txt", SEED.read_bytes())})
    assert response.status_code == 401


def test_token_in_the_address_becomes_a_cookie(guard: Guard, jobs: Jobs) -> None:
    browser = client_for(guard, jobs, token=False)
    response = browser.get("/", params={"token": guard.token})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{cookie_name(guard.port)}={guard.token}")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert browser.get("/").status_code == 200  # the cookie alone lets the page in


def test_dns_rebinding_and_other_origins_are_refused(guard: Guard, jobs: Jobs, client: TestClient) -> None:
    rebound = client_for(guard, jobs, host="evil.example")
    assert rebound.get("/").status_code == 403
    assert client_for(guard, jobs, host="localhost").get("/").status_code == 200
    files = {"file": ("2025-03.txt", SEED.read_bytes())}
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{PORT + 1}"):
        response = client.post("/api/outline", files=files, headers={"Origin": origin})
        assert response.status_code == 403, origin
    ok = client.post("/api/outline", files=files, headers={"Origin": f"http://127.0.0.1:{PORT}"})
    assert ok.status_code == 200


def test_only_loopback_peers(guard: Guard, jobs: Jobs) -> None:
    assert client_for(guard, jobs, peer="192.168.1.20").get("/").status_code == 403
    assert client_for(guard, jobs, peer="::1").get("/").status_code == 200


def test_job_files_are_only_what_the_manifest_lists(client: TestClient) -> None:
    started = client.post("/api/jobs", files={"file": ("2025-03.txt", SEED.read_bytes())},
                          data={"branches": "商学院党总支\n"})
    assert started.status_code == 202
    job_id = started.json()["id"]
    jobs = client.app.state.jobs  # type: ignore[attr-defined]
    jobs.get(job_id).finished.wait(300)
    status = client.get(f"/api/jobs/{job_id}").json()
    assert status["state"] == "done", status
    assert [p["caption"] for p in status["previews"]][-1] == "商学院党总支学习记录表"
    png = client.get(f"/api/jobs/{job_id}/previews/{status['previews'][0]['name']}")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    handout = next(f for f in status["manifest"]["files"] if f["kind"] == "handout")
    assert client.get(f"/api/jobs/{job_id}/files/{handout['path']}").status_code == 200
    for bad in ("../job.json", "..%2Fjob.json", "manifest.json/../../job.json", "input/2025-03.txt"):
        assert client.get(f"/api/jobs/{job_id}/files/{bad}").status_code == 404, bad
    assert client.get(f"/api/jobs/{job_id}/previews/..%2Fjob.json").status_code == 404
    assert client.get("/api/jobs/nope").status_code == 404


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("form", ["generate.py --serve", "handouts serve"])
def test_serve_starts_on_the_port_asked(form: str, tmp_path: Path) -> None:
    """Both spellings start the server, print the address first, answer / with the page."""
    import urllib.request

    port = free_port()
    command = ([str(ROOT / "generate.py"), "--serve"] if form.startswith("generate")
               else ["-c", "from handouts.cli import run; run()", "serve"])
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen([sys.executable, *command, "--no-browser", "--port", str(port)],
                            cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "TMPDIR": str(temp)})
    try:
        assert proc.stdout is not None
        address = next(line.strip() for line in proc.stdout if line.startswith("http://"))
        assert address.startswith(f"http://127.0.0.1:{port}/?token=")
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with browser.open(address, timeout=30) as response:  # the redirect sets the cookie
            html = response.read().decode("utf-8")
        assert "教职工政治理论学习材料生成工具" in html
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30)
        assert refused.value.code == 401
        assert [p.name[:13] for p in temp.iterdir()] == ["handouts-web-"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "已停止" in proc.stdout.read()  # stopped cleanly on SIGTERM
    assert not list(temp.iterdir())  # and removed its work folder


def test_serve_port_taken_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli("--serve", "--no-browser", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["--serve", "--outline"], ["--port", "8000"], ["--no-browser"],
                                  ["--serve", "seeds/2025-03.txt"], ["serve", "--port", "99999"]])
def test_serve_usage_errors(args: list[str]) -> None:
    result = cli(*args, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert "用法错误" in result.stderr


def test_saving_the_branch_list(guard: Guard, jobs: Jobs, tmp_path: Path) -> None:
    saved = tmp_path / "branches.txt"
    saved.write_text("旧名单党总支\n", encoding="utf-8")
    app = create_app(guard, jobs, branches_path=saved,
                     mailstep=MailStep(config=tmp_path / "no-mail.toml", state_root=tmp_path))
    client = TestClient(app, base_url=f"http://127.0.0.1:{guard.port}", client=("127.0.0.1", 1),
                        headers={"X-Handouts-Token": guard.token})
    assert client.get("/api/branches").json()["text"] == "旧名单党总支\n"
    assert "旧名单党总支" in client.get("/").text
    refused = client.post("/api/branches", data={"branches": "# 空\n"})
    assert refused.status_code == 400 and "没有任何名称" in refused.json()["error"]
    assert saved.read_text(encoding="utf-8") == "旧名单党总支\n"  # unchanged by a refused list
    ok = client.post("/api/branches", data={"branches": "商学院党总支\r\n财经学院党总支\n商学院党总支\n"})
    assert ok.status_code == 200
    assert ok.json()["count"] == 2 and "第 3 行" in ok.json()["warnings"][0]
    assert saved.read_text(encoding="utf-8") == "商学院党总支\n财经学院党总支\n商学院党总支\n"


def test_a_docx_upload_is_read_like_the_cli(client: TestClient, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    path = tmp_path / "2025-03.docx"
    document.save(str(path))
    response = client.post("/api/outline", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 200
    assert response.text == cli("--outline", path.name, cwd=tmp_path).stdout
    assert len(response.json()["attachments"]) == 7
