"""The contrast set's nouns: groups (how to name them, and their slurs), non-group targets, people.

Written by the project for the synthetic contrast set (data/contrast/README.md). Group keys reuse
``classifier.groups.GROUP_TERMS`` where a group is there and add more (nationalities, religions,
disabilities, ages, castes, Roma, indigenous peoples …). Slurs are listed here because the model must
learn plain slurs too; they only ever fill a hateful side, a reclaimed self-reference or a quotation that
condemns them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Group:
    """One identity group and the ways a comment names it."""

    key: str
    plurals: tuple[str, ...]
    """Plural noun phrases ("Muslims", "Muslim people"), any of which can fill ``{G}``."""
    singulars: tuple[str, ...]
    """Singular phrases with their article ("a Muslim"), for ``{S}``."""
    adjective: str | None = None
    """The adjective ("Muslim"), for ``{A}`` ("the Muslim family next door"); None where none reads well."""
    slurs: tuple[str, ...] = field(default=())
    """Plural slurs aimed at the group, for the slur families' hateful side."""
    reclaimed: tuple[str, ...] = field(default=())
    """Slurs (or former slurs) that members use of themselves, for the reclaimed self-reference edits."""


GROUPS: tuple[Group, ...] = (
    Group("black", ("Black people", "black people", "Black folks", "African Americans"),
          ("a Black man", "a Black woman", "a Black person"), "Black",
          ("niggers", "coons", "darkies"), ("niggas",)),
    Group("jewish", ("Jews", "Jewish people", "jews"), ("a Jew", "a Jewish woman", "a Jewish guy"), "Jewish",
          ("kikes", "yids")),
    Group("muslim", ("Muslims", "Muslim people", "muslims"), ("a Muslim", "a Muslim woman", "a Muslim man"),
          "Muslim", ("ragheads", "towelheads", "muzzies")),
    Group("lgbtq", ("gay people", "gays", "gay men", "queer people"), ("a gay man", "a queer person"), "gay",
          ("faggots", "fags", "poofs"), ("queers", "fags")),
    Group("lesbian", ("lesbians", "lesbian women"), ("a lesbian", "a lesbian mum"), "lesbian",
          ("dykes", "lezzos"), ("dykes",)),
    Group("bisexual", ("bisexual people", "bisexuals", "bi people"), ("a bisexual woman", "a bi guy"), "bisexual"),
    Group("trans", ("trans people", "trans women", "transgender people", "trans men"),
          ("a trans woman", "a trans man", "a trans person"), "trans", ("trannies", "shemales")),
    Group("women", ("women", "females", "girls"), ("a woman", "a mum of two", "a young woman"), "female",
          ("bitches", "sluts")),
    Group("asian", ("Asians", "Asian people"), ("an Asian woman", "an Asian guy"), "Asian", ("gooks", "slopes")),
    Group("chinese", ("Chinese people", "Chinese folks"), ("a Chinese student", "a Chinese man"), "Chinese",
          ("chinks", "ching chongs")),
    Group("latino", ("Latinos", "Hispanics", "Latino people", "Hispanic people"), ("a Latina", "a Latino"),
          "Hispanic", ("spics", "beaners")),
    Group("mexican", ("Mexicans", "Mexican people"), ("a Mexican", "a Mexican woman"), "Mexican",
          ("wetbacks", "beaners")),
    Group("immigrants", ("immigrants", "migrants", "newcomers from abroad"), ("an immigrant", "a migrant"),
          "immigrant"),
    Group("refugees", ("refugees", "asylum seekers"), ("a refugee", "an asylum seeker"), "refugee"),
    Group("christian", ("Christians", "Christian people", "Catholics"), ("a Christian", "a Catholic"), "Christian",
          ("bible bashers",)),
    Group("arab", ("Arabs", "Arab people"), ("an Arab", "an Arab woman"), "Arab", ("camel jockeys", "sand monkeys")),
    Group("disabled", ("disabled people", "wheelchair users", "people with disabilities"),
          ("a disabled person", "a wheelchair user"), "disabled", ("cripples", "spastics"), ("crips",)),
    Group("intellectual_disability", ("people with Down syndrome", "people with learning disabilities"),
          ("someone with Down syndrome", "a person with a learning disability"), None, ("retards", "mongs")),
    Group("autistic", ("autistic people", "autistic kids"), ("an autistic person", "an autistic adult"), "autistic",
          ("autists", "spergs")),
    Group("deaf", ("deaf people", "Deaf people"), ("a deaf person", "a Deaf woman"), "deaf"),
    Group("blind", ("blind people", "visually impaired people"), ("a blind person", "a blind man"), "blind"),
    Group("mental_illness", ("people with schizophrenia", "mentally ill people", "people with depression"),
          ("someone with schizophrenia", "a person with bipolar disorder"), None, ("psychos", "loonies")),
    Group("white", ("white people", "whites", "white folks"), ("a white guy", "a white woman"), "white",
          ("crackers", "honkies")),
    Group("hindu", ("Hindus", "Hindu people"), ("a Hindu", "a Hindu woman"), "Hindu", ("cow worshippers",)),
    Group("sikh", ("Sikhs", "Sikh people"), ("a Sikh", "a Sikh man"), "Sikh", ("turban heads",)),
    Group("roma", ("Roma", "Roma people", "Romani people"), ("a Roma woman", "a Romani man"), "Roma",
          ("gyppos", "pikeys")),
    Group("travellers", ("Irish Travellers", "Travellers"), ("a Traveller", "an Irish Traveller"), "Traveller",
          ("knackers", "pikeys")),
    Group("indigenous", ("Native Americans", "Indigenous people", "First Nations people"),
          ("a Native American", "an Indigenous woman"), "Indigenous", ("redskins", "injuns")),
    Group("aboriginal", ("Aboriginal people", "Aboriginal Australians"), ("an Aboriginal man", "an Aboriginal woman"),
          "Aboriginal", ("abos", "boongs")),
    Group("dalit", ("Dalits", "Dalit people"), ("a Dalit", "a Dalit student"), "Dalit", ("untouchables",)),
    Group("elderly", ("old people", "pensioners", "elderly people"), ("a pensioner", "an old man", "a retired nurse"),
          "elderly", ("old coffin dodgers", "wrinklies")),
    Group("young", ("young people", "teenagers", "Gen Z kids"), ("a teenager", "a student", "a 19-year-old"),
          None, ("snowflake brats",)),
    Group("polish", ("Poles", "Polish people"), ("a Pole", "a Polish builder"), "Polish", ("polacks",)),
    Group("nigerian", ("Nigerians", "Nigerian people"), ("a Nigerian", "a Nigerian nurse"), "Nigerian"),
    Group("pakistani", ("Pakistanis", "Pakistani people"), ("a Pakistani", "a British Pakistani"), "Pakistani",
          ("pakis",)),
    Group("somali", ("Somalis", "Somali people"), ("a Somali", "a Somali mum"), "Somali"),
    Group("irish", ("Irish people", "Irish folk"), ("an Irishman", "an Irish woman"), "Irish", ("paddies", "micks")),
    Group("italian", ("Italians", "Italian people"), ("an Italian", "an Italian guy"), "Italian", ("wops", "dagos")),
    Group("palestinian", ("Palestinians", "Palestinian people"), ("a Palestinian", "a Palestinian doctor"),
          "Palestinian"),
    Group("israeli", ("Israelis", "Israeli people"), ("an Israeli", "an Israeli student"), "Israeli"),
    Group("ukrainian", ("Ukrainians", "Ukrainian people"), ("a Ukrainian", "a Ukrainian refugee"), "Ukrainian"),
    Group("russian", ("Russians", "Russian people"), ("a Russian", "a Russian woman"), "Russian", ("vatniks",)),
    Group("atheist", ("atheists", "non-believers"), ("an atheist", "a lifelong atheist"), "atheist"),
    Group("buddhist", ("Buddhists", "Buddhist people"), ("a Buddhist", "a Buddhist monk"), "Buddhist"),
    Group("mormon", ("Mormons", "Mormon families"), ("a Mormon", "a Mormon mum"), "Mormon"),
)
"""Every group the contrast set writes about."""

GROUP_BY_KEY: dict[str, Group] = {group.key: group for group in GROUPS}

PESTS: tuple[str, ...] = (
    "rats", "cockroaches", "mosquitoes", "wasps", "bedbugs", "fleas", "ticks", "slugs", "mice", "termites",
    "locusts", "fruit flies", "greenflies", "moths", "pigeons on my balcony", "woodworm beetles",
)
"""Non-group targets that really are pests: the same dehumanising words said about them are not hate."""

GERMS: tuple[str, ...] = (
    "bacteria", "mould spores", "head lice", "flu viruses", "weeds", "superbugs", "germs", "fungus gnats",
    "invasive knotweed", "norovirus outbreaks", "computer viruses", "black mould patches",
)
"""Non-group targets for disease and infestation words."""

NUISANCES: tuple[str, ...] = (
    "Mondays", "traffic jams", "the referee's decisions", "software bugs", "pop-up ads", "spam calls",
    "potholes", "parking tickets", "tax forms", "printer drivers", "roadworks", "delayed trains", "autoplay videos",
    "cookie banners", "self-checkout machines", "group chats", "password rules", "mosquitoes", "cold showers",
    "Monday meetings", "these new parking rules", "reply-all emails", "phone updates", "airport queues",
    "soggy chips", "leaf blowers", "open-plan offices", "paywalls", "the VAR calls", "wobbly tables",
)
"""Non-group targets for opinions and questions ("I hate Mondays")."""

UNWANTED: tuple[str, ...] = (
    "spammers", "bots", "trolls", "scammers", "fly-tippers", "ticket touts", "litter louts", "phishing emails",
    "cold callers", "fake accounts", "e-scooters on the pavement", "drunk drivers", "loan sharks", "pickpockets",
)
"""Non-group targets for calls to exclude or ban ("ban spammers from the forum")."""

PEOPLE: tuple[tuple[str, str], ...] = (
    ("the mayor", "the mayor's"), ("that reporter", "that reporter's"), ("the author", "the author's"),
    ("the councillor", "the councillor's"), ("my neighbour", "my neighbour's"), ("the ref", "the ref's"),
    ("the senator", "the senator's"), ("that columnist", "that columnist's"), ("Dave", "Dave's"),
    ("Sarah", "Sarah's"), ("the landlord", "the landlord's"), ("the minister", "the minister's"),
    ("the moderator", "the moderator's"), ("that judge", "that judge's"), ("the head teacher", "the head teacher's"),
    ("Marcus", "Marcus's"), ("the new coach", "the new coach's"), ("the MP", "the MP's"),
)
"""Third persons a threat or insult can be aimed at: (name, possessive)."""

VOCATIVES: tuple[str, ...] = (
    "Dave", "Sarah", "Marcus", "mate", "pal", "buddy", "Mr Mayor", "Karen", "Tom", "Priya", "sunshine", "Jonno",
    "Mrs Patel", "Coach", "Ahmed", "Lisa", "grandad", "Kev",
)
"""Names and forms of address for a comment that speaks to someone ("Get a brain, Dave")."""

REPORTED_AS: dict[str, str] = {
    "lesbian": "lgbtq", "bisexual": "lgbtq", "chinese": "asian", "mexican": "latino", "refugees": "immigrants",
    "autistic": "disabled", "intellectual_disability": "disabled", "deaf": "disabled", "blind": "disabled",
    "mental_illness": "disabled",
}
"""Groups here that ``classifier.groups.GROUP_TERMS`` counts under a wider group, for per-group metrics."""
