"""A review with everything in it, built on the demo through the API, and every export of it.

The review: the demo's three searches deduplicated (merges, one unmerged), a record found by
other methods, a pilot round, votes both ways at title and abstract with notes, conflicts
resolved by the lead (one include, one exclude), an exclusion with a reason at full text, PDFs
and a not-retrieved report, a ranked stage with a retrain and a seed, a stopping sample screened
and the lead's stop, a codebook with a double-extraction sample, a consensus, and the audit trail
all of it writes.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from extraction.models import DoubleExtraction
from screening.models import Project, Reference, StoppingSample
from screening.services.accounts import token_issue
from screening.services.dedup import dedup_run
from screening.services.ranking import ranking_retrain
from tests.conftest import ApiClient
from tests.extraction.conftest import A_VALUES, CODEBOOK
from tests.pdfs import pdf_with_text

SLUG = "demo-microcredentials"
TA, FT = "title_abstract", "full_text"
PEOPLE = ("admin", "lead", "reviewer_a", "reviewer_b")


def clients() -> dict[str, ApiClient]:
    users = get_user_model().objects.filter(username__in=PEOPLE)
    return {u.username: ApiClient(token_issue(user=u)) for u in users}


def _ok(answer: Any, *statuses: int) -> Any:
    assert answer.status_code in (statuses or (200, 201)), answer.content[:500]
    return answer


def _pdf(text: str) -> io.BytesIO:
    pdf = io.BytesIO(pdf_with_text(text))
    pdf.name = "full-text.pdf"
    return pdf


def build_review() -> Project:
    """The demo review with every kind of fact in it (see the module's docstring)."""
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug=SLUG)
    api = clients()
    lead, ra, rb = api["lead"], api["reviewer_a"], api["reviewer_b"]
    base = f"/projects/{SLUG}"

    def vote(who: ApiClient, ref: int, stage: str, choice: str, **extra: str) -> None:
        _ok(who.post(f"{base}/references/{ref}/votes", {"stage": stage, "vote": choice, **extra}))

    # Identification: merges (one undone), a set told apart, a record from a colleague.
    dedup_run(project=project)
    merged = _ok(lead.get(f"{base}/duplicates", status="merged")).json()["items"]
    assert len(merged) >= 2, "the demo's shared papers are merged"
    _ok(lead.post(f"{base}/duplicates/{merged[-1]['id']}", {"action": "unmerge"}))
    _ok(
        lead.post(
            f"{base}/records",
            {"title": "A colleague's trial of badges", "method": "citation searching"},
        )
    )

    # A pilot round of two, screened and closed.
    _ok(lead.post(f"{base}/pilot", {"size": 2}))
    for ref in Reference.objects.filter(project=project, pilot__isnull=False).values_list(
        "pk", flat=True
    ):
        vote(ra, ref, TA, "include")
        vote(rb, ref, TA, "exclude", note="protocol only")
    _ok(lead.post(f"{base}/pilot/close"))

    refs = list(
        Reference.objects.active()
        .filter(project=project, pilot__isnull=True, source="databases")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Title and abstract: agreements both ways, conflicts the lead resolves, a maybe.
    for ref in refs[:6]:
        vote(ra, ref, TA, "include", note="continuing education")
        vote(rb, ref, TA, "include")
    vote(ra, refs[6], TA, "include")
    vote(rb, refs[6], TA, "exclude", note="undergraduates")
    _ok(lead.post(f"{base}/references/{refs[6]}/resolution", {"stage": TA, "decision": "include"}))
    vote(ra, refs[7], TA, "exclude")
    vote(rb, refs[7], TA, "include")
    _ok(lead.post(f"{base}/references/{refs[7]}/resolution", {"stage": TA, "decision": "exclude"}))
    vote(ra, refs[8], TA, "exclude")
    vote(rb, refs[8], TA, "exclude")
    vote(ra, refs[9], TA, "maybe")
    vote(rb, refs[9], TA, "include")

    # Ranking: the stage ranked, retrained, a known include marked; then the stopping aid.
    _ok(lead.put(f"{base}/ranking", {"stage": TA, "order": "ranked", "ranking_retrain_every": 5}))
    ranking_retrain(project=project, stage=TA)
    _ok(lead.post(f"{base}/ranking/seeds", {"reference": refs[0]}))
    _ok(lead.post(f"{base}/stopping/sample", {"stage": TA, "size": 2}))
    sample = StoppingSample.objects.get(project=project, closed_at__isnull=True)
    for ref in sample.members.values_list("reference_id", flat=True):
        vote(ra, ref, TA, "exclude")
        vote(rb, ref, TA, "exclude")
    _ok(lead.post(f"{base}/stopping/stop", {"stage": TA, "reason": "The sample found none."}))

    # Full text: PDFs, one not retrieved, includes, an exclusion with a reason, a conflict.
    for ref in (refs[0], refs[1], refs[2], refs[4], refs[5]):
        _ok(lead.upload(f"{base}/references/{ref}/report", {"file": _pdf(f"Study {ref}")}))
    _ok(
        lead.post(f"{base}/references/{refs[3]}/report", {"not_retrieved": True, "note": "paywall"})
    )
    for ref in (refs[0], refs[1]):
        vote(ra, ref, FT, "include")
        vote(rb, ref, FT, "include")
    vote(ra, refs[2], FT, "exclude", reason="Wrong population")
    vote(rb, refs[2], FT, "exclude", reason="Wrong population", note="nursing students")
    vote(ra, refs[4], FT, "include")
    vote(rb, refs[4], FT, "exclude", reason="Wrong study design")
    _ok(lead.post(f"{base}/references/{refs[4]}/resolution", {"stage": FT, "decision": "include"}))

    # Extraction: a codebook, the double sample, two extractors, a consensus, one single.
    _ok(lead.put(f"{base}/codebook", {"fields": CODEBOOK}))
    studies = [refs[0], refs[1], refs[4]]
    _ok(lead.post(f"{base}/extractions/sample", {"size": 2}))
    doubles = sorted(
        DoubleExtraction.objects.filter(project=project).values_list("reference_id", flat=True)
    )
    single = next(s for s in studies if s not in doubles)
    for n, ref in enumerate(doubles):
        _ok(
            lead.put(
                f"{base}/references/{ref}/extractors", {"extractors": ["reviewer_a", "reviewer_b"]}
            )
        )
        _ok(ra.post(f"{base}/references/{ref}/extractions", {"values": A_VALUES[n]}))
        b_values = {**A_VALUES[n], "Design": "Cohort" if n == 0 else A_VALUES[n]["Design"]}
        _ok(rb.post(f"{base}/references/{ref}/extractions", {"values": b_values}))
    _ok(lead.post(f"{base}/references/{doubles[0]}/consensus", {"values": A_VALUES[0]}))
    _ok(ra.post(f"{base}/references/{single}/extractions", {"values": A_VALUES[2]}))
    project.refresh_from_db()
    return project


def _body(answer: Any) -> bytes:
    assert answer.status_code == 200, (answer.status_code, answer.content[:300])
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def exports(slug: str) -> dict[str, bytes]:
    """Every answer the project's exports, reports and figures give, by name."""
    api = clients()
    lead = api["lead"]
    base = f"/projects/{slug}"
    got: dict[str, bytes] = {}
    for stage in (TA, FT):
        got[f"agreement {stage}"] = _body(lead.get(f"{base}/agreement", stage=stage))
        for fmt in ("csv", "ris", "bib", "xlsx"):
            got[f"export {stage} {fmt}"] = _body(
                lead.get(f"{base}/export", stage=stage, format=fmt)
            )
    got["export every reference csv"] = _body(lead.get(f"{base}/export", format="csv"))
    got["stopping"] = _body(lead.get(f"{base}/stopping", stage=TA))
    got["prisma"] = _body(lead.get(f"{base}/prisma"))
    got["prisma.csv"] = _body(lead.get(f"{base}/prisma.csv"))
    got["prisma.csv 2022"] = _body(lead.get(f"{base}/prisma.csv", template="2022"))
    got["prisma.svg"] = _body(lead.get(f"{base}/prisma.svg"))
    got["project"] = _body(lead.get(base))
    got["members"] = _body(lead.get(f"{base}/members"))
    got["searches"] = _body(lead.get(f"{base}/searches"))
    got["references"] = _body(lead.get(f"{base}/references", limit=1000))
    got["duplicates"] = _body(lead.get(f"{base}/duplicates", limit=1000))
    got["conflicts"] = _body(lead.get(f"{base}/conflicts", stage=TA))
    got["reasons"] = _body(lead.get(f"{base}/exclusion-reasons"))
    got["history"] = _body(lead.get(f"{base}/history", limit=1000))
    got["history.csv"] = _body(lead.get(f"{base}/history.csv"))
    got["progress"] = _body(lead.get(f"{base}/progress"))
    got["pilot"] = _body(lead.get(f"{base}/pilot"))
    got["ranking"] = _body(lead.get(f"{base}/ranking"))
    got["ranking seeds"] = _body(lead.get(f"{base}/ranking/seeds"))
    got["codebook"] = _body(lead.get(f"{base}/codebook"))
    got["extraction agreement"] = _body(lead.get(f"{base}/extractions/agreement"))
    got["extraction summary"] = _body(lead.get(f"{base}/extractions/summary"))
    for fmt in ("csv", "xlsx"):
        got[f"extractions {fmt}"] = _body(lead.get(f"{base}/extractions", format=fmt))
    for ref in Reference.objects.filter(project__slug=slug, report__not_retrieved=False).order_by(
        "pk"
    ):
        got[f"report {ref.pk}"] = _body(lead.get(f"{base}/references/{ref.pk}/report"))
    page = Client()
    page.force_login(get_user_model().objects.get(username="lead"))
    for name in ("report/methods.txt", "downloads/prisma.json", "downloads/decisions.csv"):
        got[f"page {name}"] = _body(page.get(f"/projects/{slug}/{name}"))
    return got
