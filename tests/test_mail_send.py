"""Issue 14: sending over SMTP to a real server on 127.0.0.1, never twice."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pypdf
import pytest

from handouts.build import BuildContext, build_package
from handouts.mail import MailConfigError, load_settings, plan, send_pending
from handouts.mail.message import MailJob
from handouts.mail.settings import MailSettings, parse_sender
from handouts.model.parse import parse
from handouts.read.source import read_source
from tests.smtp_server import Recorder, SMTPServer, free_port, self_signed

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
RECIPIENTS = {
    "马克思主义学院党总支": ("makesi@example.edu.cn",),
    "商学院党总支": ("shang@example.edu.cn", "shang2@example.edu.cn"),
    "财经学院党总支": ("caijing@example.edu.cn",),
    "智能工程学院党总支": (),
}
SENDER = "党委宣传网工部 <xcb@example.edu.cn>"
SUBJECT = "关于3月份教职工政治理论学习的通知"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mail-built")
    build_package(parse(read_source(SEED)), out=out, branches=list(RECIPIENTS), formats=["pdf", "docx"],
                  force=False, ctx=BuildContext(), mail=MailJob(RECIPIENTS, parse_sender(SENDER)))
    return out / "2025-03"


@pytest.fixture
def month(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built month: every test starts with an empty send log."""
    return Path(shutil.copytree(built, tmp_path / "2025-03"))


def settings(port: int, timeout: float = 5) -> MailSettings:
    return MailSettings(path=Path("mail.toml"), host="127.0.0.1", port=port, security="none",
                        sender=parse_sender(SENDER), timeout=timeout)


def log_of(month: Path) -> list[dict]:
    return json.loads((month / "邮件" / "sent.json").read_text(encoding="utf-8"))["sent"]


def test_every_addressed_branch_gets_one_message_with_four_attachments_that_open(month: Path) -> None:
    with SMTPServer(Recorder()) as server:
        seen = []
        report = send_pending(month, settings(server.port), None, on_result=seen.append)
    assert report.ok and report.not_reached == []
    assert [r.branch for r in seen] == ["马克思主义学院党总支", "商学院党总支", "财经学院党总支"]
    got = server.received
    assert [sorted(r.rcpt_tos) for r in got] == [["makesi@example.edu.cn"],
                                                 ["shang2@example.edu.cn", "shang@example.edu.cn"],
                                                 ["caijing@example.edu.cn"]]
    for r, branch in zip(got, ["马克思主义学院党总支", "商学院党总支", "财经学院党总支"], strict=True):
        msg = r.message
        assert r.mail_from == "xcb@example.edu.cn"
        assert msg["Subject"] == SUBJECT
        assert msg["From"].addresses[0].display_name == "党委宣传网工部"
        assert {a.display_name for a in msg["To"].addresses} == {branch}
        assert "X-Unsent" not in msg  # a draft marker for Outlook only, never delivered
        assert msg["Message-ID"].startswith("<handouts.")
        body = msg.get_body(("plain",)).get_content()
        assert f"{branch}：" in body and "2025年3月11日" in body
        names = [a.get_filename() for a in msg.iter_attachments()]
        assert names == ["2025年3月教职工政治理论学习内容.docx", f"{branch}学习记录表.docx",
                         f"{branch}学习记录表.pdf", f"{branch}签到表.pdf"]
        for a in msg.iter_attachments():
            data = a.get_content()
            if a.get_filename().endswith(".docx"):
                assert a.get_content_type().endswith("wordprocessingml.document")
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    assert z.testzip() is None and "word/document.xml" in z.namelist()
            else:
                assert a.get_content_type() == "application/pdf"
                assert len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 1
    assert [e["branch"] for e in log_of(month)] == ["马克思主义学院党总支", "商学院党总支", "财经学院党总支"]
    assert all(p.already_sent for p in plan(month))


def test_a_rerun_sends_nothing_twice(month: Path) -> None:
    with SMTPServer(Recorder()) as server:
        send_pending(month, settings(server.port), None)
        again = send_pending(month, settings(server.port), None)
    assert len(server.received) == 3
    assert again.results == [] and len(again.skipped) == 3 and again.ok


def test_a_refused_recipient_is_reported_and_only_it_is_sent_next_time(month: Path) -> None:
    with SMTPServer(Recorder(refuse={"shang2@example.edu.cn", "caijing@example.edu.cn"})) as server:
        report = send_pending(month, settings(server.port), None)
    assert not report.ok
    assert report.not_reached == ["商学院党总支", "财经学院党总支"]
    by_branch = {r.branch: r for r in report.results}
    assert by_branch["商学院党总支"].delivered == ["shang@example.edu.cn"]
    assert "550" in by_branch["商学院党总支"].refused["shang2@example.edu.cn"]
    assert by_branch["财经学院党总支"].delivered == []
    assert [sorted(r.rcpt_tos) for r in server.received] == [["makesi@example.edu.cn"],
                                                             ["shang@example.edu.cn"]]
    pending = {p.branch: p.pending for p in plan(month)}
    assert pending == {"马克思主义学院党总支": [], "商学院党总支": ["shang2@example.edu.cn"],
                       "财经学院党总支": ["caijing@example.edu.cn"]}
    with SMTPServer(Recorder()) as server:
        assert send_pending(month, settings(server.port), None).ok
    assert [r.rcpt_tos for r in server.received] == [["shang2@example.edu.cn"], ["caijing@example.edu.cn"]]


def test_a_server_that_goes_away_mid_run(month: Path) -> None:
    with SMTPServer(Recorder(drop_after=1)) as server:
        report = send_pending(month, settings(server.port), None)
    assert len(server.received) == 1
    assert report.not_reached == ["商学院党总支", "财经学院党总支"]
    assert all(r.error for r in report.results[1:])
    assert [e["branch"] for e in log_of(month)] == ["马克思主义学院党总支"]
    with SMTPServer(Recorder()) as server:
        assert send_pending(month, settings(server.port), None).ok
    assert [r.message["To"].addresses[0].display_name for r in server.received] == ["商学院党总支", "财经学院党总支"]


def test_server_down_or_silent_reaches_nobody_and_logs_nothing(month: Path) -> None:
    report = send_pending(month, settings(free_port()), None)  # nothing listens there
    assert report.not_reached == ["马克思主义学院党总支", "商学院党总支", "财经学院党总支"]
    assert "无法连接" in (report.results[0].error or "")
    with socket.socket() as silent:  # accepts the connection, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        report = send_pending(month, settings(silent.getsockname()[1], timeout=0.5), None)
    assert len(report.not_reached) == 3 and "超时" in (report.results[0].error or "")
    assert not (month / "邮件" / "sent.json").exists()


def test_starttls_against_a_server_without_it_says_so(month: Path) -> None:
    with SMTPServer(Recorder()) as server:
        s = settings(server.port)
        report = send_pending(month, type(s)(**{**vars(s), "security": "starttls"}), None)
    assert len(report.not_reached) == 3 and "security" in (report.results[0].error or "")
    assert server.received == []


def test_two_senders_never_work_on_one_month_at_once(month: Path) -> None:
    from handouts.mail import SendBusy
    from handouts.mail.log import sending_lock

    entered = threading.Event()
    with sending_lock(month / "邮件"):
        entered.set()
        code = ("import sys; from pathlib import Path; from handouts.mail.log import sending_lock\n"
                "try:\n    with sending_lock(Path(sys.argv[1])): print('locked')\n"
                "except Exception as e: print(type(e).__name__)")
        out = subprocess.run([sys.executable, "-c", code, str(month / "邮件")], capture_output=True,
                             text=True, check=True).stdout
    assert out.strip() == SendBusy.__name__


def test_starttls_and_login_with_the_password_from_the_environment(month: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    from aiosmtpd.smtp import AuthResult

    from handouts.mail import password_from_env

    certfile, keyfile = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certfile))  # the client trusts our certificate only
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certfile, keyfile)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    config = tmp_path / "mail.toml"
    with SMTPServer(Recorder(), tls_context=server_tls, require_starttls=True,
                    authenticator=authenticator, auth_required=True) as server:
        config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "starttls"\n'
                          f'user = "xcb"\npassword_env = "MAIL14_PW"\nfrom = "{SENDER}"\n', encoding="utf-8")
        s = load_settings(config)
        monkeypatch.setenv("MAIL14_PW", "wrong")
        refused = send_pending(month, s, password_from_env(s))
        assert refused.not_reached and "登录失败" in (refused.results[0].error or "")
        monkeypatch.setenv("MAIL14_PW", "s3cret")
        assert send_pending(month, s, password_from_env(s)).ok
    # smtplib tries each offered mechanism (PLAIN, LOGIN) before giving up.
    assert logins[-1] == (b"xcb", b"s3cret") and set(logins[:-1]) == {(b"xcb", b"wrong")}
    assert len(server.received) == 3
    monkeypatch.delenv("MAIL14_PW")
    with pytest.raises(MailConfigError, match="MAIL14_PW"):
        password_from_env(s)


def test_implicit_tls(month: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    certfile, keyfile = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certfile, keyfile)
    with SMTPServer(Recorder(), ssl_context=server_tls) as server:
        s = settings(server.port)
        s = type(s)(**{**vars(s), "security": "ssl"})
        untrusted = send_pending(month, s, None)  # the system's CAs do not know our certificate
        assert len(untrusted.not_reached) == 3 and "证书" in (untrusted.results[0].error or "")
        monkeypatch.setenv("SSL_CERT_FILE", str(certfile))
        assert send_pending(month, s, None).ok
    assert len(server.received) == 3


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_DEBUG"}
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=300, env=env)


def test_the_command_asks_then_sends_each_once(tmp_path: Path) -> None:
    """Checked by (issue 14): --send --yes delivers each once, a second run nothing."""
    branches = tmp_path / "branches.txt"
    branches.write_text("# 名单\n马克思主义学院党总支 <makesi@example.edu.cn>\n"
                        "商学院党总支 <shang@example.edu.cn>, <shang2@example.edu.cn>\n智能工程学院党总支\n",
                        encoding="utf-8")
    with SMTPServer(Recorder()) as server:
        config = tmp_path / "mail.toml"
        config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
                          f'from = "{SENDER}"\n', encoding="utf-8")
        common = [str(SEED), "-o", str(tmp_path / "out"), "--branches", str(branches),
                  "--mail-config", str(config)]
        declined = cli(*common, "--send", stdin="n\n")
        assert declined.returncode == 1 and "没有确认" in declined.stderr
        assert "商学院党总支 → shang@example.edu.cn, shang2@example.edu.cn" in declined.stderr
        assert "没有电子邮件地址" in declined.stderr and "智能工程学院党总支" in declined.stderr
        assert server.received == []
        first = cli(*common, "--send", "--yes")
        assert first.returncode == 0, first.stderr
        assert len(server.received) == 2 and "发送了 2 封邮件" in first.stderr
        second = cli(*common, "--send", "--yes")
        assert second.returncode == 0, second.stderr
        assert len(server.received) == 2 and "全部已发送过" in second.stderr
    assert load_settings(config).port == server.port
