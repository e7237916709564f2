"""JSON endpoints of screening and reporting: references, votes, conflicts, reports, PRISMA."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from . import agreement, decisions, exports, pilots, prisma, progress, responses, selectors
from .access import get_project_for_user
from .errors import InvalidInput
from .models import (
    AuditEvent,
    ExclusionReason,
    Membership,
    Pilot,
    Project,
    Record,
    Reference,
    Report,
    Role,
)
from .workflow import SEES_ALL, Blinding, Stage
from .workflow import Status as StageStatus

router = Router(tags=["screening"])

STAGES = {s.value for s in Stage}
STATUSES = {s.value for s in StageStatus}


def _stage_param(stage: str, *, required: bool = False) -> str:
    if not stage and not required:
        return ""
    if stage not in STAGES:
        raise InvalidInput("stage must be title_abstract or full_text.", field="stage")
    return stage


def _status(status: str) -> str:
    if status and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(sorted(STATUSES))}.", field="status")
    return status


def _sees_all_votes(membership: Membership) -> bool:
    return membership.allows(Role.LEAD)


def _blinding(project: Project, membership: Membership) -> Blinding:
    return progress.blinding_for(project, membership)


def _reference(project_id: int, reference_id: int) -> Reference:
    return get_object_or_404(Reference, pk=reference_id, project_id=project_id)


# Reference lists and the next reference -----------------------------------------------------


class RecordSource(Schema):
    database: str
    accession: str


class ReferenceOut(Schema):
    id: int
    title: str
    authors: list[str]
    year: int | None
    journal: str
    doi: str
    pmid: str
    abstract: str
    stage: str
    status: str
    records: list[RecordSource]


def _reference_out(reference: Reference) -> dict[str, Any]:
    """A reference as `progress.as_seen` annotated it for the caller."""
    return {
        "id": reference.pk,
        "title": reference.title,
        "authors": reference.authors,
        "year": reference.year,
        "journal": reference.journal,
        "doi": reference.doi,
        "pmid": reference.pmid,
        "abstract": reference.abstract,
        "stage": reference.shown_stage,
        "status": reference.shown_status,
        "records": [
            {
                "database": record.search.database if record.search_id else record.method,
                "accession": record.accession or record.pmid,
            }
            for record in reference.records.all()
        ],
    }


def _record_sources() -> Prefetch:
    """A reference's records, with only what ReferenceOut shows of them: one query."""
    return Prefetch(
        "records",
        queryset=Record.objects.select_related("search")
        .only("reference_id", "method", "accession", "pmid", "search", "search__database")
        .order_by("id"),
    )


class _ReferencePage(LimitOffsetPagination):
    """Pagination whose items are shaped after slicing: records fetched for one page only."""

    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, **params)
        page["items"] = [_reference_out(r) for r in page["items"]]
        return page


@router.get("/projects/{slug}/references", response=list[ReferenceOut])
@paginate(_ReferencePage)
def reference_list(request: HttpRequest, slug: str, stage: str = "", status: str = "") -> Any:
    """The project's references, optionally at one stage and in one status."""
    project, membership = get_project_for_user(request.user, slug)
    stage, status = _stage_param(stage), _status(status)
    # Filtered on the stage and status as the caller is shown them (workflow.Blinding).
    references = progress.as_seen(
        progress.screened_references(project), _blinding(project, membership)
    )
    if stage:
        references = references.filter(shown_stage=stage)
    if status:
        references = references.filter(shown_status=status)
    return references.order_by("id").prefetch_related(_record_sources())


@router.get("/projects/{slug}/references/next", response={200: ReferenceOut, 204: None})
def reference_next(request: HttpRequest, slug: str, stage: str = "title_abstract") -> Any:
    """The next reference the caller has not voted on at the stage, or 204 when none is left."""
    project, _ = get_project_for_user(request.user, slug)
    stage = _stage_param(stage, required=True)
    found = progress.next_reference(project, request.user, stage)
    if found is None:
        return Status(204, None)
    # Open to a vote means fewer votes than needed and no resolution: pending, by definition.
    reference = Reference.objects.prefetch_related(_record_sources()).get(pk=found)
    reference.shown_stage, reference.shown_status = stage, StageStatus.PENDING
    return _reference_out(reference)


@router.get("/projects/{slug}/references/{reference_id}", response=ReferenceOut)
def reference_detail(request: HttpRequest, slug: str, reference_id: int) -> Any:
    """One reference with its stage and status (as the caller may see it)."""
    project, membership = get_project_for_user(request.user, slug)
    return _reference_out(
        _screened_reference(project, reference_id, _blinding(project, membership))
    )


def _screened_reference(
    project: Project, reference_id: int, blinding: Blinding = SEES_ALL
) -> Reference:
    """One reference still screened, with its statuses (as shown) and records; 404 otherwise."""
    references = progress.as_seen(progress.screened_references(project), blinding)
    references = references.prefetch_related(_record_sources())
    reference = references.filter(pk=reference_id).first()
    if reference is None:
        raise Http404("No such reference")
    return reference


# Votes, conflicts, resolutions ------------------------------------------------------------


class VoteIn(Schema):
    stage: str
    vote: str
    reason: str = ""
    note: str = ""


class VoteOut(Schema):
    id: int
    reference: int
    stage: str
    vote: str
    reason: str
    note: str
    status: str
    waiting_for_team: bool


@router.post("/projects/{slug}/references/{reference_id}/votes", response={201: VoteOut})
def vote_create(
    request: HttpRequest, slug: str, reference_id: int, payload: VoteIn
) -> Status[dict[str, Any]]:
    """Cast (or replace) the caller's vote; the answer is the same whatever others voted.

    While the stage is blind to the caller, the status is `pending` and `waiting_for_team` true.
    """
    project, membership = get_project_for_user(request.user, slug)
    vote, status = decisions.vote_cast(
        # A stand-in: vote_cast reads the row once, locked, and answers 404 when it is not ours.
        reference=Reference(pk=reference_id, project_id=project.pk),
        reviewer=request.user,
        stage=payload.stage,
        vote=payload.vote,
        reason=payload.reason,
        note=payload.note,
        membership=membership,
    )
    return Status(
        201,
        {
            "id": vote.pk,
            "reference": vote.reference_id,
            "stage": vote.stage,
            "vote": vote.vote,
            "reason": vote.reason.name if vote.reason_id else "",
            "note": vote.note,
            "status": status,
            "waiting_for_team": status == StageStatus.PENDING,
        },
    )


class ConflictVote(Schema):
    reviewer: str
    vote: str
    reason: str
    note: str
    # The vote as it stood when the other reviewer had voted, where it was changed after that.
    first_vote: str
    changed_after_others: bool


class ConflictOut(Schema):
    reference: int
    stage: str
    title: str
    votes: list[ConflictVote]


class _ConflictPage(LimitOffsetPagination):
    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, **params)
        page["items"] = progress.conflicts_with_votes(page["items"])
        return page


@router.get("/projects/{slug}/conflicts", response=list[ConflictOut])
@paginate(_ConflictPage)
def conflict_list(request: HttpRequest, slug: str, stage: str = "") -> Any:
    """References whose votes disagree, with every vote (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return progress.conflicts(project, _stage_param(stage))


class ResolutionIn(Schema):
    stage: str
    decision: str
    reason: str = ""
    note: str = ""


class ResolutionOut(Schema):
    id: int
    reference: int
    stage: str
    decision: str
    reason: str
    status: str


@router.post("/projects/{slug}/references/{reference_id}/resolution", response={201: ResolutionOut})
def resolution_create(
    request: HttpRequest, slug: str, reference_id: int, payload: ResolutionIn
) -> Status[dict[str, Any]]:
    """Settle a conflict (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    resolution, status = decisions.resolution_record(
        reference=_reference(project.pk, reference_id),
        stage=payload.stage,
        decision=payload.decision,
        reason=payload.reason,
        note=payload.note,
        user=request.user,
    )
    return Status(
        201,
        {
            "id": resolution.pk,
            "reference": resolution.reference_id,
            "stage": resolution.stage,
            "decision": resolution.decision,
            "reason": resolution.reason.name if resolution.reason_id else "",
            "status": status,
        },
    )


class ReopenIn(Schema):
    stage: str
    note: str = ""


@router.post("/projects/{slug}/references/{reference_id}/reopen", response=ReferenceOut)
def reference_reopen(request: HttpRequest, slug: str, reference_id: int, payload: ReopenIn) -> Any:
    """Undo a decision: a resolution, or agreeing votes (leads and admins; audited)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    decisions.reference_reopen(
        reference=_reference(project.pk, reference_id),
        stage=payload.stage,
        note=payload.note,
        user=request.user,
    )
    return _reference_out(_screened_reference(project, reference_id))


# Blinding (an extension of ../shared/API.md) ------------------------------------------------


class BlindingIn(Schema):
    stage: str
    blind: bool


@router.post("/projects/{slug}/blinding", tags=["screening"])
def blinding_set(request: HttpRequest, slug: str, payload: BlindingIn) -> dict[str, Any]:
    """Unblind a stage (reviewers then see its outcomes) or blind it again (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    project = decisions.stage_blinding_set(
        project=project, stage=payload.stage, blind=payload.blind, user=request.user
    )
    return {"blind_stages": sorted(project.blinding.blind_stages)}


# Exclusion reasons ------------------------------------------------------------------------


class ReasonIn(Schema):
    name: str


class ReasonOut(Schema):
    id: int
    name: str
    proposed: bool


@router.post("/projects/{slug}/exclusion-reasons", response={201: ReasonOut})
def reason_create(request: HttpRequest, slug: str, payload: ReasonIn) -> Status[Any]:
    """Add a full-text exclusion reason to the project's list (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return Status(
        201, decisions.exclusion_reason_add(project=project, name=payload.name, user=request.user)
    )


class ReasonListed(Schema):
    id: int
    name: str
    position: int | None  # place in the lead's list (retired included); None while proposed
    key: int | None  # the Screen page's key, 1-9; None when retired, proposed or after 9th
    retired: bool
    proposed: bool
    votes: int | None = None  # votes naming it: leads and admins only (blinding)


class ReasonChange(Schema):
    name: str | None = None
    retired: bool | None = None
    position: int | None = None


def _reason_listed(reason: Any) -> dict[str, Any]:
    return {
        "id": reason.pk,
        "name": reason.name,
        "position": reason.place,
        "key": reason.key,
        "retired": reason.retired,
        "proposed": reason.proposed,
        "votes": getattr(reason, "votes_count", None),
    }


@router.get("/projects/{slug}/exclusion-reasons", response=list[ReasonListed])
def reason_list(request: HttpRequest, slug: str) -> Any:
    """The project's exclusion reasons in the lead's order with their keys, then those
    reviewers proposed; leads and admins also see how many votes name each."""
    project, membership = get_project_for_user(request.user, slug)
    reasons = progress.exclusion_reasons(project, votes=membership.allows(Role.LEAD))
    return [_reason_listed(r) for r in reasons]


@router.patch("/projects/{slug}/exclusion-reasons/{reason_id}", response=ReasonListed)
def reason_change(request: HttpRequest, slug: str, reason_id: int, payload: ReasonChange) -> Any:
    """Rename, retire or restore, and move a reason (leads and admins; each change audited)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    decisions.exclusion_reason_change(
        reason=ExclusionReason(pk=reason_id, project_id=project.pk),
        user=request.user,
        name=payload.name,
        retired=payload.retired,
        position=payload.position,
    )
    reasons = progress.exclusion_reasons(project, votes=True)
    return _reason_listed(next(r for r in reasons if r.pk == reason_id))


# Reports (full texts) -----------------------------------------------------------------------


class ReportOut(Schema):
    reference: int
    not_retrieved: bool
    note: str
    filename: str
    size: int
    pages: int
    sha256: str


def _report_out(report: Report) -> dict[str, Any]:
    return {
        "reference": report.reference_id,
        "not_retrieved": report.not_retrieved,
        "note": report.note,
        "filename": report.filename,
        "size": report.size,
        "pages": report.pages,
        "sha256": report.sha256,
    }


@router.post("/projects/{slug}/references/{reference_id}/report", response={201: ReportOut})
def report_create(request: HttpRequest, slug: str, reference_id: int) -> Status[dict[str, Any]]:
    """Upload the full text (multipart `file`, a PDF) or mark it `{"not_retrieved": true}`."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    reference = _reference(project.pk, reference_id)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput("Send the PDF as the multipart field `file`.", field="file")
        report = decisions.report_attach(
            reference=reference,
            data=upload,
            filename=upload.name or "report.pdf",
            user=request.user,
        )
        return Status(201, _report_out(report))
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as error:
        raise InvalidInput("The body is not JSON.", field="body") from error
    if not isinstance(body, dict) or body.get("not_retrieved") is not True:
        raise InvalidInput(
            'Send a PDF as multipart `file`, or JSON {"not_retrieved": true, "note": "..."}.',
            field="not_retrieved",
        )
    note = body.get("note", "")
    if not isinstance(note, str):
        raise InvalidInput("note must be text.", field="note")
    report = decisions.report_mark_not_retrieved(reference=reference, note=note, user=request.user)
    return Status(201, _report_out(report))


@router.get("/projects/{slug}/references/{reference_id}/report")
def report_file(request: HttpRequest, slug: str, reference_id: int) -> HttpResponse:
    """The full-text PDF, to project members only."""
    project, _ = get_project_for_user(request.user, slug)
    return responses.full_text(
        get_object_or_404(Report, reference_id=reference_id, project=project)
    )


# Agreement and PRISMA ---------------------------------------------------------------------


class PairOut(Schema):
    reviewers: list[str]
    references: int
    percent_agreement: float | None
    cohen_kappa: float | None


class AgreementOut(Schema):
    stage: str
    references: int
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    maybe_counts_as: str
    # Votes changed after another reviewer had voted on the reference: counted as first cast.
    changed_after_others: int
    pairs: list[PairOut]


@router.get("/projects/{slug}/agreement", response=AgreementOut, tags=["reporting"])
def agreement_detail(request: HttpRequest, slug: str, stage: str = "title_abstract") -> Any:
    """Percent agreement and kappa over references with two or more votes (maybe = include)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = _stage_param(stage, required=True)
    report = agreement.agreement_report(progress.votes_by_reference(project, stage))
    return {
        "stage": stage,
        "references": report.references,
        "percent_agreement": _rounded(report.percent_agreement, 2),
        "cohen_kappa": _rounded(report.cohen_kappa, 4),
        "fleiss_kappa": _rounded(report.fleiss_kappa, 4),
        "maybe_counts_as": "include",
        "changed_after_others": progress.votes_changed_after_others(project, stage),
        "pairs": [
            {
                "reviewers": list(pair.reviewers),
                "references": pair.references,
                "percent_agreement": _rounded(pair.percent_agreement, 2),
                "cohen_kappa": _rounded(pair.cohen_kappa, 4),
            }
            for pair in report.pairs
        ],
    }


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@router.get("/projects/{slug}/prisma", tags=["reporting"])
def prisma_json(request: HttpRequest, slug: str) -> dict[str, Any]:
    """PRISMA 2020 counts under the PRISMA2020 R package's names (admins and leads)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return progress.prisma_counts(project).as_dict()


@router.get("/projects/{slug}/prisma.csv", tags=["reporting"])
def prisma_csv(
    request: HttpRequest, slug: str, template: Literal["current", "2022"] = "current"
) -> HttpResponse:
    """The counts in the CSV layout the PRISMA2020 R package and Shiny app read.

    `template=current` (default) is the package's 1.1.4 layout, with the meta-analysis rows;
    `template=2022` the layout of the 2022 paper.
    """
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    body = prisma.to_file(
        progress.prisma_counts(project),
        "csv",
        review_type=project.review_type,
        title=project.name,
        template=template,
    )
    return responses.attachment(body, f"{project.slug}-prisma.csv")


@router.get("/projects/{slug}/prisma.svg", tags=["reporting"])
def prisma_svg(request: HttpRequest, slug: str) -> HttpResponse:
    """The PRISMA 2020 flow diagram, drawn from the counts."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    svg = prisma.to_file(
        progress.prisma_counts(project), "svg", review_type=project.review_type, title=project.name
    )
    return HttpResponse(svg, content_type=responses.CONTENT_TYPES["svg"])


@router.get("/projects/{slug}/export", tags=["reporting"])
def reference_export(
    request: HttpRequest,
    slug: str,
    stage: str = "",
    status: str = "",
    format: Literal["ris", "bib", "bibtex", "csv", "xlsx"] = "ris",
    csv_formulas: Literal["escape", "keep"] = "escape",
) -> HttpResponse:
    """References (at a stage, in a status) with every vote, reason, note and resolution.
    In CSV a text starting with =, +, -, @, tab or CR is prefixed with ' unless
    `csv_formulas=keep` (for programs); in xlsx it is always a text cell."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    references = list(progress.decided_references(project, _stage_param(stage), _status(status)))
    part = "-".join(p for p in (stage, status) if p) or "references"
    body = exports.decisions_file(references, format, csv_formulas=csv_formulas)
    extension = "bib" if format == "bibtex" else format
    return responses.attachment(body, f"{project.slug}-{part}.{extension}")


# A project's history (an extension of ../shared/API.md) -----------------------------------------


class HistoryEventOut(Schema):
    id: int
    at: str
    actor: str
    action: str
    object: str
    object_id: str
    reference: int | None
    before: dict[str, Any]
    after: dict[str, Any]


def _history(request: HttpRequest, slug: str, kind: str, actor: str, reference: int | None) -> Any:
    project, membership = get_project_for_user(request.user, slug)
    return selectors.project_history(
        project, membership, kind=kind, actor=actor, reference=reference
    )


def _event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.created_at.isoformat(),
        "actor": event.actor.get_username() if event.actor_id else "",
        "action": event.verb,
        "object": event.object_type,
        "object_id": event.object_id,
        "reference": exports.event_reference(event),
        "before": event.before,
        "after": event.after,
    }


class _HistoryPage(LimitOffsetPagination):
    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, **params)
        page["items"] = [_event_out(event) for event in page["items"]]
        return page


@router.get("/projects/{slug}/history", response=list[HistoryEventOut], tags=["reporting"])
@paginate(_HistoryPage)
def history_list(
    request: HttpRequest, slug: str, kind: str = "", actor: str = "", reference: int | None = None
) -> Any:
    """The audit trail, newest first: every event to leads and admins, a reviewer's own to them."""
    return _history(request, slug, kind, actor, reference)


@router.get("/projects/{slug}/history.csv", tags=["reporting"])
def history_csv(
    request: HttpRequest,
    slug: str,
    kind: str = "",
    actor: str = "",
    reference: int | None = None,
    csv_formulas: Literal["escape", "keep"] = "escape",
) -> HttpResponse:
    """The same events as CSV, one row each, values before and after as JSON (`csv_formulas`
    as for the export)."""
    events = _history(request, slug, kind, actor, reference)
    body = exports.history_csv(events, formulas=csv_formulas)
    return responses.attachment(body, f"{slug}-history.csv")


# Per-reviewer progress and pilot rounds (extensions of ../shared/API.md) -------------------------


@router.get("/projects/{slug}/progress", tags=["screening"])
def progress_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """References per stage and status, and each member's votes per stage.

    A reviewer sees conflicts counted as pending, and how many votes others cast but not which.
    """
    project, membership = get_project_for_user(request.user, slug)
    sees_all = _sees_all_votes(membership)
    blinding = _blinding(project, membership)
    return {
        "stages": progress.status_counts(project, blinding=blinding),
        "reviewers": [
            {
                **row,
                "last_vote_at": row["last_vote_at"].isoformat() if row["last_vote_at"] else None,
            }
            for row in progress.reviewer_progress(
                project, viewer_id=request.user.pk, blinding=blinding
            )
        ],
        "pilot": _pilot_out(pilots.latest_pilot(project), sees_all=sees_all),
        "blind_stages": sorted(project.blinding.blind_stages),
    }


class PilotIn(Schema):
    size: int


def _pilot_out(pilot: Pilot | None, *, sees_all: bool) -> dict[str, Any] | None:
    """A pilot round and how far it is; its agreement to leads and admins only."""
    if pilot is None:
        return None
    report = pilots.pilot_report(pilot)
    found = report["agreement"]
    return {
        "id": pilot.pk,
        "size": pilot.size,
        "open": pilot.closed_at is None,
        "started_at": pilot.started_at.isoformat(),
        "started_by": pilot.started_by.get_username() if pilot.started_by_id else "",
        "closed_at": pilot.closed_at.isoformat() if pilot.closed_at else None,
        # How many have their two votes would tell a reviewer whether the other one voted yet.
        "screened": report["screened"] if sees_all else None,
        "agreement": {
            "references": found.references,
            "percent_agreement": _rounded(found.percent_agreement, 2),
            "cohen_kappa": _rounded(found.cohen_kappa, 4),
            "maybe_counts_as": "include",
        }
        if sees_all
        else None,
        "votes_per_reviewer": report["per_reviewer"] if sees_all else None,
    }


@router.post("/projects/{slug}/pilot", response={201: dict[str, Any]}, tags=["screening"])
def pilot_create(request: HttpRequest, slug: str, payload: PilotIn) -> Status[dict[str, Any]]:
    """Draw a random sample of unscreened references as a pilot round (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    pilot = pilots.pilot_start(project=project, size=payload.size, user=request.user)
    return Status(201, _pilot_out(pilot, sees_all=True))


@router.get("/projects/{slug}/pilot", tags=["screening"])
def pilot_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The latest pilot round: open or not, how far, and (to leads) its agreement."""
    project, membership = get_project_for_user(request.user, slug)
    found = _pilot_out(pilots.latest_pilot(project), sees_all=_sees_all_votes(membership))
    if found is None:
        raise Http404("This project has had no pilot round.")
    return found


@router.post("/projects/{slug}/pilot/close", tags=["screening"])
def pilot_end(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Close the open pilot round: screening goes on over every reference."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return _pilot_out(pilots.pilot_close(project=project, user=request.user), sees_all=True)
