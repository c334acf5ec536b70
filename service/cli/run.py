"""`moderation run`: the whole service on one machine, with nothing to install but this package.

Brings the database to the latest schema, makes sure a model is active (training the default one if
there is none), then runs two `moderation worker` processes (one scoring, one for retraining only) and
`moderation web` as child processes and watches them: SIGINT or SIGTERM stops them all and exits 0; if
one dies, the others are stopped and the exit status is non-zero. The children run in their own
sessions so Ctrl-C reaches them once, through us.
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from service.cli.common import DEFAULT_WEB_WORKERS, add_bind_options, positive
from service.cli.models import ensure_model
from service.config import Settings

STOP_SECONDS = 20.0
"""How long a child may take to stop gracefully before it is killed."""
START_SECONDS = 60.0
"""How long the web server may take to answer /healthz before `run` gives up."""
POLL_SECONDS = 0.2


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation run` to the parser."""
    run_parser = commands.add_parser("run", help="everything on one machine: migrate, train if needed, worker and web")
    add_bind_options(run_parser)
    run_parser.add_argument("--workers", type=positive, default=DEFAULT_WEB_WORKERS, help="gunicorn worker processes")
    run_parser.set_defaults(handler=lambda args: run(settings, args.host, args.port, args.workers))


def _parent_death_signal():
    """Linux only: a function for the child (between fork and exec) that asks for SIGTERM when we die.

    If `run` itself is killed (SIGKILL, OOM), its children then stop instead of living on and holding
    the port. libc is loaded here, in the parent, so the child only makes one system call.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_signal() -> None:  # pragma: no cover - runs in the child
        prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG

    return set_signal


@dataclass
class Child:
    """A supervised child process."""

    name: str
    argv: list[str]
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start it in its own session (terminal signals reach only the supervisor).

        Its stdout goes to our stderr: stdout of `moderation run` carries only the URLs it prints (scripts
        read them), never a child's banner (Celery prints one on stdout as its worker starts).
        """
        self.process = subprocess.Popen(self.argv, start_new_session=True, preexec_fn=_parent_death_signal(),
                                        stdout=sys.stderr.fileno())

    def exited(self) -> int | None:
        """Its exit status, or None while it runs."""
        return self.process.poll() if self.process else 0


def stop_all(children: list[Child], timeout: float = STOP_SECONDS) -> None:
    """SIGTERM every running child, wait up to ``timeout`` for all of them, then SIGKILL the rest."""
    running = [child for child in children if child.exited() is None]
    for child in running:
        child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in running:
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"moderation run: {child.name} did not stop in {timeout:.0f} s; killing it", file=sys.stderr)
            child.process.kill()
            child.process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return response.status == 200
    except OSError:
        return False


def run(settings: Settings, host: str, port: int, workers: int) -> int:
    """Migrate, ensure a model, start worker and web, and supervise them until a signal or a death."""
    from service.infra.db import upgrade

    upgrade(settings.database_url)
    version = ensure_model(settings)
    print(f"model {version} is active", file=sys.stderr)

    command = [sys.executable, "-m", "service.cli"]
    children = [
        Child("worker", [*command, "worker", "--queues", "default"]),
        Child("web server", [*command, "web", "--host", host, "--port", str(port), "--workers", str(workers)]),
    ]
    # A second worker for retraining alone: a retraining takes minutes of CPU in its process, and comments must
    # not wait for it. Started once the web server answers: nothing needs it sooner, and three interpreters
    # loading at once would slow the start of the two that do.
    retraining = Child("retraining worker", [*command, "worker", "--queues", "retrain"])
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.start()
        shown = "localhost" if host in ("0.0.0.0", "::") else host
        base = f"http://{shown}:{port}"
        started = time.monotonic()
        ready = False
        while not received:
            dead = next((child for child in children if child.exited() is not None), None)
            if dead is not None:
                print(f"moderation run: the {dead.name} exited with status {dead.exited()}; stopping",
                      file=sys.stderr)
                stop_all(children)
                return 1
            if not ready:
                ready = _answers(f"{base}/healthz")
                if ready:
                    retraining.start()
                    children.append(retraining)
                    print(f"moderation is running\n  API       {base}/api/v1\n  workbench {base}/moderate/\n"
                          f"  docs      {base}/api/docs\n  health    {base}/healthz\nPress Ctrl-C to stop.",
                          flush=True)
                elif time.monotonic() - started > START_SECONDS:
                    print(f"moderation run: {base}/healthz did not answer within {START_SECONDS:.0f} s; stopping",
                          file=sys.stderr)
                    stop_all(children)
                    return 1
            time.sleep(POLL_SECONDS)
        print(f"moderation run: {signal.Signals(received[0]).name}: stopping", file=sys.stderr)
        stop_all(children)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop_all(children, timeout=1.0)
