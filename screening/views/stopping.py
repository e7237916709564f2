"""The lead's stopping aid page: the figures of the ranked screening, a random sample to draw,
and the forms to stop (with a reason) and to reverse the stop. htmx swaps the panel in place;
without it the forms post and the page comes back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import InvalidInput, ServiceError
from ..models import Project, Role
from ..selectors import stopping as reads
from ..services import stopping
from ..vocabulary import Stage
from ._params import ERROR_PAGES

TA = Stage.TITLE_ABSTRACT.value
ACTIONS = ("sample", "set_aside", "stop", "reverse")


def _size(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("The sample's size must be a whole number of references.", field="size")
    return int(value)


def _act(request: HttpRequest, project: Project, action: str) -> str:
    """Carry out the lead's action; the message that says what happened."""
    user, reason = request.user, request.POST.get("reason", "")
    if action == "sample":
        sample = stopping.stopping_sample_draw(
            project=project, stage=TA, user=user, size=_size(request.POST.get("size", ""))
        )
        return (
            f"Random sample {sample.number} drawn: {sample.members.count():,} references, "
            "served to the reviewers before the ranked queue."
        )
    if action == "set_aside":
        stopping.stopping_sample_set_aside(project=project, stage=TA, user=user)
        return "The sample is set aside: its references left unscreened go back to the queue."
    if action == "stop":
        stop = stopping.screening_stop(project=project, stage=TA, user=user, reason=reason)
        return (
            f"Screening stopped: {stop.references.count():,} references nobody had voted on left "
            "the queue. PRISMA counts them as marked ineligible by automation tools."
        )
    if action == "reverse":
        stop = stopping.screening_stop_reverse(project=project, stage=TA, user=user, reason=reason)
        return (
            f"The stop is reversed: {stop.references.count():,} references are back in the queue."
        )
    raise InvalidInput(f"Unknown action “{action}”.", field="action")


@login_required
@require_http_methods(["GET", "POST"])
def stopping_aid(request: HttpRequest, slug: str) -> HttpResponse:
    """The stopping aid of title and abstract screening (leads and admins)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    errors: dict[str, str] = {}
    done = ""
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            done = _act(request, project, action)
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            errors[action] = error.message
            errors["field"] = str(error.extra.get("field", ""))
        if done and not request.htmx:
            messages.success(request, done)
            return redirect("stopping_aid", slug=project.slug)
    context = {
        "project": project,
        "membership": membership,
        "figures": reads.stopping_figures(project, TA),
        "reversed_stops": reads.reversed_stops(project, TA),
        "errors": errors,
        "done": done,
        "posted": request.POST if errors else {},
    }
    template = (
        "screening/partials/stopping_panel.html" if request.htmx else "screening/stopping.html"
    )
    status = 400 if errors and not request.htmx else 200
    return render(request, template, context, status=status)
