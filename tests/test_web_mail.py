"""The page's mail step (issues 14 and 16) against a real SMTP server on 127.0.0.1 (aiosmtpd).

Build with addresses in the branch list → GET /api/jobs/{id}/mail says who gets what →
POST sends → per-branch results; the command line's send log keeps a second build
of the same month from sending again.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from smtp_server import Recorder, SMTPServer
from starlette.testclient import TestClient

from handouts.web.app import create_app
from handouts.web.jobs import Jobs
from handouts.web.mailstep import MailStep
from handouts.web.security import Guard

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
BRANCHES = "商学院党总支 <shang@example.edu.cn>\n财经学院党总支 <caijing@example.edu.cn>, <cj2@example.edu.cn>\n马克思主义学院党总支\n"


def settings_file(folder: Path, port: int) -> Path:
    path = folder / "mail.toml"
    path.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                    'from = "党委宣传网工部 <xcb@example.edu.cn>"\n', encoding="utf-8")
    return path


def client_with(tmp_path: Path, config: Path) -> TestClient:
    guard = Guard(47817)
    jobs = Jobs(tmp_path / "work")
    step = MailStep(config=config, state_root=tmp_path / "output")
    return TestClient(create_app(guard, jobs, mailstep=step), base_url="http://127.0.0.1:47817",
                      client=("127.0.0.1", 1), headers={"X-Handouts-Token": guard.token})


def build(client: TestClient) -> str:
    started = client.post("/api/jobs", files={"file": ("2025-03.txt", SEED.read_bytes())},
                          data={"branches": BRANCHES})
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    client.app.state.jobs.get(job_id).finished.wait(300)  # type: ignore[attr-defined]
    status = client.get(f"/api/jobs/{job_id}").json()
    assert status["state"] == "done", status
    return job_id


def wait_for_send(client: TestClient, job_id: str) -> dict:
    for _ in range(600):
        data = client.get(f"/api/jobs/{job_id}/mail").json()
        if data["run"] and data["run"]["state"] != "running":
            return data
        time.sleep(0.1)
    raise AssertionError("sending did not finish")


def test_mail_step_plans_sends_and_never_twice(tmp_path: Path) -> None:
    with SMTPServer(Recorder()) as server:
        client = client_with(tmp_path, settings_file(tmp_path, server.port))
        page = client.get("/").text
        assert 'id="step-mail"' in page and "xcb@example.edu.cn" in page
        job_id = build(client)
        files = client.get(f"/api/jobs/{job_id}").json()["manifest"]["files"]
        assert sorted(f["branch"] for f in files if f["kind"] == "mail") == ["商学院党总支", "财经学院党总支"]
        messages = client.get(f"/api/jobs/{job_id}").json()["messages"]
        assert any("马克思主义学院党总支" in m and "没有电子邮件地址" in m for m in messages)

        plan = client.get(f"/api/jobs/{job_id}/mail").json()
        assert [(p["branch"], p["pending"]) for p in plan["plan"]] == [
            ("商学院党总支", ["shang@example.edu.cn"]),
            ("财经学院党总支", ["caijing@example.edu.cn", "cj2@example.edu.cn"])]
        assert all(not p["already_sent"] and p["attachments"] for p in plan["plan"])
        assert plan["run"] is None and server.received == []  # nothing goes out before the POST

        assert client.post(f"/api/jobs/{job_id}/mail").status_code == 202
        done = wait_for_send(client, job_id)
        assert done["run"]["state"] == "done" and done["run"]["not_reached"] == []
        assert {r["branch"]: r["delivered"] for r in done["run"]["results"]} == {
            "商学院党总支": ["shang@example.edu.cn"],
            "财经学院党总支": ["caijing@example.edu.cn", "cj2@example.edu.cn"]}
        assert sorted(tuple(r.rcpt_tos) for r in server.received) == [
            ("caijing@example.edu.cn", "cj2@example.edu.cn"), ("shang@example.edu.cn",)]
        kept = tmp_path / "output" / "2025-03" / "邮件" / "sent.json"
        assert kept.is_file()  # the command line's log, outside the build's work folder

        # A new build of the same month: everything already sent, nothing goes out again.
        again = build(client)
        plan = client.get(f"/api/jobs/{again}/mail").json()
        assert all(p["already_sent"] for p in plan["plan"])
        assert client.post(f"/api/jobs/{again}/mail").status_code == 202
        second = wait_for_send(client, again)
        assert second["run"]["results"] == [] and len(second["run"]["skipped"]) == 2
        assert len(server.received) == 2


def test_refused_address_is_a_per_branch_result(tmp_path: Path) -> None:
    with SMTPServer(Recorder(refuse={"cj2@example.edu.cn"})) as server:
        client = client_with(tmp_path, settings_file(tmp_path, server.port))
        job_id = build(client)
        client.post(f"/api/jobs/{job_id}/mail")
        done = wait_for_send(client, job_id)
        results = {r["branch"]: r for r in done["run"]["results"]}
        assert results["商学院党总支"]["ok"]
        assert not results["财经学院党总支"]["ok"] and "cj2@example.edu.cn" in results["财经学院党总支"]["refused"]
        assert done["run"]["not_reached"] == ["财经学院党总支"]
        assert len(server.received) == 2  # the other address of 财经学院 still got it


def test_without_settings_there_is_no_mail_step(tmp_path: Path) -> None:
    client = client_with(tmp_path, tmp_path / "absent.toml")
    assert 'id="step-mail"' not in client.get("/").text
    job_id = build(client)
    assert client.get(f"/api/jobs/{job_id}/mail").status_code == 404
    files = client.get(f"/api/jobs/{job_id}").json()["manifest"]["files"]
    assert not [f for f in files if f["kind"] == "mail"]


@pytest.mark.parametrize("text", ['[smtp]\nhost = 5\n', '[smtp]\npassword = "x"\n'])
def test_broken_settings_are_shown_with_file_and_line(tmp_path: Path, text: str) -> None:
    config = tmp_path / "mail.toml"
    config.write_text(text, encoding="utf-8")
    client = client_with(tmp_path, config)
    page = client.get("/").text
    assert 'id="step-mail"' in page and "mail.toml" in page and "第 2 行" in page
