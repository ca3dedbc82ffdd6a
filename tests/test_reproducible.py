"""Issue 19.5: the same input gives the same bytes on any machine.

SOURCE_DATE_EPOCH is ignored everywhere (every date in the files is the
notice's own date; ReportLab used the variable for the PDF trailer /ID only),
and the manifest names the seed the same way whatever the working directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handouts.build import recorded_seed

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"


def build(seed: Path, out: Path, branches: Path, cwd: Path, **env: str) -> dict[str, bytes]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("HANDOUTS_DEBUG", "SOURCE_DATE_EPOCH")} | env
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), str(seed), "-o", str(out),
                             "--branches", str(branches)], cwd=cwd, capture_output=True, text=True,
                            timeout=300, env=environment)
    assert result.returncode == 0, result.stderr
    folder = out / seed.stem
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_same_bytes_whatever_the_clock_variable_and_the_directory(tmp_path: Path) -> None:
    seed = tmp_path / "seeds" / "2025-04.txt"
    seed.parent.mkdir()
    shutil.copy(CORPUS / "notice-only.txt", seed)
    branches = tmp_path / "branches.txt"
    branches.write_text("商学院党总支\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    plain = build(seed, tmp_path / "a", branches, cwd=ROOT)
    other = build(seed, tmp_path / "b", branches, cwd=elsewhere, SOURCE_DATE_EPOCH="1700000000")
    here = build(Path("seeds") / seed.name, tmp_path / "c", branches, cwd=tmp_path)
    assert any(name.endswith(".pdf") for name in plain)
    for name, data in plain.items():
        assert other[name] == data, f"{name} differs with SOURCE_DATE_EPOCH set, run from elsewhere"
        assert here[name] == data, f"{name} differs when the seed is named relative to the cwd"
    assert set(other) == set(plain) == set(here)
    assert json.loads(plain["manifest.json"])["seed"] == "2025-04.txt"


def test_a_seed_in_the_checkout_is_recorded_by_its_place_there(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    march = ROOT / "seeds" / "2025-03.txt"
    monkeypatch.chdir(tmp_path)
    assert recorded_seed(march) == "seeds/2025-03.txt"
    monkeypatch.chdir(ROOT)
    assert recorded_seed(Path("seeds/2025-03.txt")) == "seeds/2025-03.txt"
    assert recorded_seed(tmp_path / "x" / "2025-05.docx") == "2025-05.docx"
