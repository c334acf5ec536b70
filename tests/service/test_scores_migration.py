"""Migration 0006: scores per head, backfilled from the hostility and slur columns of existing rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import text

from service.infra.db import alembic_config, make_engine


def test_existing_rows_get_their_scores_per_head_and_a_severity(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0005")
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for number, (hostility, slur) in enumerate([(0.9, 0.2), (None, None), (0.1, 0.7)], start=1):
            connection.execute(text(
                "INSERT INTO comments (id, article_id, author_id, author_name, text, status, created_at, hostility, "
                "slur, name_hostility, name_slur, report_count, revision) VALUES (:id, 'a1', 'u1', 'N', 't', "
                "'held', :now, :hostility, :slur, :name, 0.0, 0, 1)"),
                {"id": number, "now": now, "hostility": hostility, "slur": slur,
                 "name": None if hostility is None else 0.05})
        connection.execute(text(
            "INSERT INTO decisions (comment_id, actor, action, labels, reason, hostility, slur, created_at) "
            "VALUES (1, 'alice', 'reject', '[]', '', 0.9, 0.2, :now)"), {"now": now})
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        comments = connection.execute(text("SELECT id, scores, name_scores, severity FROM comments ORDER BY id")).all()
        decision = connection.execute(text("SELECT scores FROM decisions")).scalar_one()
    engine.dispose()
    assert [(row.id, json.loads(row.scores) if row.scores else None, row.severity) for row in comments] == [
        (1, {"hostility": 0.9, "slur": 0.2}, 0.9), (2, None, None), (3, {"hostility": 0.1, "slur": 0.7}, 0.7)]
    assert json.loads(comments[0].name_scores) == {"hostility": 0.05, "slur": 0.0}
    assert json.loads(decision) == {"hostility": 0.9, "slur": 0.2}
