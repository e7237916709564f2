"""Screening, one reference at a time: the page, the cards it holds ahead, the team panel, a vote."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import NotFound, ServiceError
from ..highlight import Terms, highlight
from ..models import Membership, Project, Record, Reference, Vote
from ..selectors import queue
from ..selectors.blinding import blinding_for
from ..selectors.ranking_progress import relevance_annotations, relevance_bands
from ..selectors.references import offered_reasons
from ..selectors.status_counts import status_counts
from ..services.screening import vote_cast
from ._params import ERROR_PAGES, int_or_none, stage_arg, stage_label

# Cards the screening page holds ahead of the one shown: five keys pressed at once land on five
# references while their votes are still on their way (static/js/screen.js queues them).
SCREEN_AHEAD = 5
_NO_CARD: dict[str, object] = {"reference": None, "own": None, "report": None, "relevance": None}


def _ids_arg(value: str | None) -> set[int]:
    """Reference ids the screening page sends as "12,13,14"; anything else in it is ignored."""
    return {int(part) for part in (value or "").split(",")[:200] if part.isdigit()}


def _cards(
    request: HttpRequest,
    project: Project,
    stage: str,
    ids: list[int],
    terms: Terms,
    *,
    asked: int | None,
) -> tuple[list[dict[str, object]], int]:
    """References as the screening cards show them, in the order of `ids`, and the number of
    votes the reviewer has cast at `stage`: two queries however many cards, three with the
    `asked` one among them.

    Only the `asked` reference can hold the reviewer's own vote: the queue hands out only
    references this reviewer has not voted on.
    """
    mine = Vote.objects.filter(project=project, reviewer=request.user, stage=stage)
    my_votes = mine.order_by().values("reviewer").annotate(n=Count("id")).values("n")
    sources = Record.objects.select_related("search").only(
        "reference_id", "method", "search__database"
    )
    references = (
        Reference.objects.active()
        .filter(project=project)
        # One to one, so joined; without the full text's words, which only searches read.
        .select_related("report")
        .defer("report__text")
        .prefetch_related(Prefetch("records", queryset=sources))
        # The reviewer's count rides on the cards' query rather than taking one of its own.
        .annotate(my_votes=Coalesce(Subquery(my_votes, output_field=IntegerField()), 0))
        # So does each reference's score in the current ranking (a ranked stage only).
        .annotate(**relevance_annotations(project, stage))
        .in_bulk(ids)
    )
    # None in import order, and for an open pilot's references (drawn at random).
    pilot = queue.open_pilot_id(project)
    relevance = relevance_bands(
        project, stage, (r for r in references.values() if not r.pilot_id or r.pilot_id != pilot)
    )
    own = (
        Vote.objects.filter(reference_id=asked, stage=stage, reviewer=request.user)
        .select_related("reason")
        .first()
        if asked in references
        else None
    )
    cards = [
        {
            "reference": reference,
            "title_html": mark_safe(highlight(reference.title, terms)),  # noqa: S308 - escaped by highlight()
            "abstract_html": mark_safe(highlight(reference.abstract, terms)),  # noqa: S308 - escaped by highlight()
            "own": own if pk == asked else None,
            # None when the join found none (no query is made for it).
            "report": getattr(reference, "report", None),
            "relevance": relevance.get(pk),
        }
        for pk in ids
        if (reference := references.get(pk)) is not None
    ]
    return cards, cards[0]["reference"].my_votes if cards else mine.count()


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
    shown, ahead_ids = queue.shown_and_ahead(
        project, request.user, stage, shown=reference_id, skip=skip or set(), ahead=ahead
    )
    terms = Terms.from_lines(project.include_terms, project.exclude_terms)
    # The page shows the first card, and the page's script is sent it when it asks; after a
    # vote the script shows the one it sent as `shown` already: claimed, it is not read again.
    first_wanted = send_first or not request.htmx
    ids = [pk for pk in (shown if first_wanted else None, *ahead_ids) if pk]
    cards, my_votes = _cards(request, project, stage, ids, terms, asked=reference_id)
    shared = {
        "project": project,
        "membership": membership,
        "stage": stage,
        "stage_label": stage_label(stage),
        "terms": terms,
        # Each with its `key`: a card gives a reason the key its place in the lead's list.
        "reasons": offered_reasons(project),
        "my_votes": my_votes,
        "pilot_open": queue.open_pilot_id(project) is not None,
    }
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
    stage = stage_arg(request.GET.get("stage"))
    asked = int_or_none(request.GET.get("reference"))
    context = _screen_context(
        request,
        project,
        membership,
        stage,
        reference_id=asked,
        previous=int_or_none(request.GET.get("previous")),
        skip=_ids_arg(request.GET.get("skip")),
        ahead=min(int_or_none(request.GET.get("ahead")) or 0, SCREEN_AHEAD)
        if request.htmx
        else SCREEN_AHEAD,
        send_first=request.htmx,
    )
    if asked is not None and context["reference"] is None:
        raise NotFound("No such reference in this project.")
    if request.htmx:
        return render(request, "screening/partials/screen_ahead.html", context)
    return render(request, "screening/screen.html", context)


@login_required
def screen_team(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's progress beside the screening page, loaded after the reference (htmx)."""
    project, membership = get_project_for_user(request.user, slug)
    stage = stage_arg(request.GET.get("stage"))
    blinding = blinding_for(project, membership)
    counts = status_counts(project, blinding=blinding)[stage]
    return render(
        request,
        "screening/partials/screen_team.html",
        {
            "counts": counts,
            "sees_all": membership.leads,
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
    stage = stage_arg(request.POST.get("stage"))
    try:
        vote, _ = vote_cast(
            # A stand-in: the service reads the row once, locked, and refuses one of another
            # project as not found (ERROR_PAGES: the 404 page, as before).
            reference=Reference(pk=reference_id, project_id=project.pk),
            reviewer=request.user,
            stage=stage,
            vote=request.POST.get("vote", ""),
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            membership=membership,
        )
    except ERROR_PAGES:
        raise
    except ServiceError as error:
        if request.htmx:
            return JsonResponse({"detail": error.message}, status=error.status)
        messages.error(request, error.message)
        return redirect(f"{reverse('screen', args=[slug])}?stage={stage}&reference={reference_id}")
    done = f"Voted {vote.vote} on reference {reference_id}."
    if not request.htmx:
        messages.success(request, done)
        return redirect(f"{reverse('screen', args=[slug])}?stage={stage}&previous={reference_id}")
    shown = int_or_none(request.POST.get("shown"))
    context = _screen_context(
        request,
        project,
        membership,
        stage,
        reference_id=shown,
        skip=_ids_arg(request.POST.get("skip")) | {reference_id},
        ahead=min(int_or_none(request.POST.get("ahead")) or 0, SCREEN_AHEAD),
        # With no card on screen, the one handed out is one more card to hold.
        send_first=shown is None,
    )
    return render(
        request, "screening/partials/screen_voted.html", {**context, "vote": vote, "done": done}
    )
