"""Frame families aimed at one person: threats against violent idioms, insults against profanity at nobody.

The project's own text (data/contrast/README.md). ``{P}`` is a third person ("the mayor", "Dave") and
``{Q}`` their possessive; "you" is written out where a comment addresses its reader.
"""

from __future__ import annotations

from classifier.datasets.contrast.spec import PERSON_INSULT, PERSON_THREAT, Family, Pair, same

THREAT_DIRECT = Family(
    "threat_direct", "threat at a person", "violent idiom", ("threat", "idiom"), PERSON_THREAT,
    (
        Pair("Keep talking and I'll break your jaw.", "Keep talking and I'll break out the popcorn."),
        Pair("I'm going to kill you when I see you.", "I'm going to kill it when I see you on stage."),
        Pair("You'll be dead by the weekend, I promise.", "My phone will be dead by the weekend, I promise."),
        Pair("I'm coming for you {t} and you won't see me.", "I'm coming for the title {t} and you won't stop me."),
        Pair("I'll put you in the ground.", "I'll put you in the group chat."),
        Pair("I'm going to beat you to a pulp {t}.", "I'm going to beat you at chess {t}."),
        Pair("I'll slit your throat, you hear me?", "I'll clear my throat, you hear me?"),
        Pair("Watch your back, I've got a knife with your name on it.",
             "Watch your back, I've got a cake with your name on it."),
        Pair("I'll burn your house down with you inside.", "I'll bring the house down with you inside."),
        Pair("I'm going to murder you the second you walk in.", "I'm going to murder a pizza the second I walk in."),
        Pair("Next time I see you I'm shooting you.", "Next time I see you I'm shooting you a text."),
        Pair("One more word and you're dead.", "One more word and I'm dead 😂"),
        Pair("I'm going to strangle you {t}.", "I'm going to strangle this spreadsheet {t}."),
        Pair("I'll smash your face in {t}.", "I'll smash this exam {t}."),
        Pair("I'm going to kill you, I swear.", "This lasagna is killing me, I swear."),
        Pair("Somebody should take {P} out. Permanently.", "Somebody should take {P} out. For dinner."),
        Pair("{P} is going to get a bullet {t}.", "{P} is going to get a bouquet {t}."),
        Pair("I'm going to hurt {P} so badly they'll never walk again.",
             "I'm going to hug {P} so tightly they'll never forget it."),
        Pair("Swear down, {P} is getting knocked out {t}.", "Swear down, {P} is getting knocked out of the quiz {t}."),
    ),
    {"t": same("tonight", "tomorrow", "on Friday", "after work", "this weekend", "soon")},
    count=190,
)

THREAT_INCITEMENT = Family(
    "threat_incitement", "call for violence at a person", "harmless errand with the same verb", ("threat", "idiom"),
    PERSON_THREAT,
    (
        Pair("Someone should shoot {P}.", "Someone should shoot {P} an email."),
        Pair("Somebody needs to knock {Q} teeth out.", "Somebody needs to knock {Q} socks off."),
        Pair("Let's all go round to {Q} house and make them pay.",
             "Let's all go round to {Q} house and make them pancakes."),
        Pair("{P} deserves a beating and I'll gladly give it.", "{P} deserves a medal and I'll gladly give it."),
        Pair("Hang {P} for this.", "Hang {P} out to dry for this."),
        Pair("Go find {P} and make sure they never speak again.",
             "Go find {P} and make sure they speak again next year."),
        Pair("Whoever runs into {P} first, put them in hospital.",
             "Whoever runs into {P} first, put them on the phone."),
        Pair("Somebody should run {P} over with a truck.", "Somebody should run {P} over to the station."),
        Pair("Who's brave enough to stab {P}?", "Who's brave enough to call {P}?"),
        Pair("We should all drag {P} out of the building and deal with them.",
             "We should all drag {P} out of the building and buy them lunch."),
        Pair("Time someone put {P} in a body bag.", "Time someone put {P} in a good mood."),
    ),
    count=170,
)

THREAT_WISH = Family(
    "threat_wish", "wish for harm to a person", "idiom or good wish with the same frame", ("threat", "idiom"),
    PERSON_THREAT,
    (
        Pair("I hope {P} dies in a fire.", "I hope {P} dies laughing at this."),
        Pair("I hope {P} gets hit by a bus.", "I hope {P} gets on the right bus."),
        Pair("Can't wait to see {P} in a coffin.", "Can't wait to see {P} in a costume."),
        Pair("I'd love to see {P} bleed.", "I'd love to see {P} succeed."),
        Pair("May {P} choke on it.", "May {P} enjoy every bite of it."),
        Pair("Wish someone would break {Q} legs.", "Wish someone would break {Q} record."),
        Pair("I pray {P} never wakes up.", "I pray {P} never gives up."),
        Pair("{P} should be put down like a dog.", "{P} should be put up for an award."),
        Pair("honestly hope {P} gets what's coming, and it hurts",
             "honestly hope {P} gets what's coming, a promotion"),
    ),
    count=150,
    held_out=True,
)

THREAT_SPORTS = Family(
    "threat_sports", "threat at a person", "sports idiom", ("threat", "idiom"), PERSON_THREAT,
    (
        Pair("We're going to break the keeper's legs on Saturday.",
             "We're going to break the keeper's heart on Saturday."),
        Pair("Their striker is getting stabbed after the game.", "Their striker is getting subbed after the game."),
        Pair("If {P} shows up at the ground again, they're getting their head kicked in.",
             "If {P} shows up at the ground again, they're getting a standing ovation."),
        Pair("We'll murder their fans in the car park.", "We'll murder their team on the pitch."),
        Pair("Going to put their captain in a wheelchair.", "Going to put their captain in my fantasy team."),
        Pair("I'm going to smash the ref's face in after that call.",
             "I'm going to smash the TV remote after that call."),
        Pair("Gonna hunt down their keeper after the match.",
             "Gonna hunt down their keeper's autograph after the match."),
        Pair("Their fans need a good kicking.", "Their defence needs a good shake-up."),
        Pair("We're going to kill you lot in the car park after.",
             "We're going to kill you lot on the scoreboard tonight."),
        Pair("Wait for the linesman outside and teach him a lesson with our fists.",
             "Wait for the second half and teach them a lesson with our passing."),
        Pair("{t} we slaughter their players, not the game, the players.",
             "{t} we slaughter their team, 4-0 at least."),
    ),
    {"t": same("Sunday", "Saturday", "Tonight", "Next week", "Tomorrow")},
    count=150,
)

INSULT_PROFANITY = Family(
    "insult_profanity", "insult at a person", "profanity at nobody", ("insult", "profanity"), PERSON_INSULT,
    (
        Pair("You're a fucking idiot.", "That was a fucking great goal."),
        Pair("Fuck you and your article.", "Fuck yeah, what an article."),
        Pair("Shut the hell up, you stupid cow.", "Shut the hell up, this is amazing news."),
        Pair("What a shit take, you absolute moron.", "What a shit day, the trains are down again."),
        Pair("{P} is a worthless piece of shit.", "{Q} car is a worthless piece of shit."),
        Pair("Damn, you're thick as shit.", "Damn, this fog is thick as shit."),
        Pair("You dumb bastard, you deleted my comment.", "This dumb bastard of a printer deleted my file."),
        Pair("You're so fucking stupid it hurts.", "This is so fucking good it hurts."),
        Pair("Hey asshole, nobody asked you.", "Hell yeah, nobody asked for this win."),
        Pair("{P} is a total dickhead, fuck him.", "This rain is a total nightmare, fuck it."),
        Pair("Piss off, {V}, nobody wants you here.", "Piss off, rain, nobody wants you here."),
    ),
    count=150,
)

INSULT_PRAISE = Family(
    "insult_praise", "insult at a person", "praise with the same frame", ("insult", "benign"), PERSON_INSULT,
    (
        Pair("{P} is a {i}."),
        Pair("{P} is a spineless coward and everyone knows it.", "{P} is a tireless worker and everyone knows it."),
        Pair("What an ignorant clown {P} is.", "What a brilliant mind {P} is."),
        Pair("Only an idiot like {P} would write this.", "Only a pro like {P} would write this."),
        Pair("{P} has the IQ of a potato.", "{P} has the patience of a saint."),
        Pair("Honestly {P} is a disgusting, lying creep.", "Honestly {P} is a decent, honest sort."),
        Pair("{P} is dumb as a rock", "{P} is solid as a rock"),
        Pair("lol {P} is such a {i}"),
        Pair("Get a brain, {V}.", "Get some rest, {V}."),
        Pair("Whoever let {P} near a keyboard is a {i} too.", "Whoever let {P} near a keyboard is a {i} too."),
        Pair("You are a {i}, {V}."),
    ),
    {"i": (("moron", "genius"), ("clown", "legend"), ("fraud", "star"), ("halfwit", "hero"), ("loser", "gem"),
           ("tool", "treasure"), ("joke", "credit to the town"), ("waste of space", "breath of fresh air"))},
    count=170,
)

INSULT_SELF = Family(
    "insult_self", "insult at a person", "self-deprecation", ("insult", "benign"), PERSON_INSULT,
    (
        Pair("You're an idiot.", "I'm an idiot."),
        Pair("You're an absolute moron, you left the door open.", "I'm an absolute moron, I left the door open."),
        Pair("What a dumbass you are.", "What a dumbass I am."),
        Pair("{P} is so stupid, forgot the keys again.", "I'm so stupid, forgot the keys again."),
        Pair("You useless lump, you missed the bus again.", "Me, useless lump, I missed the bus again."),
        Pair("Shut up, you clown.", "Shut up, I'm such a clown."),
        Pair("You're a complete disaster as a person.", "I'm a complete disaster before coffee."),
        Pair("God you're thick.", "God I'm thick."),
        Pair("{V}, you're a brainless twit.", "{V}, I'm a brainless twit today, sorry."),
        Pair("You clumsy oaf, look what you did.", "I'm a clumsy oaf, look what I did."),
    ),
    count=120,
)

PROFANITY_EXCLAIM = Family(
    "profanity_exclaim", "insult at a person", "exclamation at nobody", ("insult", "profanity"), PERSON_INSULT,
    (
        Pair("F*** you, {V}.", "F*** me, {V}, that was brilliant."),
        Pair("Holy shit you're dumb.", "Holy shit that was close."),
        Pair("Screw you, your column is stupid.", "Screw it, this column is done."),
        Pair("Damn you, {V}, you ruined everything.", "Damn it, the rain ruined everything."),
        Pair("bloody hell you're useless", "bloody hell this is useful"),
        Pair("What the fuck is wrong with you, {V}?", "What the fuck is wrong with this printer?"),
        Pair("Fucking loser.", "Fucking finally."),
        Pair("Ugh, you're such a bitch.", "Ugh, Mondays are such a bitch."),
        Pair("Christ, you're a waste of oxygen.", "Christ, this queue is a waste of time."),
        Pair("sh*t for brains over here thinks he's clever", "sh*t weather over here, thinks it's clever"),
    ),
    count=110,
    held_out=True,
)

PERSON_FAMILIES: tuple[Family, ...] = (
    THREAT_DIRECT, THREAT_INCITEMENT, THREAT_WISH, THREAT_SPORTS, INSULT_PROFANITY, INSULT_PRAISE, INSULT_SELF,
    PROFANITY_EXCLAIM,
)
"""The person families, in the order the build draws them."""

