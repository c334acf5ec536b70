"""Speed and memory of our classifier in a fresh process that only loads a bundle, as a worker would.

    python bench/_speed_probe.py BUNDLE_DIR TEXTS_JSON [ENCODER_CACHE]   → one JSON line of figures

Run by bench/classifier.py; the peer is measured the same way in its own process.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifier.bundle import load_bundle
from classifier.scoring import Scorer


def _best_rate(work, count: int, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return count / best


def main() -> None:
    bundle_path, texts_path = Path(sys.argv[1]), Path(sys.argv[2])
    cache = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    texts = json.loads(texts_path.read_text(encoding="utf-8"))
    scorer = Scorer(load_bundle(bundle_path, cache_dir=cache))
    model = scorer.bundle.model
    model.predict_proba(texts[:50])  # load the encoder and warm the caches, as a running worker's are
    batch = _best_rate(lambda: model.predict_proba(texts), len(texts), repeat=2)
    with_spans = _best_rate(lambda: scorer.score_many(texts), len(texts), repeat=2)
    latencies = []
    for text in texts:
        started = time.perf_counter()
        scorer.score(text)
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    print(json.dumps({
        "batch_per_s": batch,
        "batch_with_spans_per_s": with_spans,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
        "peak_rss_mb": peak,
    }))


if __name__ == "__main__":
    main()
