"""`moderation train | score | evaluate` as a user runs them: real processes, real stdin and stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED


def moderation(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the `moderation` entry point in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        input=stdin, capture_output=True, timeout=300, env={**os.environ, **(env or {})},
    )


def lines(*requests: object) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in requests)


def test_score_writes_one_line_per_input_in_order(seed_bundle_path: Path) -> None:
    requests = [{"id": i, "text": text} for i, text in enumerate(
        ["Lovely write-up, thanks 💕", "you filthy k1ke, go back to your country", "", "Meh… fine — whatever."]
    )]
    result = moderation("score", "--model", str(seed_bundle_path), stdin=lines(*requests))
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [o["id"] for o in outputs] == [0, 1, 2, 3]
    for output in outputs:
        assert set(output) == {"id", "hostility", "slur", "flagged", "spans"}
        assert 0 <= output["hostility"] <= 1 and 0 <= output["slur"] <= 1
    assert outputs[1]["slur"] > outputs[0]["slur"]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (b"{not json\n", "line 2: invalid JSON"),
        (b'{"id": 7}\n', 'line 2: missing "text"'),
        (b'{"id": 7, "text": 12}\n', 'line 2: "text" must be a string'),
        (b'{"text": "no id"}\n', 'line 2: missing "id"'),
        (b'["id", "text"]\n', "line 2: expected a JSON object"),
        (b'{"id": 7, "text": "caf\xe9"}\n', "line 2: not valid UTF-8"),
    ],
)
def test_bad_lines_are_named_and_skipped_with_exit_2(seed_bundle_path: Path, bad_line: bytes, message: str) -> None:
    stdin = lines({"id": "a", "text": "first"}) + bad_line + lines({"id": "c", "text": "third"})
    result = moderation("score", "--model", str(seed_bundle_path), stdin=stdin)
    assert result.returncode == 2
    errors = result.stderr.decode().strip().splitlines()
    assert len(errors) == 1 and message in errors[0]
    assert [json.loads(line)["id"] for line in result.stdout.decode().splitlines()] == ["a", "c"]


def test_score_without_any_model_is_a_one_line_error(tmp_path: Path) -> None:
    result = moderation("score", stdin=lines({"id": 1, "text": "hi"}),
                        env={"MODERATION_MODELS_DIR": str(tmp_path / "none")})
    assert result.returncode == 2
    assert result.stdout == b""
    assert len(result.stderr.decode().strip().splitlines()) == 1
    assert "moderation train" in result.stderr.decode()


def test_score_refuses_a_tampered_bundle(seed_bundle_path: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "bundle"
    shutil.copytree(seed_bundle_path, copy)
    with (copy / "model.skops").open("ab") as handle:
        handle.write(b"tampered")
    result = moderation("score", "--model", str(copy), stdin=lines({"id": 1, "text": "hi"}))
    assert result.returncode == 2 and result.stdout == b""
    assert "does not match" in result.stderr.decode()


def test_unknown_option_is_one_line(seed_bundle_path: Path) -> None:
    result = moderation("score", "--nonsense")
    assert result.returncode == 2
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_evaluate_on_a_labelled_csv(seed_bundle_path: Path, tmp_path: Path) -> None:
    labelled = tmp_path / "labels.csv"
    labelled.write_text(
        "text,hostility,slur\n"
        "\"You are a worthless idiot and everyone hates you\",1,0\n"
        "\"Thanks for the thoughtful article\",0,0\n"
        "\"Those people are vermin and should be deported\",0,1\n"
        "\"The weather in Leeds is grim again\",0,0\n",
        encoding="utf-8",
    )
    result = moderation("evaluate", "--data", str(labelled), "--model", str(seed_bundle_path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["report"]
    assert report["hostility"]["n"] == 4 and report["slur"]["n"] == 4


def test_evaluate_rejects_a_file_that_is_not_labelled(seed_bundle_path: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n", encoding="utf-8")
    result = moderation("evaluate", "--data", str(junk), "--model", str(seed_bundle_path))
    assert result.returncode == 2
    assert "text,hostility,slur" in result.stderr.decode()


def test_train_on_the_seed_set_alone_says_demo(tmp_path: Path) -> None:
    result = moderation("train", "--data", str(tmp_path / "no-datasets"), "--out", str(tmp_path / "models"),
                        "--seed", str(SEED))
    assert result.returncode == 0, result.stderr
    assert "DEMO MODEL" in result.stderr.decode()
    bundle = Path(result.stdout.decode().strip())
    assert json.loads((bundle / "metadata.json").read_text())["demo"] is True
    assert (bundle / "report.png").stat().st_size > 0
