#!/usr/bin/env python3
"""Build the handouts: `python generate.py --help` (the same as the `handouts` command).

The checkout's entry: seeds/, output/, templates/ and fonts/ are this folder's,
wherever it is started from (the installed `handouts` uses the current folder)."""

from pathlib import Path

from handouts.cli import run

if __name__ == "__main__":
    run(home=Path(__file__).resolve().parent, prog="generate.py")
