"""Benchmark: a long run at a steady rate with faults in the middle; nothing may be lost or scored twice.

    .venv/bin/python bench/soak.py [--minutes 30] [--rate 50] [--report-share 0.05]

Against `moderation web` (gunicorn, 2 workers) and two `moderation worker` processes (one solo-pool
worker each) on PostgreSQL (a database created for the run on 127.0.0.1:5432 and dropped after it) and a
Redis server of its own (started here on --redis-port, without persistence, so that restarting it loses
every queued message). The load is open loop: --rate comments/s at fixed send times, a reader report
after --report-share of them (on a random comment posted earlier), and a moderator who works the queue
in parallel (reads the oldest held comments and approves or rejects each). In the middle:

- at 40% of the run, Redis is stopped for --redis-down seconds and started again, empty;
- at 70% of the run, one worker is killed with SIGKILL and started again --worker-down seconds later.

After the load, the run waits (up to --drain seconds) until every accepted comment is scored, then
reports: comments accepted, scored, lost (accepted but still pending), scored twice (a scoring outcome
logged twice for one comment by the workers), the p50/p99 latency from the start of the POST to the
worker's ``scored_at`` for comments posted outside the fault windows (from a fault's start until
--window seconds after it ended) and inside them, and the resident memory (RSS) of every process after
the warm-up (--warm-up seconds into the load) and at the end of the load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from bench.pipeline import Processes, comment_body, postgres_database, prepare, wait_http  # noqa: E402
from classifier.bundle import latest_bundle  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.infra.db import make_engine, make_sessions  # noqa: E402
from service.infra.models import Comment  # noqa: E402
from tests.integration.fault_tools import RedisServer  # noqa: E402  (the fault tests' own redis-server)

SCORED_LINE = re.compile(r"comment (\d+): (published|held|rejected)\b")
"""What the score task logs after committing a verdict (worker/tasks.py); "already scored" is not one."""


def call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None,
         timeout: float = 30) -> tuple[int, dict]:
    """One HTTP request on a fresh connection; (0, {}) when the connection fails."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                           headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw and response.getheader("Content-Type", "").startswith(
            "application/json") else {}
    except OSError:
        return 0, {}
    finally:
        connection.close()


def rss_kib(pid: int) -> int | None:
    """Resident set size of a process in KiB (None once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children_of(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


@dataclass
class Load:
    """What the load generator saw."""

    sent_at: dict[int, float] = field(default_factory=dict)
    failures: Counter = field(default_factory=Counter)
    reports: Counter = field(default_factory=Counter)
    decisions: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def moderator(port: int, token: str, stop: threading.Event, load: Load) -> None:
    """Works the queue until told to stop: the oldest held comments, approved or rejected in turn."""
    choice = random.Random(7)
    while not stop.is_set():
        status, body = call(port, "GET", "/api/v1/moderation/queue?sort=oldest&per_page=10", token=token)
        if status != 200:
            with load.lock:
                load.decisions[f"queue {status}"] += 1
            stop.wait(1.0)
            continue
        for item in body.get("items", []):
            action = "approve" if choice.random() < 0.5 else "reject"
            status, _ = call(port, "POST", f"/api/v1/moderation/comments/{item['id']}/decision",
                             {"action": action, "reason": "soak"}, token=token)
            with load.lock:
                load.decisions[status] += 1
            if stop.is_set():
                return
        stop.wait(1.0)


def generate(port: int, rate: float, seconds: float, report_share: float, load: Load) -> None:
    """Open loop: comment number n is sent at start + n / rate; some are followed by a report."""
    choice = random.Random(11)

    def post(number: int) -> None:
        started = time.time()
        status, body = call(port, "POST", "/api/v1/comments", comment_body(number))
        with load.lock:
            if status == 202:
                load.sent_at[body["id"]] = started
            else:
                load.failures[status] += 1
            known = list(load.sent_at) if choice.random() < report_share else None
        if known:
            target = choice.choice(known[-500:])
            status, _ = call(port, "POST", f"/api/v1/comments/{target}/reports",
                             {"reason": "soak report", "reporter_id": f"reader-{number % 97}"})
            with load.lock:
                load.reports[status] += 1

    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for number in range(int(rate * seconds)):
            delay = begin + number / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(post, number)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="duration of the load")
    parser.add_argument("--rate", type=float, default=50.0, help="comments per second")
    parser.add_argument("--report-share", type=float, default=0.05, help="share of comments followed by a report")
    parser.add_argument("--redis-port", type=int, default=18601, help="port of the benchmark's own redis-server")
    parser.add_argument("--web-port", type=int, default=18602)
    parser.add_argument("--redis-down", type=float, default=10.0, help="seconds Redis stays stopped")
    parser.add_argument("--worker-down", type=float, default=10.0, help="seconds before the killed worker restarts")
    parser.add_argument("--window", type=float, default=120.0,
                        help="seconds after a fault ends that still count as its window")
    parser.add_argument("--warm-up", type=float, default=60.0, help="seconds into the load of the first RSS sample")
    parser.add_argument("--drain", type=float, default=300.0, help="how long to wait for the last comments")
    parser.add_argument("--sweep-interval", type=float, default=None, help="MODERATION_SWEEP_INTERVAL_SECONDS")
    parser.add_argument("--sweep-age", type=float, default=None, help="MODERATION_SWEEP_AGE_SECONDS")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()

    model = latest_bundle(load_settings().models_dir)
    if model is None:
        print("no model: run `make model` first", file=sys.stderr)
        return 2
    seconds = args.minutes * 60
    warm_up = min(args.warm_up, seconds / 10)
    folder = Path(tempfile.mkdtemp(prefix="moderation-soak-"))
    print(f"soak: logs in {folder}", file=sys.stderr)
    processes = Processes(folder)
    redis_server = RedisServer(folder, port=args.redis_port)
    redis_server.start()
    results: dict[str, object] = {}
    try:
        with postgres_database() as database_url:
            config = {"MODERATION_VAR_DIR": str(folder / "var"), "MODERATION_MODELS_DIR": str(model.parent),
                      "DATABASE_URL": database_url, "BROKER_URL": f"redis://127.0.0.1:{args.redis_port}/0",
                      # One client IP posts everything here: the per-IP limits would refuse the load itself.
                      "MODERATION_RATE_LIMITS": "false"}
            if args.sweep_interval:
                config["MODERATION_SWEEP_INTERVAL_SECONDS"] = str(args.sweep_interval)
            if args.sweep_age:
                config["MODERATION_SWEEP_AGE_SECONDS"] = str(args.sweep_age)
            env = prepare(config, model)
            token = subprocess.run([sys.executable, "-m", "service.cli", "moderators", "add", "soak-moderator"],
                                   env=env, cwd=REPOSITORY, capture_output=True, text=True, check=True).stdout.strip()
            web = processes.start("web", [sys.executable, "-m", "service.cli", "web", "--port", str(args.web_port),
                                          "--workers", "2"], env)
            worker_argv = [sys.executable, "-m", "service.cli", "worker", "--concurrency", "1", "--loglevel", "INFO"]
            workers = {"worker-1": processes.start("worker-1", worker_argv, env),
                       "worker-2": processes.start("worker-2", worker_argv, env)}
            wait_http(args.web_port, "/healthz")
            status, body = call(args.web_port, "POST", "/api/v1/comments", comment_body(0))
            assert status == 202, body
            deadline = time.monotonic() + 120
            while call(args.web_port, "GET", f"/api/v1/comments/{body['id']}")[1].get("status") == "pending":
                if time.monotonic() > deadline:
                    raise RuntimeError("the warm-up comment was not scored within 120 s")
                time.sleep(0.2)

            load = Load()
            stop = threading.Event()
            windows: list[tuple[str, float, float]] = []
            memory: dict[str, dict[str, int | None]] = {}

            def processes_now() -> dict[str, int]:
                named = {"web (gunicorn master)": web.pid, "redis-server": redis_server.process.pid}
                for number, child in enumerate(sorted(children_of(web.pid)), start=1):
                    named[f"web worker {number}"] = child
                for name, process in workers.items():
                    named[name] = process.pid
                return named

            def sample(label: str) -> None:
                for name, pid in processes_now().items():
                    memory.setdefault(name, {})[label] = rss_kib(pid)
                    memory[name][f"{label} pid"] = pid

            def faults(begin: float) -> None:
                stop.wait(warm_up)
                sample("start")
                stop.wait(max(0.0, begin + seconds * 0.4 - time.time()))
                if stop.is_set():
                    return
                started = time.time()
                print(f"soak: stopping Redis for {args.redis_down:.0f} s", file=sys.stderr)
                redis_server.stop()
                stop.wait(args.redis_down)
                redis_server.start()
                windows.append(("Redis restart", started, time.time()))
                stop.wait(max(0.0, begin + seconds * 0.7 - time.time()))
                if stop.is_set():
                    return
                started = time.time()
                print("soak: SIGKILL worker-2", file=sys.stderr)
                os.killpg(workers["worker-2"].pid, signal.SIGKILL)
                workers["worker-2"].wait()
                processes.running.remove(workers["worker-2"])
                stop.wait(args.worker_down)
                workers["worker-2"] = processes.start("worker-2", worker_argv, env)
                windows.append(("worker-2 SIGKILL", started, time.time()))

            begin = time.time()
            fault_thread = threading.Thread(target=faults, args=(begin,))
            moderator_thread = threading.Thread(target=moderator, args=(args.web_port, token, stop, load))
            fault_thread.start()
            moderator_thread.start()
            print(f"soak: {args.rate:.0f} comments/s for {args.minutes:g} min", file=sys.stderr)
            generate(args.web_port, args.rate, seconds, args.report_share, load)
            load_seconds = time.time() - begin
            sample("end")
            stop.set()
            fault_thread.join()
            moderator_thread.join()

            engine = make_engine(database_url)
            sessions = make_sessions(engine)
            ids = list(load.sent_at)
            deadline = time.monotonic() + args.drain
            while True:
                with sessions() as session:
                    scored = dict(session.query(Comment.id, Comment.scored_at).filter(Comment.scored_at.is_not(None)))
                missing = [comment_id for comment_id in ids if comment_id not in scored]
                if not missing or time.monotonic() > deadline:
                    break
                time.sleep(1.0)
            engine.dispose()
            processes.stop_all()

            outcomes: Counter = Counter()
            for log in folder.glob("worker-*.log"):
                for match in SCORED_LINE.finditer(log.read_text(errors="replace")):
                    outcomes[int(match.group(1))] += 1
            twice = sorted(comment_id for comment_id, count in outcomes.items() if count > 1)
            resent = sum(log.read_text(errors="replace").count("re-sent the scoring tasks")
                         for log in folder.glob("worker-*.log"))

            def in_window(moment: float) -> bool:
                return any(start <= moment <= end + args.window for _, start, end in windows)

            outside, inside = [], []
            for comment_id, started in load.sent_at.items():
                if comment_id in scored:
                    moment = scored[comment_id]
                    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
                    (inside if in_window(started) else outside).append((moment.timestamp() - started) * 1000)

            def percentiles(values: list[float]) -> dict[str, float | None]:
                if not values:
                    return {"count": 0, "p50": None, "p99": None, "max": None}
                array = np.array(values)
                return {"count": len(values), "p50": float(np.percentile(array, 50)),
                        "p99": float(np.percentile(array, 99)), "max": float(array.max())}

            results = {
                "minutes": args.minutes, "rate": args.rate, "load_seconds": load_seconds,
                "sent": int(args.rate * seconds), "accepted": len(ids), "post_failures": dict(load.failures),
                "scored": len(ids) - len(missing), "lost": len(missing), "lost_ids": missing[:20],
                "scored_twice": len(twice), "scored_twice_ids": twice[:20],
                "scoring_outcomes_logged": sum(outcomes.values()), "sweeps_that_resent": resent,
                "reports": dict(load.reports), "decisions": dict(load.decisions),
                "windows": [(name, round(start - begin, 1), round(end - begin, 1)) for name, start, end in windows],
                "latency_outside_ms": percentiles(outside), "latency_inside_ms": percentiles(inside),
                "memory_kib": memory, "warm_up_seconds": warm_up,
            }
    finally:
        processes.stop_all()
        redis_server.stop()
    print(report(results, args))
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "results": results},
                                        indent=2, default=str))
    return 0 if results.get("lost") == 0 and results.get("scored_twice") == 0 else 1


def report(results: dict, args: argparse.Namespace) -> str:
    """The results as Markdown."""
    out = [f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}.", "",
           f"{results['rate']:.0f} comments/s for {results['minutes']:g} min "
           f"(load ran {results['load_seconds']:.0f} s); faults at (s into the load): "
           + "; ".join(f"{name} {start}–{end}" for name, start, end in results["windows"]), "",
           "| sent | accepted | scored | lost | scored twice | POST failures | reports (status: count) | "
           "moderator decisions (status: count) |", "|---:|---:|---:|---:|---:|---|---|---|",
           f"| {results['sent']} | {results['accepted']} | {results['scored']} | {results['lost']} "
           f"| {results['scored_twice']} | {results['post_failures'] or 0} | {results['reports']} "
           f"| {results['decisions']} |", "",
           f"Sweeper passes that re-sent tasks: {results['sweeps_that_resent']}; scoring outcomes logged: "
           f"{results['scoring_outcomes_logged']}.", "",
           "| POST start → scored_at | comments | p50 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for key, label in (("latency_outside_ms", "outside the fault windows"),
                       ("latency_inside_ms", f"inside them (fault start to {args.window:.0f} s after its end)")):
        row = results[key]
        shown = [f"{row[k]:.0f}" if row[k] is not None else "–" for k in ("p50", "p99", "max")]
        out.append(f"| {label} | {row['count']} | {' | '.join(shown)} |")
    out += ["", f"| process | RSS after {results['warm_up_seconds']:.0f} s (MiB) | RSS at the end (MiB) | growth |",
            "|---|---:|---:|---:|"]
    for name, values in results["memory_kib"].items():
        start, end = values.get("start"), values.get("end")
        same = values.get("start pid") == values.get("end pid")
        growth = f"{(end - start) / start:+.1%}" if start and end and same else "restarted" if not same else "–"
        cells = [f"{v / 1024:.1f}" if v else "–" for v in (start, end)]
        out.append(f"| {name} | {cells[0]} | {cells[1]} | {growth} |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
