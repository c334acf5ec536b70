"""`moderation web`: gunicorn serving ``service.web.app:create_app()``, configured from the command line only.

Gunicorn is imported when the server starts, so the rest of the `moderation` command stays light.
"""

from __future__ import annotations

import argparse

from service.cli.common import DEFAULT_WEB_WORKERS, add_bind_options, positive
from service.config import Settings

APP_URI = "service.web.app:create_app()"
"""Gunicorn's factory syntax: each worker process calls create_app() itself (settings from the environment)."""


DEFAULT_THREADS = 4
"""Threads per gunicorn worker. A POST spends most of its time waiting on the database and the broker;
threads let those waits overlap (gunicorn's gthread worker), where sync workers would sit idle."""


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation web` to the parser (its settings come from the environment, in each gunicorn worker)."""
    web = commands.add_parser("web", help="serve the API with gunicorn (production)")
    add_bind_options(web)
    web.add_argument("--workers", type=positive, default=DEFAULT_WEB_WORKERS, help="gunicorn worker processes")
    web.add_argument("--threads", type=positive, default=DEFAULT_THREADS, help="threads per worker process")
    web.add_argument("--access-log", action="store_true", help="log every request on stdout (gunicorn's format)")
    web.set_defaults(handler=run_web)


def run_web(args: argparse.Namespace) -> int:
    """`moderation web`: gunicorn in this process until SIGTERM or SIGINT."""
    serve(args.host, args.port, args.workers, access_log=args.access_log, threads=args.threads)
    return 0


def serve(host: str, port: int, workers: int, access_log: bool = False, app_uri: str = APP_URI,
          threads: int = DEFAULT_THREADS) -> None:
    """Run gunicorn in this process until it is told to stop (SIGTERM: graceful, SIGINT: quick).

    ``app_uri`` is for benchmarks that compare another app under exactly these settings.
    """
    from gunicorn.app.wsgiapp import WSGIApplication

    options: dict[str, object] = {
        "bind": [f"{host}:{port}"],
        "workers": workers,
        "threads": threads,
        "proc_name": "moderation-web",
        # A request that needs longer than this is stuck (scoring is asynchronous); let gunicorn replace it.
        "timeout": 30,
        "graceful_timeout": 10,
    }
    if access_log:
        options["accesslog"] = "-"

    class Server(WSGIApplication):
        def load_config(self) -> None:
            # Our options only: neither sys.argv (it holds `moderation web …`) nor a gunicorn.conf.py
            # that happens to sit in the working directory.
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn ≥ 25 opens a control socket at one fixed path per user; two servers on one
                # machine (`run` next to a benchmark) would fight over it, and nothing here uses it.
                self.cfg.set("control_socket_disable", True)
            self.app_uri = app_uri

    Server(prog="moderation web").run()
