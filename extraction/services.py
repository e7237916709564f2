"""Extraction use cases: the codebook, each extractor's values, the sample extracted twice, the
lead's consensus, and the reads over them (agreement, the "Table 2" summary, the export rows).

The rules on values (types, choices, equality, agreement, the summary's arithmetic) are pure, in
extraction/coding.py; here they meet the database, the roles and the screening's decisions.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, QuerySet

from screening.errors import Conflict, InvalidInput
from screening.models import Membership, Project, Reference
from screening.selectors import statuses
from screening.services.audit import audit_each, audit_record
from screening.vocabulary import Stage, Status

from . import coding
from .models import Assignment, Codebook, Consensus, DoubleExtraction, Extraction, Field

FT = Stage.FULL_TEXT.value


def _invalid(error: coding.CodingError) -> InvalidInput:
    return InvalidInput(error.message, field=error.field)


# The codebook --------------------------------------------------------------------------------


def current_codebook(project: Project) -> Codebook | None:
    return Codebook.objects.filter(project=project).prefetch_related("fields").first()


def field_specs(codebook: Codebook | None) -> list[coding.FieldSpec]:
    if codebook is None:
        return []
    return [
        coding.FieldSpec(
            name=f.name, type=f.type, choices=tuple(f.choices), help=f.help, section=f.section
        )
        for f in codebook.fields.all()
    ]


@transaction.atomic
def codebook_put(
    *, project: Project, fields: object, user: AbstractBaseUser
) -> tuple[Codebook, list[str]]:
    """Set the codebook's fields. Unchanged fields keep the version; changed ones make a new
    version, and the answer names the fields whose values entered so far need a second look."""
    try:
        specs = coding.parse_codebook(fields)
    except coding.CodingError as error:
        raise _invalid(error) from error
    Project.objects.select_for_update().get(pk=project.pk)  # one new version at a time
    current = current_codebook(project)
    old = field_specs(current)
    if current is not None and old == specs:
        return current, []
    codebook = Codebook.objects.create(
        project=project, version=current.version + 1 if current else 1, created_by=user
    )
    Field.objects.bulk_create(
        Field(
            codebook=codebook,
            position=i,
            name=spec.name,
            type=spec.type,
            choices=list(spec.choices),
            help=spec.help,
            section=spec.section,
        )
        for i, spec in enumerate(specs)
    )
    entered = Extraction.objects.filter(project=project).exists()
    to_check = coding.changed_fields(old, specs) if current is not None and entered else []
    audit_record(
        actor=user,
        verb="codebook.version",
        project=project,
        obj=codebook,
        before={"version": current.version} if current else {},
        after={
            "version": codebook.version,
            "fields": [spec.name for spec in specs],
            "to_check": to_check,
        },
    )
    codebook = current_codebook(project)
    assert codebook is not None
    return codebook, to_check


# Extractions and consensus --------------------------------------------------------------------


def included_references(project: Project) -> QuerySet[Reference]:
    """References included after full text: the studies of the review, in import order."""
    return (
        statuses.screened_references(project)
        .filter(stage=FT, status=Status.INCLUDED.value)
        .order_by("id")
    )


@dataclass(frozen=True, slots=True)
class StudyState:
    """Where an included study stands in extraction, as `user` sees it."""

    study: Reference
    doubled: bool  # in the sample extracted twice
    extractions: int
    mine: bool  # `user` has extracted it
    settled: bool  # the lead recorded a consensus
    assigned: list[str]  # the extractors it is assigned to, by username; [] for anyone

    @property
    def seats(self) -> int:
        return 2 if self.doubled else 1

    def open_to(self, username: str) -> bool:
        """`username` may still extract it: assigned to them, or to nobody with a seat left."""
        if self.mine:
            return False
        if self.assigned:
            return username in self.assigned
        return self.extractions < self.seats


def study_states(project: Project, user: AbstractBaseUser) -> list[StudyState]:
    """Every included study and where it stands: five queries, however many studies."""
    studies = list(included_references(project))
    ids = [s.pk for s in studies]
    doubled = set(
        DoubleExtraction.objects.filter(reference__in=ids).values_list("reference", flat=True)
    )
    settled = set(Consensus.objects.filter(reference__in=ids).values_list("reference", flat=True))
    assigned: dict[int, list[str]] = {}
    for reference_id, username in Assignment.objects.filter(reference__in=ids).values_list(
        "reference", "extractor__username"
    ):
        assigned.setdefault(reference_id, []).append(username)
    counts: Counter[int] = Counter()
    mine: set[int] = set()
    for reference_id, extractor_id in Extraction.objects.filter(reference__in=ids).values_list(
        "reference", "extractor"
    ):
        counts[reference_id] += 1
        if extractor_id == user.pk:
            mine.add(reference_id)
    return [
        StudyState(
            study=s,
            doubled=s.pk in doubled,
            extractions=counts[s.pk],
            mine=s.pk in mine,
            settled=s.pk in settled,
            assigned=sorted(assigned.get(s.pk, [])),
        )
        for s in studies
    ]


def next_study_to_extract(project: Project, user: AbstractBaseUser) -> Reference | None:
    """The first included study the user may still extract (see `StudyState.open_to`)."""
    username = user.get_username()
    return next(
        (state.study for state in study_states(project, user) if state.open_to(username)), None
    )


def _codebook_or_conflict(project: Project) -> Codebook:
    codebook = current_codebook(project)
    if codebook is None:
        raise Conflict("The project has no codebook yet: a lead defines it first.")
    return codebook


def _check_extractable(project: Project, reference: Reference) -> Codebook:
    codebook = _codebook_or_conflict(project)
    state = statuses.reference_state(reference, project)
    if state["stage"] != FT or state["status"] != Status.INCLUDED:
        raise Conflict(
            f"Reference {reference.pk} is not an included study: only those are extracted.",
            field="reference",
        )
    return codebook


def _clean(codebook: Codebook, values: object) -> dict[str, object]:
    try:
        return coding.clean_values(field_specs(codebook), values)
    except coding.CodingError as error:
        raise _invalid(error) from error


@transaction.atomic
def extractors_assign(
    *, project: Project, reference: Reference, usernames: list[str], user: AbstractBaseUser
) -> list[str]:
    """Set who extracts a study: one member, or two for a study of the double sample. Once a
    study has extractors, only they may extract it. An empty list lets anyone again."""
    _check_extractable(project, reference)
    names = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
    seats = 2 if DoubleExtraction.objects.filter(reference=reference).exists() else 1
    if len(names) > seats:
        raise InvalidInput(
            f"Study {reference.pk} is extracted by {seats} "
            f"{'people' if seats == 2 else 'person'}; {len(names)} were named.",
            field="extractors",
        )
    _assign(project, [reference.pk], names, user)
    return names


def _assign(
    project: Project, reference_ids: list[int], names: list[str], user: AbstractBaseUser
) -> None:
    """Give each of the studies the extractors `names` (members of the project), audited per
    study: the same few queries for one study or a whole sample."""
    members = dict(
        Membership.objects.filter(project=project, user__username__in=names).values_list(
            "user__username", "user_id"
        )
    )
    unknown = [name for name in names if name not in members]
    if unknown:
        raise InvalidInput(
            f"Not members of this project: {', '.join(unknown)}.", field="extractors"
        )
    assigned = Assignment.objects.filter(reference_id__in=reference_ids)
    before: dict[int, list[str]] = {pk: [] for pk in reference_ids}
    for reference_id, username in assigned.order_by("extractor__username").values_list(
        "reference_id", "extractor__username"
    ):
        before[reference_id].append(username)
    assigned.delete()
    Assignment.objects.bulk_create(
        Assignment(project=project, reference_id=pk, extractor_id=members[name], assigned_by=user)
        for pk in reference_ids
        for name in names
    )
    audit_each(
        actor=user,
        verb="extraction.assign",
        project=project,
        changes=[
            (
                Reference(pk=pk),
                {"reference": pk, "extractors": before[pk]},
                {"reference": pk, "extractors": names},
            )
            for pk in reference_ids
        ],
    )


@transaction.atomic
def extraction_save(
    *, project: Project, reference: Reference, extractor: AbstractBaseUser, values: object
) -> Extraction:
    """The extractor's values for an included study (replacing their own earlier ones)."""
    codebook = _check_extractable(project, reference)
    assigned = set(
        Assignment.objects.filter(reference=reference).values_list("extractor_id", flat=True)
    )
    if assigned and extractor.pk not in assigned:
        raise Conflict(f"Study {reference.pk} is assigned to other extractors.", field="reference")
    return _store_values(
        Extraction,
        project=project,
        key={"reference": reference, "extractor": extractor},
        codebook=codebook,
        values=values,
        actor=extractor,
        verb="extraction.save",
    )


@transaction.atomic
def consensus_record(
    *, project: Project, reference: Reference, values: object, user: AbstractBaseUser
) -> Consensus:
    """The lead's settled values for a study (usually one of the sample extracted twice)."""
    return _store_values(
        Consensus,
        project=project,
        key={"reference": reference},
        codebook=_check_extractable(project, reference),
        values=values,
        actor=user,
        verb="consensus.record",
        also={"decided_by": user},
    )


ValuesRow = TypeVar("ValuesRow", Extraction, Consensus)


def _store_values(
    model: type[ValuesRow],
    *,
    project: Project,
    key: dict[str, Any],
    codebook: Codebook,
    values: object,
    actor: AbstractBaseUser,
    verb: str,
    also: dict[str, Any] | None = None,
) -> ValuesRow:
    """Create or replace the values row found by `key` (an extraction, a consensus), checked
    against the codebook, and audit the change with the values before."""
    also = also or {}
    cleaned = _clean(codebook, values)
    row = model.objects.select_for_update().filter(**key).first()
    before = dict(row.values) if row else {}
    if row is None:
        row = model.objects.create(
            project=project, codebook=codebook, values=cleaned, **key, **also
        )
    else:
        row.codebook, row.values = codebook, cleaned
        for name, value in also.items():
            setattr(row, name, value)
        row.save(update_fields=["codebook", "values", *also, "updated_at"])
    reference = key["reference"]
    audit_record(
        actor=actor,
        verb=verb,
        project=project,
        obj=row,
        before={"reference": reference.pk, "values": before} if before else {},
        after={"reference": reference.pk, "version": codebook.version, "values": cleaned},
    )
    return row


@transaction.atomic
def sample_draw(
    *,
    project: Project,
    user: AbstractBaseUser,
    size: int | None = None,
    percent: int | None = None,
    extractors: list[str] | None = None,
) -> list[int]:
    """Draw the included studies two people extract, by number or percent, at random; with
    `extractors` (two members), assign them both to every study drawn."""
    names = [name.strip() for name in extractors or [] if name.strip()]
    if names and (len(set(names)) != 2):
        raise InvalidInput("Name two different extractors for the sample.", field="extractors")
    studies = list(included_references(project).values_list("id", flat=True))
    if (size is None) == (percent is None):
        raise InvalidInput("Give either size (a number of studies) or percent.", field="size")
    if percent is not None and not 1 <= percent <= 100:
        raise InvalidInput("percent is between 1 and 100.", field="percent")
    if size is not None and size < 1:
        raise InvalidInput("size is at least 1.", field="size")
    wanted = size if size is not None else max(1, round(len(studies) * (percent or 0) / 100))
    drawn_before = set(
        DoubleExtraction.objects.filter(project=project).values_list("reference_id", flat=True)
    )
    free = [pk for pk in studies if pk not in drawn_before]
    seed = secrets.randbits(62)
    drawn = sorted(random.Random(seed).sample(free, min(wanted, len(free))))
    DoubleExtraction.objects.bulk_create(
        DoubleExtraction(project=project, reference_id=pk, drawn_by=user) for pk in drawn
    )
    audit_record(
        actor=user,
        verb="extraction.sample",
        project=project,
        after={"drawn": drawn, "asked": size or f"{percent}%", "seed": seed},
    )
    if names:
        _codebook_or_conflict(project)  # drawn from the included studies: extractable once coded
        _assign(project, drawn, names, user)
    return drawn


# Reads ----------------------------------------------------------------------------------------


def extraction_agreement(
    project: Project,
) -> tuple[coding.ExtractionAgreement, list[tuple[tuple[str, str], coding.ExtractionAgreement]]]:
    """Agreement over the references two people extracted (the first two, by extractor), and
    the same for each pair of extractors over the references they both extracted, so that a
    lead sees who needs the codebook explained again. One read of the extractions for both."""
    specs = field_specs(current_codebook(project))
    twice = _extracted_twice(project)
    by_pair: dict[tuple[str, str], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for names, values in twice:
        by_pair.setdefault(names, []).append(values)
    overall = coding.agreement(specs, [values for _, values in twice])
    return overall, [(names, coding.agreement(specs, by_pair[names])) for names in sorted(by_pair)]


def _extracted_twice(
    project: Project,
) -> list[tuple[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]]:
    """Per reference extracted by two or more people: the first two extractors (by id), by
    username, and their values."""
    twice = (
        Extraction.objects.filter(project=project)
        .values("reference")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("reference", flat=True)
    )
    by_reference: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    rows = (
        Extraction.objects.filter(reference__in=twice)
        .order_by("reference_id", "extractor_id")
        .values_list("reference_id", "extractor__username", "values")
    )
    for reference_id, username, values in rows:
        by_reference.setdefault(reference_id, []).append((username, values))
    return [
        ((first[0], second[0]), (first[1], second[1]))
        for first, second, *_ in by_reference.values()
    ]


def study_values(project: Project) -> tuple[list[Reference], dict[int, dict[str, Any]]]:
    """The included studies and the values that stand for each: the consensus where there is
    one, else the single extraction. A study of the double sample without consensus is left out
    (its two extractions wait for the lead), and so is a study nobody has extracted yet."""
    studies = list(included_references(project))
    ids = [s.pk for s in studies]
    consensus = dict(Consensus.objects.filter(reference__in=ids).values_list("reference", "values"))
    doubled = set(
        DoubleExtraction.objects.filter(reference__in=ids).values_list("reference", flat=True)
    )
    extractions: dict[int, list[dict[str, Any]]] = {}
    for reference_id, values in Extraction.objects.filter(reference__in=ids).values_list(
        "reference", "values"
    ):
        extractions.setdefault(reference_id, []).append(values)
    values: dict[int, dict[str, Any]] = {}
    for pk in ids:
        if pk in consensus:
            values[pk] = consensus[pk]
        elif pk not in doubled and len(extractions.get(pk, [])) == 1:
            values[pk] = extractions[pk][0]
    return [s for s in studies if s.pk in values], values


def extraction_summary(project: Project) -> dict[str, object]:
    specs = field_specs(current_codebook(project))
    _, values = study_values(project)
    return coding.summary(specs, [_under(specs, v) for v in values.values()])


def _under(specs: list[coding.FieldSpec], values: dict[str, Any]) -> dict[str, Any]:
    """Values entered under an older codebook, read under the current one: a value that no
    longer fits its field (type or choices changed) is not reported until someone looks again."""
    out: dict[str, Any] = {}
    for spec in specs:
        try:
            out[spec.name] = coding.clean_value(spec, values.get(spec.name))
        except coding.CodingError:
            out[spec.name] = None
    return out


def extraction_progress(project: Project) -> dict[str, int]:
    """How far extraction is: included studies, extracted, in the double sample, settled."""
    ids = list(included_references(project).values_list("id", flat=True))
    extracted = set(
        Extraction.objects.filter(reference__in=ids).values_list("reference", flat=True)
    )
    return {
        "studies": len(ids),
        "extracted": len(extracted),
        "doubled": DoubleExtraction.objects.filter(reference__in=ids).count(),
        "settled": Consensus.objects.filter(reference__in=ids).count(),
        "codebook": Codebook.objects.filter(project=project).count(),
    }
