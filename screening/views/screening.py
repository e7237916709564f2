"""Pages. Each view: parse a form, authorise with one helper, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from . import (
    agreement,
    decisions,
    deduplication,
    exports,
    pilots,
    prisma,
    progress,
    responses,
    selectors,
    services,
)
from .access import get_project_for_user
from .errors import InvalidInput, ServiceError
from .forms import COMMON_DATABASES, MemberForm, ProjectForm, SearchImportForm
from .highlight import Terms, highlight
from .jobs import job_create
from .models import (
    DuplicateCandidate,
    DuplicateStatus,
    ExclusionReason,
    JobKind,
    Membership,
    Project,
    Record,
    Reference,
    Report,
    Role,
    Search,
    Vote,
)
from .workflow import Stage, Status


def home(request: HttpRequest) -> HttpResponse:
    return redirect("project_list" if request.user.is_authenticated else "login")


@login_required
@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(creator=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.extra.get("field") or None, error.message)
        else:
            messages.success(request, f"Project {project.name} created. You are its admin.")
            return redirect("project_dashboard", slug=project.slug)
    memberships = request.user.memberships.select_related("project").order_by("project__name")
    return render(
        request, "screening/project_list.html", {"memberships": memberships, "form": form}
    )


@login_required
def project_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug)
    blinding = progress.blinding_for(project, membership)
    counts = selectors.project_counts(project, blinding=blinding)
    return render(
        request,
        "screening/project_dashboard.html",
        {
            "project": project,
            "membership": membership,
            "counts": counts,
            "members": selectors.project_members(project),
            "jobs": selectors.project_recent_jobs(project),
            "reviewers": [
                {
                    **row,
                    "stages": [
                        {
                            "votes": row[stage]["votes"],
                            "kinds": [
                                row[stage][choice] for choice in ("include", "exclude", "maybe")
                            ],
                        }
                        for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT)
                    ],
                }
                for row in progress.reviewer_progress(
                    project, viewer_id=request.user.pk, blinding=blinding
                )
            ],
            "stage_rows": [
                (label, counts["stages"][stage], stage, stage in project.blinding.blind_stages)
                for label, stage in (
                    ("Title and abstract", Stage.TITLE_ABSTRACT),
                    ("Full text", Stage.FULL_TEXT),
                )
            ],
            "blind_note": "a blind stage shows you every reference as pending, with your own "
            "votes, until a lead unblinds it"
            if blinding.blind_stages
            else "",
            "pilot": _pilot_context(project, membership),
        },
    )


@login_required
@require_http_methods(["POST"])
def project_blinding(request: HttpRequest, slug: str) -> HttpResponse:
    """Unblind a stage for the reviewers, or blind it again (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = _stage_arg(request.POST.get("stage"))
    blind = request.POST.get("blind") == "1"
    decisions.stage_blinding_set(project=project, stage=stage, blind=blind, user=request.user)
    label = "Full text" if stage == Stage.FULL_TEXT else "Title and abstract"
    messages.success(
        request,
        f"{label} is blind again: reviewers see their own votes only."
        if blind
        else f"{label} is unblinded: reviewers now see its outcomes and conflicts.",
    )
    return redirect("project_dashboard", slug=slug)


def _pilot_context(project: Project, membership: Membership) -> dict[str, object] | None:
    pilot = pilots.latest_pilot(project)
    if pilot is None:
        return None
    report = pilots.pilot_report(pilot)
    if not membership.allows(Role.LEAD):  # these would tell how, or whether, the others voted
        report.pop("agreement")
        report.pop("per_reviewer")
        report["screened"] = None
    return report


@login_required
@require_http_methods(["POST"])
def project_pilot(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a pilot round of `size` references, or close the open one (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    try:
        if request.POST.get("action") == "close":
            pilots.pilot_close(project=project, user=request.user)
            messages.success(request, "Pilot round closed: screening goes on over every reference.")
        else:
            size = request.POST.get("size", "")
            if not size.isdigit():
                raise InvalidInput("The pilot's size must be a whole number of references.")
            pilot = pilots.pilot_start(project=project, size=int(size), user=request.user)
            messages.success(request, f"Pilot round started: {pilot.size} references drawn.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("project_dashboard", slug=project.slug)


@login_required
def project_jobs(request: HttpRequest, slug: str) -> HttpResponse:
    """The recent-jobs panel, polled by htmx while any job is unfinished."""
    project, _ = get_project_for_user(request.user, slug)
    return render(
        request,
        "screening/partials/job_table.html",
        {"project": project, "jobs": selectors.project_recent_jobs(project)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not membership.allows(Role.ADMIN):
            raise PermissionDenied("Only the project's admins manage its members.")
        try:
            if "remove" in request.POST:
                services.membership_remove(
                    project=project, username=request.POST["remove"], actor=request.user
                )
                messages.success(request, f"{request.POST['remove']} removed from the project.")
                return redirect("project_members", slug=slug)
            if form.is_valid():
                _, created = services.membership_set(
                    project=project, actor=request.user, **form.cleaned_data
                )
                verb = "added as" if created else "is now"
                messages.success(
                    request, f"{form.cleaned_data['username']} {verb} {form.cleaned_data['role']}."
                )
                return redirect("project_members", slug=slug)
        except ServiceError as error:
            messages.error(request, error.message)
    return render(
        request,
        "screening/project_members.html",
        {
            "project": project,
            "membership": membership,
            "members": selectors.project_members(project),
            "form": form,
            "can_manage": membership.allows(Role.ADMIN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def search_import(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    form = SearchImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            form.add_error("file", f"The file is larger than {settings.UPLOAD_MAX_BYTES} bytes.")
        else:
            try:
                job = services.search_import_enqueue(
                    project=project,
                    data=upload,
                    filename=upload.name,
                    user=request.user,
                    **{k: v for k, v in form.cleaned_data.items() if k != "file"},
                )
            except ServiceError as error:
                form.add_error(error.extra.get("field") or None, error.message)
            else:
                return redirect("job_status", job_id=job.pk)
    return render(
        request,
        "screening/search_import.html",
        {"project": project, "membership": membership, "form": form, "databases": COMMON_DATABASES},
    )


@login_required
def search_list(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug)
    return render(
        request,
        "screening/search_list.html",
        {
            "project": project,
            "membership": membership,
            "searches": Search.objects.filter(project=project).select_related("created_by"),
        },
    )


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress; polled by htmx until it is done, then its result."""
    job = selectors.job_for_user(request.user, job_id)
    project: Project | None = job.project
    context = {"job": job, "project": project}
    if job.kind == JobKind.IMPORT and job.result.get("search"):
        search = Search.objects.filter(pk=job.result["search"]).first()
        context["search"] = search
        context["first_records"] = Record.objects.filter(search=search).order_by("position")[:10]
    template = "screening/partials/job_status.html" if request.htmx else "screening/job_status.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Leads review the sets dedup was unsure of, and can undo any merge."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST" and request.POST.get("action") == "run":
        with transaction.atomic():
            job = job_create(kind=JobKind.DEDUP, project=project, created_by=request.user)
        return redirect("job_status", job_id=job.pk)
    if request.method == "POST" and request.POST.get("action") == "merge_above":
        try:
            score = float(request.POST.get("score", ""))
        except ValueError:
            score = -1.0
        try:
            done = deduplication.duplicates_merge_above(
                project=project, score=score, actor=request.user
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            skipped = (
                f"; {done['skipped']} left waiting (merged elsewhere since, or decided "
                "differently: merge those one by one)"
                if done["skipped"]
                else ""
            )
            messages.success(
                request, f"Merged {done['merged']} set{pluralize(done['merged'])}{skipped}."
            )
        return redirect(f"{request.path}?status=pending")
    if request.method == "POST":
        candidate = get_object_or_404(
            DuplicateCandidate, pk=_int_or_none(request.POST.get("candidate")), project=project
        )
        action = request.POST.get("action", "")
        # Back to the tab, page and search the answer was given from.
        back = request.GET.copy()
        back.pop("survivor", None)
        try:
            if action == "undo_unmerge":
                deduplication.duplicate_unmerge_undo(candidate=candidate, actor=request.user)
            else:
                deduplication.duplicate_decide(
                    candidate=candidate,
                    action=action,
                    actor=request.user,
                    survivor=_int_or_none(request.GET.get("survivor")),
                )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _DECIDED[action].format(set=candidate.pk))
            if action == "unmerge":
                back["unmerged"] = str(candidate.pk)  # the page offers to undo it
        back.setdefault("status", DuplicateStatus.PENDING)
        if action != "unmerge":
            back.pop("unmerged", None)
        return redirect(f"{request.path}?{back.urlencode()}")
    status = request.GET.get("status", DuplicateStatus.PENDING)
    if status not in DuplicateStatus.values:
        status = DuplicateStatus.PENDING
    text = request.GET.get("q", "").strip()
    page = Paginator(
        selectors.duplicate_set_ids(project, status=status, text=text), selectors.DUPLICATES_PAGE
    ).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    for name in ("page", "unmerged"):
        filters.pop(name, None)
    unmerged = _int_or_none(request.GET.get("unmerged"))
    return render(
        request,
        "screening/duplicate_review.html",
        {
            "project": project,
            "membership": membership,
            "status": status,
            "statuses": DuplicateStatus.choices,
            "query": text,
            "page": page,
            "page_links": page.paginator.get_elided_page_range(page.number, on_ends=1),
            "filters": filters.urlencode(),
            "sets": selectors.duplicate_sets(project, list(page.object_list)),
            # Offered while the set stays as the unmerge left it; the service checks again.
            "undo": unmerged is not None
            and DuplicateCandidate.objects.filter(
                pk=unmerged,
                project=project,
                status=DuplicateStatus.REJECTED,
                survivor__isnull=False,
            ).first(),
            "counts": selectors.project_counts(
                project, blinding=progress.blinding_for(project, membership)
            ),
        },
    )


_DECIDED = {
    "merge": "Merged: the records now form one reference.",
    "reject": "Marked as not duplicates.",
    "unmerge": "Unmerged set {set}: every record is back in its own reference.",
    "undo_unmerge": "Set {set} merged again, as it was before the unmerge.",
    "reopen": "Set {set} reopened: it waits for a person again.",
}


@login_required
def project_history(request: HttpRequest, slug: str) -> HttpResponse:
    """The audit trail, filtered by kind, person and reference; `?format=csv` downloads it."""
    project, membership = get_project_for_user(request.user, slug)
    kind, actor = request.GET.get("kind", ""), request.GET.get("actor", "")
    reference_param = request.GET.get("reference", "").strip()
    reference = int(reference_param) if reference_param.isdigit() else None
    events = selectors.project_history(
        project, membership, kind=kind, actor=actor, reference=reference
    )
    if request.GET.get("format") == "csv":
        body = exports.history_csv(events, formulas=responses.csv_formulas(request))
        return responses.attachment(body, f"{project.slug}-history.csv")
    page = Paginator(events, selectors.HISTORY_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "screening/project_history.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "events": [(event, exports.event_reference(event)) for event in page],
            "kinds": selectors.history_kinds(project),
            "people": selectors.project_members(project) if membership.allows(Role.LEAD) else [],
            "kind": kind,
            "actor": actor,
            "reference": reference_param,
            "filters": filters.urlencode(),
            "bad_reference": bool(reference_param) and reference is None,
        },
    )


# Screening, one reference at a time ------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    """A number posted by a form of ours, or None when absent (or tampered with)."""
    return int(value) if value and value.isdigit() else None


def _stage_arg(value: str | None) -> str:
    return value if value in {s.value for s in Stage} else Stage.TITLE_ABSTRACT.value


# Cards the screening page holds ahead of the one shown: five keys pressed at once land on five
# references while their votes are still on their way (static/js/screen.js queues them).
SCREEN_AHEAD = 5
_NO_CARD: dict[str, object] = {"reference": None, "own": None, "report": None}


def _ids_arg(value: str | None) -> set[int]:
    """Reference ids the screening page sends as "12,13,14"; anything else in it is ignored."""
    return {int(part) for part in (value or "").split(",")[:200] if part.isdigit()}


def _cards(
    request: HttpRequest, project: Project, stage: str, ids: list[int], terms: Terms
) -> list[dict[str, object]]:
    """References as the screening cards show them, in the order of `ids`, each with the
    reviewer's own vote on it: four queries however many cards."""
    references = (
        Reference.objects.active()
        .filter(project=project)
        .prefetch_related("records__search")
        .in_bulk(ids)
    )
    own = {
        vote.reference_id: vote
        for vote in Vote.objects.filter(
            reference_id__in=ids, stage=stage, reviewer=request.user
        ).select_related("reason")
    }
    reports = {
        report.reference_id: report for report in Report.objects.filter(reference_id__in=ids)
    }
    return [
        {
            "reference": reference,
            "title_html": mark_safe(highlight(reference.title, terms)),  # noqa: S308 - escaped by highlight()
            "abstract_html": mark_safe(highlight(reference.abstract, terms)),  # noqa: S308 - escaped by highlight()
            "own": own.get(pk),
            "report": reports.get(pk),
        }
        for pk in ids
        if (reference := references.get(pk)) is not None
    ]


def _screen_context(
    request: HttpRequest,
    project: Project,
    membership: Membership,
    stage: str,
    *,
    reference_id: int | None = None,
    previous: int | None = None,
    skip: set[int] | None = None,
    ahead: int = SCREEN_AHEAD,
    send_first: bool = False,
) -> dict[str, object]:
    """What the screening page shows: one reference (the asked one, else the next one not in
    `skip`), its sources, the reviewer's own vote, the reasons, the reviewer's count, and up to
    `ahead` references to show after it, rendered (`ahead_html`, with the first one too if
    `send_first`; `end_html` when there are no more)."""
    shown, ahead_ids = progress.shown_and_ahead(
        project, request.user, stage, shown=reference_id, skip=skip or set(), ahead=ahead
    )
    terms = Terms.from_lines(project.include_terms, project.exclude_terms)
    shared = {
        "project": project,
        "membership": membership,
        "stage": stage,
        "stage_label": "Full text" if stage == Stage.FULL_TEXT else "Title and abstract",
        "terms": terms,
        # Each with its `key`: a card gives a reason the key its place in the lead's list.
        "reasons": progress.exclusion_reasons(project, offered=True),
        "my_votes": Vote.objects.filter(
            project=project, reviewer=request.user, stage=stage
        ).count(),
        "pilot_open": progress.open_pilot_id(project) is not None,
    }
    cards = _cards(request, project, stage, [pk for pk in (shown, *ahead_ids) if pk], terms)
    first = cards.pop(0) if cards and cards[0]["reference"].pk == shown else None
    context = {**shared, **(first or _NO_CARD), "previous": previous}

    def rendered(card: dict[str, object]) -> str:
        return render_to_string(
            "screening/partials/screen_card.html", {**shared, **card}, request=request
        )

    sent = [first] if first and send_first else []
    context["ahead_html"] = [rendered(card) for card in sent + cards]
    if len(cards) < ahead:
        context["end_html"] = rendered(_NO_CARD)
    return context


def _login_or_401(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required, except that the screening page's script (htmx or fetch) gets a 401: a
    redirect to the login page would be followed and its form taken for the answer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            return JsonResponse({"detail": "Your session has ended: log in again."}, status=401)
        return login_required(view)(request, *args, **kwargs)

    return wrapped


@_login_or_401
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    """The screening page: one reference, keys I, E, M, N, U and 1-9 (see static/js/screen.js),
    and the cards to show after it. To the page's script (htmx), the cards only: the asked
    `reference` (else the next), then `ahead` more, none of those in `skip`."""
    project, membership = get_project_for_user(request.user, slug)
    stage = _stage_arg(request.GET.get("stage"))
    asked = _int_or_none(request.GET.get("reference"))
    context = _screen_context(
        request,
        project,
        membership,
        stage,
        reference_id=asked,
        previous=_int_or_none(request.GET.get("previous")),
        skip=_ids_arg(request.GET.get("skip")),
        ahead=min(_int_or_none(request.GET.get("ahead")) or 0, SCREEN_AHEAD)
        if request.htmx
        else SCREEN_AHEAD,
        send_first=request.htmx,
    )
    if asked is not None and context["reference"] is None:
        raise Http404("No such reference in this project.")
    if request.htmx:
        return render(request, "screening/partials/screen_ahead.html", context)
    return render(request, "screening/screen.html", context)


@login_required
def screen_team(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's progress beside the screening page, loaded after the reference (htmx)."""
    project, membership = get_project_for_user(request.user, slug)
    stage = _stage_arg(request.GET.get("stage"))
    blinding = progress.blinding_for(project, membership)
    counts = progress.status_counts(project, blinding=blinding)[stage]
    return render(
        request,
        "screening/partials/screen_team.html",
        {
            "counts": counts,
            "sees_all": membership.allows(Role.LEAD),
            "blind": stage in blinding.blind_stages,
            "project": project,
            "stage": stage,
        },
    )


@_login_or_401
@require_http_methods(["POST"])
def screen_vote(request: HttpRequest, slug: str, reference_id: int) -> HttpResponse:
    """Cast the vote. To the page's script (htmx): the saved vote and the `ahead` cards it asks
    for (none of those in `skip`; `shown`, the one it shows, claimed), or the refusal as
    {"detail"} with its status. Without script: a redirect to the next reference."""
    project, membership = get_project_for_user(request.user, slug)
    stage = _stage_arg(request.POST.get("stage"))
    reference = get_object_or_404(Reference, pk=reference_id, project=project)
    try:
        vote, _ = decisions.vote_cast(
            reference=reference,
            reviewer=request.user,
            stage=stage,
            vote=request.POST.get("vote", ""),
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            membership=membership,
        )
    except ServiceError as error:
        if request.htmx:
            return JsonResponse({"detail": error.message}, status=error.status)
        messages.error(request, error.message)
        return redirect(f"{reverse('screen', args=[slug])}?stage={stage}&reference={reference_id}")
    done = f"Voted {vote.vote} on reference {reference_id}."
    if not request.htmx:
        messages.success(request, done)
        return redirect(f"{reverse('screen', args=[slug])}?stage={stage}&previous={reference_id}")
    shown = _int_or_none(request.POST.get("shown"))
    context = _screen_context(
        request,
        project,
        membership,
        stage,
        reference_id=shown,
        skip=_ids_arg(request.POST.get("skip")) | {reference_id},
        ahead=min(_int_or_none(request.POST.get("ahead")) or 0, SCREEN_AHEAD),
        # With no card on screen, the one handed out is one more card to hold.
        send_first=shown is None,
    )
    return render(
        request, "screening/partials/screen_voted.html", {**context, "vote": vote, "done": done}
    )


@xframe_options_sameorigin  # shown inline on the screening page; still no framing elsewhere
@login_required
def report_file(request: HttpRequest, slug: str, reference_id: int) -> HttpResponse:
    """A reference's full text (PDF), to the project's members only."""
    project, _ = get_project_for_user(request.user, slug)
    return responses.full_text(
        get_object_or_404(Report, reference_id=reference_id, project=project)
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Eligibility criteria and the terms highlighted while screening (leads and admins)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST":
        services.project_screening_update(
            project=project,
            user=request.user,
            eligibility_criteria=request.POST.get("eligibility_criteria", ""),
            include_terms=request.POST.get("include_terms", ""),
            exclude_terms=request.POST.get("exclude_terms", ""),
        )
        messages.success(request, "Saved: reviewers see the new criteria and highlights now.")
        return redirect("project_settings", slug=project.slug)
    return render(
        request, "screening/project_settings.html", {"project": project, "membership": membership}
    )


# Conflicts, for leads --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def conflict_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Conflicts with both votes side by side; a lead decides each (keys I and E on the first)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = (
        request.GET.get("stage", "") if request.GET.get("stage") in {s.value for s in Stage} else ""
    )
    if request.method == "POST":
        reference = get_object_or_404(Reference, pk=request.POST.get("reference"), project=project)
        try:
            resolution, status = decisions.resolution_record(
                reference=reference,
                stage=request.POST.get("stage", ""),
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
                user=request.user,
            )
            messages.success(
                request, f"Reference {reference.pk}: {resolution.decision}d ({status.value})."
            )
        except ServiceError as error:
            messages.error(request, f"Reference {reference.pk}: {error.message}")
        pair = request.GET.get("pair", "")
        return redirect(f"{reverse('conflict_list', args=[slug])}?stage={stage}&pair={pair}")
    pair = tuple(request.GET.get("pair", "").split(",", 1))
    between = pair if len(pair) == 2 else None
    conflicts = progress.conflicts_with_votes(
        list(progress.conflicts(project, stage, between=between)[:50])
    )
    return render(
        request,
        "screening/conflict_list.html",
        {
            "project": project,
            "membership": membership,
            "conflicts": conflicts,
            "stage": stage,
            "pairs": [(",".join(p), " and ".join(p)) for p in progress.conflict_pairs(project)],
            "pair": ",".join(between) if between else "",
            "reasons": progress.exclusion_reasons(project, offered=True),
        },
    )


# Agreement and PRISMA, with their downloads ----------------------------------------------------


@login_required
def project_report(request: HttpRequest, slug: str) -> HttpResponse:
    """Agreement per stage and pair in numbers and words, and the PRISMA 2020 diagram, live."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stages = []
    for stage, label in (
        (Stage.TITLE_ABSTRACT, "Title and abstract"),
        (Stage.FULL_TEXT, "Full text"),
    ):
        found = agreement.agreement_report(progress.votes_by_reference(project, stage))
        stages.append(
            {
                "label": label,
                "report": found,
                "reading": agreement.kappa_reading(found.cohen_kappa),
                "changed": progress.votes_changed_after_others(project, stage),
                "pairs": [
                    (pair, agreement.kappa_reading(pair.cohen_kappa)) for pair in found.pairs
                ],
            }
        )
    counts = progress.prisma_counts(project)
    svg = prisma.to_svg(counts, review_type=project.review_type, title=project.name)
    return render(
        request,
        # The dashboard loads the same agreement and diagram once it is on screen (htmx).
        "screening/partials/report_live.html" if request.htmx else "screening/project_report.html",
        {
            "project": project,
            "membership": membership,
            "stages": stages,
            "counts": counts,
            "prisma_svg": mark_safe(svg),  # noqa: S308 - drawn by prisma.to_svg, every text escaped
        },
    )


DOWNLOADS = {
    "prisma.json",
    "prisma.csv",
    "prisma.svg",
    "decisions.csv",
    "decisions.xlsx",
    "decisions.ris",
    "decisions.bib",
}


@login_required
def project_download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """The report page's downloads: what the API's prisma and export endpoints give, as files."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if name not in DOWNLOADS:
        raise Http404("No such download")
    kind, format = name.split(".")
    if kind == "prisma":
        template = request.GET.get("template", prisma.CURRENT_TEMPLATE)
        body = prisma.to_file(
            progress.prisma_counts(project),
            format,
            review_type=project.review_type,
            title=project.name,
            # An unknown template falls back to the current one: a page link, not an API call.
            template=template if template in prisma.CSV_TEMPLATES else prisma.CURRENT_TEMPLATE,
        )
        return responses.attachment(body, f"{project.slug}-{name}")
    stage = request.GET.get("stage", "")
    status = request.GET.get("status", "")
    references = progress.decided_references(
        project,
        stage if stage in {s.value for s in Stage} else "",
        status if status in {s.value for s in Status} else "",
    )
    body = exports.decisions_file(
        list(references), format, csv_formulas=responses.csv_formulas(request)
    )
    return responses.attachment(body, f"{project.slug}-{name}")


@login_required
def reference_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Find references: words, stage, status, year, one's own vote; each opens on the screen."""
    project, membership = get_project_for_user(request.user, slug)
    query = request.GET
    year = query.get("year", "").strip()
    my_vote_stage = _stage_arg(query.get("vote_stage"))
    references = selectors.reference_search(
        project,
        membership,
        text=query.get("q", ""),
        stage=query.get("stage", "") if query.get("stage") in {s.value for s in Stage} else "",
        status=query.get("status", ""),
        year=int(year) if year.isdigit() else None,
        my_vote=query.get("mine", ""),
        my_vote_stage=my_vote_stage,
    )
    page = Paginator(references, selectors.REFERENCES_PAGE).get_page(query.get("page"))
    filters = query.copy()
    filters.pop("page", None)
    return render(
        request,
        "screening/reference_list.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "filters": filters.urlencode(),
            "query": query,
            "statuses": [s.value for s in Status],
            "bad_year": bool(year) and not year.isdigit(),
        },
    )


# Full texts to find, and the reasons to exclude -------------------------------------------------

RETRIEVAL_TABS = {
    "awaiting": (Status.AWAITING_REPORT, "To retrieve"),
    "not_retrieved": (Status.NOT_RETRIEVED, "Not retrieved"),
}


@login_required
@require_http_methods(["GET", "POST"])
def full_text_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """References that reached full text without a report: upload the PDF or mark it not found."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST":
        reference = get_object_or_404(Reference, pk=request.POST.get("reference"), project=project)
        try:
            if request.POST.get("action") == "not_retrieved":
                decisions.report_mark_not_retrieved(
                    reference=reference, user=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, f"Reference {reference.pk} marked not retrieved.")
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise InvalidInput("Choose the PDF to upload.", field="file")
                report = decisions.report_attach(
                    reference=reference, data=upload, filename=upload.name, user=request.user
                )
                messages.success(
                    request,
                    f"Reference {reference.pk}: {report.filename} kept ({report.pages} pages).",
                )
        except ServiceError as error:
            messages.error(request, f"Reference {reference.pk}: {error.message}")
        return redirect(
            f"{reverse('full_text_queue', args=[slug])}?tab={request.GET.get('tab', 'awaiting')}"
        )
    tab = request.GET.get("tab", "awaiting")
    status, _ = RETRIEVAL_TABS.get(tab, RETRIEVAL_TABS["awaiting"])
    references = (
        progress.screened_references(project)
        .filter(stage=Stage.FULL_TEXT, status=status)
        .select_related("report")
        .order_by("id")
    )
    page = Paginator(references, selectors.REFERENCES_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/full_text_queue.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "tab": tab,
            "tabs": [(key, label) for key, (_, label) in RETRIEVAL_TABS.items()],
        },
    )


def _posted_int(request: HttpRequest, field: str) -> int:
    try:
        return int(request.POST.get(field, ""))
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number.", field=field) from None


def _reason_action(request: HttpRequest, project: Project) -> tuple[str, str]:
    """Carry out the lead's action on the Reasons page: its message, and after a move the
    query naming the moved reason (so that moving by keyboard keeps the focus on its button)."""
    action = request.POST.get("action", "add")
    if action == "add":
        reason = decisions.exclusion_reason_add(
            project=project, name=request.POST.get("name", ""), user=request.user
        )
        return f"“{reason.name}” is on the list. It goes last, so no key moves.", ""
    if action not in {"rename", "retire", "restore", "move"}:
        raise InvalidInput(f"Unknown action “{action}”.", field="action")
    stand_in = ExclusionReason(pk=_posted_int(request, "reason"), project_id=project.pk)
    if action == "rename":
        reason = decisions.exclusion_reason_rename(
            reason=stand_in, name=request.POST.get("name", ""), user=request.user
        )
        return f"Renamed “{reason.name}”: the votes naming it follow.", ""
    if action == "retire":
        reason = decisions.exclusion_reason_retire(reason=stand_in, user=request.user)
        return f"“{reason.name}” is retired: offered no more, kept on the votes naming it.", ""
    if action == "restore":
        reason = decisions.exclusion_reason_restore(reason=stand_in, user=request.user)
        return f"“{reason.name}” is offered again, in its place.", ""
    position = _posted_int(request, "position")
    reason = decisions.exclusion_reason_move(reason=stand_in, position=position, user=request.user)
    moved = urlencode({"moved": reason.pk, "by": request.POST.get("by", "")})
    return f"“{reason.name}” is now number {position}.", moved


@login_required
@require_http_methods(["GET", "POST"])
def exclusion_reasons(request: HttpRequest, slug: str) -> HttpResponse:
    """The project's reasons to exclude, in the lead's order with their keys; leads add, rename,
    order, retire and restore them, and confirm those reviewers proposed."""
    project, membership = get_project_for_user(request.user, slug)
    if request.method == "POST":
        if not membership.allows(Role.LEAD):
            raise PermissionDenied("Only leads and admins manage the reasons to exclude.")
        query = ""
        try:
            message, query = _reason_action(request, project)
            messages.success(request, message)
        except ServiceError as error:
            messages.error(request, error.message)
        url = reverse("exclusion_reasons", args=[project.slug])
        return redirect(f"{url}?{query}" if query else url)
    reasons = progress.exclusion_reasons(project, votes=membership.allows(Role.LEAD))
    return render(
        request,
        "screening/exclusion_reasons.html",
        {
            "project": project,
            "membership": membership,
            "listed": [r for r in reasons if not r.proposed],
            "proposed": [r for r in reasons if r.proposed],
            # After a move, the moved reason's button keeps the focus (keyboard reordering).
            "focus_reason": int(moved) if (moved := request.GET.get("moved", "")).isdigit() else 0,
            "focus_by": request.GET.get("by", ""),
        },
    )


@login_required
def project_exports(request: HttpRequest, slug: str) -> HttpResponse:
    """Every download in one place: decisions at a stage and status, PRISMA, the history."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return render(
        request,
        "screening/project_exports.html",
        {"project": project, "membership": membership, "statuses": [s.value for s in Status]},
    )
