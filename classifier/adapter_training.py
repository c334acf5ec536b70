"""The recipe that trains the encoder's LoRA adapter (PyTorch, on the CPU; about 25 minutes on 2 cores).

    python -m classifier.adapter_training --data ../shared/datasets --out classifier/resources/encoder

reproduces the committed adapter (``--init ADAPTER_DIR`` continues from a saved adapter instead):
the same rows the default model fits on (the grouped training split less its calibration share, so
neither the test split nor any evaluation-only set is ever seen), each weighted in the loss by its
training weight (sources balanced, group names debiased: the heads' own weighting), a share of the
rows that name a group rewritten about another group (`classifier.counterfactual`), one epoch of LoRA
fine-tuning of all-MiniLM-L6-v2 with a hostility and a slur head on its mean-pooled word pieces.
Only the adapter (a few MB) is saved; the heads are refitted by scikit-learn on the adapted encoder's
features (`classifier.stacked`), so retraining from moderators' decisions stays a matter of seconds.
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

from classifier.counterfactual import swap_groups, swappable
from classifier.datasets.examples import HEADS, Example
from classifier.encoder.adapter import ADAPTER_FILE, RECIPE_FILE
from classifier.encoder.base import base_encoder
from classifier.encoder.network import MiniLM
from classifier.encoder.tokens import encode, pooling_weights
from classifier.normalize import normalize
from classifier.progress import row_bar

MAX_ROW_WEIGHT = 20.0


@dataclass(frozen=True)
class Recipe:
    """Everything that shapes the adapter; saved next to it."""

    rows: int = 48_000
    """Rows to sample uniformly from the 124,042 fit rows of every dataset; more than there are means all.

    In our runs a 48k sample and all rows scored within 0.025 ROC-AUC of each other on every evaluation set,
    either way round, and the sample takes 40% of the time."""
    rank: int = 16
    alpha: float = 32.0
    learning_rate: float = 5e-4
    batch: int = 32
    warmup_steps: int = 50
    weight_decay: float = 0.01
    swap_share: float = 0.3
    seed: int = 0
    threads: int = 2


def sample_rows(weights: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Up to ``count`` distinct rows with any weight, drawn uniformly (all of them when there are fewer)."""
    usable = np.flatnonzero(np.nansum(weights, axis=1) > 0)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(usable, size=min(count, len(usable)), replace=False))


def sampled_texts(examples: Sequence[Example], weights: np.ndarray, recipe: Recipe,
                  rng: random.Random) -> tuple[np.ndarray, list[str]]:
    """The rows a recipe trains on (``sample_rows``) and their normalised texts, ``recipe.swap_share`` of
    those that name a group rewritten about another (`classifier.counterfactual`), drawing from ``rng``."""
    chosen = sample_rows(weights, recipe.rows, recipe.seed)
    texts = []
    for index in chosen:
        text = examples[index].text
        if swappable(text) and rng.random() < recipe.swap_share:
            text = swap_groups(text, rng)
        texts.append(normalize(text).text)
    return chosen, texts


def loss_weights(weights: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The training weights as loss weights: mean 1 over each head's labelled rows, capped at MAX_ROW_WEIGHT.

    The encoder learns from the same weighting as the heads (sources balanced, group names debiased);
    without it the largest sets (tweets, Gab posts) set the encoder's idea of a comment. The cap keeps a
    handful of heavily up-weighted rows from dominating a batch's gradient.
    """
    result = np.zeros_like(weights, dtype=np.float32)
    for column in range(weights.shape[1]):
        rows = known[:, column] > 0
        if rows.any():
            column_weights = weights[rows, column] / weights[rows, column].mean()
            result[rows, column] = np.minimum(column_weights, MAX_ROW_WEIGHT)
    return result


def _length_batches(lengths: Sequence[int], batch: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar lengths (sorted within windows of 50 batches), so padding stays small."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch] for i in range(0, len(chunk), batch))
    rng.shuffle(batches)
    return batches


def pooled(model: MiniLM, texts: list[str]) -> torch.Tensor:
    """The mean of each text's word pieces under ``model`` (what the heads read), with gradients."""
    batch = encode(texts)
    hidden = model(torch.from_numpy(batch.ids), torch.from_numpy(batch.mask))
    return (hidden * torch.from_numpy(pooling_weights(batch.mask))[..., None]).sum(dim=1)


def read_initial(folder: Path) -> tuple[dict[str, torch.Tensor], float]:
    """An adapter folder's LoRA tensors (as PyTorch tensors) and its alpha, to continue training from."""
    recipe = json.loads((folder / RECIPE_FILE).read_text(encoding="utf-8"))
    return load_file(str(folder / ADAPTER_FILE)), float(recipe["recipe"]["alpha"])


def rank_of(state: dict[str, torch.Tensor]) -> int:
    """The LoRA rank of an adapter's tensors."""
    # lora_a is (rank, in_features): the adapter's rank is read off its tensors, not trusted from a file.
    return next(tensor.shape[0] for name, tensor in state.items() if name.endswith(".lora_a"))


def train_adapter(
    examples: Sequence[Example], labels: np.ndarray, weights: np.ndarray, recipe: Recipe = Recipe(),
    progress: Callable[[str], None] = print, initial: dict[str, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:
    """Fine-tune LoRA adapters on a weighted sample of ``examples``; return the adapters' tensors.

    ``initial``: an adapter's tensors to start from (its rank must be ``recipe.rank``); None starts from
    zero (the base encoder).
    """
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    rng = random.Random(recipe.seed)
    chosen, texts = sampled_texts(examples, weights, recipe, rng)
    targets = torch.tensor(np.nan_to_num(labels[chosen], nan=0.0), dtype=torch.float32)
    known = torch.tensor(~np.isnan(labels[chosen]), dtype=torch.float32)
    weighting = torch.from_numpy(loss_weights(np.nan_to_num(weights[chosen]), known.numpy()))
    model = MiniLM.from_base(base_encoder())
    model.add_adapters(recipe.rank, recipe.alpha)
    if initial is not None:
        if rank_of(initial) != recipe.rank:
            raise ValueError(f"the initial adapter has rank {rank_of(initial)}, the recipe {recipe.rank}")
        missing, unexpected = model.load_state_dict(initial, strict=False)
        lora_missing = [name for name in missing if ".lora_" in name]
        if lora_missing or unexpected:
            raise ValueError(f"the initial adapter does not fit: missing {lora_missing[:3]}, "
                             f"unexpected {unexpected[:3]}")
    head = torch.nn.Linear(model.word_embeddings.embedding_dim, len(HEADS))
    trainable = [p for p in model.parameters() if p.requires_grad] + list(head.parameters())
    optimiser = torch.optim.AdamW(trainable, lr=recipe.learning_rate, weight_decay=recipe.weight_decay)
    batches = _length_batches([len(text) for text in texts], recipe.batch, rng)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / recipe.warmup_steps) * max(0.0, 1 - step / len(batches)))
    model.train()
    started, running = time.perf_counter(), []
    bar = row_bar(len(texts), "training the adapter")
    for step, rows in enumerate(batches):
        logits = head(pooled(model, [texts[i] for i in rows]))
        mask = known[rows] * weighting[rows]
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(logits, targets[rows], reduction="none")
                * mask).sum() / mask.sum().clamp(min=1e-6)
        loss.backward()
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        running.append(loss.item())
        bar.update(len(rows))
        if step % 100 == 0 or step == len(batches) - 1:
            rate = (step + 1) * recipe.batch / (time.perf_counter() - started)
            progress(f"step {step + 1}/{len(batches)}: loss {np.mean(running[-100:]):.4f}, {rate:.1f} rows/s")
    bar.close()
    return model.adapter_state()


def save_adapter(folder: Path, state: dict[str, torch.Tensor], recipe: Recipe, provenance: dict) -> Path:
    """Write ``adapter.safetensors`` and ``recipe.json`` (the recipe, the base encoder, the data used)."""
    folder.mkdir(parents=True, exist_ok=True)
    save_file({name: tensor.contiguous() for name, tensor in state.items()}, str(folder / ADAPTER_FILE))
    document = {"recipe": asdict(recipe), "base": base_encoder().describe(), **provenance}
    (folder / RECIPE_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return folder / ADAPTER_FILE


def main(argv: list[str] | None = None) -> int:
    """Reproduce the adapter from the datasets (see the module docstring)."""
    from classifier.corpus import labels_of, load_corpus
    from classifier.datasets.catalogue import sha256_file
    from classifier.training import fitting_split, training_weights

    parser = argparse.ArgumentParser(description="Train the encoder's LoRA adapter from the datasets.")
    parser.add_argument("--data", type=Path, required=True, help="datasets folder")
    parser.add_argument("--seed-set", type=Path, default=Path("data/seed"), help="the project's seed set")
    parser.add_argument("--out", type=Path, required=True, help="folder for adapter.safetensors and recipe.json")
    parser.add_argument("--rows", type=int, default=Recipe.rows, help="rows to sample (default %(default)s)")
    parser.add_argument("--threads", type=int, default=Recipe.threads)
    parser.add_argument("--init", type=Path, default=None, metavar="ADAPTER_DIR",
                        help="continue from this adapter (adapter.safetensors + recipe.json) instead of from zero")
    args = parser.parse_args(argv)
    initial, recipe = None, Recipe(rows=args.rows, threads=args.threads)
    if args.init is not None:
        initial, alpha = read_initial(args.init)
        recipe = Recipe(rows=args.rows, threads=args.threads, rank=rank_of(initial), alpha=alpha)
    corpus = load_corpus(args.data, args.seed_set)
    fitting, _ = fitting_split(corpus.examples)
    labels = labels_of(fitting)
    state = train_adapter(fitting, labels, training_weights(fitting, labels), recipe,
                          lambda line: print(line, file=sys.stderr, flush=True), initial)
    provenance = {"datasets": corpus.found, "rows_available": len(fitting),
                  "rows_sampled": min(recipe.rows, len(fitting)), "trained": time.strftime("%Y-%m-%d")}
    if args.init is not None:
        # Which adapter it continued from, by content: a folder path means nothing on another machine.
        provenance["initial_adapter_sha256"] = sha256_file(args.init / ADAPTER_FILE)
    path = save_adapter(args.out, state, recipe, provenance)
    print(f"adapter: {path} ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
