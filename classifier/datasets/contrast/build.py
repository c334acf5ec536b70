"""Build the synthetic contrast set: draw pairs from every frame family, seeded, and write pairs.csv.

``python -m classifier.datasets.contrast.build [OUT]`` (default data/contrast/pairs.csv). The output is a
pure function of the families, the lexicon and ``SEED``: a test rebuilds it and compares bytes.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from classifier.datasets.contrast.group_families import GROUP_FAMILIES
from classifier.datasets.contrast.lexicon import GROUPS, PEOPLE, VOCATIVES, Group
from classifier.datasets.contrast.person_families import PERSON_FAMILIES
from classifier.datasets.contrast.render import apply_style, capitalise, choose_style, respell
from classifier.datasets.contrast.spec import BENIGN, Family, Labels
from classifier.datasets.contrast.speech_families import SPEECH_FAMILIES

SEED = 18
"""Issue 18: the seed every family's draw starts from."""

FAMILIES: tuple[Family, ...] = GROUP_FAMILIES + SPEECH_FAMILIES + PERSON_FAMILIES
"""Every frame family, in the order of the file."""

COLUMNS: tuple[str, ...] = (
    "pair_id", "family", "phenomenon", "edit", "side", "text", "hostility", "slur", "threat", "insult", "profanity",
    "group", "held_out",
)
"""pairs.csv's columns, in order."""

DEFAULT_OUT = Path(__file__).resolve().parents[3] / "data" / "contrast" / "pairs.csv"

_SLOT = re.compile(r"\{(\w+)\}")
_GROUP_SLOTS = frozenset("GSAZR")
_MAX_TRIES = 40
# Swearing of any kind, spelled out or starred; a slur is not counted (see _profanity).
_SWEARING = re.compile(
    r"(?<!\w)(?:fuck\w*|f\*+(?:k|ing)?|shit\w*|sh\*t|damn\w*|hell|bastards?|bitch\w*|asshole|dumbass|arse\w*|"
    r"dickhead|piss\w*|bloody|crap|wanker|twat|christ|screw(?= (?:you|it|this|that)\b))(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Row:
    """One side of one pair, as written to pairs.csv."""

    pair_id: str
    family: Family
    side: str
    text: str
    labels: Labels
    profanity: int | None
    group: str

    def cells(self) -> list[str]:
        """The row's cells in ``COLUMNS`` order (unknown labels empty)."""
        heads = [self.labels.get(head) for head in ("hostility", "slur", "threat", "insult")] + [self.profanity]
        return [
            self.pair_id, self.family.name, self.family.phenomenon, self.family.edit, self.side, self.text,
            *("" if value is None else str(value) for value in heads),
            self.group, "1" if self.family.held_out else "0",
        ]


def _fill(template: str, values: dict[str, str]) -> str:
    # Two passes: a filler may itself hold slots ("{G} are vermin" inside a quotation frame).
    for _ in range(2):
        template = _SLOT.sub(lambda match: values.get(match.group(1), match.group(0)), template)
    return template


def _eligible(family: Family, slots: set[str]) -> list[Group]:
    groups = [g for g in GROUPS if not family.group_keys or g.key in family.group_keys]
    if "A" in slots:
        groups = [g for g in groups if g.adjective]
    if "Z" in slots:
        groups = [g for g in groups if g.slurs]
    if "R" in slots:
        groups = [g for g in groups if g.reclaimed]
    return groups


def _profanity(text: str, has_slur: bool) -> int | None:
    if _SWEARING.search(text):
        return 1
    return None if has_slur else 0  # whether a slur is "swearing" is left open


@dataclass(frozen=True)
class _Drawn:
    hateful: str
    benign: str
    hateful_slots: frozenset[str]
    benign_slots: frozenset[str]
    group: Group | None
    labels: Labels


def _draw(family: Family, index: int, rng: random.Random) -> _Drawn | None:
    """One pair of the family's ``index``-th template (cycling), with its fillers, group and person drawn."""
    pair = family.pairs[index % len(family.pairs)]
    chosen = {name: rng.choice(options) for name, options in family.fills.items()}
    hateful = _fill(pair.hateful, {name: value[0] for name, value in chosen.items()})
    benign = _fill(pair.benign if pair.benign is not None else pair.hateful,
                   {name: value[1] for name, value in chosen.items()})
    hateful_slots, benign_slots = frozenset(_SLOT.findall(hateful)), frozenset(_SLOT.findall(benign))
    slots = hateful_slots | benign_slots
    values: dict[str, str] = {}
    group = None
    if slots & _GROUP_SLOTS:
        candidates = _eligible(family, set(slots))
        if not candidates:
            return None
        group = rng.choice(candidates)
        values |= {"G": rng.choice(group.plurals), "S": rng.choice(group.singulars), "A": group.adjective or ""}
        values |= {"Z": rng.choice(group.slurs or ("",)), "R": rng.choice(group.reclaimed or ("",))}
    if "N" in slots:
        values["N"] = rng.choice(family.targets)
    if slots & {"P", "Q"}:
        values["P"], values["Q"] = rng.choice(PEOPLE)
    if "V" in slots:
        values["V"] = rng.choice(VOCATIVES)
    return _Drawn(capitalise(_fill(hateful, values)), capitalise(_fill(benign, values)), hateful_slots, benign_slots,
                  group, pair.labels or family.labels)


def build_family(family: Family, seen: set[str]) -> list[Row]:
    """The family's rows: ``family.count`` pairs, fewer only if its templates run out of new texts.

    ``seen`` holds the lower-cased texts of the families built so far; no text is written twice.
    """
    rng = random.Random(f"{SEED}:{family.name}")
    rows: list[Row] = []
    for index in range(_MAX_TRIES * family.count):
        if len(rows) == 2 * family.count:
            break
        drawn = _draw(family, index, rng)
        if drawn is None:
            continue
        hateful, benign, group = drawn.hateful, drawn.benign, drawn.group
        if family.obfuscate:
            names = (group.plurals + group.slurs) if group else ()
            keep = {word.lower() for phrase in names for word in phrase.split()}
            hateful, benign = respell(hateful, benign, keep, family.obfuscate, rng)
        style = choose_style(rng)
        hateful, benign = apply_style(hateful, style), apply_style(benign, style)
        if hateful.lower() == benign.lower() or {hateful.lower(), benign.lower()} & seen:
            continue
        seen |= {hateful.lower(), benign.lower()}
        pair_id = f"{family.name}:{len(rows) // 2:04d}"
        key = group.key if group else ""
        for side, text, slots, labels in (
            (family.sides[0], hateful, drawn.hateful_slots, drawn.labels),
            (family.sides[1], benign, drawn.benign_slots, BENIGN),
        ):
            named = key if slots & _GROUP_SLOTS else ""
            rows.append(Row(pair_id, family, side, text, labels, _profanity(text, bool(slots & {"Z", "R"})), named))
    return rows


def build_rows() -> list[Row]:
    """Every family's rows, in ``FAMILIES`` order."""
    seen: set[str] = set()
    return [row for family in FAMILIES for row in build_family(family, seen)]


def render_csv(rows: list[Row]) -> str:
    """pairs.csv's text: a header and one line per row, ``\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in rows)
    return buffer.getvalue()


def build(out: Path = DEFAULT_OUT) -> list[Row]:
    """Build the set and write it to ``out`` (UTF-8); returns the rows."""
    rows = build_rows()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_csv(rows), encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line: build into the path given (default data/contrast/pairs.csv) and print the counts."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_OUT
    rows = build(out)
    families = {row.family.name for row in rows}
    held_out = sorted({row.family.name for row in rows if row.family.held_out})
    groups = {row.group for row in rows if row.group}
    print(f"{out}: {len(rows) // 2} pairs, {len(rows)} rows, {len(families)} families, {len(groups)} groups; "
          f"held out: {', '.join(held_out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
