#!/usr/bin/env python3
"""Benchmark of a month's build (issue 8). Run: python bench/bench.py [--reps N] [--quick]

Measures, on this machine, medians of several repetitions of:
  - the full March build (handout docx+pdf, every branch's two sheets in both
    formats, the bundle, the manifest) in a fresh process, warm font cache;
  - the same with an empty font cache (cold), for the cache's speed-up;
  - a 12-month batch (twelve copies of the seed, 40 branches) against 1 and 6
    months, to show the work grows linearly;
  - peak memory (max RSS) of the full build;
  - a per-stage split inside one process, written sequentially (read, parse,
    compose, fonts, PDF layout, write: drawing, Word, files);
  - LibreOffice converting the same handout .docx to PDF, for the ratio,
    alternating with the warm builds.
handouts/ is compiled to bytecode first, as an installed copy is.
Nothing is asserted: the numbers are printed for README's performance section.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2025-03.txt"
sys.path.insert(0, str(ROOT))


def run_build(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one generate.py process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "generate.py"), *args],
                          capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed: {proc.stderr}")
    # ru_maxrss of children is the largest child so far: measure the big run first.
    return elapsed, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)


def median_of(reps: int, fn) -> float:
    return statistics.median(fn() for _ in range(reps))


def branches_file(directory: Path, count: int) -> Path:
    path = directory / "branches.txt"
    names = [f"第{n}党总支" for n in range(1, count + 1)]
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return path


def months(directory: Path, count: int) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in range(1, count + 1):
        p = directory / f"2025-{m:02d}.txt"
        shutil.copyfile(SEED, p)
        paths.append(str(p))
    return paths


def stage_split() -> dict[str, float]:
    """Seconds per stage of one build in this process, written sequentially so
    that the PDF layout can be told apart from the writing around it."""
    from handouts.build import BuildContext, build_package
    from handouts.model.parse import parse
    from handouts.pdf import writer as write_pdf
    from handouts.read.branches import read_branches
    from handouts.read.source import read_source

    layout = 0.0
    lay_out = write_pdf.lay_out

    def timed_lay_out(*args, **kwargs):
        nonlocal layout
        start = time.perf_counter()
        try:
            return lay_out(*args, **kwargs)
        finally:
            layout += time.perf_counter() - start

    ctx = BuildContext()
    t0 = time.perf_counter()
    source = read_source(SEED)
    t1 = time.perf_counter()
    package = parse(source)
    t2 = time.perf_counter()
    names, _ = read_branches(ROOT / "seeds" / "branches.txt")
    jobs = os.environ.get("HANDOUTS_JOBS")
    os.environ["HANDOUTS_JOBS"] = "1"
    write_pdf.lay_out = timed_lay_out
    try:
        with tempfile.TemporaryDirectory() as out:
            build_package(package, out=Path(out), branches=names, formats=["pdf", "docx"],
                          force=True, ctx=ctx)
    finally:
        write_pdf.lay_out = lay_out
        if jobs is None:
            os.environ.pop("HANDOUTS_JOBS")
        else:
            os.environ["HANDOUTS_JOBS"] = jobs
    stages = {"read": t1 - t0, "parse": t2 - t1, **ctx.timings}
    # "write" covers every writer in one process: PDF layout, then drawing,
    # Word and files.
    stages["layout"] = layout
    stages["write"] = stages.get("write", 0.0) - layout
    return stages


def libreoffice(docx: Path):
    """A function timing one LibreOffice conversion of docx to PDF (warm profile), or None."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    profile = Path(tempfile.mkdtemp()) / "lo-profile"

    def once() -> float:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                            "--convert-to", "pdf", "--outdir", out, str(docx)],
                           capture_output=True, check=True, timeout=600)
            return time.perf_counter() - start

    once()  # the first start creates the profile: not part of the warm figure
    return once


def compile_bytecode() -> None:
    """Compile handouts/ as an installed copy would be: an editable install
    compiles on first use, unless PYTHONDONTWRITEBYTECODE is set (as on some
    CI machines), which would otherwise make every run compile the source."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "handouts")], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, no 12-month batch")
    args = ap.parse_args()
    reps = 2 if args.quick else args.reps
    results: dict[str, object] = {}
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        warm_env = dict(os.environ, HANDOUTS_FONT_CACHE=str(tmp / "font-cache"))
        out = tmp / "out"
        # Peak memory and the warm cache come from the first run.
        _, rss = run_build([str(SEED), "-o", str(out)], warm_env)
        results["peak_memory_mb"] = round(rss / 1024, 1)
        # The ratio side by side: a build, then LibreOffice, in turns, so that
        # the machine's drift from minute to minute touches both alike.
        lo_once = libreoffice(next((out / SEED.stem).glob("*.docx")))
        builds, conversions = [], []
        for _ in range(reps):
            builds.append(run_build([str(SEED), "-o", str(out), "--force"], warm_env)[0])
            if lo_once:
                conversions.append(lo_once())
        results["march_warm_s"] = statistics.median(builds)
        results["libreoffice_docx_to_pdf_s"] = statistics.median(conversions) if conversions else None
        if conversions:
            results["ratio_march_build_to_libreoffice"] = round(
                results["march_warm_s"] / results["libreoffice_docx_to_pdf_s"], 2)
            # Each build against the conversion timed right after it: the spread.
            results["ratio_per_pair"] = [round(b / c, 2) for b, c in zip(builds, conversions, strict=True)]

        def cold() -> float:
            env = dict(os.environ, HANDOUTS_FONT_CACHE=tempfile.mkdtemp(dir=tmp))
            return run_build([str(SEED), "-o", str(tmp / "cold")], env)[0]

        results["march_cold_s"] = median_of(max(1, reps // 2), cold)
        if not args.quick:
            forty = branches_file(tmp, 40)
            for n in (1, 6, 12):
                seeds = months(tmp / f"seeds{n}", n)
                results[f"batch_{n}_months_40_branches_s"] = median_of(
                    max(1, reps // 2),
                    lambda seeds=seeds, n=n: run_build(
                        [*seeds, "--branches", str(forty), "-o", str(tmp / f"b{n}"), "--force"],
                        warm_env)[0])
        os.environ["HANDOUTS_FONT_CACHE"] = str(tmp / "font-cache")
        results["stages_s"] = {k: round(v, 3) for k, v in stage_split().items()}
    for key, value in results.items():
        if isinstance(value, float):
            results[key] = round(value, 3)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
