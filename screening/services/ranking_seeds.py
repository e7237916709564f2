"""What the lead tells the ranker: references known to be includes (seeds), and how often to
retrain.

A seed is a reference the lead marks as a known include (a key paper, one found in a scoping
search): its text joins the eligibility criteria and the include terms in the cold start's query
(`ranking_seed_texts`, read by services.ranking.ranking_retrain), so references like it come
first before any include is settled. A seed is never a label: the model learns from settled
decisions only, so a seed counts as an include for training only once its own votes or a lead's
resolution have settled it as one, like any other reference.

Marking and unmarking are the lead's (leads and admins: the views and the API check the role),
audited, and each undoes the other.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..errors import Conflict, InvalidInput, NotFound
from ..models import Project, RankingSeed, Reference
from ..ranking.features import reference_text
from .audit import audit_record

RETRAIN_EVERY_MIN, RETRAIN_EVERY_MAX = 1, 10_000


def _seed_facts(reference: Reference) -> dict[str, object]:
    return {"reference": reference.pk, "title": reference.title}


def _reference_of(project: Project, reference_id: int) -> Reference:
    reference = Reference.objects.filter(project=project, pk=reference_id).first()
    if reference is None:
        raise NotFound("No such reference in this project")
    return reference


@transaction.atomic
def ranking_seed_mark(
    *, project: Project, reference_id: int, user: AbstractBaseUser
) -> tuple[RankingSeed, bool]:
    """Mark a reference of the project as a known include; (the seed, whether it is new).
    Marking a seed again changes nothing."""
    reference = _reference_of(project, reference_id)
    if reference.merged_into_id is not None:
        raise Conflict(
            f"Reference {reference.pk} was merged into reference {reference.merged_into_id}; "
            "mark that one.",
            field="reference",
        )
    seed, created = RankingSeed.objects.get_or_create(
        project=project, reference=reference, defaults={"marked_by": user}
    )
    if created:
        audit_record(
            actor=user,
            verb="ranking.seed_mark",
            project=project,
            obj=seed,
            after=_seed_facts(reference),
        )
    return seed, created


@transaction.atomic
def ranking_seed_unmark(*, project: Project, reference_id: int, user: AbstractBaseUser) -> bool:
    """Take the mark off; whether there was one. The reference itself is untouched."""
    reference = _reference_of(project, reference_id)
    seed = RankingSeed.objects.select_for_update().filter(project=project, reference=reference)
    found = seed.first()
    if found is None:
        return False
    audit_record(
        actor=user,
        verb="ranking.seed_unmark",
        project=project,
        obj=found,
        before=_seed_facts(reference),
    )
    found.delete()
    return True


def ranking_seed_texts(project: Project) -> list[str]:
    """The seeds' text (title, abstract, keywords, as the ranker reads any reference), in the
    order they were marked: one row each of the cold start's query."""
    rows = (
        RankingSeed.objects.filter(project=project)
        .order_by("id")
        .values_list("reference__title", "reference__abstract", "reference__keywords")
    )
    texts = (
        reference_text(title, abstract, " ".join(map(str, keywords or [])))
        for title, abstract, keywords in rows
    )
    return [text for text in texts if text]


@transaction.atomic
def ranking_retrain_every_set(
    *, project: Project, every: object, user: AbstractBaseUser
) -> Project:
    """Set after how many settled decisions a ranked stage is retrained (1 to 10,000)."""
    text = str(every).strip()
    if not text.isdigit() or not RETRAIN_EVERY_MIN <= int(text) <= RETRAIN_EVERY_MAX:
        raise InvalidInput(
            f"Retrain after every … settled decisions: a whole number from {RETRAIN_EVERY_MIN} "
            f"to {RETRAIN_EVERY_MAX:,}.",
            field="ranking_retrain_every",
        )
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = project.ranking_retrain_every
    if before != int(text):
        project.ranking_retrain_every = int(text)
        project.save(update_fields=["ranking_retrain_every"])
        audit_record(
            actor=user,
            verb="ranking.retrain_every_set",
            project=project,
            obj=project,
            before={"ranking_retrain_every": before},
            after={"ranking_retrain_every": project.ranking_retrain_every},
        )
    return project
