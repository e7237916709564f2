"""Mixes of references and of what was done to them, drawn by hypothesis, made in the database:
the property tests of the statuses and counts (tests/screening/selectors) share them."""

from __future__ import annotations

from hypothesis import strategies as st

from screening.models import Reference, Report, Resolution, Vote
from screening.vocabulary import Stage

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value
vote = st.tuples(st.sampled_from(["include", "exclude", "maybe"]), st.sampled_from([0, 1]))
stage_votes = st.lists(vote, max_size=3)


def reference_spec(*, merged: bool = False) -> st.SearchStrategy[dict]:
    """One reference: its source, pilot, votes (choice, reason index), resolutions and report;
    with `merged`, whether it is merged into the first one made."""
    fields = {
        "other": st.booleans(),
        "pilot": st.booleans(),
        "ta": stage_votes,
        "ft": stage_votes,
        "ta_resolution": st.sampled_from([None, "include", "exclude"]),
        "ft_resolution": st.sampled_from([None, "include", "exclude"]),
        "report": st.sampled_from([None, "file", "not_retrieved"]),
    }
    if merged:
        fields["merged"] = st.booleans()
    return st.fixed_dictionaries(fields)


def make_references(
    project, specs: list[dict], reviewers: list, reasons: list, pilot
) -> list[Reference]:
    made = []
    for spec in specs:
        ref = Reference.objects.create(
            project=project,
            source="other" if spec["other"] else "databases",
            pilot=pilot if spec["pilot"] else None,
        )
        made.append(ref)
        for stage, votes in ((TA, spec["ta"]), (FT, spec["ft"])):
            for who, (choice, reason) in zip(reviewers, votes, strict=False):
                Vote.objects.create(
                    project=project, reference=ref, stage=stage, reviewer=who, vote=choice,
                    reason=reasons[reason] if choice == "exclude" else None,
                )  # fmt: skip
            decision = spec["ta_resolution" if stage == TA else "ft_resolution"]
            if decision:
                Resolution.objects.create(
                    project=project, reference=ref, stage=stage, decision=decision
                )
        if spec["report"] == "file":
            Report.objects.create(project=project, reference=ref, file="r.pdf")
        elif spec["report"] == "not_retrieved":
            Report.objects.create(project=project, reference=ref, not_retrieved=True)
    # A merged reference keeps its row and its votes: merged into the first one made.
    for ref, spec in zip(made, specs, strict=True):
        if spec.get("merged") and ref != made[0]:
            Reference.objects.filter(pk=ref.pk).update(merged_into=made[0])
    return made
