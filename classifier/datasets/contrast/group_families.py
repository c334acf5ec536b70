"""Frame families of hate aimed at a group: opinions, questions, statements and the like.

Each family pairs a hateful comment with a minimal benign edit of it. The text is the project's own,
written for this set; the hateful side is kept as plain as real comments are and no more graphic than a
detector needs.
"""

from __future__ import annotations

from classifier.datasets.contrast.lexicon import GERMS, NUISANCES, PESTS, UNWANTED
from classifier.datasets.contrast.spec import (
    GROUP_EXCLUSION,
    GROUP_HATE,
    GROUP_HATE_OPINION,
    GROUP_VIOLENCE,
    Family,
    Pair,
    same,
)

OPINION_LOVE = Family(
    "opinion_love", "opinion", "positive statement", ("hateful", "benign"), GROUP_HATE_OPINION,
    (
        Pair("I {v} {G}."),
        Pair("honestly i {v} {G}"),
        Pair("I'll say it: I {v} {G}, always have."),
        Pair("Is it ok to admit I {v} {G}? Because I do."),
        Pair("Me? I {v} {G}. Simple as that."),
        Pair("{G}. I {v} them. There, I said it."),
        Pair("Grew up around {G} and I {v} them to this day"),
        Pair("Not going to pretend otherwise, I {v} {G}"),
        Pair("The older I get the more I {v} {G}."),
        Pair("My whole family {v3} {G}, and so do I."),
        Pair("i just {v} {G} ok"),
        Pair("Every time I read one of these threads I remember how much I {v} {G}"),
    ),
    {
        "v": (("hate", "love"), ("despise", "admire"), ("loathe", "respect"), ("detest", "adore"),
              ("can't stand", "can't get enough of"), ("resent", "appreciate")),
        "v3": (("hates", "loves"), ("despises", "admires"), ("loathes", "respects"), ("detests", "adores")),
    },
    count=190,
)

OPINION_ATTACKERS = Family(
    "opinion_attackers", "opinion", "counter-speech (aimed at those who attack the group)", ("hateful", "benign"),
    GROUP_HATE_OPINION,
    (
        Pair("I can't stand {G}.", "I can't stand people who attack {G}."),
        Pair("Honestly, {G} make me sick.", "Honestly, people who harass {G} make me sick."),
        Pair("nothing disgusts me more than {G}", "nothing disgusts me more than bigots who mock {G}"),
        Pair("I have zero patience left for {G}.", "I have zero patience left for people who bully {G}."),
        Pair("{G} are the worst thing about this town.",
             "People who abuse {G} are the worst thing about this town."),
        Pair("Can't stand {G}, never could.", "Can't stand anyone who picks on {G}, never could."),
        Pair("Every one of these {G} makes my skin crawl",
             "Every one of these trolls who go after {G} makes my skin crawl"),
        Pair("I've had it with {G} in this country.", "I've had it with the hatred aimed at {G} in this country."),
        Pair("Sorry, but {G} disgust me.", "Sorry, but the way people treat {G} disgusts me."),
        Pair("There is nobody I hate more than {G}.", "There is nobody I hate more than those who hunt down {G}."),
    ),
    count=150,
)

OPINION_NONGROUP = Family(
    "opinion_nongroup", "opinion", "same words about a non-group target", ("hateful", "benign"), GROUP_HATE_OPINION,
    (
        Pair("I hate {G}.", "I hate {N}."),
        Pair("God I hate {G} so much", "God I hate {N} so much"),
        Pair("Is there anything worse than {G}? Didn't think so.",
             "Is there anything worse than {N}? Didn't think so."),
        Pair("{G} ruin literally everything.", "{N} ruin literally everything."),
        Pair("Who else is sick to death of {G}?", "Who else is sick to death of {N}?"),
        Pair("ugh. {G}. every single time", "ugh. {N}. every single time"),
        Pair("I swear {G} exist just to make my life worse",
             "I swear {N} exist just to make my life worse"),
        Pair("Top three things I can't stand: {G}, {G}, and {G}.",
             "Top three things I can't stand: {N}, {N}, and {N}."),
        Pair("The world would be better without {G}, honestly.", "The world would be better without {N}, honestly."),
        Pair("Another day, another reason to hate {G}.", "Another day, another reason to hate {N}."),
        Pair("{G} are the bane of my existence", "{N} are the bane of my existence"),
    ),
    targets=NUISANCES,
    count=190,
)

QUESTION_LOADED = Family(
    "question_loaded", "question", "question about how the group is treated", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("Why are {G} so {q}?"),
        Pair("why r {G} so {q}"),
        Pair("Genuine question: why are {G} so {q}?"),
        Pair("Has anyone ever worked out why {G} are so {q}?"),
        Pair("Can someone explain why {G} are {q}? Asking for real."),
        Pair("Why is it that {G} are so {q}??"),
        Pair("So… why exactly are {G} so {q}?"),
        Pair("Serious question for the author, why are {G} so {q}"),
        Pair("How come {G} are so {q} wherever they go?"),
        Pair("Just wondering why {G} are so {q}. Anyone?"),
    ),
    {
        "q": (("lazy", "often targeted by trolls"), ("violent", "often the victims of violence"),
              ("dirty", "often stereotyped as dirty"), ("stupid", "often underestimated"),
              ("dishonest", "often accused of dishonesty"), ("greedy", "often blamed for the economy"),
              ("useless", "often overlooked for jobs"), ("disgusting", "often mocked online"),
              ("dangerous", "often treated as dangerous"), ("primitive", "often misunderstood")),
    },
    count=190,
)

GENERALISATION = Family(
    "generalisation", "statement", "positive or neutral statement", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("{G} are {s}."),
        Pair("All {G} are {s}, end of."),
        Pair("Let's be honest, {G} are {s}."),
        Pair("every {A} person I've met was {s1}"),
        Pair("Fact: {G} are {s}. Look it up."),
        Pair("{G} are {s} and everybody knows it"),
        Pair("You can say what you like but {G} are {s}."),
        Pair("Lived next to {G} for ten years. They're {s}."),
        Pair("{G}? {s}, the lot of them."),
        Pair("Not all of them, sure, but most {G} are {s}."),
        Pair("My experience is that {G} are {s}"),
        Pair("The truth nobody says out loud: {G} are {s}."),
    ),
    {
        "s": (("filthy criminals", "hard-working neighbours"), ("a drain on everyone", "a part of everyone's life"),
              ("thieves", "teachers, nurses and builders"), ("subhuman", "human beings"),
              ("too stupid to vote", "old enough to vote"), ("liars", "voters"),
              ("a plague on this country", "part of this country"), ("all rapists", "all sorts"),
              ("born cheats", "born here too"), ("a backward people", "a varied people")),
        "s1": (("a criminal", "kind"), ("a thief", "friendly"), ("a liar", "generous"), ("filthy", "funny"),
               ("thick as mud", "sharp as a tack"), ("a leech", "a hard worker")),
    },
    count=190,
)

NEGATION = Family(
    "negation", "negation", "negation", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("{G} are {n}.", "{G} are not {n}."),
        Pair("{G} are {n}, simple.", "{G} aren't {n}, simple."),
        Pair("It's true that {G} are {n}.", "It's not true that {G} are {n}."),
        Pair("Yes, {G} are {n}", "No, {G} are not {n}"),
        Pair("I'd say {G} are {n}.", "I'd never say {G} are {n}."),
        Pair("Everyone knows {G} are {n}.", "Nobody with any sense thinks {G} are {n}."),
        Pair("{G} have always been {n}.", "{G} have never been {n}."),
        Pair("Of course {G} are {n}", "Of course {G} aren't {n}"),
        Pair("{G} are {n} and always will be.", "{G} are not {n} and never were."),
        Pair("Studies prove {G} are {n}.", "Studies disprove the idea that {G} are {n}."),
    ),
    {"n": same("criminals", "parasites", "a threat to our children", "less intelligent", "animals", "worthless",
               "dangerous", "inferior", "a disease", "scroungers", "all terrorists", "born liars")},
    count=180,
)

NEGATED_POSITIVE = Family(
    "negated_positive", "negated positive", "the positive statement", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("{G} are not worth anything.", "{G} are worth every effort."),
        Pair("{G} {d} deserve respect."),
        Pair("I would {w} trust {S}."),
        Pair("{G} will {w} be real citizens"),
        Pair("{G} {d} belong in this country."),
        Pair("Honestly {G} {d} have a place in our schools."),
        Pair("{G} {c} be good parents"),
        Pair("I {d} think {G} are human beings like us."),
        Pair("The lives of {G} {d} matter."),
        Pair("{A} kids {d} deserve a good education."),
        Pair("{G} are not welcome here, and they never will be.", "{G} are welcome here, and they always will be."),
        Pair("No {A} person has {e} done anything good for this town.",
             "Every {A} person I know has {e} done something good for this town."),
    ),
    {
        "d": (("don't", "do"), ("do not", "really do"), ("don't", "absolutely")),
        "w": (("never", "always"), ("never", "gladly")),
        "c": (("can't", "can"), ("can never", "can")),
        "e": same("ever", "once"),
    },
    count=170,
)

DEHUMANISE_ANIMALS = Family(
    "dehumanise_animals", "comparison to animals", "same words about real animals or pests", ("hateful", "benign"),
    GROUP_HATE,
    (
        Pair("{G} are vermin.", "{N} are vermin."),
        Pair("{G} reproduce like vermin, look at the numbers", "{N} reproduce like crazy, look at the numbers"),
        Pair("{G} are nothing but cockroaches.", "{N} are nothing but pests."),
        Pair("Treat {G} like the pests they are.", "Treat {N} like the pests they are."),
        Pair("{G} are animals, plain and simple.", "{G} love animals, plain and simple."),
        Pair("{G} are a swarm and we need pest control",
             "{N} are a swarm and we need pest control"),
        Pair("Honestly {G} are like rats in a sewer.", "Honestly {N} are like rats in a sewer."),
        Pair("{G} are no better than monkeys.", "{G} are no worse than anyone else."),
        Pair("Once {G} move in they multiply like insects", "Once {N} move in they multiply like insects"),
        Pair("{G} live like pigs.", "{G} live like the rest of us."),
        Pair("You can't reason with {G}, they're beasts", "You can't reason with {N}, they're beasts"),
        Pair("What do you call a room full of {G}? An infestation.",
             "What do you call a room full of {N}? An infestation."),
    ),
    targets=PESTS,
    count=190,
)

DEHUMANISE_DISEASE = Family(
    "dehumanise_disease", "comparison to disease", "same words about germs or weeds", ("hateful", "benign"),
    GROUP_HATE,
    (
        Pair("{G} are a cancer on this country.", "{N} are a cancer on this house."),
        Pair("{G} spread like a disease", "{N} spread like a disease"),
        Pair("{G} are an infection and the cure is obvious.", "{N} are an infection and the cure is obvious."),
        Pair("This city is sick and {G} are the virus.", "This garden is sick and {N} are the virus."),
        Pair("We have to get rid of {G} before they infect everything.",
             "We have to get rid of {N} before they infect everything."),
        Pair("{G} are a plague, always have been", "{N} are a plague, always have been"),
        Pair("Every neighbourhood {G} touch gets contaminated.", "Every room {N} touch gets contaminated."),
        Pair("Like a tumour, {G} just keep growing.", "Like a tumour, {N} just keep growing."),
        Pair("{G} are a toxic contamination on society", "{G} are a welcome contribution to society"),
        Pair("Quarantine {G}, it's the only way.", "Quarantine {N}, it's the only way."),
    ),
    targets=GERMS,
    count=150,
    held_out=True,
)

EXCLUSION_CALL = Family(
    "exclusion_call", "call for exclusion", "call for inclusion or exclusion of a non-group", ("hateful", "benign"),
    GROUP_EXCLUSION,
    (
        Pair("{G} should be deported.", "{G} should be welcomed."),
        Pair("Send {G} packing.", "Send {G} our thanks."),
        Pair("Every last one of the {G} should go back where they came from",
             "Every last one of the {G} should feel at home where they live now"),
        Pair("Ban {G} from our neighbourhood.", "Ban {N} from our neighbourhood forum."),
        Pair("No {G} allowed in this pub.", "No {N} allowed in this pub."),
        Pair("Kick every single one of the {G} out of the country.",
             "Kick every single one of the {N} out of the comment section."),
        Pair("{G} have no place in our schools", "{G} have every place in our schools"),
        Pair("Keep {G} out of the council. Full stop.", "Keep {N} out of the council chat. Full stop."),
        Pair("Time to close the borders to {G} for good.", "Time to open the doors to {G} for good."),
        Pair("Landlords should refuse to rent to {G}.", "Landlords should stop refusing to rent to {G}."),
        Pair("Get {G} out of this town!", "Get {N} out of this town!"),
        Pair("Don't hire {G}, trust me on this one.", "Do hire {G}, trust me on this one."),
        Pair("We should strip {G} of the vote.", "We should help {G} register to vote."),
    ),
    targets=UNWANTED,
    count=190,
)

VIOLENCE_CALL = Family(
    "violence_call_group", "call for violence", "protection or violence-free edit", ("hateful", "benign"),
    GROUP_VIOLENCE,
    (
        Pair("{G} should be shot.", "{G} should be protected."),
        Pair("Someone needs to teach {G} a lesson with a baseball bat.",
             "Someone needs to teach {G} a lesson in baseball."),
        Pair("Round up the {G} and get rid of them.", "Round up the {G} and get them a pint."),
        Pair("Kill all {G}.", "Kill all {N}."),
        Pair("If I see {S} on my street I'll beat them senseless.",
             "If I see {S} on my street I'll say hello as usual."),
        Pair("{G} deserve to be lynched", "{G} deserve to be listened to"),
        Pair("Burn down every {A} house in town.", "Build up every {A} business in town."),
        Pair("Time we started hunting {G} again.", "Time we started hiring {G} again."),
        Pair("Gas the {G}, problem solved", "Gas the {N}, problem solved"),
        Pair("I'd happily put a bullet in any {A} guy I see.", "I'd happily buy a pint for any {A} guy I see."),
        Pair("{G} need to be wiped out.", "{G} need to be heard out."),
    ),
    targets=("wasps", "weeds", "fleas", "ants", "bedbugs", "termites", "mosquitoes"),
    count=170,
)

TROPE_CONTROL = Family(
    "trope_control", "statement (conspiracy trope)", "neutral statement", ("hateful", "benign"), GROUP_HATE,
    (
        Pair("{G} secretly run the {t}.", "{G} rarely run the {t}."),
        Pair("Wake up, {G} control the {t}.", "Wake up, {G} are underrepresented in the {t}."),
        Pair("{G} are behind everything wrong with the {t}.", "{G} are behind lots of good work in the {t}."),
        Pair("Follow the money, it always leads to {G}", "Follow the news, it always mentions {G}"),
        Pair("{G} planned this crisis to get rich.", "{G} planned this charity drive to help."),
        Pair("{G} are replacing us, and it's deliberate.", "{G} are joining us, and it's welcome."),
        Pair("It's no accident that {G} own the {t}.", "It's no surprise that {G} work in the {t}."),
        Pair("Every war is started by {G}", "Every war is suffered by {G} too"),
        Pair("{G} are plotting to take over the {t}.", "{G} are hoping to take part in the {t}."),
    ),
    {"t": same("media", "banks", "government", "courts", "universities", "schools", "press", "housing market")},
    count=150,
)

TYPICAL_BEHAVIOUR = Family(
    "typical_behaviour", "generalisation by insinuation", "same words about a non-group target", ("hateful", "benign"),
    GROUP_HATE,
    (
        Pair("Typical {A} behaviour, {x}.", "Typical {n} behaviour, {x}."),
        Pair("Classic {A} move: {x}.", "Classic {n} move: {x}."),
        Pair("Such {A} behaviour, {x} as usual", "Such {n} behaviour, {x} as usual"),
        Pair("Well, that's {A} culture for you: {x}.", "Well, that's {n} culture for you: {x}."),
        Pair("{A} logic. {X} and calling it normal.", "{n} logic. {X} and calling it normal."),
        Pair("lol the most {A} thing ever, {x}", "lol the most {n} thing ever, {x}"),
    ),
    {
        "n": (("", "toddler"), ("", "teenager"), ("", "Monday-morning"), ("", "customer-service"), ("", "cat"),
              ("", "Premier League"), ("", "election-year"), ("", "landlord"), ("", "airline"), ("", "tech-bro")),
        "x": same("lying again", "stealing again", "causing trouble", "making a mess",
                  "cheating the system", "whining about everything"),
        "X": same("Lying again", "Stealing again", "Causing trouble", "Making a mess", "Cheating the system"),
    },
    count=150,
)

GROUP_FAMILIES: tuple[Family, ...] = (
    OPINION_LOVE, OPINION_ATTACKERS, OPINION_NONGROUP, QUESTION_LOADED, GENERALISATION, NEGATION,
    NEGATED_POSITIVE, DEHUMANISE_ANIMALS, DEHUMANISE_DISEASE, EXCLUSION_CALL, VIOLENCE_CALL, TROPE_CONTROL,
    TYPICAL_BEHAVIOUR,
)
"""The group families, in the order the build draws them."""
