#!/usr/bin/env python3
"""Build the handouts: `python generate.py --help` (the same as the `handouts` command)."""

import sys

from handouts.cli import main

if __name__ == "__main__":
    sys.exit(main())
