"""A small board with a known history, whose metrics are worked out by hand in the tests.

November 2026; Wednesday 18 November is a holiday; "now" is Monday 23 November 10:00 UTC.

- CHURN-1 (Research): created Mon 2 unassigned; assigned to bob and estimated at 2 days
  Tue 3; started Wed 4 10:00; done Thu 5 16:00.
- CHURN-2 (alice, Modeling, estimate 3): created Fri 6; started Mon 9 09:00; moved back
  to Data Exploration Wed 11 14:00; back to Modeling Fri 13 11:00; waiting on the GPU
  quota Mon 16 12:00; resumed Thu 19 09:00; done Mon 23 09:00.
- CHURN-3 (alice, estimate 1): created in Modeling Mon 16 08:00; moved back to Data
  Exploration Fri 20 09:00; started Fri 20 10:00 past alice's WIP limit ("prod incident").
- FRAUD: a project with no event after Mon 2.
"""

from __future__ import annotations

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store.service import Service
from tests.helpers import acting_as
from tests.history.dates import HOLIDAY, at


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar([HOLIDAY])


@pytest.fixture
def board(service: Service) -> Service:
    s = service
    s.add_person("alice", name="Alice Martin", at=at(2, 8))
    s.add_person("bob", name="Bob Chen", at=at(2, 8))
    s.add_project("CHURN", "Churn prediction", hypothesis="Usage drops predict churn",
                  plan={Phase.RESEARCH: 1, Phase.MODELING: 2}, at=at(2, 8))
    s.add_project("FRAUD", "Fraud scores", at=at(2, 8, 30))

    s.add_task("CHURN", "Frame the question", Phase.RESEARCH, at=at(2))
    s.assign("CHURN-1", "bob", at=at(3))
    s.estimate("CHURN-1", 2, at=at(3))
    bob = acting_as(s, "bob")  # only a task's owner starts or finishes it
    bob.start("CHURN-1", at=at(4, 10))
    bob.done("CHURN-1", at=at(5, 16))

    s.add_task("CHURN", "Train a baseline", Phase.MODELING, owner="alice", estimate=3, at=at(6))
    s.start("CHURN-2", at=at(9))
    s.move("CHURN-2", Phase.DATA_EXPLORATION, at=at(11, 14))
    s.move("CHURN-2", Phase.MODELING, at=at(13, 11))
    s.wait("CHURN-2", "GPU quota", at=at(16, 12))

    s.add_task("CHURN", "Check the late labels", Phase.MODELING, owner="alice", estimate=1,
               at=at(16, 8))
    s.start("CHURN-2", at=at(19))
    s.move("CHURN-3", Phase.DATA_EXPLORATION, at=at(20))
    s.start("CHURN-3", override="prod incident", at=at(20, 10))
    s.done("CHURN-2", at=at(23))
    return s


@pytest.fixture
def history(board: Service):
    from mlkanban.history.weekly import load_history

    with board.read() as conn:
        return load_history(conn)
