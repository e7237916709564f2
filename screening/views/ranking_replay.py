"""The lead's replay page: start a replay of the title/abstract screening in ranked order, follow
its job, and read what ranking would have saved, in words and as two curves (leads and admins)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import ServiceError
from ..models import Job, JobStatus, Role
from ..reports.progress_svg import nice_ticks
from ..services import ranking_replay as replays
from ._params import ERROR_PAGES

WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 60, 24, 20, 92
RANKED_COLOUR, ACTUAL_COLOUR = "#1f5f99", "#b35c00"


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def replay_sentences(result: dict[str, Any]) -> dict[str, str]:
    """The result in plain words: what ranked order would have needed, what the team needed."""
    records, includes = result["records"], result["includes"]
    ranked, actual = result["ranked"], result["actual"]
    share = _percent(result["recall"])
    return {
        "ranked": (
            f"In ranked order, {share} of your {includes:,} include"
            f"{'s' if includes != 1 else ''} would have been found after screening "
            f"{ranked['screened']:,} of {records:,} records "
            f"({_percent(ranked['share_screened'])}), saving {ranked['saved']:,} screening"
            f"{'s' if ranked['saved'] != 1 else ''}."
        ),
        "actual": (
            f"In the order your team screened them, the same {share} took "
            f"{actual['screened']:,} records ({_percent(actual['share_screened'])})."
        ),
    }


def replay_chart(result: dict[str, Any]) -> SafeString:
    """Includes found against records screened, ranked and as screened, as an inline SVG."""
    records, includes = result["records"], result["includes"]
    x_ticks = nice_ticks(max(records, 1))
    y_ticks = nice_ticks(max(includes, 1), most=5)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(value: float) -> float:
        return LEFT + plot_w * value / x_ticks[-1]

    def sy(value: float) -> float:
        return TOP + plot_h * (1 - value / y_ticks[-1])

    def text(x: float, y: float, words: str, anchor: str = "middle", extra: str = "") -> str:
        return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(words)}</text>'

    words = replay_sentences(result)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" style="max-width:100%;height:auto" '
        'aria-labelledby="replay-title replay-desc" font-family="sans-serif" font-size="12">',
        '<title id="replay-title">Includes found against records screened</title>',
        f'<desc id="replay-desc">{escape(words["ranked"])} {escape(words["actual"])}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for tick in x_ticks:
        parts.append(
            f'<line x1="{sx(tick):.1f}" y1="{TOP}" x2="{sx(tick):.1f}" y2="{TOP + plot_h}" '
            'stroke="#e3e3e3"/>'
        )
        parts.append(text(sx(tick), TOP + plot_h + 16, f"{tick:,}"))
    for tick in y_ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{sy(tick):.1f}" x2="{LEFT + plot_w}" y2="{sy(tick):.1f}" '
            'stroke="#e3e3e3"/>'
        )
        parts.append(text(LEFT - 8, sy(tick) + 4, f"{tick:,}", anchor="end"))
    parts += [
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#333333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#333333"/>',
        text(LEFT + plot_w / 2, TOP + plot_h + 36, "Records screened"),
        text(
            16,
            TOP + plot_h / 2,
            "Includes found",
            extra=f' transform="rotate(-90 16 {TOP + plot_h / 2:.1f})"',
        ),
    ]
    legend = HEIGHT - 38
    for name, colour, label, dash in (
        (
            "actual",
            ACTUAL_COLOUR,
            "In the order your team screened them",
            ' stroke-dasharray="6 4"',
        ),
        ("ranked", RANKED_COLOUR, "In ranked order (the replay)", ""),
    ):
        points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in result["curve"][name])
        parts.append(
            f'<polyline class="{name}" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        parts += [
            f'<line x1="{LEFT}" y1="{legend}" x2="{LEFT + 28}" y2="{legend}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>',
            text(LEFT + 36, legend + 4, label, anchor="start"),
        ]
        legend += 20
    parts.append("</svg>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every text above is escaped


@login_required
@require_http_methods(["GET", "POST"])
def ranking_replay(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the newest replay, its progress or its result; POST: start one (leads and admins)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST":
        try:
            replays.replay_start(project=project, user=request.user)
            messages.success(request, "The replay has started; this page follows it.")
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("ranking_replay", slug=project.slug)
    job: Job | None = replays.replay_latest(project)
    context: dict[str, Any] = {"project": project, "membership": membership, "job": job}
    if job is not None and job.status == JobStatus.DONE and job.result.get("curve"):
        context["sentences"] = replay_sentences(job.result)
        context["chart"] = replay_chart(job.result)
    return render(request, "screening/ranking_replay.html", context)
