"""The JSON API's routers, one per concern; reviewtool/api.py mounts them in this order.

The order matters only where two paths could match one URL, and those share a router
(references.py: /references/next before /references/{reference_id})."""

from __future__ import annotations

from ninja import Router

from . import (
    archive,
    auth,
    conflicts,
    duplicates,
    fulltext,
    imports,
    jobs,
    pilots,
    projects,
    ranking,
    ranking_replay,
    reasons,
    references,
    reports,
    stopping,
    votes,
)

ROUTERS: tuple[Router, ...] = (
    auth.router,
    projects.router,
    jobs.router,
    imports.router,
    duplicates.router,
    references.router,
    votes.router,
    conflicts.router,
    reasons.router,
    fulltext.router,
    reports.router,
    pilots.router,
    ranking.router,
    ranking_replay.router,
    stopping.router,
    archive.router,
)
