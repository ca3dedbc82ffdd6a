"""Issue 14: the .eml files --mail writes, read as a branch's mail program would."""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

from handouts.build import BuildContext, build_package
from handouts.mail import MailConfigError, load_settings
from handouts.mail.message import Attachment, MailJob, compose_message, message_bytes
from handouts.mail.settings import parse_sender
from handouts.model.parse import parse
from handouts.read.source import read_source

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
RECIPIENTS = {"马克思主义学院党总支": ("makesi@example.edu.cn",),
              "民政与社会治理学院党总支": ("minzheng@example.edu.cn", "minzheng2@example.edu.cn"),
              "商学院党总支": ()}
SENDER = parse_sender("党委宣传网工部 <xcb@example.edu.cn>")


def build(out: Path, sender=SENDER) -> Path:
    build_package(parse(read_source(SEED)), out=out, branches=list(RECIPIENTS), formats=["pdf", "docx"],
                  force=False, ctx=BuildContext(), mail=MailJob(RECIPIENTS, sender))
    return out / "2025-03"


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("eml"))


def test_one_eml_per_addressed_branch_listed_in_the_manifest(month: Path) -> None:
    manifest = json.loads((month / "manifest.json").read_text(encoding="utf-8"))
    mails = [f for f in manifest["files"] if f["kind"] == "mail"]
    assert [(f["path"], f["branch"], f["format"]) for f in mails] == [
        ("邮件/马克思主义学院党总支.eml", "马克思主义学院党总支", "eml"),
        ("邮件/民政与社会治理学院党总支.eml", "民政与社会治理学院党总支", "eml"),
    ]
    assert sorted(p.name for p in (month / "邮件").iterdir()) == sorted(Path(f["path"]).name for f in mails)


def test_the_message_as_a_branch_reads_it(month: Path) -> None:
    raw = (month / "邮件" / "民政与社会治理学院党总支.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "关于3月份教职工政治理论学习的通知"
    assert str(msg["From"]) == "党委宣传网工部 <xcb@example.edu.cn>"
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("民政与社会治理学院党总支", "minzheng@example.edu.cn"),
        ("民政与社会治理学院党总支", "minzheng2@example.edu.cn")]
    assert msg["Date"] == "Tue, 04 Mar 2025 09:00:00 +0800"  # the notice's date, China time
    assert msg["X-Unsent"] == "1"
    body = msg.get_body(("plain",)).get_content()
    assert "\r\n" in body  # text in MIME canonical form (RFC 2049): CRLF inside the base64
    body = body.replace("\r\n", "\n")
    assert body.startswith("民政与社会治理学院党总支：\n")
    assert "2025年3月11日为教职工政治理论学习时间" in body and body.rstrip().endswith("2025年3月4日")
    names = [a.get_filename() for a in msg.iter_attachments()]
    assert names == ["2025年3月教职工政治理论学习内容.docx", "民政与社会治理学院党总支学习记录表.docx",
                     "民政与社会治理学院党总支学习记录表.pdf", "民政与社会治理学院党总支签到表.pdf"]
    for name in names:
        assert name in body  # the body names the attachments
    attached = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert attached["民政与社会治理学院党总支签到表.pdf"] == (month / "签到表" / "民政与社会治理学院党总支签到表.pdf").read_bytes()
    assert attached["2025年3月教职工政治理论学习内容.docx"] == (month / "2025年3月教职工政治理论学习内容.docx").read_bytes()


def test_raw_headers_are_rfc_2047_and_2231(month: Path) -> None:
    raw = (month / "邮件" / "马克思主义学院党总支.eml").read_bytes()
    assert raw.isascii() and b"\n" not in raw.replace(b"\r\n", b"")  # 7-bit, CRLF
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert re.search(r"^Subject: =\?utf-8\?b\?[A-Za-z0-9+/=]+\?=", head, re.M)
    assert re.search(r"^From: =\?utf-8\?b\?[A-Za-z0-9+/=]+\?= <xcb@example.edu.cn>", head, re.M)
    assert re.search(r"^To: =\?utf-8\?b\?[A-Za-z0-9+/=]+\?= <makesi@example.edu.cn>", head, re.M)
    assert all(len(w) <= 75 for w in re.findall(rb"=\?[^?]+\?[bq]\?[^?]*\?=", raw))  # RFC 2047 limit
    assert max(len(line) for line in raw.split(b"\r\n")) <= 100
    assert raw.count(b"filename*0*=utf-8''") == 4 and raw.count(b"name*0*=utf-8''") == 8
    # The whole MIME type, never an encoded word in its place.
    assert b"Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;" in raw


def test_rebuilding_gives_the_same_bytes(month: Path, tmp_path: Path) -> None:
    again = build(tmp_path)
    for eml in (month / "邮件").glob("*.eml"):
        assert (again / "邮件" / eml.name).read_bytes() == eml.read_bytes()


def test_message_id_follows_the_content_and_without_a_sender_there_is_no_from(tmp_path: Path) -> None:
    package = parse(read_source(SEED))
    files = [Attachment("a.pdf", "pdf", b"%PDF-1.7 a")]

    def make(addresses: tuple[str, ...], sender=SENDER, seed="s") -> email.message.EmailMessage:
        return email.message_from_bytes(message_bytes(compose_message(
            package, "商学院党总支", addresses, sender, files, seed)), policy=policy.default)

    one, same, other = make(("a@x.cn",)), make(("a@x.cn",)), make(("b@x.cn",))
    assert one["Message-ID"] == same["Message-ID"] != other["Message-ID"]
    assert make(("a@x.cn",), seed="t")["Message-ID"] != one["Message-ID"]
    assert one["Message-ID"].endswith("@example.edu.cn>")
    draft = make(("a@x.cn",), sender=None)
    assert "From" not in draft and draft["Message-ID"].endswith("@handouts.invalid>")


def test_subject_and_body_come_from_the_editable_template(tmp_path: Path) -> None:
    templates = Path(shutil.copytree(ROOT / "templates", tmp_path / "templates"))
    (templates / "mail.txt.j2").write_text("{{ month }}学习材料（{{ branch }}）\n\n请查收 {{ attachments|length }} 个附件。\n",
                                           encoding="utf-8")
    package = parse(read_source(SEED))
    msg = compose_message(package, "商学院党总支", ("a@x.cn",), SENDER,
                          [Attachment("a.pdf", "pdf", b"%PDF")], "s", template_dir=templates)
    assert msg["Subject"] == "2025年3月学习材料（商学院党总支）"
    assert msg.get_body(("plain",)).get_content() == "请查收 1 个附件。\r\n"


MAIL_TOML = """\
[smtp]
host = "smtp.example.edu.cn"
security = "ssl"
user = "xcb@example.edu.cn"
password_env = "HANDOUTS_SMTP_PASSWORD"
from = "党委宣传网工部 <xcb@example.edu.cn>"
"""


def test_settings_and_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mail.toml"
    path.write_text(MAIL_TOML, encoding="utf-8")
    s = load_settings(path)
    assert (s.host, s.port, s.security, s.user, s.password_env) == (
        "smtp.example.edu.cn", 465, "ssl", "xcb@example.edu.cn", "HANDOUTS_SMTP_PASSWORD")
    assert s.sender is not None and s.sender.display_name == "党委宣传网工部"


@pytest.mark.parametrize(
    ("change", "line", "fragment"),
    [
        (('security = "ssl"', 'security = "tls"'), 3, "starttls、ssl 或 none"),
        (('security = "ssl"', 'password = "secret"'), 3, "不要把密码写在 mail.toml 中"),
        (('security = "ssl"', "port = 99999"), 3, "port"),
        (('from = "党委宣传网工部 <xcb@example.edu.cn>"', 'from = "党委宣传网工部"'), 6, "发件人"),
        (('password_env = "HANDOUTS_SMTP_PASSWORD"\n', ""), 4, "password_env"),
        (('host = "smtp.example.edu.cn"', 'hots = "smtp.example.edu.cn"'), 2, "不认识的设置"),
        (('host = "smtp.example.edu.cn"', "host = smtp"), 2, "TOML"),
    ],
)
def test_a_broken_setting_names_file_and_line(tmp_path: Path, change: tuple[str, str], line: int,
                                               fragment: str) -> None:
    path = tmp_path / "mail.toml"
    path.write_text(MAIL_TOML.replace(*change), encoding="utf-8")
    with pytest.raises(MailConfigError) as info:
        load_settings(path)
    assert info.value.line == line and fragment in str(info.value) and "mail.toml" in str(info.value)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_command_line_mistakes(tmp_path: Path) -> None:
    branches = tmp_path / "branches.txt"
    branches.write_text("商学院党总支 <shang@example.edu.cn>\n财经学院党总支 <caijing@example>\n",
                        encoding="utf-8")
    out = ["-o", str(tmp_path / "out")]
    bad = cli(str(SEED), *out, "--branches", str(branches), "--mail")
    assert bad.returncode == 1 and "branches.txt 第 2 行" in bad.stderr and "caijing@example" in bad.stderr
    assert "Traceback" not in bad.stderr
    no_config = cli(str(SEED), *out, "--send", "--mail-config", str(tmp_path / "none.toml"))
    assert no_config.returncode == 1 and "none.toml" in no_config.stderr
    for args in (["--mail", "--formats", "pdf"], ["--yes"], ["--mail", "--check"]):
        assert cli(str(SEED), *out, *args).returncode == 2, args
    assert not (tmp_path / "out").exists()
