"""Where Chinese text may be divided between words (issue 21, LAYOUT.md L26).

Titles and study items are short and few, but a line that ends inside a word
(「普 / 惠」, 「公共 / 服务」) is what a reader notices first. The words come
from jieba's dictionary and its HMM for words the dictionary lacks (普惠).
Loading jieba costs about a second, more than laying out a whole handout, so
it stays off the hot path: every text's boundaries are cached in the build
cache (words-<jieba version>.json beside the converted fonts) and jieba is
imported only for a text the cache does not hold yet. The cache is written
atomically; a damaged or foreign cache file is ignored and rebuilt.

Deterministic: jieba's dictionary and HMM are fixed by its version, which
names the cache file, and the cut is made with a fresh Tokenizer, never with
a user dictionary.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

_FORMAT = 1

_lock = threading.Lock()
_tokenizer: Any = None
_memo: dict[str, list[int]] | None = None
_dirty = False


def cache_dir() -> Path:
    """The build cache: HANDOUTS_FONT_CACHE, a checkout's fonts/.cache, or the user cache folder."""
    from ..places.resources import default_cache_dir

    return default_cache_dir()


def _version() -> str:
    """jieba's version, without importing it (a second) or scanning every
    installed distribution (importlib.metadata: 30 ms of each build)."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is not None and spec.origin:
        site = Path(spec.origin).resolve().parent.parent
        found = sorted(site.glob("jieba-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len("jieba-"):-len(".dist-info")]
    from importlib.metadata import version

    return version("jieba")


@lru_cache(maxsize=1)
def _cache_file() -> Path:
    return cache_dir() / f"words-jieba-{_version()}.json"


def _load() -> dict[str, list[int]]:
    global _memo
    if _memo is None:
        try:
            data = json.loads(_cache_file().read_text(encoding="utf-8"))
            ok = data.get("format") == _FORMAT and isinstance(data.get("words"), dict)
            _memo = dict(data["words"]) if ok else {}
        except (OSError, ValueError, AttributeError):
            _memo = {}
    return _memo


def _segment(text: str) -> list[int]:
    """Word boundaries by jieba: offsets between two of its tokens."""
    global _tokenizer
    if _tokenizer is None:
        import jieba  # about a second: only for texts the cache lacks

        jieba.setLogLevel(logging.WARNING)  # its progress lines are not ours to print
        tk = jieba.Tokenizer()
        tk.tmp_dir = str(cache_dir()) if cache_dir().is_dir() else None
        tk.initialize()
        _tokenizer = tk
    out, pos = [], 0
    for token in _tokenizer.cut(text, HMM=True):
        pos += len(token)
        if pos < len(text):
            out.append(pos)
    return out


def word_boundaries(text: str) -> frozenset[int]:
    """Offsets i (0 < i < len(text)) where a line may end between text[i-1]
    and text[i] without dividing a word. Punctuation, digits and Latin are
    tokens of their own, so the offsets around them are in the set too;
    whether a break there is allowed (禁则) is the line breaker's business."""
    global _dirty
    if len(text) < 2:
        return frozenset()
    with _lock:
        memo = _load()
        known = memo.get(text)
        if known is None:
            known = memo[text] = _segment(text)
            _dirty = True
    return frozenset(known)


def save() -> None:
    """Write new cache entries (atomically); called at the end of a build."""
    global _dirty
    with _lock:
        if not _dirty or _memo is None:
            return
        path = _cache_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            merged = dict(_memo)
            try:  # a parallel build may have added others meanwhile
                other = json.loads(path.read_text(encoding="utf-8")).get("words", {})
                if isinstance(other, dict):
                    merged = {**other, **merged}
            except (OSError, ValueError, AttributeError):
                pass
            data = json.dumps({"format": _FORMAT, "words": dict(sorted(merged.items()))},
                              ensure_ascii=False, indent=0)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".words-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            return  # a read-only cache only costs the next build a second
        _dirty = False
