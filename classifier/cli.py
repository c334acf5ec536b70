"""The classifier's commands: ``train``, ``score``, ``evaluate`` and ``data fetch``.

They need no server. The `moderation` dispatcher (service.cli) registers them with defaults from the
configuration; they report bad input by raising UsageError, which the dispatcher turns into one line
on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

if TYPE_CHECKING:
    from classifier.bundle import Bundle
    from classifier.training import TrainingSources, TrainResult

# Each command imports the model stack (numpy, scikit-learn, skops, ONNX Runtime) when it runs, not here:
# the dispatcher imports this module to build its parser, and `moderation --help` must answer at once.

SCORE_BATCH = 512


class UsageError(Exception):
    """Bad input or arguments: reported as one line on stderr with exit status 2."""


@dataclass(frozen=True)
class ClassifierDefaults:
    """Default paths, taken from the service configuration by the dispatcher."""

    datasets_dir: Path
    models_dir: Path
    seed_path: Path
    hate_symbols_path: Path
    encoder_cache_dir: Path | None = None
    """Where the encoder's graph and cached vectors are kept (None: beside the bundles)."""


def register(commands: argparse._SubParsersAction, defaults: ClassifierDefaults) -> None:
    """Add the classifier's commands to the `moderation` parser."""
    train_parser = commands.add_parser("train", help="train, evaluate and save a model bundle")
    train_parser.add_argument("--data", type=Path, action="append", default=None,
                              help="datasets directory, or a labelled CSV such as `moderation labels export` writes "
                                   "(repeatable: one directory plus any CSVs; default: the datasets directory)")
    train_parser.add_argument("--out", type=Path, default=defaults.models_dir, help="models directory")
    train_parser.add_argument("--seed", type=Path, default=defaults.seed_path, help="seed CSV or folder of CSVs")
    train_parser.add_argument("--rows-per-source", type=_positive_int, default=None, metavar="N",
                              help="train on at most N rows of each dataset: minutes instead of ten, a weaker model")
    train_parser.set_defaults(handler=lambda args: run_train(args, defaults))

    score_parser = commands.add_parser("score", help="score JSON lines {id, text} from stdin")
    score_parser.add_argument("--model", type=Path, default=None, help="bundle folder (default: newest)")
    score_parser.set_defaults(handler=lambda args: run_score(args, defaults))

    evaluate_parser = commands.add_parser("evaluate", help="print a bundle's metrics on labelled data")
    evaluate_parser.add_argument("--data", type=Path, required=True,
                                 help="datasets directory, or a labelled CSV (text,hostility,slur)")
    evaluate_parser.add_argument("--model", type=Path, default=None, help="bundle folder (default: newest)")
    evaluate_parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    evaluate_parser.set_defaults(handler=lambda args: run_evaluate(args, defaults))

    data_parser = commands.add_parser("data", help="datasets: fetch and check")
    data_commands = data_parser.add_subparsers(dest="data_command", required=True)
    fetch_parser = data_commands.add_parser("fetch", help="download the catalogue's datasets, check sha256")
    fetch_parser.add_argument("--data", type=Path, default=defaults.datasets_dir, help="datasets directory")
    fetch_parser.add_argument("names", nargs="*", help="datasets to fetch (default: all)")
    fetch_parser.set_defaults(handler=lambda args: run_fetch(args))
    status_parser = data_commands.add_parser("status", help="which datasets are present and intact")
    status_parser.add_argument("--data", type=Path, default=defaults.datasets_dir, help="datasets directory")
    status_parser.set_defaults(handler=lambda args: run_status(args))


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number


def _bundle_path(requested: Path | None, defaults: ClassifierDefaults) -> Path:
    from classifier.bundle import latest_bundle

    path = requested or latest_bundle(defaults.models_dir)
    if path is None:
        raise UsageError(f"no model in {defaults.models_dir}; run `moderation train` first or pass --model")
    return path


def _load(requested: Path | None, defaults: ClassifierDefaults) -> Bundle:
    from classifier.bundle import BundleError, load_bundle

    try:
        return load_bundle(_bundle_path(requested, defaults), cache_dir=defaults.encoder_cache_dir)
    except BundleError as error:
        raise UsageError(str(error)) from error


def train_with_progress(sources: TrainingSources, out: Path, cache_dir: Path | None = None) -> TrainResult:
    """Train into ``out`` with the datasets found and a progress bar on stderr (`train`, `run`).

    Prints which datasets were found, the bar, a warning when the model is a demo, and the headline
    metrics; raises UsageError when there is nothing to train on.
    """
    from tqdm import tqdm

    from classifier.datasets.catalogue import find_datasets
    from classifier.training import train

    if sources.datasets_dir is not None:
        for name, state in find_datasets(sources.datasets_dir).items():
            print(f"  {name}: {state.state}", file=sys.stderr)
    # No monitor thread: `moderation run` forks its children right after training.
    tqdm.monitor_interval = 0
    stages = tqdm(total=6, desc="training", unit="step", file=sys.stderr, leave=True)

    def progress(message: str) -> None:
        stages.set_postfix_str(message)
        stages.update(1)

    try:
        result = train(sources, out, progress, cache_dir=cache_dir)
    except ValueError as error:
        raise UsageError(str(error)) from error
    finally:
        stages.close()
    metadata = result.metadata
    if metadata["demo"]:
        print("DEMO MODEL: no public dataset was found, so this model learned from the seed set alone "
              "and is not fit for moderation. Run `moderation data fetch` first.", file=sys.stderr)
    for head, figures in metadata["metrics"].items():
        print(f"  {head}: ROC-AUC {figures['roc_auc']}, PR-AUC {figures['pr_auc']}, "
              f"threshold {metadata['thresholds'][head]:.3f}", file=sys.stderr)
    return result


def run_train(args: argparse.Namespace, defaults: ClassifierDefaults) -> int:
    """`moderation train`: report which datasets were found, train, and print where the bundle went."""
    from classifier.datasets.loaders import load_labelled_csv
    from classifier.training import TrainingSources

    given = args.data or [defaults.datasets_dir]
    # A file (or a name ending in .csv) is a labelled CSV; anything else is the datasets directory, which
    # may be missing (training then says which datasets it did not find, as it always has).
    labelled = tuple(path for path in given if path.is_file() or path.suffix.lower() == ".csv")
    folders = [path for path in given if path not in labelled]
    if len(folders) > 1:
        raise UsageError("give at most one datasets directory (any number of labelled CSVs)")
    for path in labelled:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        try:
            load_labelled_csv(path, "check")
        except (KeyError, ValueError, UnicodeDecodeError) as error:
            raise UsageError(f"{path}: not a labelled CSV with columns text,hostility,slur ({error})") from error
    datasets = folders[0] if folders else defaults.datasets_dir
    sources = TrainingSources(datasets, args.seed, defaults.hate_symbols_path, labelled, args.rows_per_source)
    result = train_with_progress(sources, args.out, defaults.encoder_cache_dir)
    print(result.path)
    return 0


def _read_requests(stream: BinaryIO, errors: TextIO) -> Iterator[tuple[int, object, str] | None]:
    """Yield (line number, id, text) per valid line and None per invalid one (already reported)."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            print(f"moderation score: line {number}: not valid UTF-8", file=errors)
            yield None
            continue
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as error:
            print(f"moderation score: line {number}: invalid JSON ({error.msg})", file=errors)
            yield None
            continue
        problem = None
        if not isinstance(request, dict):
            problem = "expected a JSON object {\"id\", \"text\"}"
        elif "id" not in request:
            problem = "missing \"id\""
        elif not isinstance(request.get("text"), str):
            problem = "missing \"text\"" if "text" not in request else "\"text\" must be a string"
        if problem:
            print(f"moderation score: line {number}: {problem}", file=errors)
            yield None
            continue
        yield number, request["id"], request["text"]


def run_score(args: argparse.Namespace, defaults: ClassifierDefaults) -> int:
    """`moderation score`: one JSON line out per valid line in, in order; bad lines named on stderr.

    A bad line does not stop the run (the rest are still scored) but makes the exit status 2, and
    nothing is written to stdout for it.
    """
    from classifier.scoring import Scorer

    scorer = Scorer(_load(args.model, defaults))
    failed = False
    batch: list[tuple[object, str]] = []

    def flush() -> None:
        results = scorer.score_many([text for _, text in batch])
        for (identifier, _), result in zip(batch, results, strict=True):
            sys.stdout.write(json.dumps({"id": identifier, **result.as_dict()}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        batch.clear()

    for request in _read_requests(sys.stdin.buffer, sys.stderr):
        if request is None:
            failed = True
            continue
        _, identifier, text = request
        batch.append((identifier, text))
        if len(batch) >= SCORE_BATCH:
            flush()
    if batch:
        flush()
    return 2 if failed else 0


def run_evaluate(args: argparse.Namespace, defaults: ClassifierDefaults) -> int:
    """`moderation evaluate`: metrics of a bundle on a datasets folder or a labelled CSV."""
    from classifier.corpus import labels_of, load_corpus
    from classifier.datasets.catalogue import sha256_file
    from classifier.datasets.loaders import load_labelled_csv
    from classifier.evaluation import evaluate
    from classifier.training import scores_of

    bundle = _load(args.model, defaults)
    if args.data.is_file():
        try:
            examples = load_labelled_csv(args.data, args.data.stem)
        except (KeyError, ValueError, UnicodeDecodeError) as error:
            raise UsageError(f"{args.data}: not a labelled CSV with columns text,hostility,slur ({error})") from error
        trained_on = {sha256_file(args.data)} & {
            digest for files in bundle.metadata.get("datasets", {}).values() for digest in files.values()
        }
    elif args.data.is_dir():
        corpus = load_corpus(args.data, None)
        examples = corpus.examples
        trained_on = {
            name for name, files in corpus.found.items() if bundle.metadata.get("datasets", {}).get(name) == files
        }
    else:
        raise UsageError(f"{args.data}: no such file or directory")
    if not examples:
        raise UsageError(f"{args.data}: no labelled rows found")
    if trained_on:
        print(f"note: this model was trained on part of {', '.join(sorted(map(str, trained_on)))}; these "
              "figures overstate its quality (its held-out figures are in the bundle's report.json)",
              file=sys.stderr)
    scores = scores_of(bundle.model, [e.text for e in examples])
    report = evaluate(labels_of(examples), scores, [e.source for e in examples], bundle.thresholds)
    if args.json:
        print(json.dumps({"model": bundle.version, "report": report}, indent=2))
        return 0
    print(f"model {bundle.version} on {args.data} ({len(examples):,} rows)")
    for head, figures in report.items():
        print(f"{head:10} n={figures['n']:<7} ROC-AUC={figures.get('roc_auc')}  PR-AUC={figures.get('pr_auc')}  "
              f"F1={figures['f1']} at {figures['threshold']}")
        for source, by_source in figures["by_source"].items():
            print(f"  {source:44} n={by_source['n']:<7} ROC-AUC={by_source.get('roc_auc')}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    """`moderation data fetch`: download what the catalogue can download, verifying sha256."""
    from classifier.datasets.fetch import fetch

    try:
        results = fetch(args.data, args.names or None)
    except ValueError as error:  # an unknown dataset name, before anything was downloaded
        raise UsageError(str(error)) from error
    for result in results:
        detail = f" ({result.message})" if result.message else ""
        print(f"  {result.dataset}/{result.name}: {result.status}{detail}", file=sys.stderr)
    return 0 if all(result.ok for result in results) else 1


def run_status(args: argparse.Namespace) -> int:
    """`moderation data status`: which datasets are present, missing or damaged."""
    from classifier.datasets.catalogue import find_datasets

    for name, state in find_datasets(args.data).items():
        print(f"{name}: {state.state}")
    return 0

