"""A lead's replay of the title/abstract screening in ranked order: the job over settled decisions
only, its result (the same replay as simulate_ranking's), the page in plain words with its chart,
the API's 202, and who may do it."""

from __future__ import annotations

import pytest

from screening.errors import Conflict
from screening.models import Job, JobKind, JobStatus, Project, Reference
from screening.ranking.features import reference_text
from screening.ranking.replay import replay, screened_for_recall
from screening.ranking.simulate import priors_draw
from screening.services import ranking_replay
from screening.services.screening import vote_cast

pytestmark = pytest.mark.django_db

TA = "title_abstract"
BASE = "/projects/microcredentials"
SOUGHT = "Microcredentials for nurses in continuing professional education"
OTHER = [
    "Soil bacteria and nitrogen fixation in wheat fields",
    "Groundwater nitrate in agricultural catchments",
    "Bridge design under wind load",
    "Consumer prices and inflation in small economies",
]


def _vote(project: Project, reference: int, reviewer: object, vote: str) -> None:
    vote_cast(
        reference=Reference(pk=reference, project_id=project.pk),
        reviewer=reviewer,
        stage=TA,
        vote=vote,
    )


@pytest.fixture
def screened(project, reviewer_a, reviewer_b) -> dict[str, list[int]]:
    """30 references: 24 settled (4 includes) by two agreeing votes, in an order that meets the
    includes last; 3 with one open vote and 3 with none, which the replay leaves out."""
    ids = []
    for i in range(30):
        include = i % 6 == 0
        title = f"{SOUGHT} {i}" if include else f"{OTHER[i % 4]} {i}"
        abstract = f"{title}: a study." if i != 12 else ""
        ids.append(Reference.objects.create(project=project, title=title, abstract=abstract).pk)
    settled = ids[:24]
    # The team screened the excludes first, then the includes.
    for pk in sorted(settled, key=lambda pk: (ids.index(pk) % 6 == 0, pk)):
        vote = "include" if ids.index(pk) % 6 == 0 else "exclude"
        for who in (reviewer_a, reviewer_b):
            _vote(project, pk, who, vote)
    for pk in ids[24:27]:
        _vote(project, pk, reviewer_a, "include")
    return {"all": ids, "settled": settled}


def test_the_replay_is_simulate_ranking_s_over_the_settled_decisions(project, screened) -> None:
    result = ranking_replay.replay_project(project, seed=0)
    settled = screened["settled"]
    references = {r.pk: r for r in Reference.objects.filter(pk__in=settled)}
    labels = [1 if screened["all"].index(pk) % 6 == 0 else 0 for pk in settled]
    texts = [reference_text(references[pk].title, references[pk].abstract) for pk in settled]
    priors = list(priors_draw(labels, 0))
    expected = replay(texts, labels, priors=priors, seed=0)
    assert (result["records"], result["includes"], result["excludes"]) == (24, 4, 20)
    assert result["priors"] == [settled[row] for row in priors]
    assert result["metrics"] == {
        "wss95": expected.metrics.wss95,
        "recall10": expected.metrics.recall10,
        "recall25": expected.metrics.recall25,
        "atd": expected.metrics.atd,
    }
    ranked_k = screened_for_recall(expected.labels_in_order)
    assert result["ranked"]["screened"] == ranked_k
    assert result["ranked"]["saved"] == 24 - ranked_k
    # As screened, the includes came last: the 4th (ceil(0.95 * 4)) is the 24th record.
    assert result["actual"]["screened"] == 24
    assert result["curve"]["actual"][-1] == [24, 4]
    assert result["curve"]["ranked"][0] == [0, 0]
    assert result["curve"]["ranked"][-1] == [24, 4]
    assert result["settings"]["refit_every"] == 1
    assert result["seed"] == 0
    assert ranking_replay.replay_project(project, seed=0) | {"seconds": 0} == result | {
        "seconds": 0
    }


def test_a_replay_as_a_job_stores_its_result(
    project, screened, lead, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = ranking_replay.replay_start(project=project, user=lead, seed=2)
    job.refresh_from_db()
    assert (job.kind, job.status, job.progress) == (JobKind.SIMULATE, JobStatus.DONE, 1.0)
    assert job.params == {"seed": 2}
    assert job.result["records"] == 24
    assert job.result["seed"] == 2
    assert ranking_replay.replay_latest(project) == job


def test_a_replay_waiting_is_given_again_not_doubled(project, screened, lead) -> None:
    # Without running the on-commit callbacks the first job stays queued.
    first = ranking_replay.replay_start(project=project, user=lead)
    assert ranking_replay.replay_start(project=project, user=lead) == first
    assert Job.objects.filter(kind=JobKind.SIMULATE).count() == 1


def test_without_a_settled_include_and_exclude_it_is_refused(
    project, lead, reviewer_a, reviewer_b
) -> None:
    pk = Reference.objects.create(project=project, title=OTHER[0]).pk
    with pytest.raises(Conflict, match="the project has 0 includes and 0 excludes settled"):
        ranking_replay.replay_start(project=project, user=lead)
    for who in (reviewer_a, reviewer_b):
        _vote(project, pk, who, "exclude")
    with pytest.raises(Conflict, match="the project has 0 includes and 1 exclude settled"):
        ranking_replay.replay_start(project=project, user=lead)
    assert not Job.objects.filter(kind=JobKind.SIMULATE).exists()


# The page.


def test_the_lead_starts_it_on_the_page_and_reads_the_result_in_words(
    project, screened, lead, browser_client, django_capture_on_commit_callbacks
) -> None:
    client = browser_client(lead)
    page = client.get(f"{BASE}/ranking/replay/").content.decode()
    assert "No replay yet." in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"{BASE}/ranking/replay/")
    assert answer.status_code == 302
    job = Job.objects.get(kind=JobKind.SIMULATE)
    result = job.result
    page = client.get(answer["Location"]).content.decode()
    ranked = result["ranked"]
    assert (
        f"In ranked order, 95 % of your 4 includes would have been found after screening "
        f"{ranked['screened']} of 24 records ({ranked['share_screened'] * 100:.0f} %), saving "
        f"{ranked['saved']} screening"
    ) in page
    assert "In the order your team screened them, the same 95 % took 24 records (100 %)." in page
    assert '<polyline class="ranked"' in page
    assert '<polyline class="actual"' in page
    assert "hx-trigger" not in page.split('id="replay"')[1].split(">")[0]


def test_a_replay_under_way_shows_its_progress_and_polls(
    project, screened, lead, browser_client
) -> None:
    ranking_replay.replay_start(project=project, user=lead)  # queued: callbacks not run
    page = browser_client(lead).get(f"{BASE}/ranking/replay/").content.decode()
    assert 'id="job-status"' in page
    assert 'hx-select="#replay"' in page


def test_the_page_refuses_clearly_without_settled_decisions(project, lead, browser_client) -> None:
    client = browser_client(lead)
    answer = client.post(f"{BASE}/ranking/replay/", follow=True)
    assert "A replay needs at least one settled include and one settled exclude" in (
        answer.content.decode()
    )
    assert not Job.objects.filter(kind=JobKind.SIMULATE).exists()


def test_the_dashboard_links_a_lead_to_it(project, lead, reviewer_a, browser_client) -> None:
    link = f'href="{BASE}/ranking/replay/"'
    assert link in browser_client(lead).get(f"{BASE}/").content.decode()
    assert link not in browser_client(reviewer_a).get(f"{BASE}/").content.decode()


def test_reviewers_are_refused_and_outsiders_see_no_project(
    project, screened, reviewer_a, outsider, browser_client
) -> None:
    for method in ("get", "post"):
        assert (
            getattr(browser_client(reviewer_a), method)(f"{BASE}/ranking/replay/").status_code
            == 403
        )
        assert (
            getattr(browser_client(outsider), method)(f"{BASE}/ranking/replay/").status_code == 404
        )
    assert not Job.objects.filter(kind=JobKind.SIMULATE).exists()


# The API.


def test_the_api_answers_202_with_the_job_read_through_the_jobs_endpoint(
    project, screened, lead, admin, api, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(lead).post(f"{BASE}/ranking/replay", {"seed": 1})
    assert answer.status_code == 202, answer.content
    job = answer.json()["job"]
    found = api(lead).get(f"/jobs/{job}").json()
    assert (found["kind"], found["status"]) == ("simulate", "done")
    assert found["result"]["seed"] == 1
    assert found["result"]["ranked"]["screened"] <= 24
    assert api(admin).post(f"{BASE}/ranking/replay").status_code == 202


def test_the_api_refuses_reviewers_outsiders_and_a_project_with_nothing_settled(
    project, lead, reviewer_a, outsider, api
) -> None:
    assert api(reviewer_a).post(f"{BASE}/ranking/replay").status_code == 403
    assert api(outsider).post(f"{BASE}/ranking/replay").status_code == 404
    answer = api(lead).post(f"{BASE}/ranking/replay")
    assert answer.status_code == 409
    assert "at least one settled include and one settled exclude" in answer.json()["detail"]
    assert api(lead).post(f"{BASE}/ranking/replay", {"seed": "x"}).status_code == 400
