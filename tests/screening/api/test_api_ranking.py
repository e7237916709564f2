"""The ranking API: the lead's order per stage, the newest ranking, a retrain on demand; and the
ranked order the API's `next` and the screening page both serve."""

from __future__ import annotations

import re

import pytest

from screening.models import AuditEvent, Job, JobKind, JobStatus, Project, RankingSeed, Reference
from screening.services.ranking import ranking_current

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"
HTMX = {"HX-Request": "true"}
CRITERIA = "Massive open online courses in medical education"


@pytest.fixture
def ranked(api, demo_imports, lead, django_capture_on_commit_callbacks) -> list[int]:
    """The demo project ranked at title/abstract from its criteria: the ranked ids, in order."""
    Project.objects.filter(slug="microcredentials").update(eligibility_criteria=CRITERIA)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(lead).put(f"{BASE}/ranking", {"stage": TA, "order": "ranked"})
    assert answer.status_code == 200, answer.content
    project = Project.objects.get(slug="microcredentials")
    current = ranking_current(project, TA)
    return list(current.positions.order_by("position").values_list("reference_id", flat=True))


def test_ranked_order_in_the_api_s_next_is_the_page_s_next_card(
    api, browser_client, ranked, reviewer_a, reviewer_b
) -> None:
    import_order = sorted(ranked)
    assert ranked[0] != import_order[0]  # the criteria moved a later reference first
    by_api = api(reviewer_a).get(f"{BASE}/references/next", stage=TA).json()["id"]
    page = browser_client(reviewer_b).get(f"{BASE}/screen/").content.decode()
    held = [int(n) for n in re.findall(r'data-reference="(\d+)"', page)]
    assert by_api == held[0] == ranked[0]
    assert held[1] == ranked[1]


def test_a_vote_in_ranked_order_costs_no_more_queries(
    browser_client, ranked, reviewer_a, django_assert_max_num_queries
) -> None:
    client = browser_client(reviewer_a)
    page = client.get(f"{BASE}/screen/").content.decode()
    held = [int(n) for n in re.findall(r'data-reference="(\d+)"', page)]
    with django_assert_max_num_queries(12):
        answer = client.post(
            f"{BASE}/screen/{held[0]}/vote/",
            {
                "stage": TA,
                "vote": "exclude",
                "shown": held[1],
                "skip": ",".join(map(str, held[2:])),
                "ahead": 1,
            },
            headers=HTMX,
        )
    cards = re.findall(
        r'<article class="reference" data-reference="(\d+)"', answer.content.decode()
    )
    assert [int(n) for n in cards] == [pk for pk in ranked if pk not in held][:1]


def test_members_see_the_order_and_leads_the_newest_ranking(api, ranked, lead, reviewer_a) -> None:
    seen_by_lead = api(lead).get(f"{BASE}/ranking", stage=TA).json()
    assert seen_by_lead["stage"] == TA
    assert seen_by_lead["order"] == "ranked"
    assert seen_by_lead["job"] is None
    found = seen_by_lead["ranking"]
    assert (found["model"], found["includes"], found["excludes"]) == ("similarity", 0, 0)
    # While the stage is blind a reviewer is told the order only: when a ranking ran, and on
    # how many settled decisions, moves when another reviewer's vote agrees with theirs.
    seen_by_reviewer = api(reviewer_a).get(f"{BASE}/ranking", stage=TA).json()
    assert seen_by_reviewer == {
        "stage": TA,
        "order": "ranked",
        "ranking_retrain_every": 25,
        "ranking": None,
        "job": None,
    }
    assert api(lead).post(f"{BASE}/blinding", {"stage": TA, "blind": False}).status_code == 200
    unblinded = api(reviewer_a).get(f"{BASE}/ranking", stage=TA).json()
    assert unblinded["ranking"] == found
    full_text = api(reviewer_a).get(f"{BASE}/ranking", stage="full_text").json()
    assert (full_text["order"], full_text["ranking"]) == ("import", None)


def test_a_retrain_on_demand_answers_202_with_its_job(
    api, ranked, lead, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(lead).post(f"{BASE}/ranking/retrain", {"stage": TA})
    assert answer.status_code == 202
    job = Job.objects.get(pk=answer.json()["job"])
    assert (job.kind, job.status) == (JobKind.RANK, JobStatus.DONE)
    assert api(lead).get(f"/jobs/{job.pk}").json()["result"]["ranking"] > 0


def test_a_queued_retrain_shows_and_a_second_ask_gives_the_same_job(api, ranked, lead) -> None:
    # No commit in this test: the job stays queued.
    first = api(lead).post(f"{BASE}/ranking/retrain", {"stage": TA}).json()["job"]
    again = api(lead).post(f"{BASE}/ranking/retrain", {"stage": TA}).json()["job"]
    assert first == again
    shown = api(lead).get(f"{BASE}/ranking", stage=TA).json()["job"]
    assert (shown["id"], shown["status"]) == (first, "queued")


def test_a_reviewer_may_not_set_the_order_or_retrain(api, demo_imports, reviewer_a) -> None:
    reviewer = api(reviewer_a)
    assert reviewer.put(f"{BASE}/ranking", {"stage": TA, "order": "ranked"}).status_code == 403
    assert reviewer.post(f"{BASE}/ranking/retrain", {"stage": TA}).status_code == 403
    assert Project.objects.get(slug="microcredentials").title_abstract_order == "import"
    assert not Job.objects.filter(kind=JobKind.RANK).exists()


def test_outsiders_get_404(api, demo_imports, outsider) -> None:
    stranger = api(outsider)
    assert stranger.get(f"{BASE}/ranking", stage=TA).status_code == 404
    assert stranger.put(f"{BASE}/ranking", {"stage": TA, "order": "ranked"}).status_code == 404
    assert stranger.post(f"{BASE}/ranking/retrain", {"stage": TA}).status_code == 404


def test_bad_input_is_400_naming_the_field(api, demo_imports, lead) -> None:
    boss = api(lead)
    answer = boss.put(f"{BASE}/ranking", {"stage": TA, "order": "random"})
    assert (answer.status_code, answer.json()["field"]) == (400, "order")
    answer = boss.put(f"{BASE}/ranking", {"stage": "abstract", "order": "ranked"})
    assert (answer.status_code, answer.json()["field"]) == (400, "stage")
    answer = boss.get(f"{BASE}/ranking", stage="abstract")
    assert (answer.status_code, answer.json()["field"]) == (400, "stage")
    answer = boss.post(f"{BASE}/ranking/retrain", {"stage": ""})
    assert (answer.status_code, answer.json()["field"]) == (400, "stage")


def test_the_lead_switches_the_order_and_retrains_from_the_dashboard(
    browser_client, demo_imports, lead, reviewer_a, django_capture_on_commit_callbacks
) -> None:
    page = browser_client(lead).get(f"{BASE}/").content.decode()
    assert "Rank by relevance" in page
    assert "also after every 25 settled decisions" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser_client(lead).post(
            f"{BASE}/ranking/", {"stage": TA, "order": "ranked"}, follow=True
        )
    html = answer.content.decode()
    assert "Title and abstract is screened in ranked by relevance." in html
    assert "Back to import order" in html
    project = Project.objects.get(slug="microcredentials")
    assert project.title_abstract_order == "ranked"
    first = ranking_current(project, TA)
    with django_capture_on_commit_callbacks(execute=True):
        browser_client(lead).post(f"{BASE}/ranking/", {"stage": TA, "action": "retrain"})
    assert ranking_current(project, TA).pk > first.pk
    # A reviewer sees no switch, and may not use it.
    assert "Rank by relevance" not in browser_client(reviewer_a).get(f"{BASE}/").content.decode()
    refused = browser_client(reviewer_a).post(f"{BASE}/ranking/", {"stage": TA, "order": "import"})
    assert refused.status_code == 403
    assert Project.objects.get(slug="microcredentials").title_abstract_order == "ranked"


# The lead's seed references and retrain interval ------------------------------------------------


def _titles(ids: list[int]) -> list[str]:
    return [Reference.objects.get(pk=pk).title for pk in ids]


def test_the_lead_marks_lists_and_unmarks_seeds(api, demo_imports, lead) -> None:
    boss = api(lead)
    ids = [r["id"] for r in boss.get(f"{BASE}/references").json()["items"]]
    marked = boss.post(f"{BASE}/ranking/seeds", {"reference": ids[3]})
    assert marked.status_code == 201
    seed = marked.json()
    assert (seed["reference"], seed["marked_by"]) == (ids[3], "lead")
    assert seed["title"] == _titles([ids[3]])[0]
    again = boss.post(f"{BASE}/ranking/seeds", {"reference": ids[3]})
    assert (again.status_code, again.json()["reference"]) == (200, ids[3])
    assert boss.post(f"{BASE}/ranking/seeds", {"reference": ids[1]}).status_code == 201
    listed = boss.get(f"{BASE}/ranking/seeds").json()
    assert listed["count"] == 2
    assert [s["reference"] for s in listed["items"]] == [ids[3], ids[1]]
    assert boss.delete(f"{BASE}/ranking/seeds/{ids[3]}").status_code == 204
    gone = boss.delete(f"{BASE}/ranking/seeds/{ids[3]}")
    assert gone.status_code == 404
    assert [s["reference"] for s in boss.get(f"{BASE}/ranking/seeds").json()["items"]] == [ids[1]]
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="ranking.seed")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["ranking.seed_mark", "ranking.seed_mark", "ranking.seed_unmark"]


def test_seeds_are_the_lead_s_and_reviewers_neither_see_nor_change_them(
    api, demo_imports, lead, reviewer_a
) -> None:
    ids = [r["id"] for r in api(lead).get(f"{BASE}/references").json()["items"]]
    api(lead).post(f"{BASE}/ranking/seeds", {"reference": ids[0]})
    reviewer = api(reviewer_a)
    # A seed is a known include: a reviewer told which would no longer vote independently.
    assert reviewer.get(f"{BASE}/ranking/seeds").status_code == 403
    assert reviewer.post(f"{BASE}/ranking/seeds", {"reference": ids[1]}).status_code == 403
    assert reviewer.delete(f"{BASE}/ranking/seeds/{ids[0]}").status_code == 403
    assert list(RankingSeed.objects.values_list("reference_id", flat=True)) == [ids[0]]


def test_seeds_of_another_project_are_404(api, demo_imports, lead, outsider) -> None:
    from tests.factories import ProjectFactory

    elsewhere = Reference.objects.create(project=ProjectFactory(slug="third"), title="Elsewhere")
    boss = api(lead)
    assert boss.post(f"{BASE}/ranking/seeds", {"reference": elsewhere.pk}).status_code == 404
    assert boss.delete(f"{BASE}/ranking/seeds/{elsewhere.pk}").status_code == 404
    stranger = api(outsider)
    ids = [r["id"] for r in boss.get(f"{BASE}/references").json()["items"]]
    assert stranger.get(f"{BASE}/ranking/seeds").status_code == 404
    assert stranger.post(f"{BASE}/ranking/seeds", {"reference": ids[0]}).status_code == 404
    assert stranger.delete(f"{BASE}/ranking/seeds/{ids[0]}").status_code == 404
    answer = boss.post(f"{BASE}/ranking/seeds", {"reference": "first"})
    assert (answer.status_code, answer.json()["field"]) == (400, "reference")
    assert not RankingSeed.objects.exists()


def test_a_seed_comes_first_in_the_api_s_ranked_next(
    api, demo_imports, lead, reviewer_a, django_capture_on_commit_callbacks
) -> None:
    boss = api(lead)
    ids = [r["id"] for r in boss.get(f"{BASE}/references").json()["items"]]
    seed = ids[-1]
    assert boss.post(f"{BASE}/ranking/seeds", {"reference": seed}).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        assert boss.put(f"{BASE}/ranking", {"stage": TA, "order": "ranked"}).status_code == 200
    first = api(reviewer_a).get(f"{BASE}/references/next", stage=TA).json()
    # The seed, or its twin from the other database (not deduplicated here): the same text.
    assert first["title"].casefold() == _titles([seed])[0].casefold()
    assert first["id"] != ids[0]
    assert boss.get(f"{BASE}/ranking", stage=TA).json()["ranking"]["model"] == "similarity"


def test_the_lead_sets_the_retrain_interval_and_bad_values_change_nothing(
    api, demo_imports, lead, reviewer_a
) -> None:
    boss = api(lead)
    answer = boss.put(f"{BASE}/ranking", {"stage": TA, "ranking_retrain_every": 5})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["ranking_retrain_every"], answer.json()["order"]) == (5, "import")
    for bad in (0, 10_001, -1):
        refused = boss.put(f"{BASE}/ranking", {"stage": TA, "ranking_retrain_every": bad})
        assert (refused.status_code, refused.json()["field"]) == (400, "ranking_retrain_every")
    refused = boss.put(f"{BASE}/ranking", {"stage": TA, "ranking_retrain_every": "often"})
    assert (refused.status_code, refused.json()["field"]) == (400, "ranking_retrain_every")
    # All or nothing: a bad order leaves the interval as it was.
    both = {"stage": TA, "order": "best", "ranking_retrain_every": 9}
    assert boss.put(f"{BASE}/ranking", both).json()["field"] == "order"
    nothing = boss.put(f"{BASE}/ranking", {"stage": TA})
    assert (nothing.status_code, nothing.json()["field"]) == (400, "order")
    project = Project.objects.get(slug="microcredentials")
    assert (project.ranking_retrain_every, project.title_abstract_order) == (5, "import")
    assert AuditEvent.objects.filter(verb="ranking.retrain_every_set").count() == 1
    assert (
        api(reviewer_a)
        .put(f"{BASE}/ranking", {"stage": TA, "ranking_retrain_every": 1})
        .status_code
        == 403
    )
    assert api(reviewer_a).get(f"{BASE}/ranking", stage=TA).json()["ranking_retrain_every"] == 5


def test_the_api_s_next_carries_the_card_s_relevance_cue(
    api, browser_client, ranked, lead, reviewer_a
) -> None:
    answer = api(reviewer_a).get(f"{BASE}/references/next", stage=TA).json()
    assert answer["id"] == ranked[0]
    page = browser_client(reviewer_a).get(f"{BASE}/screen/", {"reference": ranked[0]})
    cue = re.search(r'class="meta relevance"[^>]*>Relevance: (\w+)<', page.content.decode())
    assert answer["relevance"] == cue.group(1) == "high"
    # Import order: no cue, in the API as on the card.
    assert api(lead).put(f"{BASE}/ranking", {"stage": TA, "order": "import"}).status_code == 200
    again = api(reviewer_a).get(f"{BASE}/references/next", stage=TA).json()
    assert again["relevance"] is None
    assert "Relevance:" not in browser_client(reviewer_a).get(f"{BASE}/screen/").content.decode()


def test_a_ranking_job_s_counts_are_the_leads_not_a_blinded_reviewer_s(
    api, ranked, lead, reviewer_a, browser_client
) -> None:
    # A retrain's result counts the settled includes and excludes: a reviewer who has just voted
    # could read from it whether the other reviewer agreed. Leads see it; reviewers get 404.
    job = Job.objects.filter(kind=JobKind.RANK).order_by("-id").first()
    assert job is not None
    assert api(lead).get(f"/jobs/{job.pk}").status_code == 200
    assert api(reviewer_a).get(f"/jobs/{job.pk}").status_code == 404
    assert browser_client(reviewer_a).get(f"/jobs/{job.pk}/").status_code == 404
    imported = Job.objects.create(project=job.project, kind=JobKind.IMPORT)
    assert api(reviewer_a).get(f"/jobs/{imported.pk}").status_code == 200


def test_the_lead_reads_the_ranking_s_order_and_scores_and_next_follows_it(
    api, ranked, lead, reviewer_a
) -> None:
    answer = api(lead).get(f"{BASE}/ranking/references", stage=TA, limit=500)
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    assert [item["reference"] for item in items] == ranked
    assert [item["position"] for item in items] == list(range(len(ranked)))
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    assert {item["relevance"] for item in items} <= {"high", "medium", "low"}
    assert items[0]["relevance"] == "high"
    # The first the ranking lists is the first a reviewer is handed.
    assert api(reviewer_a).get(f"{BASE}/references/next", stage=TA).json()["id"] == ranked[0]
    # Scores are the leads' to read; a bad stage is named.
    assert api(reviewer_a).get(f"{BASE}/ranking/references", stage=TA).status_code == 403
    refused = api(lead).get(f"{BASE}/ranking/references", stage="abstract")
    assert refused.status_code == 400
    assert refused.json()["field"] == "stage"
