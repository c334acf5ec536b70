"""The peer scorer for the benchmark: alt-profanity-check, run in a virtual environment of its own.

alt-profanity-check pins exact scikit-learn and joblib versions, so it never gets installed into
the project's environment. :func:`ensure_peer_venv` builds ``bench/.peer-venv`` on first use and
:class:`PeerScorer` talks to one long-lived process in it (``bench/_peer_server.py``) over JSON
lines on stdin/stdout. Timings are taken inside the peer process, so IPC is not counted.

This module uses only the standard library. ``python bench/peer.py`` sets everything up and prints
a smoke test.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any

PEER_VENV = Path(__file__).parent / ".peer-venv"
PEER_PACKAGE = "alt-profanity-check"
PEER_VERSION = "1.9.1"  # newest release; needs Python >= 3.11, pins scikit-learn==1.9.1, joblib==1.6.0
PEER_REQUIREMENT = f"{PEER_PACKAGE}=={PEER_VERSION}"
SERVER_SCRIPT = Path(__file__).with_name("_peer_server.py")

#: Environment overrides for the peer process: one core for BLAS/OpenMP.
PEER_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_MARKER = PEER_VENV / ".installed"  # holds PEER_REQUIREMENT once the install has been verified
_LOCK = PEER_VENV / ".lock"


class PeerError(RuntimeError):
    """The peer environment could not be set up, or the peer process failed."""


def peer_python(venv: Path = PEER_VENV) -> Path:
    """Path of the Python interpreter inside ``venv``."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def _is_ready() -> bool:
    try:
        return peer_python().exists() and _MARKER.read_text(encoding="utf-8").strip() == PEER_REQUIREMENT
    except OSError:
        return False


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()
        tail = "\n".join(output.splitlines()[-30:])
        raise PeerError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{tail}")


class _FileLock:
    """Exclusive advisory lock on a file (no-op where fcntl is unavailable)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fh: IO[str] | None = None

    def __enter__(self) -> _FileLock:
        self._fh = open(self._path, "a", encoding="utf-8")  # closed in __exit__
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)
        except ImportError:
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()  # releases the lock
            self._fh = None


def ensure_peer_venv(python: str = sys.executable) -> Path:
    """Make sure ``bench/.peer-venv`` exists with alt-profanity-check installed; return its python.

    ``python`` is the interpreter the venv is created from (``python -m venv``). When the marker
    file already records :data:`PEER_REQUIREMENT` this only reads that file. Otherwise it creates
    the venv if needed, pip-installs the pinned version, checks that ``profanity_check`` imports,
    and writes the marker; it prints one progress line to stderr. Concurrent callers are
    serialised with a file lock. Raises :class:`PeerError` on failure.
    """
    venv_python = peer_python()
    if _is_ready():
        return venv_python
    PEER_VENV.mkdir(parents=True, exist_ok=True)
    with _FileLock(_LOCK):
        if _is_ready():  # someone else finished while we waited
            return venv_python
        print(f"peer: installing {PEER_REQUIREMENT} into {PEER_VENV} (one-time setup) ...",
              file=sys.stderr, flush=True)
        _MARKER.unlink(missing_ok=True)
        if not venv_python.exists():
            _run([python, "-m", "venv", str(PEER_VENV)], "creating the peer venv")
        _run([str(venv_python), "-m", "pip", "install", "--quiet", "--no-input",
              "--disable-pip-version-check", PEER_REQUIREMENT], f"pip install {PEER_REQUIREMENT}")
        _run([str(venv_python), "-I", "-W", "ignore", "-c", "import profanity_check"],
             "importing profanity_check in the peer venv")
        tmp = _MARKER.with_suffix(".tmp")
        tmp.write_text(PEER_REQUIREMENT + "\n", encoding="utf-8")
        os.replace(tmp, _MARKER)
    return venv_python


class PeerScorer:
    """One long-lived alt-profanity-check process in the peer venv, driven over JSON lines.

    Use as a context manager (``with PeerScorer() as peer: ...``) or call :meth:`start` /
    :meth:`close` yourself; any method starts the process on first use. The process runs with
    ``OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1`` on top of the inherited environment,
    in isolated mode (``-I``). Its stderr is inherited; its stdout carries only the protocol.
    Calls are serialised, so one instance may be shared between threads.
    """

    def __init__(self, python: str | os.PathLike[str] | None = None) -> None:
        """``python``: the peer venv's interpreter; default: :func:`ensure_peer_venv` ()."""
        self._python = str(python) if python is not None else None
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._next_id = 0
        self.load_seconds: float | None = None  #: time the peer took to import profanity_check

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> PeerScorer:
        """Start the peer process (no-op if running) and wait until its model is loaded."""
        with self._lock:
            if self._proc is not None:
                return self
            python = self._python or str(ensure_peer_venv())
            env = {**os.environ, **PEER_THREAD_ENV}
            self._proc = subprocess.Popen(
                [python, "-I", "-u", str(SERVER_SCRIPT)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, env=env,
                text=True, encoding="utf-8", bufsize=1,
            )
            hello = self._read_line()
            if not hello.get("ready"):
                self._kill()
                raise PeerError(f"peer failed to load: {hello.get('error')}\n{hello.get('traceback', '')}")
            self.load_seconds = float(hello["load_seconds"])
        return self

    def close(self) -> None:
        """Ask the peer process to exit and wait for it (kills it after 10 s)."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            try:
                if proc.poll() is None and proc.stdin is not None:
                    proc.stdin.write(json.dumps({"id": -1, "op": "shutdown"}) + "\n")
                    proc.stdin.flush()
                    proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            finally:
                self._kill()

    def __enter__(self) -> PeerScorer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    # -- protocol --------------------------------------------------------------------------------

    def _read_line(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            self._kill()
            raise PeerError(f"peer process exited unexpectedly (exit code {code}); see its stderr above")
        return json.loads(line)

    def _request(self, op: str, **params: Any) -> Any:
        self.start()
        with self._lock:
            if self._proc is None or self._proc.stdin is None:
                raise PeerError("peer process is closed")
            self._next_id += 1
            req_id = self._next_id
            line = json.dumps({"id": req_id, "op": op, **params}, ensure_ascii=True) + "\n"
            try:
                self._proc.stdin.write(line)
                self._proc.stdin.flush()
            except BrokenPipeError as exc:
                code = self._proc.wait()
                self._kill()
                raise PeerError(f"peer process is gone (exit code {code})") from exc
            answer = self._read_line()
        if answer.get("id") != req_id:
            raise PeerError(f"peer answered request {answer.get('id')}, expected {req_id}")
        if not answer.get("ok"):
            raise PeerError(f"peer {op} failed: {answer.get('error')}\n{answer.get('traceback', '')}")
        return answer["result"]

    @staticmethod
    def _check_texts(texts: list[str]) -> list[str]:
        texts = list(texts)
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"texts must be str, got {type(t).__name__}")
        return texts

    # -- API -------------------------------------------------------------------------------------

    def predict_prob(self, texts: list[str]) -> list[float]:
        """Profanity probability for each text, computed in one batched call in the peer."""
        texts = self._check_texts(texts)
        if not texts:
            return []
        return [float(p) for p in self._request("predict_prob", texts=texts)]

    def timed_batch(self, texts: list[str], repeat: int = 3) -> float:
        """Throughput in comments/second of ``predict_prob(texts)`` as one batch.

        Timed with ``time.perf_counter`` inside the peer process (IPC excluded); best of ``repeat``.
        """
        texts = self._check_texts(texts)
        if not texts:
            raise ValueError("timed_batch needs at least one text")
        if repeat < 1:
            raise ValueError("repeat must be >= 1")
        result = self._request("timed_batch", texts=texts, repeat=int(repeat))
        return result["n"] / result["best_seconds"]

    def timed_single(self, texts: list[str], *, warmup: bool = True) -> list[float]:
        """Latency in seconds of ``predict_prob([t])`` for each text, measured inside the peer.

        With ``warmup`` (default) one untimed call on the first text precedes the measurements.
        """
        texts = self._check_texts(texts)
        if not texts:
            return []
        return [float(s) for s in self._request("timed_single", texts=texts, warmup=bool(warmup))]

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the peer process so far in MiB (VmHWM; includes the loaded model)."""
        return float(self._request("peak_rss_mb"))

    def version(self) -> str:
        """Versions of the peer, e.g. ``"alt-profanity-check 1.9.1 (scikit-learn 1.9.1)"``."""
        v = self._request("version")
        return f"alt-profanity-check {v['alt-profanity-check']} (scikit-learn {v['scikit-learn']})"


def _demo_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` synthetic comments of 5-40 words, mostly benign, some profane."""
    words = [
        "the", "this", "is", "a", "great", "post", "thanks", "for", "sharing", "i", "think", "you",
        "are", "wrong", "about", "that", "really", "nice", "point", "well", "said", "what", "do",
        "mean", "by", "it", "idiot", "stupid", "damn", "crap", "shit", "honestly", "not", "sure",
        "agree", "disagree", "article", "read", "again", "please",
    ]
    rng = random.Random(seed)
    return [" ".join(rng.choices(words, k=rng.randint(5, 40))) for _ in range(n)]


def main() -> int:
    """Set up the peer venv and print a smoke test and a 1000-text timing."""
    ensure_peer_venv()
    smoke = [
        "Thanks for the thoughtful write-up, I learned a lot.",
        "You are a fucking idiot.",
        "Line one 🙂\nline two — ünïcödé, 中文, and a tab\there 🤬",
    ]
    with PeerScorer() as peer:
        print(f"peer: {peer.version()}, model loaded in {peer.load_seconds:.2f} s")
        for text, prob in zip(smoke, peer.predict_prob(smoke), strict=True):
            print(f"  {prob:.3f}  {text!r}")
        batch = _demo_texts(1000)
        print(f"batch of {len(batch)}: {peer.timed_batch(batch):,.0f} comments/s (best of 3, one core)")
        lat = sorted(peer.timed_single(batch[:200]))
        p95 = lat[int(0.95 * (len(lat) - 1))]
        print(f"single calls: median {statistics.median(lat) * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms")
        print(f"peak RSS: {peer.peak_rss_mb():.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
