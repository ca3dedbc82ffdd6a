"""Why a file in the collected folder gave no record sheet."""

from __future__ import annotations


class Unreadable(Exception):
    """The file cannot be opened: damaged, password-protected, a scan."""


class NotASheet(Exception):
    """The file opens but is not a study-record sheet (the message says what it is)."""


# What the first bytes of a file say about it, whatever its name.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and every encrypted Office file
ZIP = b"PK\x03\x04"
PDF = b"%PDF"
