"""Two leads reordering the reasons at the same moment on PostgreSQL: the numbering stays whole.

Each move renumbers the whole list; without the lock on the project's reasons, two moves read
the same list and each writes its own numbering over part of the other's, leaving two reasons
with one number (and so one key). Each request runs in its own thread and connection.
"""

from __future__ import annotations

import pytest
from django.db import connection

from screening.models import ExclusionReason
from screening.services.reasons import exclusion_reason_add
from tests.screening.together import together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

BASE = "/projects/microcredentials"


@pytest.fixture(autouse=True)
def _postgres_only(db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time anyway")


def test_two_leads_moving_reasons_at_once_leave_one_number_per_reason(
    api, project, lead, admin
) -> None:
    reasons = [
        exclusion_reason_add(project=project, name=f"Reason {n}", user=lead) for n in range(1, 9)
    ]
    for round_ in range(6):
        first, last = reasons[round_], reasons[-1 - round_]
        moves = [
            (lead, "patch", f"{BASE}/exclusion-reasons/{first.pk}", {"position": 8}),
            (admin, "patch", f"{BASE}/exclusion-reasons/{last.pk}", {"position": 1}),
        ]
        assert together(api, moves) == [200, 200]
        positions = sorted(ExclusionReason.objects.values_list("position", flat=True))
        assert positions == list(range(1, 9)), f"round {round_}: {positions}"
