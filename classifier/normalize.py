"""Normalise comment text against evasion, keeping a map from every normalised character to the original.

Spans the model explains are found on normalised text but shown on the original, so every stage records,
for each output character, the half-open range of original characters it came from.

Stages, in this order (the order is what makes ``normalize`` idempotent):

1. fold, per base character with its combining marks: NFKC, case folding, NFKC again; invisible, format
   and control characters and lone surrogates dropped; whitespace turned into spaces; marks stripped from
   Latin/Greek/Cyrillic/Armenian letters and from non-letters (accents and Zalgo are evasion tricks, marks
   on other scripts' letters carry meaning and stay); typographic quotes/dashes and Latin look-alikes
   (small capitals, dotless i, ...) mapped to ASCII;
2. whitespace runs collapsed to one space, ends stripped;
3. letter runs of 3+ squeezed to one, then, until nothing changes: spaced letters joined, leetspeak
   decoded, Greek/Cyrillic look-alikes mapped, runs squeezed again. Squeezing comes after the others
   because they create runs ("sh!!!t"); a squeeze can in turn leave a joinable single letter ("ooo u c"),
   hence the loop, which in practice runs once.

URLs, e-mail addresses and @mentions are left alone by stage 3: a handle is not a slur in disguise, and
"@mayasolovely" must not become "amayasolovely".
"""

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

_category = unicodedata.category
_normal = unicodedata.normalize

# Blocks with no marks, symbols, format characters or decompositions; skipping them halves import time
# (the tests compare the classes with a scan of all of Unicode).
_SKIPPED_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD7A4), (0xE000, 0xF900))
_IGNORABLE = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers: letters that render as nothing
# Invisible marks: variation selectors, the grapheme joiner, Mongolian selectors, Khmer inherent vowels.
_INVISIBLE_MARKS = frozenset(
    chr(cp) for cp in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x34F, 0x180B, 0x180C, 0x180D, 0x180F,
                       0x17B4, 0x17B5)
)
_DROP_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Mn", "Mc", "Me"))
_STRIP_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN")

# Applied after NFKC and case folding, which leave typographic punctuation alone; mapping it keeps "don’t"
# one token. Latin look-alikes are mapped unconditionally: they are Latin already, so nothing is mangled.
_POST = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2039": '"', "\u203a": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2800": " ",
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʀ": "r", "ʏ": "y", "ʙ": "b", "ʜ": "h",
    "ʟ": "l", "ɴ": "n", "ɢ": "g", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ᴊ": "j", "ᴋ": "k", "ᴍ": "m",
    "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ꜰ": "f", "ꜱ": "s", "ǫ": "q",
    "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ɨ": "i", "ƶ": "z", "ƀ": "b",
})


def _scan() -> tuple[list[int], list[int], list[int]]:
    """Code points of combining marks; of symbols (So, Sk); of characters the fast fold path must not copy."""
    found: tuple[list[int], list[int], list[int]] = ([], [], [])
    skipped = {cp for a, b in _SKIPPED_BLOCKS for cp in range(a, b)}
    for cp in (*range(0x20000), *range(0x2F800, 0x2FA20), *range(0xE0000, 0xE01F0)):
        if cp in skipped:
            continue
        c = chr(cp)
        category = _category(c)
        if category[0] == "M":
            found[0].append(cp)
        elif category in ("So", "Sk"):
            found[1].append(cp)
        if (category in _DROP_CATEGORIES or unicodedata.decomposition(c) or c in _IGNORABLE or cp in _POST
                or (c.isspace() and c != " ")):
            found[2].append(cp)
    return found


def _ranges(codes: list[int]) -> str:
    ranges: list[list[int]] = []
    for cp in codes:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


def _klass(codes: list[int], negate: bool = False) -> str:
    """A pattern for one character in (or, negated, not in) codes.

    re compiles the BMP part of a class to a bitmap but tests astral ranges one by one, for every character
    that misses the bitmap; a separate astral branch keeps that cost to the (rare) astral characters.
    """
    bmp = _ranges([cp for cp in codes if cp < 0x10000])
    astral = _ranges([cp for cp in codes if cp >= 0x10000])
    if negate:
        return f"(?:[^{bmp}\U00010000-\U0010ffff]|(?![{astral}])[\U00010000-\U0010ffff])"
    return f"(?:[{bmp}]|(?=[\U00010000-\U0010ffff])[{astral}])"


_MARK_CODES, _SYMBOL_CODES, _SUSPECT_CODES = _scan()
_MARK = _klass(_MARK_CODES)
# Astral characters (mostly emoji) are rare: the scans below test the BMP with a fast bitmap class and each
# astral character against a set.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_MARK_BMP = re.compile(f"[{_ranges([cp for cp in _MARK_CODES if cp < 0x10000])}]")
_ASTRAL_MARKS = frozenset(chr(cp) for cp in _MARK_CODES if cp >= 0x10000)
_SUSPECT_BMP = re.compile(f"[{_ranges([cp for cp in _SUSPECT_CODES if cp < 0x10000])}]")
_ASTRAL_SUSPECTS = frozenset(chr(cp) for cp in _SUSPECT_CODES if cp >= 0x10000)
_FOLD_SPLIT = re.compile(rf"(?P<run>{_klass(_MARK_CODES, negate=True)}+)(?!{_MARK})|[\s\S]{_MARK}*")
_SUB_SPLIT = re.compile(rf"[\s\S]{_MARK}*")
_ASCII_FOLD = {i: chr(i).lower() for i in range(128)}
_ASCII_FOLD.update({i: None for i in (*range(32), 127)})
_ASCII_FOLD.update({ord(c): " " for c in "\t\n\v\f\r\x1c\x1d\x1e\x1f"})
_FOLD_CACHE: dict[str, str] = {}
_SPACES = re.compile("^ +| +$| {2,}")

# Greek, Cyrillic and Armenian letters that look like Latin ones, in lower case since folding came first
# (capital eta "Η" arrives as "η" and is read as the "n" that it resembles).
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "к": "k", "м": "m", "н": "h", "т": "t", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ү": "y",
    "ӏ": "l", "ѵ": "v",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "զ": "q",
})
_CONF_KEYS = "".join(chr(k) for k in _CONFUSABLE)
_CONF_CHAR = re.compile(f"[{_CONF_KEYS}]")
_FOREIGN_BLOCKS = ((0x370, 0x3FF), (0x400, 0x58F), (0x1C80, 0x1C8F), (0x1F00, 0x1FFF), (0x2DE0, 0x2DFF),
                   (0xA640, 0xA69F))
# A Greek/Cyrillic/Armenian letter without a Latin look-alike: the comment is genuinely in that language.
_GENUINE = re.compile("[" + "".join(
    re.escape(chr(cp)) for a, b in _FOREIGN_BLOCKS for cp in range(a, b + 1)
    if chr(cp).isalpha() and chr(cp) not in _CONF_KEYS) + "]")
_LATIN = re.compile(r"[a-z\u00df-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_WORD_RUN = re.compile(r"[^\W_]+")

_LEET = str.maketrans("0134579@$!", "oieastgasi")
_LEET_SYMBOLS = str.maketrans("@$!", "asi")
_LEET_CHAR = re.compile(r"[0134579@$!]")
# A word, optionally led by @ or $, with @$! runs allowed inside but not at its end ("shit!" keeps "!").
# Hashtags are skipped like handles: their digits are mostly numbers ("#justice4mikebrown", "#top10").
_LEET_TOKEN = re.compile(r"(?<![\w@$!#])[$@]?[^\W_](?:[^\W_]|[@$!]+(?=[^\W_]))*")
_NUMBER_LIKE = re.compile(r"[0-9]{2,}\w*|[0-9]+[a-z][0-9]+")  # "1990s", "1488ers", "4x4", "1v1"
_DIGIT_RUN = re.compile(r"[0-9]+")
_NOT_LEET_DIGIT = re.compile(r"[268]")
_SYMBOL_RUN = re.compile(r"([@$!]+)")
_LETTER = re.compile(r"[^\W\d_]")
_OTHER_LETTER = re.compile(f"[^\\W\\da-z_{_CONF_KEYS}]")

_SEP = "[ .\\-_*·•/]"
_X = r"(?:[^\W\d_]|[0134579])"  # a letter, or a digit that leetspeak uses as one
_XEND = rf"(?![^\W_]|{_MARK})"
_JOIN = re.compile(rf"(?<![^\W_]){_X}{_XEND}(?P<sep>{_SEP}){_X}{_XEND}(?:(?P=sep){_X}{_XEND})+")
_JOIN_HINT = re.compile(rf"({_SEP})[^\W_]\1[^\W_](?![^\W_])")  # "sep X sep X": cheap, and in every run
_TRIPLE = re.compile(r"(.)\1{2,}", re.S)

_PROTECT_HINT = re.compile(r"@|://|www\.")
# Searched for separately: decoding "@" next to an address can lengthen it in a second pass, and one
# combined search would then let the longer address hide a URL right after it ("a@b.c.@xy.http://...").
# The e-mail look-behind anchors an address at its start; without it a long run of word characters before
# an @ would be rescanned from every position (quadratic time).
_PROTECTED = (
    re.compile(r"(?<!\w)(?:https?://|www\.)\S+"),  # not "awwww..."
    re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"(?:(?<![\w@])|(?<=\brt))@\w{3,}"),  # "rt@user" is a retweet
)

_WORD = rf"[^\W_]+(?:{_MARK}+[^\W_]*)*"  # (letter | digit | mark)+, unrolled; marks are never \w
_TOKEN = re.compile(rf"{_WORD}(?:'{_WORD})*|{_klass(_SYMBOL_CODES)}")
_TOKEN_UNMARKED = re.compile(rf"[^\W_]+(?:'[^\W_]+)*|{_klass(_SYMBOL_CODES)}")  # same, for text without marks

_Offsets = list[int] | None  # None: identity, character i came from original character i


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text with, per character, the [start, end) range of original characters it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, begin: int, end: int) -> tuple[int, int]:
        """Map a half-open span [begin, end) of normalised text to the original: (starts[begin], ends[end-1]).

        An empty span maps to an empty span where normalised character ``begin`` starts (at the end of the
        text: where the last one ends). Raises ValueError for a span outside the normalised text.
        """
        n = len(self.text)
        if not 0 <= begin <= end <= n:
            raise ValueError(f"span [{begin}, {end}) outside normalised text of length {n}")
        if begin < end:
            return self.starts[begin], self.ends[end - 1]
        position = self.starts[begin] if begin < n else (self.ends[-1] if n else 0)
        return position, position


def _fold_once(chunk: str) -> str:
    base = chunk[0]
    if base.isspace():
        return " "
    if base == "\u00b4":
        return "'"  # an acute accent typed as an apostrophe ("don´t"); NFKC would make it a space
    if _category(base) in _DROP_CATEGORIES or base in _IGNORABLE:
        return ""  # marks riding on an invisible character or a lone surrogate go with it
    out = []
    for sub in _SUB_SPLIT.findall(_normal("NFKC", _normal("NFKC", chunk).casefold())):
        head = sub[0]
        category = _category(head)
        if head.isspace():
            out.append(" ")
        elif category in _DROP_CATEGORIES or head in _IGNORABLE:
            continue
        elif category[0] == "L" and not unicodedata.name(head, "").startswith(_STRIP_SCRIPTS):
            out.append("".join(c for c in sub if c not in _INVISIBLE_MARKS))
        else:
            composed = _normal("NFC", sub)
            # Russian/Ukrainian й, ё, ї are letters of their own, not accented ones: keep them.
            if len(composed) > 1 or not unicodedata.name(head, "").startswith("CYRILLIC"):
                composed = "".join(c for c in _normal("NFD", sub) if _category(c)[0] != "M")
            out.append(composed.translate(_POST))
    return "".join(out)


def _fold_chunk(chunk: str) -> str:
    """Fold one base character with its marks; cached, and repeated until stable so folding is idempotent."""
    result = _FOLD_CACHE.get(chunk)
    if result is None:
        result = _fold_once(chunk)
        for _ in range(4):
            again = "".join(_fold_once(sub) for sub in _SUB_SPLIT.findall(result))
            if again == result:
                break
            result = again
        if len(_FOLD_CACHE) > 100_000:  # bounds memory against floods of unique mark sequences
            _FOLD_CACHE.clear()
        _FOLD_CACHE[chunk] = result
    return result


def _fold(text: str) -> tuple[str, _Offsets, _Offsets]:
    if text.isascii():
        folded = text.translate(_ASCII_FOLD)
        if len(folded) == len(text):
            return folded, None, None  # the common case: nothing dropped, offsets are the identity
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    astral = [m.group() for m in _ASTRAL.finditer(text)]
    marked = _MARK_BMP.search(text) or not _ASTRAL_MARKS.isdisjoint(astral)
    pieces = _FOLD_SPLIT.finditer(text) if marked else ((0, len(text), text, "run"),)
    for m in pieces:
        a, b, piece, kind = m if isinstance(m, tuple) else (*m.span(), m.group(), m.lastgroup)
        if kind != "run":  # a base character with combining marks
            out = _fold_chunk(piece)
            parts.append(out)
            starts += [a] * len(out)
            ends += [b] * len(out)
            continue
        run = piece
        lowered = run.casefold()
        # Characters whose case folding has no decomposition, format or space quirk fold to it, one for
        # one; only the others ("suspects") go through the full per-character fold. (The tests check this
        # shortcut against the full fold character by character.)
        if len(lowered) == len(run):
            odd = [m.start() for m in _SUSPECT_BMP.finditer(lowered)]
            if astral:
                odd = sorted(odd + [m.start() for m in _ASTRAL.finditer(lowered) if m.group() in _ASTRAL_SUSPECTS])
        else:
            odd = list(range(len(run)))
        i = 0
        for j in (*odd, len(run)):
            parts.append(lowered[i:j])
            starts += range(a + i, a + j)
            ends += range(a + i + 1, a + j + 1)
            if j < len(run):
                out = _fold_chunk(run[j])
                parts.append(out)
                starts += [a + j] * len(out)
                ends += [a + j + 1] * len(out)
            i = j + 1
    return "".join(parts), starts, ends


def _splice(s: str, starts: _Offsets, ends: _Offsets, ops: list[tuple[int, int, bool]]):
    """Apply sorted (a, b, keep) ops: drop s[a:b], or with keep replace it by s[a] covering all of it."""
    if starts is None or ends is None:
        starts, ends = list(range(len(s))), list(range(1, len(s) + 1))
    parts: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for a, b, keep in ops:
        parts.append(s[last:a])
        new_starts += starts[last:a]
        new_ends += ends[last:a]
        if keep:
            parts.append(s[a])
            new_starts.append(starts[a])
            new_ends.append(ends[b - 1])
        last = b
    parts.append(s[last:])
    return "".join(parts), new_starts + starts[last:], new_ends + ends[last:]


def _replace(s: str, subs: list[tuple[int, int, str]]) -> str:
    """Replace sorted spans by strings of the same length; offsets are untouched."""
    parts, last = [], 0
    for a, b, new in subs:
        parts += (s[last:a], new)
        last = b
    parts.append(s[last:])
    return "".join(parts)


def _chunks(hits: re.Pattern[str], s: str):
    """(start, end) of each space-delimited chunk of s holding a hit (folded text has no other whitespace)."""
    end = -1
    for m in hits.finditer(s):
        if m.start() >= end:
            start = s.rfind(" ", 0, m.start()) + 1
            end = s.find(" ", m.start())
            if end < 0:
                end = len(s)
            yield start, end


def _protected(s: str) -> list[tuple[int, int]]:
    """Sorted, disjoint spans covering the URLs, e-mail addresses and @mentions in s."""
    if "@" not in s and "://" not in s and "www." not in s:
        return []
    spans = sorted(m.span() for a, b in _chunks(_PROTECT_HINT, s) for kind in _PROTECTED
                   for m in kind.finditer(s, a, b))
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _free(protected: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether s[a:b] touches none of the sorted, disjoint protected spans."""
    i = bisect_left(protected, (b,))  # the spans from i on start at or after b
    return i == 0 or protected[i - 1][1] <= a


def _squeeze(s: str, starts: _Offsets, ends: _Offsets):
    ops = []
    for m in _TRIPLE.finditer(s):
        a, b = m.span()
        # A word of exactly three equal letters is an abbreviation ("kkk", "xxx", "www"), not a drawl.
        if m.group(1).isalpha() and not (b - a == 3 and not s[a - 1:a].isalnum() and not s[b:b + 1].isalnum()):
            ops.append((a, b, True))
    if ops and (protected := _protected(s)):
        ops = [op for op in ops if _free(protected, op[0], op[1])]
    return (*_splice(s, starts, ends, ops), True) if ops else (s, starts, ends, False)


def _join(s: str, starts: _Offsets, ends: _Offsets):
    ops: list[tuple[int, int, bool]] = []
    protected: list[tuple[int, int]] | None = None
    pos = 0
    # Every run holds a hint, which a fast search finds; the run starts just before it ("f u c k") or just
    # after its separator ("word u c k").
    while hint := _JOIN_HINT.search(s, pos):
        m = (hint.start() and _JOIN.match(s, hint.start() - 1)) or _JOIN.match(s, hint.start() + 1)
        if not m:
            pos = hint.start() + 1
            continue
        a, b = m.span()
        pos = b
        # Runs of digits with one letter or none ("1 3 5", "a 1 3") are numbers, not spelled-out words.
        if sum(c.isalpha() for c in s[a:b:2]) < 2:
            continue
        if protected is None:
            protected = _protected(s)
        if not _free(protected, a, b):
            continue
        ops += [(i, i + 1, False) for i in range(a + 1, b, 2)]
        if m.group("sep") == "." and s[b:b + 1] == "." and s[b + 1:b + 2] in ("", " "):
            ops.append((b, b + 1, False))  # "u.s.a." is an abbreviation: its last dot goes too
    return _splice(s, starts, ends, ops) if ops else (s, starts, ends)


def _decode_digits(run: re.Match[str]) -> str:
    return run[0] if _NOT_LEET_DIGIT.search(run[0]) else run[0].translate(_LEET)  # "l8v3": 8 is no letter


@lru_cache(maxsize=8192)  # the same few leet spellings recur across comments
def _deleet(token: str) -> str | None:
    """The decoded token, or None if it stays as it is (numbers, "4th", "covid19", words in other scripts)."""
    if not _LEET_CHAR.search(token) or (token[0] == "$" and token[1:2].isdigit()):  # "$5", "$100k"
        return None
    if not _LETTER.search(token) or (not token.isascii() and _OTHER_LETTER.search(token)):
        return None  # a number, or a word of a script whose writers have no use for leetspeak
    if _NUMBER_LIKE.fullmatch(token):
        return None
    decoded = token
    runs = [m.span() for m in _DIGIT_RUN.finditer(token)]
    # A lone digit run at either end is a number: "4th", "3pm", "5sos", "mp3", "covid19". Leetspeak puts
    # digits inside the word, or in several places ("1d10t", "h0m0").
    if len(runs) > 1 or (runs and runs[0][0] > 0 and runs[0][1] < len(token)):
        decoded = _DIGIT_RUN.sub(_decode_digits, token)
    if "!" in token or "@" in token or "$" in token:
        # Between two parts of 3+ characters, ! and @ are a missing space ("great!thanks", "meet@noon"): a
        # leet letter stands inside a word and leaves a short part on one side at least ("k!ke", "dumb@ss").
        parts = _SYMBOL_RUN.split(decoded)
        decoded = "".join(
            part if k % 2 == 0 or ("$" not in part and len(parts[k - 1]) >= 3 and len(parts[k + 1]) >= 3)
            else part.translate(_LEET_SYMBOLS)
            for k, part in enumerate(parts)
        )
    return None if decoded == token else decoded


def _leet(s: str) -> str:
    subs = []
    protected = _protected(s)
    for span in _chunks(_LEET_CHAR, s):
        for m in _LEET_TOKEN.finditer(s, *span):
            decoded = _deleet(m.group())
            if decoded is not None and _free(protected, *m.span()):
                subs.append((m.start(), m.end(), decoded))
    return _replace(s, subs) if subs else s


def _unconfuse(s: str) -> str:
    if s.isascii() or not _CONF_CHAR.search(s):
        return s
    # Mixed-script words are the evasion case and always mapped. A word of look-alikes only is mapped unless
    # the comment has letters no Latin one resembles: then it is genuine Greek/Russian and "кот" stays a cat.
    # (A length limit would not tell Russian "кот" from a disguised "сос"; the rest of the comment does.)
    # The test does not depend on the mapping, which keeps the stage idempotent.
    genuine = _GENUINE.search(s) is not None
    subs = []
    protected = _protected(s)
    # In a genuinely foreign comment only words with Latin letters can change, and those are rare.
    for span in _chunks(_LATIN if genuine else _CONF_CHAR, s):
        for m in _WORD_RUN.finditer(s, *span):
            word = m.group()
            if ((not genuine or _LATIN.search(word)) and (mapped := word.translate(_CONFUSABLE)) != word
                    and _free(protected, *m.span())):
                subs.append((m.start(), m.end(), mapped))
    return _replace(s, subs) if subs else s


def normalize(text: str, join_inputs: list[str] | None = None) -> Normalized:
    """Normalise a comment against evasion (see the module docstring), keeping the offset map.

    Never raises for a ``str`` (lone surrogates included) and is idempotent:
    ``normalize(normalize(x).text).text == normalize(x).text``. ``join_inputs``, if given, receives
    every form the spaced-letter join sees (classifier.words asks whether a chunk could join others).
    """
    s, starts, ends = _fold(text)
    if "  " in s or s[:1] == " " or s[-1:] == " ":
        # Edge runs go; inner runs shrink to one space that still covers the whole run.
        ops = [(m.start(), m.end(), m.start() > 0 and m.end() < len(s)) for m in _SPACES.finditer(s)]
        s, starts, ends = _splice(s, starts, ends, ops)
    s, starts, ends, _ = _squeeze(s, starts, ends)
    while True:  # ends: every repeat follows a squeeze, which shortened the text
        if join_inputs is not None:
            join_inputs.append(s)
        s, starts, ends = _join(s, starts, ends)
        s = _unconfuse(_leet(s))
        s, starts, ends, squeezed = _squeeze(s, starts, ends)
        if not squeezed:
            break
    if starts is None or ends is None:
        return Normalized(s, tuple(range(len(s))), tuple(range(1, len(s) + 1)))
    return Normalized(s, tuple(starts), tuple(ends))


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of an (already normalised) text with [begin, end) offsets into that text.

    A token is a run of letters, digits and combining marks, keeping internal apostrophes ("don't").
    Hyphens split ("covid-19" -> "covid", "19"; "n-word" -> "n", "word") so that hyphenated compounds
    share features with their parts. Every emoji or other symbol (categories So and Sk) is a token of
    its own; punctuation and spaces are not tokens.
    """
    marked = _MARK_BMP.search(text) or (_ASTRAL.search(text) and not _ASTRAL_MARKS.isdisjoint(text))
    return [(m[0], m.start(), m.end()) for m in (_TOKEN if marked else _TOKEN_UNMARKED).finditer(text)]
