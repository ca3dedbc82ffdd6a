#!/usr/bin/env python3
"""Build the handouts: `python generate.py --help` (the same as the `handouts` command)."""

from handouts.cli import run

if __name__ == "__main__":
    run()
