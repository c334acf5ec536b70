"""Continue the encoder's adapter on real rows plus contrast pairs, so that it reads stance, not topic.

    python -m classifier.contrast_training --data ../shared/datasets --init classifier/resources/encoder \
        --out var/contrast-run --minutes 120

The mean-pooled encoder reads what a comment is about: "I love Muslims" and "I hate Muslims" land close
together. The synthetic contrast set (``data/contrast/pairs.csv``) pairs each hateful sentence with a
minimal edit that is not; training on both members in the same batch, with a margin between their
logits on every head where their labels differ, teaches the encoder what is said, not whom it is about.

Each batch holds ``pairs_per_batch`` pairs and ``real_per_batch`` real fit rows (weighted as in
``classifier.adapter_training``), so the synthetic set never outvotes real comments. A validation every
half epoch (the held-out frame families' AUC and pair accuracy per head, and per-head AUC on a sample of
the calibration share, never fitted on) is appended to ``curve.jsonl``; the adapter, the linear head and
``recipe.json`` are saved then and every ``checkpoint_seconds``, so a run stopped at any point continues
with ``--init`` on its output folder (the linear head too), or from a committed adapter.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from sklearn.metrics import roc_auc_score

from classifier.adapter_training import Recipe, loss_weights, pooled, rank_of, read_initial, sampled_texts
from classifier.datasets.examples import Example
from classifier.encoder.adapter import ADAPTER_FILE, RECIPE_FILE
from classifier.encoder.base import base_encoder
from classifier.encoder.network import MiniLM
from classifier.heads import HEADS
from classifier.normalize import normalize

HEAD_FILE = "head.safetensors"
CURVE_FILE = "curve.jsonl"

Pair = tuple[list[str], np.ndarray]
"""Two normalised texts and their labels, ``(2, len(HEADS))`` with NaN where the set leaves a head open."""


@dataclass(frozen=True)
class ContrastRecipe:
    """What shapes a contrast run beside the adapter's own recipe; saved with every checkpoint."""

    pairs_per_batch: int = 4
    real_per_batch: int = 24
    pair_weight: float = 0.5
    """The pairs' own cross-entropy, relative to the real rows'."""
    margin: float = 2.0
    """Logits apart a pair's members should be on a head where their labels differ."""
    margin_weight: float = 0.5
    epochs: float = 2.0
    """Passes over the sampled real rows (the pairs cycle as often as that takes)."""
    learning_rate: float = 3e-4
    checkpoint_seconds: float = 900.0


def contrast_pairs(examples: Sequence[Example]) -> list[Pair]:
    """The contrast set's rows as pairs (an Example's ``group`` is its pair), texts normalised."""
    by_pair: dict[str, list[Example]] = {}
    for example in examples:
        by_pair.setdefault(example.group, []).append(example)
    pairs = []
    for members in by_pair.values():
        if len(members) == 2:
            labels = np.array([[np.nan if e.label(h) is None else float(e.label(h)) for h in HEADS] for e in members])
            pairs.append(([normalize(e.text).text for e in members], labels))
    return pairs


def _vectors(model: MiniLM, texts: list[str], size: int = 64) -> torch.Tensor:
    """Pooled vectors of ``texts`` in eval mode, in batches of similar length."""
    model.eval()
    result = torch.zeros((len(texts), model.word_embeddings.embedding_dim))
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.no_grad():
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            result[rows] = pooled(model, [texts[i] for i in rows])
    model.train()
    return result


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    known = ~np.isnan(labels)
    if len(set(labels[known].tolist())) < 2:
        return None
    return round(float(roc_auc_score(labels[known], scores[known])), 4)


def validate(model: MiniLM, head: torch.nn.Linear, held_out: list[Pair], texts: list[str],
             labels: np.ndarray) -> dict[str, float | None]:
    """Per head: the held-out families' AUC and pair accuracy, and the AUC on real validation rows."""
    pair_texts = [text for pair, _ in held_out for text in pair]
    pair_labels = np.concatenate([labels_ for _, labels_ in held_out]) if held_out else np.zeros((0, len(HEADS)))
    with torch.no_grad():
        pair_logits = head(_vectors(model, pair_texts)).numpy() if pair_texts else np.zeros((0, len(HEADS)))
        real_logits = head(_vectors(model, texts)).numpy()
    result: dict[str, float | None] = {}
    for column, name in enumerate(HEADS):
        result[f"held_out_{name}_auc"] = _auc(pair_labels[:, column], pair_logits[:, column])
        first, second = pair_labels[0::2, column], pair_labels[1::2, column]
        differs = ~np.isnan(first) & ~np.isnan(second) & (first != second)
        gap = (pair_logits[0::2, column] - pair_logits[1::2, column]) * np.sign(first - second)
        result[f"held_out_{name}_pair_accuracy"] = round(float(np.mean(gap[differs] > 0)), 4) if differs.any() else None
        result[f"real_{name}_auc"] = _auc(labels[:, column], real_logits[:, column])
    return result


def warm_head(model: MiniLM, head: torch.nn.Linear, texts: list[str], labels: np.ndarray) -> None:
    """Start the linear head from a logistic regression per head on the encoder's vectors, not at random.

    Continuing a committed adapter with a random head would spend the first hundreds of steps undoing
    the adapter to suit the head.
    """
    from sklearn.linear_model import LogisticRegression

    features = _vectors(model, texts).numpy()
    with torch.no_grad():
        for column in range(len(HEADS)):
            known = ~np.isnan(labels[:, column])
            if len(set(labels[known, column].tolist())) < 2:
                continue
            fitted = LogisticRegression(max_iter=1000).fit(features[known], labels[known, column])
            head.weight[column] = torch.from_numpy(fitted.coef_[0].astype(np.float32))
            head.bias[column] = float(fitted.intercept_[0])


def pair_loss(logits: torch.Tensor, labels: torch.Tensor, margin: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The pairs' cross-entropy and their margin loss (members at rows 2k and 2k+1 of ``logits``)."""
    known = ~torch.isnan(labels)
    targets = torch.nan_to_num(labels)
    entropy = (torch.nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction="none") * known).sum()
    entropy = entropy / known.sum().clamp(min=1)
    sign = targets[0::2] - targets[1::2]
    differs = (known[0::2] & known[1::2] & (sign != 0)).float()
    gaps = torch.relu(margin - sign * (logits[0::2] - logits[1::2])) * differs
    return entropy, gaps.sum() / differs.sum().clamp(min=1)


@dataclass
class RealRows:
    """The sampled real fit rows: normalised texts, 0/1 targets, which heads each row labels, loss weights."""

    texts: list[str]
    targets: np.ndarray
    known: np.ndarray
    weights: np.ndarray


def real_rows(examples: Sequence[Example], labels: np.ndarray, weights: np.ndarray, recipe: Recipe) -> RealRows:
    """A weighted sample of the fit rows, as ``adapter_training`` draws it (with its counterfactual swaps)."""
    chosen, texts = sampled_texts(examples, weights, recipe, random.Random(recipe.seed))
    known = (~np.isnan(labels[chosen])).astype(np.float32)
    return RealRows(texts, np.nan_to_num(labels[chosen], nan=0.0).astype(np.float32), known,
                    loss_weights(np.nan_to_num(weights[chosen]), known))


def train_on_contrast(
    real: RealRows, pairs: list[Pair], held_out: list[Pair], validation: tuple[list[str], np.ndarray],
    recipe: Recipe, contrast: ContrastRecipe, out: Path, initial: Path | None = None, minutes: float | None = None,
    progress: Callable[[str], None] = print,
) -> list[dict]:
    """Train, validating every half epoch and checkpointing into ``out``; return the validation curve."""
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    rng = random.Random(recipe.seed + 1)
    model = MiniLM.from_base(base_encoder())
    model.add_adapters(recipe.rank, recipe.alpha)
    head = torch.nn.Linear(model.word_embeddings.embedding_dim, len(HEADS))
    if initial is not None:
        state, _ = read_initial(initial)
        if model.load_state_dict(state, strict=False).unexpected_keys:
            raise ValueError(f"{initial} does not fit the encoder")
    if initial is not None and (initial / HEAD_FILE).is_file():
        head.load_state_dict(load_file(str(initial / HEAD_FILE)))
    else:
        warm = rng.sample(range(len(real.texts)), min(3000, len(real.texts)))
        warm_head(model, head, [real.texts[i] for i in warm],
                  np.where(real.known[warm] > 0, real.targets[warm], np.nan))
    trainable = [p for p in model.parameters() if p.requires_grad] + list(head.parameters())
    optimiser = torch.optim.AdamW(trainable, lr=contrast.learning_rate, weight_decay=recipe.weight_decay)
    steps_per_epoch = max(1, len(real.texts) // contrast.real_per_batch)
    total = max(1, int(steps_per_epoch * contrast.epochs))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / recipe.warmup_steps) * max(0.05, 1 - step / total))
    out.mkdir(parents=True, exist_ok=True)
    curve: list[dict] = []

    def checkpoint(step: int, measured: bool) -> None:
        save_file({n: t.contiguous() for n, t in model.adapter_state().items()}, str(out / ADAPTER_FILE))
        save_file({n: t.detach().contiguous() for n, t in head.state_dict().items()}, str(out / HEAD_FILE))
        document = {"recipe": asdict(recipe), "contrast": asdict(contrast), "base": base_encoder().describe(),
                    "step": step, "steps": total, "saved": time.strftime("%Y-%m-%d %H:%M")}
        (out / RECIPE_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        if measured:
            with (out / CURVE_FILE).open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(curve[-1]) + "\n")

    def measure(step: int) -> None:
        curve.append({"step": step, "epoch": round(step / steps_per_epoch, 3),
                      **validate(model, head, held_out, *validation)})
        progress(f"validation at step {step}: {curve[-1]}")
        checkpoint(step, measured=True)

    measure(0)
    started = last_saved = time.perf_counter()
    real_order: list[int] = []
    pair_order: list[int] = []
    half = max(1, steps_per_epoch // 2)
    model.train()
    for step in range(1, total + 1):
        while len(real_order) < contrast.real_per_batch:
            real_order += rng.sample(range(len(real.texts)), len(real.texts))
        while len(pair_order) < contrast.pairs_per_batch:
            pair_order += rng.sample(range(len(pairs)), len(pairs))
        rows = [real_order.pop() for _ in range(contrast.real_per_batch)]
        batch_pairs = [pairs[pair_order.pop()] for _ in range(contrast.pairs_per_batch)]
        logits = head(pooled(model, [real.texts[i] for i in rows] + [t for texts, _ in batch_pairs for t in texts]))
        mask = torch.from_numpy(real.known[rows] * real.weights[rows])
        real_loss = (torch.nn.functional.binary_cross_entropy_with_logits(
            logits[: len(rows)], torch.from_numpy(real.targets[rows]), reduction="none") * mask).sum()
        real_loss = real_loss / mask.sum().clamp(min=1e-6)
        labels = torch.from_numpy(np.concatenate([labels_ for _, labels_ in batch_pairs]).astype(np.float32))
        entropy, margin = pair_loss(logits[len(rows) :], labels, contrast.margin)
        loss = real_loss + contrast.pair_weight * entropy + contrast.margin_weight * margin
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        elapsed = time.perf_counter() - started
        if step % 50 == 0:
            progress(f"step {step}/{total}: loss {loss.item():.4f}, "
                     f"{step * (len(rows) + 2 * len(batch_pairs)) / elapsed:.1f} texts/s")
        out_of_time = minutes is not None and elapsed > minutes * 60
        if step % half == 0 or step == total or out_of_time:
            measure(step)
            last_saved = time.perf_counter()
        elif time.perf_counter() - last_saved > contrast.checkpoint_seconds:
            checkpoint(step, measured=False)
            last_saved = time.perf_counter()
        if out_of_time:
            progress(f"stopped after {minutes} minutes at step {step}; continue with --init {out}")
            break
    return curve


def main(argv: list[str] | None = None) -> int:
    """Run a contrast training (see the module docstring)."""
    from classifier.corpus import labels_of, load_corpus
    from classifier.datasets.contrast_sets import DEFAULT_PATH, split_contrast
    from classifier.training import fitting_split, training_weights

    parser = argparse.ArgumentParser(description="Continue the encoder's adapter on real rows and contrast pairs.")
    parser.add_argument("--data", type=Path, required=True, help="datasets folder")
    parser.add_argument("--seed-set", type=Path, default=Path("data/seed"), help="the project's seed set")
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PATH, help="the contrast set (pairs.csv)")
    parser.add_argument("--init", type=Path, default=None, metavar="ADAPTER_DIR",
                        help="continue from this adapter (a committed one, or a run's output with its head)")
    parser.add_argument("--out", type=Path, required=True, help="checkpoint folder")
    parser.add_argument("--rows", type=int, default=24_000, help="real fit rows to sample (default %(default)s)")
    parser.add_argument("--epochs", type=float, default=ContrastRecipe.epochs)
    parser.add_argument("--validation-rows", type=int, default=1500)
    parser.add_argument("--minutes", type=float, default=None, help="stop, with a checkpoint, after this long")
    parser.add_argument("--threads", type=int, default=Recipe.threads)
    args = parser.parse_args(argv)
    recipe = Recipe(rows=args.rows, threads=args.threads)
    if args.init is not None:
        initial, alpha = read_initial(args.init)
        recipe = Recipe(rows=args.rows, threads=args.threads, rank=rank_of(initial), alpha=alpha)
    say = lambda line: print(time.strftime("%H:%M:%S"), line, file=sys.stderr, flush=True)  # noqa: E731
    corpus = load_corpus(args.data, args.seed_set)
    fitting, calibrating = fitting_split(corpus.examples)
    labels = labels_of(fitting)
    real = real_rows(fitting, labels, training_weights(fitting, labels), recipe)
    sample = random.Random(5).sample(range(len(calibrating)), min(args.validation_rows, len(calibrating)))
    validation = ([normalize(calibrating[i].text).text for i in sample], labels_of([calibrating[i] for i in sample]))
    training_pairs, held_out = (contrast_pairs(part) for part in split_contrast(args.pairs))
    say(f"{len(real.texts):,} real rows, {len(training_pairs):,} training pairs, {len(held_out):,} held-out pairs")
    train_on_contrast(real, training_pairs, held_out, validation, recipe,
                      ContrastRecipe(epochs=args.epochs), args.out, args.init, args.minutes, say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
