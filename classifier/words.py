"""The normalised tokens of a comment, fast: what scoring and training read (explanations use offsets).

Full normalisation (classifier.normalize) costs ~18 µs a comment, most of it Python overhead that
repeats for every comment. But almost all of it is local to a whitespace-separated chunk, so a chunk's
tokens can be cached and reused. Only a few things look across chunks or at the whole comment, and a
comment showing any of them takes the full path:

- spaced-out letters ("f u c k"), which joining turns into one word; across chunks that needs a
  chunk whose normal form is one letter or digit, between one ending and one starting with a lone one
  (`may_join`; other separators, "k.i.k.e", stay in one chunk);
- Greek, Cyrillic and Armenian letters, whose look-alike mapping depends on the comment's script;
- combining marks, which attach to whatever precedes them (a space, at a chunk's start).

URLs, e-mail addresses and @mentions, which normalisation protects, never contain whitespace, so
protection is decided chunk by chunk (normalize looks for them per space-delimited chunk); it only
ever stops a join, and a join across chunks already sends the comment down the full path. Format and
control characters fold to nothing inside their chunk; a chunk made only of them vanishes, which
`may_join` allows for.

A test checks the two paths agree on every text of the datasets and on generated text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

from classifier.normalize import normalize, tokenize

CACHE_LIMIT = 200_000
"""Distinct chunks remembered; past this the cache starts afresh rather than growing."""

_CONTEXT = re.compile(
    r"[\u0300-\u036f\u0370-\u058f\u1ab0-\u1aff\u1c80-\u1c8f\u1dc0-\u1dff\u1f00-\u1fff\u20d0-\u20ff"
    r"\u2de0-\u2dff\ua640-\ua69f\ufe00-\ufe0f\ufe20-\ufe2f]"
)
_cache: dict[str, tuple[list[str], int]] = {}


def _full(text: str) -> list[str]:
    return [token for token, _, _ in tokenize(normalize(text).text)]


def _needs_context(text: str) -> bool:
    """True when some part of normalisation may look beyond one chunk (see the module docstring)."""
    return not text.isascii() and _CONTEXT.search(text) is not None


JOIN_SINGLE, JOIN_END, JOIN_START, JOIN_VANISHES, JOIN_UNSAFE = 1, 2, 4, 8, 16
"""What a chunk offers a run of spaced-out letters, in any form the join step sees (normalisation joins
before it decodes leetspeak, and again after each squeeze): it is one letter or digit; it ends in
one (after a non-alphanumeric character or alone); it starts with one; it normalises to nothing (so
its neighbours meet); it holds a space of its own (NFKC of a few symbols), so anything may happen."""


def join_flags(normal: str) -> int:
    """`JOIN_*` bits of one form of a chunk."""
    if not normal:
        return JOIN_VANISHES
    flags = JOIN_UNSAFE if " " in normal else 0
    if normal[-1].isalnum() and (len(normal) == 1 or not normal[-2].isalnum()):
        flags |= JOIN_END
    if normal[0].isalnum() and (len(normal) == 1 or not normal[1].isalnum()):
        flags |= JOIN_START
    if len(normal) == 1 and normal.isalnum():
        flags |= JOIN_SINGLE
    return flags


def chunk_info(chunk: str) -> tuple[list[str], int]:
    """The tokens of one chunk normalised on its own, and its `JOIN_*` bits (cached)."""
    cached = _cache.get(chunk)
    if cached is None:
        if len(_cache) > CACHE_LIMIT:
            _cache.clear()
        forms: list[str] = []
        normal = normalize(chunk, forms).text
        flags = 0
        for form in forms:  # in context, every one of them meets its neighbours at a join
            flags |= join_flags(form)
        cached = _cache[chunk] = ([token for token, _, _ in tokenize(normal)], flags)
    return cached


def may_join(flags: Sequence[int]) -> bool:
    """Whether spaced-out letters may run across the chunks whose `JOIN_*` bits these are, in order.

    Such a run ("f u c k", "it's a b") has at least three one-character units separated by single spaces,
    so some whole chunk is a single letter or digit between a chunk ending in a lone one and a chunk
    starting with one. Chunks that normalise to nothing are transparent (their neighbours meet).
    """
    seen = [flag for flag in flags if flag != JOIN_VANISHES]
    if any(flag & JOIN_UNSAFE for flag in seen):
        return True
    return any(
        middle & JOIN_SINGLE and before & JOIN_END and after & JOIN_START
        for before, middle, after in zip(seen, seen[1:], seen[2:], strict=False)
    )


def batch_chunks(texts: Sequence[str]) -> tuple[list[str], list[int], list[int]]:
    """Many texts' chunks at once: (all chunks in order, chunks per text, texts that need the full path).

    Only the whole-comment triggers (script, combining marks) are decided here, in
    C-level passes over the batch; a text they send to the full path contributes no chunks and a count
    of 0. Whether spaced-out letters cross chunks (`may_join`) is left to the caller, which can test it
    from cached per-chunk bits for the whole batch at once.
    """
    full = [] if "".join(texts).isascii() else [number for number, text in enumerate(texts) if _needs_context(text)]
    if full:
        skip = set(full)
        texts = [("" if number in skip else text) for number, text in enumerate(texts)]
    splits = [text.split() for text in texts]
    return list(chain.from_iterable(splits)), list(map(len, splits)), full


def full_words(text: str) -> list[str]:
    """The tokens of ``tokenize(normalize(text).text)``, the slow way."""
    return _full(text)


def words(text: str) -> list[str]:
    """The tokens of ``tokenize(normalize(text).text)``, without offsets, from a chunk cache when safe."""
    if _needs_context(text):
        return _full(text)
    infos = [chunk_info(chunk) for chunk in text.split()]
    if may_join([flags for _, flags in infos]):
        return _full(text)
    return [token for tokens, _ in infos for token in tokens]
