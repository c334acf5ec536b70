"""Surface variation for the contrast set: writing styles and spelling changes, the same on both sides.

A pair's two sides always share their style (prefix, suffix, case, punctuation, emoji) and their spelling
change, so the only thing the model can learn from a pair is the edit itself, never "lower case means
benign". Every function here is deterministic given its ``random.Random``.
"""

from __future__ import annotations

import random
import re

PREFIXES: tuple[str, ...] = (
    "Honestly,", "Look,", "Not gonna lie,", "Tbh", "Let's be real:", "Said it before and I'll say it again:",
    "My two cents:", "Read the whole article and", "ok so", "Sorry but", "Well.", "Hot take:", "Reading this thread,",
    "As someone who lives here,", "Unpopular opinion maybe, but", "I'll be blunt.", "Fine, I'll say it.", "Right,",
    "lol", "Wow.", "First time commenting here.", "To the people in this comment section:", "PSA:", "Meh.",
    "Long-time reader here, and", "Can't believe I'm typing this but", "Look at the facts.", "Same as always.",
)
SUFFIXES: tuple[str, ...] = (
    "Just saying.", "End of story.", "Change my mind.", "That's all.", "smh", "Facts.", "#justsaying",
    "Don't @ me.", "Thoughts?", "Make of that what you will.", "And that's coming from me.", "Nuff said.",
    "Rant over.", "Whatever.", "idc", "There, I said it.", "Seriously.", "Anyway.", "No further comment.",
    "Peace.", "Thanks for coming to my TED talk.", "Downvote away.", "Happy Monday.", "Sigh.",
)
EMOJI: tuple[str, ...] = ("🤷", "👀", "💯", "🙄", "😂", "🤔", "‼️", "😤", "🤦", "📰", "🙃", "😶", "👇", "🔥")

# Punctuation that ends a word or a sentence; dots inside a word ("k.i.l.l") and quotation marks stay
# (a quotation that condemns hate must still read as one).
_STRIPPED = re.compile(r"[.,!?;:]+(?=\s|$)")
_SPACES = re.compile(r"\s+")
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
_VOWELS = re.compile(r"(?<=\w)[aeiou](?=\w)", re.IGNORECASE)


def capitalise(text: str) -> str:
    """The text with its first letter in upper case (a slot may open a sentence: "gay people are …")."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1:]
    return text


def _typographic(text: str) -> str:
    text = re.sub(r'"([^"]*)"', "“\\1”", text)
    text = text.replace("'", "’").replace("...", "…").replace(" - ", " — ")
    return text


def choose_style(rng: random.Random) -> dict[str, str]:
    """One pair's style: a case/punctuation mode and optional prefix, suffix and emoji."""
    mode = rng.choices(("plain", "lower", "typographic", "caps", "no_final"), (50, 22, 15, 4, 9))[0]
    style = {"mode": mode}
    if rng.random() < 0.25:
        style["prefix"] = rng.choice(PREFIXES)
    if rng.random() < 0.22:
        style["suffix"] = rng.choice(SUFFIXES)
    if rng.random() < 0.15:
        style["emoji"] = rng.choice(EMOJI) * rng.choice((1, 1, 2, 3))
    return style


def apply_style(text: str, style: dict[str, str]) -> str:
    """``text`` written in ``style``; both sides of a pair go through this with the same style."""
    if "prefix" in style:
        prefix = style["prefix"]
        text = f"{prefix} {text[0].lower() + text[1:] if prefix[-1] not in '.:' else text}"
    if "suffix" in style:
        text = f"{text} {style['suffix']}"
    if "emoji" in style:
        text = f"{text} {style['emoji']}"
    mode = style["mode"]
    if mode == "lower":
        text = _STRIPPED.sub("", text.lower())
    elif mode == "typographic":
        text = _typographic(text)
    elif mode == "caps":
        text = text.upper()
    elif mode == "no_final":
        text = text.rstrip(".")
    return _SPACES.sub(" ", text).strip()


def _leet(word: str) -> str:
    return word.translate(_LEET)


def _asterisk(word: str) -> str:
    return _VOWELS.sub("*", word)


def _stretch(word: str) -> str:
    middle = len(word) // 2
    return word[:middle] + word[middle] * 3 + word[middle + 1:]


def _spaced(word: str) -> str:
    return " ".join(word)


def _dotted(word: str) -> str:
    return ".".join(word)


def _dropped(word: str) -> str:
    # Drop every inner vowel but keep the word readable ("muslims" -> "mslms", "hate" -> "hte").
    return word[0] + re.sub(r"[aeiou]", "", word[1:-1], flags=re.IGNORECASE) + word[-1] if len(word) > 3 else word


SPELLINGS: dict[str, tuple[tuple[str, object], ...]] = {
    "leet": (("leet", _leet), ("asterisk", _asterisk), ("stretch", _stretch)),
    "spacing": (("spaced", _spaced), ("dotted", _dotted), ("dropped", _dropped)),
}
"""The spelling-change families' transforms, by family kind."""


def respell(hateful: str, benign: str, keep: set[str], kind: str, rng: random.Random) -> tuple[str, str]:
    """Both sides with one spelling change applied to the words that matter, the same way on both sides.

    The words changed are those in ``keep`` (the group's name, the slur) and those that differ between
    the sides (the hateful word and its benign replacement), so the edit stays minimal: "h8 mslms" /
    "l0v3 mslms" rather than a respelled hateful side against a plain benign one.
    """
    _, transform = rng.choice(SPELLINGS[kind])
    h_words, b_words = hateful.split(), benign.split()
    differing = (set(h_words) ^ set(b_words)) | {w for w in h_words + b_words if w.strip(".,!?").lower() in keep}

    def change(words: list[str]) -> str:
        out = []
        for word in words:
            core = word.strip(".,!?")
            if word in differing and core.isalpha() and len(core) >= 3:
                word = word.replace(core, transform(core))  # type: ignore[operator]
            out.append(word)
        return " ".join(out)

    return change(h_words), change(b_words)
