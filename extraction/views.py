"""Pages of data extraction: the codebook, the studies to extract, the form generated from the
codebook, the lead's consensus beside both extractions, and the "Table 2" summary with charts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from screening import responses
from screening.access import get_project_for_user
from screening.errors import ServiceError
from screening.models import Reference, Role
from screening.selectors.projects import project_members

from . import charts, coding, exports, forms, services
from .models import Consensus, Extraction


@login_required
@require_http_methods(["GET", "POST"])
def codebook(request: HttpRequest, slug: str) -> HttpResponse:
    """The codebook, row by row; leads change it (a new version), the others read it."""
    project, membership = get_project_for_user(request.user, slug)
    rows = None
    if request.method == "POST":
        if not membership.leads:
            raise PermissionDenied("Only leads and admins change the codebook.")
        rows = forms.codebook_from_post(request.POST)
        try:
            book, to_check = services.codebook_put(project=project, fields=rows, user=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            check = (
                f" Values entered for {', '.join(to_check)} need a second look." if to_check else ""
            )
            messages.success(request, f"Codebook version {book.version} saved.{check}")
            return redirect("extraction_codebook", slug=project.slug)
    current = services.current_codebook(project)
    specs = services.field_specs(current)
    shown = (
        rows
        if rows is not None
        else [
            {
                "name": s.name,
                "type": s.type,
                "choices": list(s.choices),
                "help": s.help,
                "section": s.section,
            }
            for s in specs
        ]
    )
    shown = [*shown, *({} for _ in range(forms.BLANK_ROWS))]
    return render(
        request,
        "extraction/codebook.html",
        {
            "project": project,
            "membership": membership,
            "codebook": current,
            "rows": [(i, row, ", ".join(row.get("choices", []))) for i, row in enumerate(shown)],
            "count": len(shown),
            "types": coding.FIELD_TYPES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def study_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The included studies and where each stands; leads draw the sample extracted twice."""
    project, membership = get_project_for_user(request.user, slug)
    sees_all = membership.leads
    if request.method == "POST" and request.POST.get("action") == "assign":
        if not sees_all:
            raise PermissionDenied("Only leads and admins assign extractors.")
        reference = get_object_or_404(Reference, pk=request.POST.get("reference"), project=project)
        try:
            names = services.extractors_assign(
                project=project,
                reference=reference,
                usernames=request.POST.getlist("extractor"),
                user=request.user,
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            who = " and ".join(names) or "anyone"
            messages.success(request, f"Study {reference.pk} is extracted by {who}.")
        return redirect("extraction_studies", slug=project.slug)
    if request.method == "POST":
        if not sees_all:
            raise PermissionDenied("Only leads and admins draw the sample.")
        raw = request.POST.get("sample", "").strip()
        try:
            pair = [name for name in request.POST.getlist("extractor") if name]
            if raw.endswith("%") and raw[:-1].strip().isdigit():
                drawn = services.sample_draw(
                    project=project, user=request.user, percent=int(raw[:-1]), extractors=pair
                )
            elif raw.isdigit():
                drawn = services.sample_draw(
                    project=project, user=request.user, size=int(raw), extractors=pair
                )
            else:
                raise ServiceError("Give a number of studies (3) or a percentage (20%).")
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{len(drawn)} stud{'y' if len(drawn) == 1 else 'ies'} drawn to be extracted twice.",
            )
        return redirect("extraction_studies", slug=project.slug)
    username = request.user.get_username()
    return render(
        request,
        "extraction/study_list.html",
        {
            "project": project,
            "membership": membership,
            "sees_all": sees_all,
            "codebook": services.current_codebook(project),
            "rows": [
                {
                    "study": state.study,
                    "doubled": state.doubled,
                    "extractions": state.extractions,
                    "mine": state.mine,
                    "settled": state.settled,
                    "assigned": state.assigned,
                    "seats": _seats(state.assigned, state.seats),
                }
                for state in services.study_states(project, request.user)
                if sees_all or not state.assigned or username in state.assigned
            ],
            "members": [m.user.get_username() for m in project_members(project)],
        },
    )


def _seats(names: list[str], seats: int) -> list[str]:
    """Each extractor's place on a study, the assigned name or "" (anyone), `seats` of them."""
    return [*names, *[""] * seats][: max(seats, len(names))]


def _form_fields(
    specs: list[coding.FieldSpec], values: dict, to_check: list[str] | None = None
) -> list[dict]:
    """The codebook's fields as the form shows them, a heading where a new section starts, and
    the fields to look at again (changed since the values were entered) marked."""
    shown = []
    for i, spec in enumerate(specs):
        shown.append(
            {
                "index": i,
                "spec": spec,
                "value": values.get(spec.name),
                "multi": values.get(spec.name) or [],
                "none_of_these": values.get(spec.name) == [],
                "heading": spec.section if i == 0 or spec.section != specs[i - 1].section else "",
                "to_check": spec.name in (to_check or []),
            }
        )
    return shown


def _shown(value: object) -> str:
    """A value as the consensus page prints it."""
    if value is None:
        return "not reported"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none of these"
    return str(value)


@login_required
def next_study(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the next study the caller has to extract, or say that none is left."""
    project, _ = get_project_for_user(request.user, slug)
    study = services.next_study_to_extract(project, request.user)
    if study is None:
        messages.info(request, "No study is waiting for your extraction.")
        return redirect("extraction_studies", slug=project.slug)
    return redirect("extract", slug=project.slug, reference_id=study.pk)


@login_required
@require_http_methods(["GET", "POST"])
def extract(request: HttpRequest, slug: str, reference_id: int) -> HttpResponse:
    """The caller's own extraction of one study: the form is the codebook. Blind: only one's
    own values are shown, never another extractor's."""
    project, membership = get_project_for_user(request.user, slug)
    reference = get_object_or_404(Reference, pk=reference_id, project=project)
    current = services.current_codebook(project)
    specs = services.field_specs(current)
    own = (
        Extraction.objects.filter(reference=reference, extractor=request.user)
        .select_related("codebook")
        .first()
    )
    values = dict(own.values) if own else {}
    stale = own is not None and current is not None and own.codebook_id != current.pk
    to_check = (
        coding.changed_fields(services.field_specs(own.codebook), specs) if stale and own else []
    )
    error_field = ""
    if request.method == "POST":
        values = forms.values_from_post(specs, request.POST)
        try:
            services.extraction_save(
                project=project, reference=reference, extractor=request.user, values=values
            )
        except ServiceError as error:
            messages.error(request, error.message)
            error_field = error.extra.get("field", "")
        else:
            messages.success(request, f"Your extraction of study {reference.pk} is saved.")
            if request.POST.get("then") == "next":
                return redirect("extraction_next", slug=project.slug)
            return redirect("extraction_studies", slug=project.slug)
    return render(
        request,
        "extraction/extract.html",
        {
            "project": project,
            "membership": membership,
            "reference": reference,
            "codebook": current,
            "fields": _form_fields(specs, values, to_check),
            "error_field": error_field,
            "stale": stale,
            "to_check": to_check,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consensus(request: HttpRequest, slug: str, reference_id: int) -> HttpResponse:
    """Both extractions side by side, differences marked; the lead's form starts from the values
    they share and leaves the others to decide."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    reference = get_object_or_404(Reference, pk=reference_id, project=project)
    specs = services.field_specs(services.current_codebook(project))
    extractions = list(
        Extraction.objects.filter(reference=reference)
        .select_related("extractor")
        .order_by("extractor__username")
    )
    settled = Consensus.objects.filter(reference=reference).first()
    if request.method == "POST":
        try:
            services.consensus_record(
                project=project,
                reference=reference,
                values=forms.values_from_post(specs, request.POST),
                user=request.user,
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Consensus on study {reference.pk} saved.")
            return redirect("extraction_studies", slug=project.slug)
    start: dict = dict(settled.values) if settled else {}
    rows = []
    for spec in specs:
        found = [e.values.get(spec.name) for e in extractions]
        agree = len(found) >= 2 and all(coding.same_value(spec, found[0], v) for v in found[1:])
        if not settled and (agree or len(found) == 1):
            start[spec.name] = found[0]
        rows.append(
            {
                "spec": spec,
                "values": [_shown(v) for v in found],
                "differs": len(found) >= 2 and not agree,
            }
        )
    return render(
        request,
        "extraction/consensus.html",
        {
            "project": project,
            "membership": membership,
            "reference": reference,
            "extractors": [e.extractor.get_username() for e in extractions],
            "rows": rows,
            "fields": _form_fields(specs, start),
        },
    )


@login_required
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """The review's "Table 2", with a bar chart per categorical field; downloads for leads."""
    project, membership = get_project_for_user(request.user, slug)
    if request.GET.get("format") in {"csv", "xlsx"}:
        if not membership.leads:
            raise PermissionDenied("Only leads and admins export the extraction.")
        kind = request.GET["format"]
        body = exports.extraction_file(project, kind, csv_formulas=responses.csv_formulas(request))
        return responses.attachment(body, f"{project.slug}-extraction.{kind}")
    table = services.extraction_summary(project)
    fields = []
    for name, figures in table["fields"].items():  # type: ignore[union-attr]
        chart = (
            mark_safe(charts.bar_chart(name, figures["values"]))  # noqa: S308 - drawn by charts.py, every text escaped
            if "values" in figures and figures["type"] != "text"
            else ""
        )
        fields.append({"name": name, "figures": figures, "chart": chart})
    lead = membership.leads
    agreement, agreement_by_pair = services.extraction_agreement(project) if lead else (None, [])
    return render(
        request,
        "extraction/summary.html",
        {
            "project": project,
            "membership": membership,
            "studies": table["studies"],
            "fields": fields,
            "agreement": agreement,
            "agreement_by_pair": agreement_by_pair,
        },
    )


@login_required
def progress_panel(request: HttpRequest, slug: str) -> HttpResponse:
    """The dashboard's extraction panel, loaded after the page (htmx)."""
    project, _ = get_project_for_user(request.user, slug)
    return render(
        request,
        "extraction/progress_panel.html",
        {"project": project, "figures": services.extraction_progress(project)},
    )
