"""Event times follow event ids: each change reads the clock only once it holds the
write lock, so a later id never carries an earlier time, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from mlkanban.domain.phases import Phase
from mlkanban.store.service import Service


@pytest.fixture
def engine(backend_engine):
    return backend_engine


def test_concurrent_writers_record_times_in_id_order(engine):
    """Real clock, four writers at once: the ids and the times tell one order."""
    founder = Service(engine, actor="ana")
    founder.add_person("ana", wip_limit=20)
    founder.add_project("CHURN", "Churn")

    def add_many(n: int) -> None:
        writer = Service(engine, actor="ana", migrate=False)
        for i in range(4):
            key = writer.add_task("CHURN", f"task {n}.{i}", Phase.RESEARCH, owner="ana").key
            writer.start(key)
            writer.done(key)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(add_many, range(4)))
    with engine.connect() as conn:
        times = [at for (at,) in conn.execute(text("SELECT at FROM event ORDER BY id"))]
    assert len(times) == 2 + 4 * 4 * 3
    assert times == sorted(times)
