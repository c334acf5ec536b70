"""Turning stored comment text into safe HTML: escaped pieces, highlighted spans, visible bidi controls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from classifier import HEADS

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder the text around them (e.g. U+202E RIGHT-TO-LEFT OVERRIDE): shown, never obeyed."""


def neutralise(text: str) -> str:
    """``text`` with every bidi control replaced by a visible ``[U+202E]``-style marker (still to be escaped)."""
    if not any(ch in BIDI_CONTROLS for ch in text):
        return text
    return "".join(f"[U+{ord(ch):04X}]" if ch in BIDI_CONTROLS else ch for ch in text)


def plain(text: str | None) -> Markup:
    """Escaped text for display, bidi controls made visible."""
    return escape(neutralise(text or ""))


def _clean_spans(text: str, spans: Sequence[Mapping[str, object]] | None) -> list[tuple[int, int, str, float]]:
    cleaned = []
    for span in spans or ():
        try:
            begin, end = int(span["begin"]), int(span["end"])  # type: ignore[arg-type]
            score = float(span.get("score") or 0.0)  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            continue
        begin, end = max(0, begin), min(len(text), end)
        if begin < end:
            cleaned.append((begin, end, str(span.get("label") or "flagged"), score))
    cleaned.sort()
    # Overlapping spans: keep the earlier one and cut the later, so every character is output once.
    result: list[tuple[int, int, str, float]] = []
    for begin, end, label, score in cleaned:
        if result and begin < result[-1][1]:
            begin = result[-1][1]
        if begin < end:
            result.append((begin, end, label, score))
    return result


def highlight(text: str | None, spans: Sequence[Mapping[str, object]] | None) -> Markup:
    """The comment as HTML: each piece sliced from the original text and escaped, spans wrapped in <mark>."""
    text = text or ""
    pieces: list[str] = []
    position = 0
    for begin, end, label, score in _clean_spans(text, spans):
        pieces.append(plain(text[position:begin]))
        pieces.append(Markup('<mark class="span span-{}" title="{} {:.2f}">{}</mark>').format(
            label if label in HEADS else "other", label, score, plain(text[begin:end])))
        position = end
    pieces.append(plain(text[position:]))
    return Markup("").join(pieces)
