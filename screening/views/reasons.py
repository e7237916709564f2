"""The reasons to exclude at full text: the lead's ordered list, and what reviewers proposed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import InvalidInput, NotAllowed, ServiceError
from ..models import ExclusionReason, Project
from ..selectors import references
from ..services.reasons import (
    exclusion_reason_add,
    exclusion_reason_move,
    exclusion_reason_rename,
    exclusion_reason_restore,
    exclusion_reason_retire,
)
from ._params import ERROR_PAGES


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
        reason = exclusion_reason_add(
            project=project, name=request.POST.get("name", ""), user=request.user
        )
        return f"“{reason.name}” is on the list. It goes last, so no key moves.", ""
    if action not in {"rename", "retire", "restore", "move"}:
        raise InvalidInput(f"Unknown action “{action}”.", field="action")
    stand_in = ExclusionReason(pk=_posted_int(request, "reason"), project_id=project.pk)
    if action == "rename":
        reason = exclusion_reason_rename(
            reason=stand_in, name=request.POST.get("name", ""), user=request.user
        )
        return f"Renamed “{reason.name}”: the votes naming it follow.", ""
    if action == "retire":
        reason = exclusion_reason_retire(reason=stand_in, user=request.user)
        return f"“{reason.name}” is retired: offered no more, kept on the votes naming it.", ""
    if action == "restore":
        reason = exclusion_reason_restore(reason=stand_in, user=request.user)
        return f"“{reason.name}” is offered again, in its place.", ""
    position = _posted_int(request, "position")
    reason = exclusion_reason_move(reason=stand_in, position=position, user=request.user)
    moved = urlencode({"moved": reason.pk, "by": request.POST.get("by", "")})
    return f"“{reason.name}” is now number {position}.", moved


@login_required
@require_http_methods(["GET", "POST"])
def exclusion_reasons(request: HttpRequest, slug: str) -> HttpResponse:
    """The project's reasons to exclude, in the lead's order with their keys; leads add, rename,
    order, retire and restore them, and confirm those reviewers proposed."""
    project, membership = get_project_for_user(request.user, slug)
    if request.method == "POST":
        if not membership.leads:
            raise NotAllowed("Only leads and admins manage the reasons to exclude.")
        query = ""
        try:
            message, query = _reason_action(request, project)
            messages.success(request, message)
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            messages.error(request, error.message)
        url = reverse("exclusion_reasons", args=[project.slug])
        return redirect(f"{url}?{query}" if query else url)
    reasons = references.exclusion_reasons(
        project,
        votes=membership.leads,
        viewer=None if membership.leads else request.user,
    )
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
