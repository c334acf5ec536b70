"""The normalised tokens of a comment, fast: what scoring and training read (explanations use offsets).

Full normalisation (classifier.normalize) costs ~18 µs a comment, most of it Python overhead that
repeats for every comment. But almost all of it is local to a whitespace-separated chunk, so a chunk's
tokens can be cached and reused. Only a few things look across chunks or at the whole comment, and a
comment showing any of them takes the full path:

- spaced-out letters ("f u c k"), which joining turns into one word; across chunks that needs a
  lone letter or digit after a chunk ending in one (other separators, "k.i.k.e", stay in one chunk);
- Greek, Cyrillic and Armenian letters, whose look-alike mapping depends on the comment's script;
- combining marks, which attach to whatever precedes them (a space, at a chunk's start);
- URLs, e-mail addresses and @mentions, which normalisation protects.

A test checks the two paths agree on every text of the datasets and on generated text.
"""

from __future__ import annotations

import re

from classifier.normalize import normalize, tokenize

CACHE_LIMIT = 200_000
"""Distinct chunks remembered; past this the cache starts afresh rather than growing."""

_CONTEXT = re.compile(
    r"[\u0300-\u036f\u0370-\u058f\u1ab0-\u1aff\u1c80-\u1c8f\u1dc0-\u1dff\u1f00-\u1fff\u20d0-\u20ff"
    r"\u2de0-\u2dff\ua640-\ua69f\ufe00-\ufe0f\ufe20-\ufe2f]|@|://|www\.",
    re.IGNORECASE,
)
_cache: dict[str, list[str]] = {}


def _full(text: str) -> list[str]:
    return [token for token, _, _ in tokenize(normalize(text).text)]


def _needs_context(text: str) -> bool:
    """True when some part of normalisation may look beyond one chunk (see the module docstring)."""
    if text.isascii():
        return "@" in text or "://" in text or "www." in text.lower()
    return _CONTEXT.search(text) is not None or (not text.isprintable() and not _only_whitespace_controls(text))


def _only_whitespace_controls(text: str) -> bool:
    # Newlines and tabs are harmless (they split chunks just as spaces do); other unprintable characters
    # (format, control) fold to nothing and could glue two chunks' letters together.
    return all(ch.isprintable() or ch in " \t\n\r\x0b\x0c" for ch in text)


def independent_chunks(text: str) -> list[str] | None:
    """The whitespace-separated chunks of ``text`` if each can be normalised on its own, else None."""
    if _needs_context(text):
        return None
    chunks = text.split()
    lengths = list(map(len, chunks))
    index = 0
    while True:
        # Spaced-out letters can run across chunks only from a lone letter or digit that follows a chunk
        # ending in a lone one (the "f u" of "f u c k"); other separators ("k.i.k.e") stay in one chunk.
        try:
            index = lengths.index(1, index + 1)
        except ValueError:
            return chunks
        previous = chunks[index - 1]
        if chunks[index].isalnum() and previous[-1].isalnum() and (len(previous) == 1 or not previous[-2].isalnum()):
            return None


def chunk_tokens(chunk: str) -> list[str]:
    """The tokens of one independent chunk (cached)."""
    cached = _cache.get(chunk)
    if cached is None:
        if len(_cache) > CACHE_LIMIT:
            _cache.clear()
        cached = _cache[chunk] = _full(chunk)
    return cached


def words(text: str) -> list[str]:
    """The tokens of ``tokenize(normalize(text).text)``, without offsets, from a chunk cache when safe."""
    chunks = independent_chunks(text)
    if chunks is None:
        return _full(text)
    tokens: list[str] = []
    for chunk in chunks:
        tokens.extend(chunk_tokens(chunk))
    return tokens
