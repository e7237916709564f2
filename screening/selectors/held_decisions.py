"""The decisions references hold (votes, resolutions, full texts), read for deduplication: what a
merge would carry to the surviving reference, and where the references were decided differently.
Pure reads."""

from __future__ import annotations

from ..dedup import carry
from ..models import Report, Resolution, Vote
from ..vocabulary import Stage

# Ids per IN list: PostgreSQL takes at most 65,535 parameters in one statement.
SLICE = 30000


def held_decisions_by_reference(reference_ids: list[int]) -> dict[int, list[carry.Held]]:
    """`held_decisions`, grouped by reference (see `decisions_of`)."""
    return _by_reference(held_decisions(reference_ids))


def held_decisions(reference_ids: list[int]) -> list[carry.Held]:
    """The votes, resolutions and full texts the references hold: three queries per slice."""
    held: list[carry.Held] = []
    for start in range(0, len(reference_ids), SLICE):
        part = reference_ids[start : start + SLICE]
        votes = Vote.objects.filter(reference_id__in=part).values_list(
            "pk", "reference_id", "stage", "reviewer_id", "reviewer__username", "vote",
            "reason__name",
        )  # fmt: skip
        for pk, reference, stage, reviewer, username, vote, reason in votes:
            held.append(
                carry.Held(
                    kind="vote",
                    id=pk,
                    reference=reference,
                    key=(stage, reviewer),
                    value=f"{vote}: {reason}" if reason else vote,
                    label=f"{username} at {Stage(stage).in_sentence}",
                )
            )
        resolutions = Resolution.objects.filter(reference_id__in=part).values_list(
            "pk", "reference_id", "stage", "decision", "reason__name"
        )
        for pk, reference, stage, decision, reason in resolutions:
            held.append(
                carry.Held(
                    kind="resolution",
                    id=pk,
                    reference=reference,
                    key=(stage,),
                    value=f"{decision}: {reason}" if reason else decision,
                    label=f"the resolution at {Stage(stage).in_sentence}",
                )
            )
        reports = Report.objects.filter(reference_id__in=part).values_list("pk", "reference_id")
        held.extend(
            carry.Held(kind="report", id=pk, reference=reference, key=(), value="", label="")
            for pk, reference in reports
        )
    return held


def _by_reference(held: list[carry.Held]) -> dict[int, list[carry.Held]]:
    """The decisions grouped by the reference holding them."""
    grouped: dict[int, list[carry.Held]] = {}
    for item in held:
        grouped.setdefault(item.reference, []).append(item)
    return grouped


def decisions_of(held: dict[int, list[carry.Held]], references: list[int]) -> list[carry.Held]:
    """The decisions the references hold: a lookup per reference, however many are held."""
    return [item for reference in references for item in held.get(reference, ())]
