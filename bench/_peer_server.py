"""JSON-lines server around alt-profanity-check, run inside bench/.peer-venv by bench/peer.py.

Imports only ``profanity_check`` and the standard library. Protocol: one JSON object per line.

* On start it writes ``{"ready": true, "load_seconds": ..., "pid": ...}`` once the model is loaded
  (or ``{"ready": false, "error": ...}`` and exits 1 if loading fails).
* Each request ``{"id": N, "op": OP, ...}`` gets exactly one answer
  ``{"id": N, "ok": true, "result": ...}`` or ``{"id": N, "ok": false, "error": ..., "traceback": ...}``.

Ops: ``predict_prob`` (texts), ``timed_batch`` (texts, repeat), ``timed_single`` (texts, warmup),
``peak_rss_mb``, ``version``, ``shutdown``.

The protocol stream is a private duplicate of the original stdout; file descriptor 1 and
``sys.stdout`` are pointed at stderr, so nothing a library prints can corrupt the answers.
JSON is written with ``ensure_ascii`` so any text (emoji, newlines, lone surrogates) survives.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from importlib import metadata
from typing import Any, TextIO

warnings.simplefilter("ignore")  # e.g. sklearn InconsistentVersionWarning on unpickling


def _protocol_streams() -> tuple[TextIO, TextIO]:
    """Return (requests in, answers out) and divert fd 1 / sys.stdout to stderr."""
    out_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    answers = os.fdopen(out_fd, "w", encoding="utf-8", newline="\n")
    requests = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="\n")
    return requests, answers


def _send(out: TextIO, obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=True) + "\n")
    out.flush()


def _texts(req: dict[str, Any]) -> list[str]:
    texts = req["texts"]
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a list of str")
    return texts


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (VmHWM, else ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB -> MiB
    except OSError:
        pass
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else maxrss / 1024.0


def main() -> int:
    """Load the model, then answer requests until shutdown or end of input."""
    requests, answers = _protocol_streams()
    t0 = time.perf_counter()
    try:
        import profanity_check
    except BaseException as exc:  # report anything, including SystemExit from a broken install
        _send(answers, {"ready": False, "error": f"{type(exc).__name__}: {exc}",
                        "traceback": traceback.format_exc()})
        return 1
    load_seconds = time.perf_counter() - t0
    predict_prob = profanity_check.predict_prob

    def score(texts: list[str]) -> list[float]:
        return [float(p) for p in predict_prob(texts)]

    def op_timed_batch(req: dict[str, Any]) -> dict[str, float]:
        texts = _texts(req)
        repeat = int(req.get("repeat", 3))
        if not texts or repeat < 1:
            raise ValueError("timed_batch needs at least one text and repeat >= 1")
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            predict_prob(texts)
            best = min(best, time.perf_counter() - start)
        return {"best_seconds": best, "n": len(texts)}

    def op_timed_single(req: dict[str, Any]) -> list[float]:
        texts = _texts(req)
        if texts and req.get("warmup", True):
            predict_prob([texts[0]])
        latencies = []
        for text in texts:
            start = time.perf_counter()
            predict_prob([text])
            latencies.append(time.perf_counter() - start)
        return latencies

    def op_version(_req: dict[str, Any]) -> dict[str, str]:
        return {"alt-profanity-check": metadata.version("alt-profanity-check"),
                "scikit-learn": metadata.version("scikit-learn"),
                "python": sys.version.split()[0]}

    handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
        "predict_prob": lambda req: score(_texts(req)),
        "timed_batch": op_timed_batch,
        "timed_single": op_timed_single,
        "peak_rss_mb": lambda _req: _peak_rss_mb(),
        "version": op_version,
        "shutdown": lambda _req: None,
    }

    _send(answers, {"ready": True, "load_seconds": load_seconds, "pid": os.getpid()})
    for line in requests:
        if not line.strip():
            continue
        req_id = None
        op = None
        try:
            req = json.loads(line)
            req_id = req.get("id")
            op = req["op"]
            if op not in handlers:
                raise ValueError(f"unknown op {op!r}")
            answer = {"id": req_id, "ok": True, "result": handlers[op](req)}
        except Exception as exc:
            answer = {"id": req_id, "ok": False, "error": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc()}
        _send(answers, answer)
        if op == "shutdown":
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
