"""The Duplicates page: each tab paged and searchable, every record named by its source, an
unmerge that can be undone, and a set marked not duplicates that can be reopened and merged."""

from __future__ import annotations

import re

import pytest

from screening.models import AuditEvent, DuplicateCandidate, Reference
from screening.services.merges import duplicate_decide
from tests.screening import duplicate_sets

pytestmark = pytest.mark.django_db

PAGE = "/projects/microcredentials/duplicates/"


def _shown(html: str) -> list[int]:
    """The ids of the sets on the page, in order."""
    return [int(n) for n in re.findall(r'<h2 id="set-(\d+)"', html)]


def test_each_tab_is_paged_with_links_and_the_count(browser_client, project, lead) -> None:
    merged = duplicate_sets.pairs(project, 45, status="merged")
    client = browser_client(lead)
    first = client.get(PAGE, {"status": "merged"}).content.decode()
    assert _shown(first) == [c.pk for c in merged[:20]]  # strongest first
    assert "45 sets" in first
    assert "page 1 of 3" in first
    assert 'href="?status=merged&amp;page=2"' in first
    assert 'href="?status=merged&amp;page=3"' in first
    last = client.get(PAGE, {"status": "merged", "page": 3}).content.decode()
    assert _shown(last) == [c.pk for c in merged[40:]]
    assert 'rel="prev"' in last
    assert 'rel="next"' not in last
    # A page past the end shows the last; a page that is not a number, the first.
    assert _shown(client.get(PAGE, {"status": "merged", "page": 99}).content.decode()) == [
        c.pk for c in merged[40:]
    ]
    assert _shown(client.get(PAGE, {"status": "merged", "page": "x"}).content.decode()) == [
        c.pk for c in merged[:20]
    ]
    duplicate_sets.pairs(project, 3, status="rejected", title="Other")
    rejected = client.get(PAGE, {"status": "rejected"}).content.decode()
    assert len(_shown(rejected)) == 3
    assert "3 sets." in rejected
    assert 'class="pager"' not in rejected  # one page: no page links


def test_a_search_finds_sets_by_title_author_doi_or_reference_number(
    browser_client, project, lead
) -> None:
    pubmed = duplicate_sets.search(project, "PubMed", "pubmed.nbib")
    nurses = duplicate_sets.reference(
        project, "Digital badges for nurses", source=pubmed, authors=["Müller, Anna"]
    )
    twin = duplicate_sets.reference(project, "Digital badges for nurses.", method="websites")
    dentists = duplicate_sets.reference(
        project, "Microcredentials for dentists", source=pubmed, doi="10.1000/Dent.42"
    )
    other = duplicate_sets.reference(project, "Micro-credentials for dentists", source=pubmed)
    by_nurses = DuplicateCandidate.objects.create(
        project=project, references=[nurses.pk, twin.pk], score=0.9
    )
    by_dentists = DuplicateCandidate.objects.create(
        project=project, references=[dentists.pk, other.pk], score=0.8
    )
    client = browser_client(lead)

    def found(q: str, status: str = "pending") -> list[int]:
        return _shown(client.get(PAGE, {"status": status, "q": q}).content.decode())

    assert found("") == [by_nurses.pk, by_dentists.pk]
    assert found("NURSES") == [by_nurses.pk]
    assert found("müller") == [by_nurses.pk]  # an author, with a letter beyond ASCII
    assert found("10.1000/dent.42") == [by_dentists.pk]
    assert found(str(other.pk)) == [by_dentists.pk]  # the reference's number
    assert found(f"#{twin.pk}") == [by_nurses.pk]
    assert found("badges dentists") == []  # every word, in the same reference
    assert found("nurses", status="merged") == []
    page = client.get(PAGE, {"status": "pending", "q": "dentists"}).content.decode()
    assert "1 set holding a reference that matches “dentists”" in page
    assert 'value="dentists"' in page
    assert 'href="?status=merged&amp;q=dentists"' in page  # the tabs keep the search
    nothing = client.get(PAGE, {"status": "pending", "q": "zebra"}).content.decode()
    assert "No set holds a reference that matches “zebra”" in nothing
    # Merged, the set is still found by what the merged-away reference was called.
    duplicate_decide(candidate=by_dentists, action="merge", actor=lead)
    assert found("micro-credentials", status="merged") == [by_dentists.pk]


def test_the_search_is_kept_on_every_page_link(browser_client, project, lead) -> None:
    duplicate_sets.pairs(project, 25, title="Badges")
    duplicate_sets.pairs(project, 5, title="Nursing")
    page = browser_client(lead).get(PAGE, {"q": "badges"}).content.decode()
    assert "25 sets holding a reference that matches “badges”" in page
    assert 'href="?q=badges&amp;page=2"' in page


def test_every_record_is_named_by_its_import_and_database_or_its_method(
    browser_client, project, lead
) -> None:
    nameless = duplicate_sets.search(project, "  ", "export.ris")
    pubmed = duplicate_sets.search(project, "PubMed", "pubmed-2024.nbib")
    unknown = duplicate_sets.reference(project, "Badges", source=nameless)
    cited = duplicate_sets.reference(project, "Badges.", method="citation searching")
    both = duplicate_sets.reference(project, "Badges!", source=pubmed)
    duplicate_sets.reference(project, "Badges?", source=pubmed).records.update(reference=both)
    DuplicateCandidate.objects.create(
        project=project, references=[unknown.pk, cited.pk, both.pk], score=0.9
    )
    html = browser_client(lead).get(PAGE).content.decode()
    header = html[html.index("<thead>") : html.index("</thead>")]
    assert "unknown source · export.ris" in header
    assert "Citation searching" in header
    assert "PubMed · pubmed-2024.nbib (2 records)" in header
    assert "()" not in header


def test_a_merged_set_names_the_sources_each_reference_brought(
    browser_client, project, lead
) -> None:
    candidate = duplicate_sets.pairs(project, 1, status="merged")[0]
    html = browser_client(lead).get(PAGE, {"status": "merged"}).content.decode()
    header = html[html.index("<thead>") : html.index("</thead>")]
    # The survivor holds both records now; each column still names the one it brought.
    survivor, merged_away = candidate.references
    assert re.search(rf"Reference {survivor}\s*<[^>]+>PubMed · pubmed.nbib</span></th>", header)
    assert re.search(rf"Reference {merged_away}\s*<[^>]+>Embase · embase.ris</span></th>", header)


def test_an_unmerge_on_the_page_offers_to_undo_it_and_undo_merges_it_as_it_was(
    browser_client, project, lead
) -> None:
    candidate = duplicate_sets.pairs(project, 3)[1]
    second = candidate.references[1]
    client = browser_client(lead)
    client.post(
        f"{PAGE}?status=pending&survivor={second}", {"candidate": candidate.pk, "action": "merge"}
    )
    assert Reference.objects.get(pk=candidate.references[0]).merged_into_id == second
    unmerged = client.post(
        f"{PAGE}?status=merged&q=badges", {"candidate": candidate.pk, "action": "unmerge"}
    )
    assert unmerged.url == f"{PAGE}?status=merged&q=badges&unmerged={candidate.pk}"
    page = client.get(unmerged.url).content.decode()
    assert f"Unmerged set {candidate.pk}:" in page
    assert 'value="undo_unmerge"' in page
    assert f"keeping reference {second}" in page
    undone = client.post(unmerged.url, {"candidate": candidate.pk, "action": "undo_unmerge"})
    assert undone.url == f"{PAGE}?status=merged&q=badges"  # no second undo offered
    again = DuplicateCandidate.objects.get(pk=candidate.pk)
    assert (again.status, again.survivor_id) == ("merged", second)
    assert Reference.objects.get(pk=candidate.references[0]).merged_into_id == second
    assert AuditEvent.objects.filter(verb="duplicate.unmerge_undone", actor=lead).count() == 1
    # The same undo posted again (a second tab, a reload) is refused plainly and changes nothing.
    twice = client.post(unmerged.url, {"candidate": candidate.pk, "action": "undo_unmerge"})
    assert "there is no unmerge to undo" in client.get(twice.url).content.decode()
    assert 'value="undo_unmerge"' not in client.get(unmerged.url).content.decode()


def test_a_set_marked_not_duplicates_is_reopened_on_the_page_then_merged(
    browser_client, project, lead
) -> None:
    candidate = duplicate_sets.pairs(project, 1, status="rejected")[0]
    client = browser_client(lead)
    rejected = client.get(PAGE, {"status": "rejected"}).content.decode()
    assert 'name="action" value="reopen"' in rejected
    reopened = client.post(
        f"{PAGE}?status=rejected", {"candidate": candidate.pk, "action": "reopen"}, follow=True
    )
    assert f"Set {candidate.pk} reopened" in reopened.content.decode()
    assert _shown(client.get(PAGE, {"status": "pending"}).content.decode()) == [candidate.pk]
    client.post(f"{PAGE}?status=pending", {"candidate": candidate.pk, "action": "merge"})
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "merged"


def test_a_posted_set_that_is_not_a_number_is_404_not_an_error(browser_client, lead) -> None:
    answer = browser_client(lead).post(PAGE, {"candidate": "1 OR 1=1", "action": "merge"})
    assert answer.status_code == 404


def test_reviewers_may_not_reopen_or_undo(browser_client, project, lead, reviewer_a) -> None:
    candidate = duplicate_sets.pairs(project, 1, status="rejected")[0]
    client = browser_client(reviewer_a)
    for action in ("reopen", "undo_unmerge"):
        answer = client.post(PAGE, {"candidate": candidate.pk, "action": action})
        assert answer.status_code == 403
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "rejected"
