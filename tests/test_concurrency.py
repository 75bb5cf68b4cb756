"""Two OS processes racing to start tasks of the same person never pass the WIP limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status

RACER = textwrap.dedent(
    """
    import sys, time
    from mlkanban.store.engine import make_engine
    from mlkanban.store.service import Service
    from mlkanban.domain.errors import RuleRefused

    db, key, go_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
    service = Service(make_engine(db), actor="alice")
    while time.time() < go_at:
        pass
    try:
        service.start(key)
        print("started")
    except RuleRefused:
        print("refused")
    """
)

ROUNDS = 15


@pytest.mark.slow
def test_racing_starts_never_exceed_the_limit(engine, tmp_path):
    import time

    from mlkanban.store.service import Service

    team = Service(engine, actor="alice")  # the real clock, as the racing processes use
    team.add_person("alice")
    team.add_project("CHURN", "Churn")

    script = tmp_path / "racer.py"
    script.write_text(RACER)
    db = str(team.engine.url.database)
    for round_ in range(ROUNDS):
        a = team.add_task("CHURN", f"a{round_}", Phase.MODELING, owner="alice")
        b = team.add_task("CHURN", f"b{round_}", Phase.MODELING, owner="alice")
        go_at = time.time() + 0.6  # both processes are imported and waiting by then
        racers = [
            subprocess.Popen(
                [sys.executable, str(script), db, key, repr(go_at)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for key in (a.key, b.key)
        ]
        outcomes = []
        for racer in racers:
            out, err = racer.communicate(timeout=60)
            assert racer.returncode == 0, err
            outcomes.append(out.strip())
        assert sorted(outcomes) == ["refused", "started"], outcomes
        in_progress = team.tasks(owner="alice", statuses=[Status.IN_PROGRESS])
        assert len(in_progress) == 1
        team.done(in_progress[0].key)
