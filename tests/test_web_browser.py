"""End to end in a real browser (issue 16): Playwright driving Debian's /usr/bin/chromium.

Starts `generate.py --serve --no-browser` as the clerk would, opens the printed
address, uploads the March seed, sees the seven attachments and a preview, downloads
the zip and reads its manifest. No browser download: the system's Chromium only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
CORPUS = ROOT / "tests" / "corpus"
CHROMIUM = "/usr/bin/chromium"
# Nothing but the page: no updates, no sync, no network of its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "--serve", "--no-browser"],
                            cwd=tmp_path_factory.mktemp("serve"), env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    address = ""
    for line in proc.stdout:  # the first line starting with http:// is the address
        if line.startswith("http://"):
            address = line.strip()
            break
    try:
        assert address.startswith("http://127.0.0.1:") and "?token=" in address, address
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def listening_addresses(port: int) -> set[str]:
    """Local addresses in LISTEN state on this port, from the kernel's tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":
                found.add(address)
    return found


def test_listens_on_loopback_only(server: str) -> None:
    assert sys.platform == "linux"
    port = urlsplit(server).port
    assert port is not None
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module: Playwright's sync API allows one instance per thread."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(server: str, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.foreign = []  # type: ignore[attr-defined]
    page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1"
            and page.foreign.append(r.url))  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    page.goto(server)
    yield page
    context.close()


def test_page_opens_in_chinese(page: Page) -> None:
    assert page.title() == "教职工政治理论学习材料生成工具"
    assert page.url.endswith("/") and "token" not in page.url  # moved into a cookie
    assert "选择本月学习材料" in page.inner_text("#step-upload")


def test_a_dropped_file_shows_its_warnings_beside_the_text(page: Page) -> None:
    seed = CORPUS / "attachment-numbers.txt"
    data = list(seed.read_bytes())
    transfer = page.evaluate_handle(
        """([bytes, name]) => { const t = new DataTransfer();
             t.items.add(new File([new Uint8Array(bytes)], name, {type: "text/plain"})); return t; }""",
        [data, seed.name])
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    page.wait_for_selector("#notes li.warn")
    notes = page.inner_text("#notes")
    assert "第 24 行" in notes and "编号重复" in notes and "第 35 行" in notes
    assert "warn" in (page.get_attribute("#line-24", "class") or "")
    assert page.inner_text("#file-name") == seed.name


def test_upload_march_build_preview_and_download(page: Page, tmp_path: Path) -> None:
    page.set_input_files("#file", str(SEED))
    # (expect() polls without eval: the page's CSP forbids it, wait_for_function would need it)
    expect(page.locator("#s-attachments tbody tr")).to_have_count(7)
    assert "关于3月份教职工政治理论学习的通知" in page.inner_text("#s-notice")
    assert page.locator("#lines li").count() > 200  # the input text, line by line
    page.click("#build")
    page.wait_for_selector("#progress-text")
    expect(page.locator("#progress-text")).to_contain_text("完成", timeout=300_000)
    expect(page.locator("#previews img")).to_have_count(5)
    for img in page.locator("#previews img").all():
        img.scroll_into_view_if_needed()
        img.evaluate("i => i.decode()")  # resolves once the PNG has loaded and decoded
    widths = page.eval_on_selector_all("#previews img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 100 for w in widths)
    assert "完成" in page.inner_text("#progress-text")
    with page.expect_download() as info:
        page.click("#zip")
    download = info.value
    assert download.suggested_filename == "2025-03.zip"
    target = tmp_path / "2025-03.zip"
    download.save_as(target)
    with zipfile.ZipFile(target) as zf:
        manifest = json.loads(zf.read("2025-03/manifest.json"))
        names = set(zf.namelist())
    kinds = [f["kind"] for f in manifest["files"]]
    assert kinds.count("handout") == 2 and kinds.count("print-bundle") == 1
    assert kinds.count("record-sheet") == kinds.count("signin-sheet") == 16  # 8 branches × pdf, docx
    assert all(f"2025-03/{f['path']}" in names for f in manifest["files"])
    # Each branch's files are links on the page, as listed in the manifest.
    assert page.locator("#files tbody tr").count() == 8
    assert page.errors == [] and page.foreign == []  # type: ignore[attr-defined]


@pytest.fixture()
def mail_server(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """The page served in this process with a mail.toml pointing at aiosmtpd on 127.0.0.1."""
    import threading

    import uvicorn
    from smtp_server import Recorder, SMTPServer

    from handouts.web import bind
    from handouts.web.app import create_app
    from handouts.web.jobs import Jobs
    from handouts.web.mailstep import MailStep
    from handouts.web.security import Guard

    with SMTPServer(Recorder()) as smtp:
        config = tmp_path / "mail.toml"
        config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
                          'from = "党委宣传网工部 <xcb@example.edu.cn>"\n', encoding="utf-8")
        sock = bind(0)
        guard = Guard(sock.getsockname()[1])
        jobs = Jobs(tmp_path / "work")
        app = create_app(guard, jobs, mailstep=MailStep(config=config, state_root=tmp_path / "output"))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            yield guard.address, smtp
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            sock.close()
            jobs.close()


def test_mail_step_in_the_browser(mail_server: tuple[str, object], browser: Browser, tmp_path: Path) -> None:
    address, smtp = mail_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(address)
        page.set_input_files("#file", str(SEED))
        expect(page.locator("#s-attachments tbody tr")).to_have_count(7)
        page.fill("#branches", "商学院党总支 <shang@example.edu.cn>\n财经学院党总支 <caijing@example.edu.cn>\n"
                               "马克思主义学院党总支\n")
        page.click("#build")
        expect(page.locator("#mail-plan tbody tr")).to_have_count(2, timeout=300_000)
        assert "shang@example.edu.cn" in page.inner_text("#mail-plan")
        page.click("#mail-send")
        expect(page.locator("#mail-confirm-text")).to_contain_text("2 个二级党组织")
        assert smtp.received == []  # type: ignore[attr-defined]  # nothing before confirming
        page.locator("#step-mail").screenshot(path=str(tmp_path / "mail-confirm.png"))
        page.click("#mail-confirm-yes")
        expect(page.locator("#mail-result")).to_contain_text("完成：发送了 2 封邮件", timeout=60_000)
        expect(page.locator("#mail-plan tbody tr[data-branch='商学院党总支'] td.state")).to_contain_text(
            "已发送 → shang@example.edu.cn")
        expect(page.locator("#mail-send")).to_be_hidden()  # nothing left to send
        page.screenshot(path=str(tmp_path / "mail.png"), full_page=True)
        assert len(smtp.received) == 2  # type: ignore[attr-defined]
        assert page.locator("#files tbody tr").count() == 3
        assert page.locator("#files a", has_text="邮件 .eml").count() == 2
    finally:
        context.close()
