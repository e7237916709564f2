"""A ranked stage part-screened, as the stopping aid's tests start from it."""

from __future__ import annotations

from collections.abc import Iterable

from screening.models import Project, Reference, StoppingSample, Vote

TA = "title_abstract"


def ranked_with_settled_includes(
    project: Project, reviewers: Iterable[object], *, total: int = 30, settled: int = 20
) -> list[int]:
    """`total` references on title and abstract, the stage ranked, the first `settled` of them
    settled as includes by the reviewers' agreeing votes: with 30 and 20, 10 are left, and a
    sample of 8 of them with no include can show recall >= 0.95. The ids, in import order."""
    ids = [
        Reference.objects.create(project=project, title=f"Paper {n}", abstract="A study.").pk
        for n in range(total)
    ]
    Vote.objects.bulk_create(
        Vote(project=project, reference_id=pk, stage=TA, reviewer=who, vote="include")
        for pk in ids[:settled]
        for who in reviewers
    )
    Project.objects.filter(pk=project.pk).update(title_abstract_order="ranked")
    project.refresh_from_db()
    return ids


def settle_open_sample(
    project: Project, reviewers: Iterable[object], vote: str = "exclude"
) -> None:
    """Every reference of the open stopping sample settled by the reviewers' agreeing votes."""
    sample = StoppingSample.objects.get(project=project, closed_at__isnull=True)
    reviewers = list(reviewers)
    Vote.objects.bulk_create(
        Vote(project=project, reference_id=pk, stage=TA, reviewer=who, vote=vote)
        for pk in sample.members.values_list("reference_id", flat=True)
        for who in reviewers
    )
