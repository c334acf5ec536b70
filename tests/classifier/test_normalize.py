"""The normaliser undoes evasion, leaves ordinary text alone, and always maps back to the original."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import normalize as module
from classifier.normalize import Normalized, normalize, tokenize


def norm(text: str) -> str:
    return normalize(text).text


def words(text: str) -> list[str]:
    return [token for token, _, _ in tokenize(text)]


# --- 1. NFKC and case folding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ｆｕｃｋ", "fuck"),
        ("FUCK You", "fuck you"),
        ("𝕗𝕦𝕔𝕜", "fuck"),
        ("Ⓕⓤⓒⓚ", "fuck"),
        ("Straße", "strasse"),
        ("ﬁne", "fine"),
        ("İstanbul", "istanbul"),
        ("ꜰᴜᴄᴋ", "fuck"),  # small capitals are Latin look-alikes
    ],
)
def test_compatibility_forms_and_case_are_folded(text: str, expected: str) -> None:
    assert norm(text) == expected


# --- 2. invisible characters, controls, whitespace --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "f\u200bu\u200cc\u200dk",
        "fu\u00adck",
        "\ufefffuck",
        "\u202efuck\u202c",
        "\u2066fu\u2069ck",
        "f\u2060u\u2064ck",
        "fu\ufe0fck",
        "fu\x00c\x07k",
        "f\u3164uck",  # Hangul filler
        "fu\ud800ck",  # lone surrogate
    ],
)
def test_invisible_and_control_characters_are_dropped(text: str) -> None:
    assert norm(text) == "fuck"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello\t\n  world", "hello world"),
        ("  hello  ", "hello"),
        ("\u3000hello\u00a0world\u2028", "hello world"),
        ("line\r\nbreak", "line break"),
        ("", ""),
        (" \t\n ", ""),
        ("\u200b", ""),
    ],
)
def test_whitespace_becomes_single_spaces_and_is_stripped(text: str, expected: str) -> None:
    assert norm(text) == expected


def test_accents_and_zalgo_are_stripped_from_latin_but_other_scripts_keep_their_marks() -> None:
    assert norm("nïggér") == "nigger"
    assert norm("z̷a̷l̷g̷o̷") == "zalgo"
    assert norm("f\u0336u\u0336c\u0336k\u0336") == "fuck"
    assert norm("हिन्दी") == "हिन्दी"
    assert norm("мой ёж") == "мой ёж"  # й and ё are letters of their own


def test_typographic_punctuation_is_mapped_to_ascii() -> None:
    assert norm("Don’t") == "don't"
    assert norm("don´t") == "don't"
    assert norm("“quoted” — fine…") == '"quoted" - fine...'


# --- 3. look-alike letters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fuсk", "fuck"),  # Cyrillic с in a Latin word
        ("ѕhіt", "shit"),  # Cyrillic ѕ and і
        ("ΚΙLL", "kill"),  # Greek capitals fold to κ, ι
        ("nigg\u0435r", "nigger"),
        ("сосk", "cock"),
        ("сос", "coc"),  # only look-alikes, in a comment with no genuinely Cyrillic letter
        ("Привет, fuсk", "привет, fuck"),  # mixed word mapped even in Russian text
    ],
)
def test_look_alikes_in_evasive_words_become_latin(text: str, expected: str) -> None:
    assert norm(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Я люблю кот", "я люблю кот"),  # "кот" alone is all look-alikes, but the comment is Russian
        ("Это очень хорошо", "это очень хорошо"),
        ("Καλημέρα κόσμε", "καλημερα κοσμε"),
        ("Ապրես", "ապրես"),
    ],
)
def test_genuine_greek_cyrillic_and_armenian_text_is_not_mangled(text: str, expected: str) -> None:
    assert norm(text) == expected


# --- 4. leetspeak --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n1gg3r", "nigger"),
        ("f4g", "fag"),
        ("sh1t", "shit"),
        ("@ss", "ass"),
        ("$hit", "shit"),
        ("k!ke", "kike"),
        ("b1tch", "bitch"),
        ("h0m0", "homo"),
        ("1d10t", "idiot"),
        ("5h1t", "shit"),
        ("n1gg4", "nigga"),
        ("l8v3", "l8ve"),  # 8 is not a letter in leetspeak
        ("c00n", "coon"),
        ("sh!t!", "shit!"),  # the trailing ! is punctuation
        ("you @ss.", "you ass."),
        ("f@g", "fag"),
        ("$hit5", "shit5"),
        ("dumb@ss", "dumbass"),
        ("bull$hit", "bullshit"),
        ("b@st@rd", "bastard"),
    ],
)
def test_leetspeak_inside_words_is_decoded(text: str, expected: str) -> None:
    assert norm(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1488", "88", "2020", "4th", "1990s", "21st", "covid-19", "3pm", "$5", "100%", "$100k", "3.5", "10:30",
        "mp3", "covid19", "ps5", "win10", "4chan", "4x4", "1v1", "24/7", "wow!!", "what?!", "hi!", "1,000",
        "@mayasolovely", "hi @mayasolovely!", "@user_123 you", "mail n1gg3r@example.com", "https://ex4mple.com/sh1t",
        "www.sh1t.com", "#1 fan", "great!thanks", "meet@noon", "5sos", "3peat", "h456d", "nigg4",
        "#justice4mikebrown", "#top10", "rt@uberfacts", "kkk",
    ],
)
def test_numbers_mentions_and_addresses_are_left_alone(text: str) -> None:
    assert norm(text) == text.lower()


def test_an_address_that_grows_when_its_neighbour_is_decoded_does_not_unprotect_a_url() -> None:
    text = "x@y.zi www.@αa.bhttp://у1v1z"
    assert norm(norm(text)) == norm(text)


def test_a_mention_is_not_leetspeak_but_a_short_at_word_is() -> None:
    assert norm("@mayasolovely") == "@mayasolovely"
    assert norm("@ss") == "ass"
    assert norm("@sshole") == "@sshole"  # indistinguishable from a handle: left alone


# --- 5. repeated letters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fuuuuuck", "fuck"),
        ("sooooo", "so"),
        ("FUUUCK", "fuck"),
        ("good", "good"),
        ("kill", "kill"),
        ("sh!!!t", "shit"),
        ("!!!!!", "!!!!!"),  # punctuation runs are kept: they carry tone, not evasion
        ("1000", "1000"),
        ("www.example.com", "www.example.com"),
        ("KKK rally", "kkk rally"),  # three equal letters as a whole word are an abbreviation
        ("kkkk", "k"),
        ("awwwww...", "aw..."),
        ("😂😂😂", "😂😂😂"),
    ],
)
def test_runs_of_three_or_more_letters_are_squeezed(text: str, expected: str) -> None:
    assert norm(text) == expected


# --- 6. spaced letters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("f u c k", "fuck"),
        ("k.i.k.e", "kike"),
        ("n-i-g-g-e-r", "nigger"),
        ("U.S.A.", "usa"),
        ("f u c k you", "fuck you"),
        ("F*U*C*K", "fuck"),
        ("f_u_c_k", "fuck"),
        ("f·u·c·k", "fuck"),
        ("f/u/c/k", "fuck"),
        ("n 1 g g 3 r", "nigger"),
        ("f  u  c  k", "fuck"),  # whitespace is collapsed first
        ("I live in the U.S.A. now", "i live in the usa now"),
        ("J.R.R. Tolkien", "jrr tolkien"),
        ("word u c k", "word uck"),  # the run starts at the first single letter
        ("f u u u c k", "fuck"),
        ("ffff u c", "fuc"),  # squeezing leaves a third single letter
    ],
)
def test_spaced_out_letters_are_joined(text: str, expected: str) -> None:
    assert norm(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a b",
        "i.e. fine",
        "plan a or b",
        "1 3 5",  # digits alone are numbers
        "a 1 3",
        "f. u. c. k.",  # separator followed by a space: a sentence, not a spelled word
        "f.u-c k",  # mixed separators
        "vote a - b",
        "hello world",
    ],
)
def test_ordinary_single_letters_are_not_joined(text: str) -> None:
    assert norm(text) == text


# --- 7. whatever comes in: never raises -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "😂👍🏽❤️ 👨‍👩‍👧",
        "مرحبا بالعالم",
        "שלום עולם",
        "e\u0301\u0301\u0301",
        "\U0001d573\U0001f600\U000e0041",
        "\ud800\udc00\udfff",
        "\x00\x01\x7f\x85",
        "ᄀ\u1161가",
        "🇺🇸 1\ufe0f\u20e3",
        "\u0301 leading mark",
        "葛\U000e0100 क\ufe0f",
    ],
)
def test_unusual_text_normalises_without_error(text: str) -> None:
    result = normalize(text)
    assert normalize(result.text).text == result.text
    _assert_offsets(text, result)


def test_lexicon_terms_and_comments_normalise_alike() -> None:
    key = " ".join(words(norm("coon")))
    assert " ".join(words(norm("c00n"))) == key
    assert " ".join(words(norm("ｃｏｏｎ"))) == key
    assert " ".join(words(norm("c o o n"))) == key


# --- offsets -----------------------------------------------------------------------------------------------


def test_spans_map_back_to_the_original_characters() -> None:
    original = "  Fuuuuck\u200b  YOU n1gg3r"
    result = normalize(original)
    assert result.text == "fuck you nigger"
    assert original[slice(*result.to_original(0, 4))] == "Fuuuuck"
    assert original[slice(*result.to_original(5, 8))] == "YOU"
    assert original[slice(*result.to_original(9, 15))] == "n1gg3r"


def test_joined_and_folded_spans_cover_their_sources() -> None:
    original = "you f u c k, ｆｕｃｋ"
    result = normalize(original)
    assert result.text == "you fuck, fuck"
    assert original[slice(*result.to_original(4, 8))] == "f u c k"
    assert original[slice(*result.to_original(10, 14))] == "ｆｕｃｋ"


def test_an_empty_span_maps_to_an_empty_span_nearby() -> None:
    result = normalize("  ab")
    assert result.to_original(0, 0) == (2, 2)
    assert result.to_original(1, 1) == (3, 3)
    assert result.to_original(2, 2) == (4, 4)
    assert normalize("").to_original(0, 0) == (0, 0)
    assert normalize("   ").to_original(0, 0) == (0, 0)


@pytest.mark.parametrize(("begin", "end"), [(2, 1), (-1, 1), (0, 3)])
def test_a_span_outside_the_text_is_an_error(begin: int, end: int) -> None:
    with pytest.raises(ValueError):
        normalize("ab").to_original(begin, end)


def test_the_result_is_an_immutable_value() -> None:
    result = normalize("Hi")
    assert result == Normalized("hi", (0, 1), (1, 2))
    with pytest.raises(AttributeError):
        result.text = "x"  # type: ignore[misc]


# --- tokenize ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("don't stop", [("don't", 0, 5), ("stop", 6, 10)]),
        ("well-known", [("well", 0, 4), ("known", 5, 10)]),
        ("covid-19", [("covid", 0, 5), ("19", 6, 8)]),
        ("hello, world!", [("hello", 0, 5), ("world", 7, 12)]),
        ("'quoted'", [("quoted", 1, 7)]),
        ("i ❤ ny 😂😂", [("i", 0, 1), ("❤", 2, 3), ("ny", 4, 6), ("😂", 7, 8), ("😂", 8, 9)]),
        ("2^3 + 1", [("2", 0, 1), ("^", 1, 2), ("3", 2, 3), ("1", 6, 7)]),
        ("$5 100%", [("5", 1, 2), ("100", 3, 6)]),
        ("a_b", [("a", 0, 1), ("b", 2, 3)]),
        ("हिन्दी", [("हिन्दी", 0, 6)]),
        ("", []),
    ],
)
def test_tokens(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert tokenize(text) == expected


# --- the module's shortcuts agree with the slow definitions -------------------------------------------------


def test_character_classes_skip_nothing() -> None:
    marks, symbols, suspects = set(module._MARK_CODES), set(module._SYMBOL_CODES), set(module._SUSPECT_CODES)
    for cp in range(0x110000):
        c = chr(cp)
        category = unicodedata.category(c)
        assert (category[0] == "M") == (cp in marks), hex(cp)
        assert (category in ("So", "Sk")) == (cp in symbols), hex(cp)
        if category in ("Cc", "Cf", "Cs") or unicodedata.decomposition(c) or (c.isspace() and c != " "):
            assert cp in suspects, hex(cp)


def test_the_fast_fold_path_agrees_with_the_full_fold() -> None:
    # Everything up to CJK extension G, the tags and variation selectors; a sample of the (unassigned or
    # private) rest.
    for cp in (*range(0x30000), *range(0xE0000, 0xE01F0), *range(0x30000, 0x110000, 97)):
        c = chr(cp)
        if unicodedata.category(c)[0] != "M":  # marks never start a run
            assert module._fold(c)[0] == module._fold_chunk(c), hex(cp)


# --- properties --------------------------------------------------------------------------------------------


def _assert_offsets(original: str, result: Normalized) -> None:
    text, starts, ends = result.text, result.starts, result.ends
    assert len(starts) == len(ends) == len(text)
    for i in range(len(text)):
        assert 0 <= starts[i] < ends[i] <= len(original)
        if i:
            assert starts[i - 1] <= starts[i] and ends[i - 1] <= ends[i]
    for begin in range(len(text) + 1):
        for end in range(begin, min(begin + 3, len(text)) + 1):
            b, e = result.to_original(begin, end)
            assert 0 <= b <= e <= len(original)
    if text:
        assert result.to_original(0, len(text)) == (starts[0], ends[-1])


def _assert_tokens(text: str) -> None:
    previous_end = 0
    for token, begin, end in tokenize(text):
        assert previous_end <= begin < end <= len(text)
        assert text[begin:end] == token
        previous_end = end


EVASIONS = [
    "f u c k", "n1gg3r", "sh!t", "@ss", "$hit", "k.i.k.e", "U.S.A.", "1488", "4th", "covid-19", "$5", "100%",
    "@mayasolovely", "x@y.com", "http://a.b/c", "www.", "fuuuuck", "сос", "я", "кот", "Η", "😂", "❤️", "👍🏽",
    "’", "—", "…", "ｆ", "𝕗", "ß", "İ", "ﬁ", "ᄀ", "가", "क", "ि", "ㅤ", "\u200b", "\u00ad", "\u202e", "\ufe0f",
    "\u0301", "\u0336", "\ud800", "\x00", "\t", "\n", "  ",
]
# Characters that drive the rules into each other: letters, leet digits and symbols, separators, look-alikes.
INTERESTING = sorted(set("aeiostxfuckng013457 9@$!.-_*·/:wеоасхіαορ\u0301\u200bßİ😂ि") | {"\ud800"})

any_text = st.text(st.characters(exclude_categories=()), max_size=60)
interesting_text = st.text(st.sampled_from(INTERESTING), max_size=40)
evasive_text = st.lists(
    st.sampled_from(EVASIONS) | st.sampled_from(INTERESTING) | st.characters(exclude_categories=()), max_size=20
).map("".join)
texts = any_text | interesting_text | evasive_text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_normalize_is_total_idempotent_and_keeps_valid_offsets(text: str) -> None:
    result = normalize(text)
    _assert_offsets(text, result)
    assert normalize(result.text).text == result.text
    _assert_tokens(result.text)


@settings(max_examples=200, deadline=None)
@given(any_text | evasive_text)
def test_tokenize_offsets_index_the_string_passed_in(text: str) -> None:
    _assert_tokens(text)


def test_a_huge_comment_is_handled() -> None:
    chunk = "Fuuuck y0u @user f u c k ｆｕｃｋ сос 😂\u200b 1488 http://x.y/z a@b.co " + "é" * 20 + "\n"
    text = (chunk * (200_000 // len(chunk) + 1))[:200_000] + "a" * 50_000 + "@" + " " * 50_000
    result = normalize(text)
    assert len(result.starts) == len(result.text)
    assert result.to_original(0, len(result.text))[1] <= len(text)
    assert normalize(result.text).text == result.text
    assert tokenize(result.text)
