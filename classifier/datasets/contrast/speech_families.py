"""Frame families about how hate is said: slurs, quotation, counter-speech, pronouns, emoji, spelling.

The project's own text, like every family here (data/contrast/README.md).
"""

from __future__ import annotations

from classifier.datasets.contrast.lexicon import GERMS, PESTS, UNWANTED
from classifier.datasets.contrast.spec import (
    GROUP_EXCLUSION,
    GROUP_HATE,
    GROUP_HATE_OPINION,
    GROUP_VIOLENCE,
    Family,
    Pair,
    same,
)

SLUR_PLAIN = Family(
    "slur_plain", "slur at a group", "the group's own name", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("Some {Z} just moved in next door.", "Some {G} just moved in next door."),
        Pair("Saw a group of {Z} at the station today", "Saw a group of {G} at the station today"),
        Pair("Why does this paper keep interviewing {Z}?", "Why does this paper keep interviewing {G}?"),
        Pair("My boss hired two more {Z} this week.", "My boss hired two more {G} this week."),
        Pair("Our new neighbours are {Z}.", "Our new neighbours are {G}."),
        Pair("The comments under this story are full of {Z} again",
             "The comments under this story are full of {G} again"),
        Pair("Of course the {Z} voted for him.", "Of course the {G} voted for him."),
        Pair("half the team are {Z} now lol", "half the team are {G} now lol"),
        Pair("They're opening a community centre for {Z} on my road.",
             "They're opening a community centre for {G} on my road."),
        Pair("Went to the market and it was packed with {Z}", "Went to the market and it was packed with {G}"),
        Pair("Another article about {Z}. Yawn.", "Another article about {G}. Yawn."),
        Pair("The school is about a third {Z} these days.", "The school is about a third {G} these days."),
    ),
    count=190,
)

SLUR_RECLAIMED = Family(
    "slur_reclaimed", "slur at a group", "reclaimed self-reference", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("Those {R} don't belong here.", "Us {R} do belong here."),
        Pair("{R} like them should stay out of sight", "{R} like me won't stay out of sight"),
        Pair("Look at all the {R} at that march, disgusting.", "Look at all us {R} at that march, so proud."),
        Pair("Bunch of {R} taking over the neighbourhood.", "Bunch of us {R} taking over karaoke night 😂"),
        Pair("{R} shouldn't be raising kids.", "{R} like me are raising great kids."),
        Pair("Never trust {R}.", "Never underestimate us {R}."),
        Pair("the {R} on this thread need to shut up", "we {R} on this thread need to speak up"),
        Pair("Those {R} at the bar should get out.", "Us {R} at the bar are not going to get out."),
    ),
    count=90,
)

_HATE_LINES = same(
    "{G} are vermin", "{G} should all go back home", "{Z} ruin everything", "{Z} are not welcome here",
    "{G} are not human", "{G} can't be trusted", "there are too many {Z} around here", "{G} are ruining this country",
    "all {Z} are the same", "{G} should be locked up", "{Z} out", "{G} are a disease",
)

QUOTED_CONDEMN = Family(
    "quoted_condemn", "quoting hate", "quoting it to condemn it", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("I'll say it again: {h}.", "He said it again: \"{h}.\" Disgraceful."),
        Pair("Put it on a banner: {h}!", "They put it on a banner: \"{h}!\" Shameful."),
        Pair("Like I tell my kids, {h}.", "Like I tell my kids, \"{h}\" is a lie."),
        Pair("{h}. Anyone who disagrees can leave.", "\"{h}.\" Anyone who writes that should be banned."),
        Pair("Agree with the guy above: {h}", "Disagree with the guy above who wrote \"{h}\""),
        Pair("{h}, and I'm proud to say it.", "\"{h}\", and they were proud to say it. Sickening."),
        Pair("Honestly, {h}.", "Honestly, \"{h}\"? Grow up."),
        Pair("We all know {h}.", "We all know \"{h}\" is a lie."),
        Pair("Say it with me: {h}", "Never say this: \"{h}\""),
        Pair("The sign outside said {h} and good on them.", "The sign outside said \"{h}\" and it was taken down."),
        Pair("Graffiti on the bridge: {h}. About time someone said it.",
             "Graffiti on the bridge: \"{h}\". The council is cleaning it off."),
    ),
    {"h": _HATE_LINES},
    count=190,
)

COUNTER_SPEECH = Family(
    "counter_speech", "statement", "counter-speech with the same words", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("{G} are ruining this country.", "Blaming {G} for ruining this country is lazy scapegoating."),
        Pair("Stop letting {G} into our schools.", "Stop letting bullies push {G} out of our schools."),
        Pair("{G} get what they deserve.", "{G} deserve better than what they get."),
        Pair("The problem with this country is {G}.", "The problem with this country is how it treats {G}."),
        Pair("People are right to be scared of {G}.", "People are wrong to be scared of {G}."),
        Pair("Whatever happened to {G}, they had it coming.", "Whatever happened to {G}, they didn't deserve it."),
        Pair("Good. Let {G} suffer.", "Good grief. Let {G} live in peace."),
        Pair("Finally someone says what we all think about {G}.",
             "Finally someone calls out what bigots say about {G}."),
        Pair("Mocking {G} is the best sport there is.", "Mocking {G} is the lowest thing there is."),
        Pair("this is why nobody wants {G} around", "this is why {G} feel nobody wants them around"),
        Pair("{G} are the reason crime is up.", "{G} are not the reason crime is up, poverty is."),
    ),
    count=170,
)

PRONOUN_REFERENCE = Family(
    "pronoun_reference", "pronoun reference", "positive statement or non-group referent", ("hateful", "benign"),
    GROUP_HATE,
    (
        Pair("I hate them. {G}, I mean.", "I love them. {G}, I mean."),
        Pair("They're all the same, {G}. Filthy.", "They're all different, {G}. Like anyone."),
        Pair("You know who I'm talking about. {G}. Get them out.",
             "You know who I'm talking about. {N}. Get them out."),
        Pair("Can't stand them, never could. {G}.", "Can't stand them, never could. {N}."),
        Pair("{G}? They're a plague.", "{G}? They're a blessing."),
        Pair("Them lot. {G}. Worthless, every one.", "Them lot. {G}. Priceless, every one."),
        Pair("Saw some of them at the shop again. {G}. Makes me sick.",
             "Saw some of them at the shop again. {G}. Makes my day."),
        Pair("Don't trust them. Ever. And by them I mean {G}.", "Don't trust them. Ever. And by them I mean {N}."),
        Pair("I'd ban them all tomorrow. {G}, obviously.", "I'd ban them all tomorrow. {N}, obviously."),
        Pair("they should all disappear. yes {G}", "they should all come round. yes {G}"),
    ),
    {},
    targets=UNWANTED,
    count=160,
    held_out=True,
)

EMOJI_NUMBERS = Family(
    "emoji_numbers", "dehumanising emoji and numbers", "friendly emoji, numbers or non-group target",
    ("hateful", "benign"), GROUP_HATE,
    (
        Pair("{G} 🐀🐀🐀", "{G} 🎉🎉🎉"),
        Pair("{G} = 🐍", "{G} = 🤝"),
        Pair("{G} 🤮🤮", "{G} 🥰🥰"),
        Pair("{G}: 0% human, 100% problem", "{G}: 100% human, 0% problem"),
        Pair("100% {A}-free zone 👍", "100% {n}-free zone 👍"),
        Pair("{G} 🐒🍌", "{G} 🎶🎤"),
        Pair("me when I see {G} 🤢🔫", "me when I see {G} 🤗💐", GROUP_VIOLENCE),
        Pair("{G} 🦠🦠", "{N} 🦠🦠"),
        Pair("rate {G}: 0/10, would deport", "rate {G}: 10/10, would befriend", GROUP_EXCLUSION),
        Pair("{G} 👉🚪", "{G} 👉❤️", GROUP_EXCLUSION),
        Pair("{G} + 🔥 = 😍", "{G} + 🍕 = 😍", GROUP_VIOLENCE),
        Pair("{G} 🗑️🗑️", "{G} 🏆🏆"),
        Pair("{A} people = 🐖", "{A} people = 🙂"),
    ),
    {"n": (("", "plastic"), ("", "gluten"), ("", "sugar"), ("", "ad"), ("", "phone"), ("", "smoke"))},
    targets=GERMS,
    count=170,
)

OBFUSCATED_LEET = Family(
    "obfuscated_leet", "hate with spelling changes", "benign edit spelled the same way", ("hateful", "benign"),
    GROUP_HATE,
    (
        Pair("I hate {G}", "I love {G}", GROUP_HATE_OPINION),
        Pair("{G} are vermin", "{N} are vermin"),
        Pair("{G} are trash", "{G} are great"),
        Pair("{Z} should be banned", "the word {Z} should be banned", GROUP_EXCLUSION),
        Pair("kill all {G}", "thank all {G}", GROUP_VIOLENCE),
        Pair("{G} are subhuman", "{G} are human"),
        Pair("no {G} allowed", "all {G} welcome", GROUP_EXCLUSION),
        Pair("{Z} everywhere, disgusting", "slurs like {Z} everywhere, disgusting"),
        Pair("{G} are stupid", "{G} are smart"),
        Pair("filthy {Z} go home", "filthy {N} go home"),
    ),
    targets=PESTS,
    count=170,
    obfuscate="leet",
)

OBFUSCATED_SPACING = Family(
    "obfuscated_spacing", "hate with spelling changes", "benign edit spelled the same way", ("hateful", "benign"),
    GROUP_HATE,
    (
        Pair("{G} are disgusting", "{G} are amazing"),
        Pair("{G} are parasites", "{N} are parasites"),
        Pair("death to {G}", "cheers to {G}", GROUP_VIOLENCE),
        Pair("{Z} are worthless", "\"{Z}\" is a worthless word"),
        Pair("deport the {G}", "support the {G}", GROUP_EXCLUSION),
        Pair("{G} are animals", "{G} are athletes"),
        Pair("never trust {Z}", "never say {Z}"),
        Pair("{G} are idiots", "{G} are heroes"),
    ),
    targets=PESTS,
    count=130,
    held_out=True,
    obfuscate="spacing",
)

SPEECH_FAMILIES: tuple[Family, ...] = (
    SLUR_PLAIN, SLUR_RECLAIMED, QUOTED_CONDEMN, COUNTER_SPEECH, PRONOUN_REFERENCE, EMOJI_NUMBERS, OBFUSCATED_LEET,
    OBFUSCATED_SPACING,
)
"""The speech families, in the order the build draws them."""
