"""Benchmark: the API under gunicorn, and a comment's end-to-end latency from POST to scored.

    .venv/bin/python bench/pipeline.py [--seconds 60] [--rate 100] [--api-seconds 20] [--clients 8]

(a) Throughput and p50/p99 latency of POST /api/v1/comments under gunicorn (2 workers) on PostgreSQL +
    Redis, closed loop with --clients concurrent connections for --api-seconds, next to a bare Flask app
    (bench/_hello_app.py) under the same gunicorn settings in the same run. No worker runs during (a):
    the figure is the API's own.
(b) End to end at --rate comments/s for --seconds (open loop: send times are fixed in advance, so a
    slow server shows up as latency, not as a lower rate) with `moderation worker --concurrency 2` on
    PostgreSQL + Redis: p50/p99 from the start of the POST to the worker's scored_at, and how many were
    lost (accepted but still pending after a drain period).
(c) The same on the embedded default (SQLite file and filesystem broker), with `moderation worker` as
    `moderation run` starts it (one process).

Everything runs on this machine over loopback; servers and workers are real processes started with the
`moderation` command. PostgreSQL gets a database created for the run and dropped after it; Redis a
database number (--redis-db) flushed before and after. The model is the newest bundle in the configured
models directory (`make model`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import numpy as np
from sqlalchemy import delete

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from classifier.bundle import latest_bundle  # noqa: E402
from service.cli.web import DEFAULT_THREADS  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.infra.db import make_engine, make_sessions, upgrade  # noqa: E402
from service.infra.models import Comment  # noqa: E402
from service.lifecycle.active_model import register_bundle  # noqa: E402

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TEXTS = [
    "Oh wonderful, another summit where everyone agrees to agree on nothing 🙃",
    "The sanctions were always going to hurt ordinary people more than the regime.",
    "You are a pathetic idiot and a liar, shut up already.",
    "Good piece — the map of the front line really helps. Thanks!",
    "Typical French, they'd surrender the negotiating table before the talks even start 🏳️😂",
    "Source? Because the numbers in the second paragraph don't match the ministry's report.",
]


@dataclass
class Latencies:
    """Per-request latencies (seconds) and counts of one measurement."""

    seconds: float
    samples: list[float] = field(default_factory=list)
    errors: int = 0

    def row(self) -> dict[str, object]:
        values = np.array(self.samples) * 1000 if self.samples else np.array([np.nan])
        return {"requests": len(self.samples), "rate": len(self.samples) / self.seconds,
                "p50": float(np.percentile(values, 50)), "p99": float(np.percentile(values, 99)),
                "errors": self.errors}


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """One HTTP request on a fresh connection (gunicorn's sync workers close the connection after each)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, json.loads(raw) if is_json and raw else {}
    finally:
        connection.close()


def comment_body(number: int) -> dict:
    """A realistic submission; articles and authors vary so no index sees one hot key only."""
    return {"article_id": f"world/2026/article-{number % 50}", "author": {"id": f"reader-{number % 400}",
            "name": "Marta Nowak"}, "text": TEXTS[number % len(TEXTS)]}


class Processes:
    """Child processes of the benchmark, stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(argv, cwd=REPOSITORY, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def wait_http(port: int, path: str, timeout: float = 60.0) -> None:
    """Wait until GET ``path`` answers (any status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request(port, "GET", path)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} did not answer {path} within {timeout:.0f} s")


def start_web(processes: Processes, env: dict[str, str], name: str, app_uri: str | None = None) -> int:
    """gunicorn with 2 workers (the service via `moderation web`, or another app with the same settings)."""
    port = free_port()
    if app_uri is None:
        argv = [sys.executable, "-m", "service.cli", "web", "--port", str(port), "--workers", "2"]
    else:
        argv = [sys.executable, "-c",
                # the same threads as the service's own server
                f"from service.cli.web import serve; serve('127.0.0.1', {port}, 2, app_uri={app_uri!r})"]
    processes.start(name, argv, env)
    wait_http(port, "/healthz")
    return port


def closed_loop(port: int, path: str, clients: int, seconds: float) -> Latencies:
    """``clients`` threads sending POSTs back to back for ``seconds``."""
    stop_at = time.perf_counter() + seconds
    results = Latencies(seconds)
    lock = threading.Lock()

    def client(offset: int) -> None:
        number = offset
        mine: list[float] = []
        errors = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                status, _ = request(port, "POST", path, comment_body(number))
                ok = status == 202
            except OSError:
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                errors += 1
            number += clients
        with lock:
            results.samples.extend(mine)
            results.errors += errors

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@dataclass
class EndToEnd:
    """Result of an open-loop run: what was sent, what got scored, and the latencies of those."""

    sent: int
    accepted: int
    scored: int
    lost: int
    achieved_rate: float
    latencies_ms: np.ndarray

    def row(self) -> dict[str, object]:
        values = self.latencies_ms if len(self.latencies_ms) else np.array([np.nan])
        return {"sent": self.sent, "accepted": self.accepted, "scored": self.scored, "lost": self.lost,
                "rate": self.achieved_rate, "p50": float(np.percentile(values, 50)),
                "p99": float(np.percentile(values, 99)), "max": float(values.max())}


def open_loop(port: int, database_url: str, rate: float, seconds: float, drain: float) -> EndToEnd:
    """POST at a fixed ``rate`` for ``seconds``; then wait up to ``drain`` s for the worker to catch up."""
    total = int(rate * seconds)
    sent_at: dict[int, float] = {}
    failures = 0
    lock = threading.Lock()

    def send(number: int) -> None:
        nonlocal failures
        started = time.time()
        try:
            status, body = request(port, "POST", "/api/v1/comments", comment_body(number))
        except OSError:
            status, body = 0, {}
        with lock:
            if status == 202:
                sent_at[body["id"]] = started
            else:
                failures += 1

    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for number in range(total):
            due = begin + number / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, number)
    elapsed = time.perf_counter() - begin

    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    deadline = time.monotonic() + drain
    ids = list(sent_at)
    while True:
        with sessions() as session:
            rows = session.query(Comment.id, Comment.scored_at).filter(Comment.id.in_(ids)).all()
        scored = {row.id: row.scored_at for row in rows if row.scored_at is not None}
        if len(scored) == len(ids) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    engine.dispose()
    latencies = []
    for comment_id, scored_at in scored.items():
        moment = scored_at if scored_at.tzinfo else scored_at.replace(tzinfo=UTC)
        latencies.append((moment.timestamp() - sent_at[comment_id]) * 1000)
    return EndToEnd(sent=total, accepted=len(ids), scored=len(scored), lost=len(ids) - len(scored),
                    achieved_rate=len(ids) / elapsed, latencies_ms=np.array(sorted(latencies)))


def warm_up(port: int, database_url: str) -> None:
    """One comment through the whole path, so model loading is not part of any figure."""
    status, body = request(port, "POST", "/api/v1/comments", comment_body(0))
    assert status == 202, body
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, current = request(port, "GET", f"/api/v1/comments/{body['id']}")
        if current.get("status") != "pending":
            return
        time.sleep(0.1)
    raise RuntimeError("the warm-up comment was not scored within 60 s; is the worker running?")


COUNTED_NEVER_REFUSED = "1000000/minute;10000000/hour"
"""With --rate-limits: limits that every POST counts (in Redis, in production) and none ever reaches; two
windows each, like the defaults."""


def prepare(config: dict[str, str], model: Path, rate_limits: bool = False) -> dict[str, str]:
    """Migrate, register the model, and return the environment for the child processes."""
    upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    with make_sessions(engine)() as session:
        register_bundle(session, model, activate=True)
        session.commit()
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODERATION_", "DATABASE_URL", "BROKER_URL"))}
    # One client IP posts everything here: the per-IP rate limits would refuse the load itself. With
    # --rate-limits they are on but too high to refuse anything, so the figures include their counting.
    limits = {"MODERATION_RATE_LIMITS": "false"}
    if rate_limits:
        limits = {"MODERATION_RATE_LIMITS": "true", "MODERATION_LIMIT_COMMENTS_PER_IP": COUNTED_NEVER_REFUSED,
                  "MODERATION_LIMIT_COMMENTS_PER_AUTHOR": COUNTED_NEVER_REFUSED}
    return {**env, **config, "OMP_NUM_THREADS": "1", **limits}


@contextmanager
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database for this run (dropped after it); its SQLAlchemy URL."""
    import psycopg

    name = f"moderation_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_and_redis(redis_db: int) -> Iterator[tuple[str, str]]:
    """A PostgreSQL database and a flushed Redis database for this run (both cleaned up after)."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=redis_db)
    client.flushdb()
    try:
        with postgres_database() as database_url:
            yield database_url, f"redis://127.0.0.1:6379/{redis_db}"
    finally:
        client.flushdb()
        client.close()


def run_api(args: argparse.Namespace, processes: Processes, env: dict[str, str]) -> dict[str, dict]:
    """Part (a): the API and the bare app side by side, each measured in turn, --rounds times alternating.

    Alternating rounds spread whatever else the machine does over both apps; the figure kept for each
    app is the median of its rounds.
    """
    api = start_web(processes, env, "web-pg")
    hello = start_web(processes, env, "hello", app_uri="bench._hello_app:create_app()")
    closed_loop(api, "/api/v1/comments", args.clients, 2.0)  # warm both before measuring
    closed_loop(hello, "/hello", args.clients, 2.0)
    rounds: dict[str, list[dict]] = {"api": [], "hello": []}
    for number in range(1, args.rounds + 1):
        for key, port, path in (("api", api, "/api/v1/comments"), ("hello", hello, "/hello")):
            print(f"(a) round {number}/{args.rounds}: POST {path}, {args.clients} clients, {args.api_seconds:.0f} s …",
                  file=sys.stderr)
            rounds[key].append(closed_loop(port, path, args.clients, args.api_seconds).row())
    processes.stop_all()
    results = {}
    for key, rows in rounds.items():
        ordered = sorted(rows, key=lambda row: row["rate"])
        results[key] = {**ordered[len(ordered) // 2], "rounds": [round(row["rate"]) for row in rows]}
    return results


def run_postgres(args: argparse.Namespace, model: Path, folder: Path) -> dict[str, dict]:
    """Parts (a) and (b): PostgreSQL + Redis."""
    results: dict[str, dict] = {}
    processes = Processes(folder)
    try:
        with postgres_and_redis(args.redis_db) as (database_url, broker_url):
            env = prepare({"MODERATION_VAR_DIR": str(folder / "pg"), "MODERATION_MODELS_DIR": str(model.parent),
                           "DATABASE_URL": database_url, "BROKER_URL": broker_url}, model, args.rate_limits)
            if "api" not in args.skip:
                results.update(run_api(args, processes, env))
            if "e2e" in args.skip:
                return results
            # Start (b) from an empty queue and no backlog: what (a) posted is not the worker's job here.
            # Its comments are deleted too, or the worker's sweeper would re-send the thousands still
            # pending (older than the sweep age by then) and (b) would measure that backlog instead.
            import redis

            redis.Redis.from_url(broker_url).flushdb()
            engine = make_engine(database_url)
            with engine.begin() as connection:
                connection.execute(delete(Comment))
            engine.dispose()
            api = start_web(processes, env, "web-pg-e2e")
            processes.start("worker-pg", [sys.executable, "-m", "service.cli", "worker", "--concurrency", "2",
                                          "--loglevel", "WARNING"], env)
            warm_up(api, database_url)
            print(f"(b) end to end, PostgreSQL + Redis, {args.rate:.0f}/s for {args.seconds:.0f} s …",
                  file=sys.stderr)
            results["e2e-pg"] = open_loop(api, database_url, args.rate, args.seconds, args.drain).row()
            processes.stop_all()
    finally:
        processes.stop_all()
    return results


def run_embedded(args: argparse.Namespace, model: Path, folder: Path) -> dict[str, object]:
    """Part (c): the embedded default."""
    processes = Processes(folder)
    var = folder / "embedded"
    database_url = f"sqlite:///{var / 'moderation.sqlite3'}"
    try:
        env = prepare({"MODERATION_VAR_DIR": str(var), "MODERATION_MODELS_DIR": str(model.parent),
                       "DATABASE_URL": database_url, "BROKER_URL": "filesystem://"}, model, args.rate_limits)
        api = start_web(processes, env, "web-embedded")
        processes.start("worker-embedded", [sys.executable, "-m", "service.cli", "worker", "--loglevel", "WARNING"],
                        env)
        warm_up(api, database_url)
        print(f"(c) end to end, embedded, {args.rate:.0f}/s for {args.seconds:.0f} s …", file=sys.stderr)
        return open_loop(api, database_url, args.rate, args.seconds, args.drain).row()
    finally:
        processes.stop_all()


def table(results: dict[str, dict], args: argparse.Namespace) -> str:
    """The results as a Markdown table."""
    lines = [
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}.",
        "",
        f"(a) closed loop, {args.clients} clients, {args.api_seconds:.0f} s, "
        f"gunicorn 2 workers × {DEFAULT_THREADS} threads, rate limits {'on' if args.rate_limits else 'off'}:",
        "",
        "| endpoint | requests | requests/s (median round) | rounds, requests/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for key, label in (("api", "POST /api/v1/comments (PostgreSQL + Redis)"), ("hello", "bare Flask POST /hello")):
        if key in results:
            row = results[key]
            lines.append(f"| {label} | {row['requests']} | {row['rate']:.0f} | {row.get('rounds', '')} "
                         f"| {row['p50']:.1f} | {row['p99']:.1f} | {row['errors']} |")
    if "api" in results and "hello" in results:
        lines += ["", f"API / bare: {results['api']['rate'] / results['hello']['rate']:.0%}"]
    lines += [
        "",
        f"(b, c) open loop at {args.rate:.0f} comments/s for {args.seconds:.0f} s, POST start → scored_at:",
        "",
        "| stack | worker | sent | accepted | scored | lost | achieved/s | p50 ms | p99 ms | max ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label, worker in (("e2e-pg", "PostgreSQL + Redis", "prefork, 2 processes"),
                               ("e2e-embedded", "embedded (SQLite + filesystem)", "solo, 1 process")):
        if key in results:
            row = results[key]
            lines.append(f"| {label} | {worker} | {row['sent']} | {row['accepted']} | {row['scored']} | {row['lost']} "
                         f"| {row['rate']:.1f} | {row['p50']:.0f} | {row['p99']:.0f} | {row['max']:.0f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of each end-to-end run")
    parser.add_argument("--rate", type=float, default=100.0, help="comments per second in the end-to-end runs")
    parser.add_argument("--api-seconds", type=float, default=20.0, help="duration of each throughput run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections in the throughput runs")
    parser.add_argument("--rounds", type=int, default=3, help="alternating throughput rounds per app (median kept)")
    parser.add_argument("--drain", type=float, default=60.0, help="how long to wait for the worker to catch up")
    parser.add_argument("--redis-db", type=int, default=9, help="Redis database number to use (flushed)")
    parser.add_argument("--skip", choices=("api", "e2e", "postgres", "embedded"), action="append", default=[],
                        help="leave out (a) api, (b) e2e, both of them (postgres), or (c) embedded")
    parser.add_argument("--rate-limits", action="store_true",
                        help="keep the service's rate limits on (too high to refuse anything) so their cost counts")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()

    model = latest_bundle(load_settings().models_dir)
    if model is None:
        print("no model: run `make model` first", file=sys.stderr)
        return 2
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="moderation-bench-") as tmp:
        folder = Path(tmp)
        if "postgres" not in args.skip:
            results.update(run_postgres(args, model, folder))
        if "embedded" not in args.skip:
            results["e2e-embedded"] = run_embedded(args, model, folder)
    print(table(results, args))
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}, "results": results},
                                        indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
