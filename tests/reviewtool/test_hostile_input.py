"""Input no column can hold is a 400 naming its field, never a 500, and stores nothing: a lone
surrogate in any JSON text (the anonymous token endpoint too), an offset or limit beyond a 64-bit
count, an id that is no number in a page's form, a text longer than its column (issue 19)."""

from __future__ import annotations

import pytest
from django.test import Client

from screening.models import Project, Reference, Vote

pytestmark = pytest.mark.django_db

LONE = '"\\ud800"'  # the JSON text of a lone high surrogate


def _json(client: Client, path: str, body: str, **headers: str):  # noqa: ANN202
    return client.post(path, body, content_type="application/json", headers=headers)


def test_a_lone_surrogate_on_the_anonymous_token_endpoint_is_a_400_naming_the_field() -> None:
    response = _json(
        Client(raise_request_exception=False),
        "/api/v1/auth/token",
        f'{{"username": {LONE}, "password": "x"}}',
    )
    assert response.status_code == 400
    assert response.json()["field"] == "username"
    assert "lone surrogate" in response.json()["detail"]


def test_a_lone_surrogate_in_a_vote_s_note_is_a_400_and_no_vote(
    api, reviewer_a, demo_imports
) -> None:
    client = api(as_=reviewer_a)
    reference = Reference.objects.first()
    response = _json(
        client.client,
        f"/api/v1/projects/microcredentials/references/{reference.pk}/votes",
        f'{{"stage": "title_abstract", "vote": "include", "note": "ok {LONE[1:-1]} here"}}',
        **client._headers(),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "note"
    assert not Vote.objects.exists()


def test_a_lone_surrogate_in_a_nested_key_is_named_by_its_path(api, lead) -> None:
    client = api(as_=lead)
    response = _json(
        client.client,
        "/api/v1/projects/microcredentials/codebook",
        f'{{"fields": [{{"name": "a", "type": "text", "help": {LONE}}}]}}',
        **client._headers(),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "fields[0].help"


def test_a_surrogate_pair_is_an_ordinary_character(api, lead) -> None:
    client = api(as_=lead)
    response = _json(
        client.client, "/api/v1/projects", '{"name": "Smiles \\ud83d\\ude00"}', **client._headers()
    )
    assert response.status_code == 201
    assert Project.objects.get(slug=response.json()["slug"]).name == "Smiles \U0001f600"


def test_an_escaped_backslash_before_u_d800_is_plain_text(api, lead) -> None:
    client = api(as_=lead)
    response = _json(
        client.client, "/api/v1/projects", '{"name": "path \\\\ud800"}', **client._headers()
    )
    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_surrogate_bytes_in_a_query_or_form_are_replaced_not_a_500(api, lead, demo_imports) -> None:
    """`%ED%A0%80` (a surrogate's UTF-8 bytes) decodes to U+FFFD in query strings and forms;
    nothing with a surrogate reaches the database."""
    client = api(as_=lead)
    client.client.raise_request_exception = False
    history = client.client.get(
        "/api/v1/projects/microcredentials/history?actor=%ED%A0%80", headers=client._headers()
    )
    assert history.status_code in {200, 400}
    page = Client(raise_request_exception=False)
    page.force_login(lead)
    assert page.get("/projects/microcredentials/references/?q=%ED%A0%80").status_code == 200
    added = page.post(
        "/projects/microcredentials/reasons/",
        b"action=add&name=Wrong%ED%A0%80setting",
        content_type="application/x-www-form-urlencoded",
    )
    assert added.status_code == 302
    assert Project.objects.get(slug="microcredentials").exclusion_reasons.get().name == (
        "Wrong\ufffd\ufffd\ufffdsetting"
    )


LISTS = [
    "/projects/microcredentials/references",
    "/projects/microcredentials/duplicates",
    "/projects/microcredentials/conflicts?stage=title_abstract",
    "/projects/microcredentials/history",
    "/projects/microcredentials/searches",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("name", ["offset", "limit"])
@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999"])
def test_a_count_beyond_64_bits_is_a_400_naming_it(
    api, lead, demo_imports, path: str, name: str, value: str
) -> None:
    client = api(as_=lead)
    client.client.raise_request_exception = False
    separator = "&" if "?" in path else "?"
    response = client.client.get(
        f"/api/v1{path}{separator}{name}={value}", headers=client._headers()
    )
    assert response.status_code == 400
    assert response.json()["field"] == name


@pytest.mark.parametrize("value", ["\u0661\u0662", "abc", "-1", "1e3"])
@pytest.mark.parametrize("name", ["offset", "limit"])
def test_a_count_that_is_no_whole_number_is_a_400(api, lead, value: str, name: str) -> None:
    client = api(as_=lead)
    response = client.get("/projects/microcredentials/references", **{name: value})
    assert response.status_code == 400


def test_the_largest_count_is_still_a_page(api, lead, demo_imports) -> None:
    response = api(as_=lead).get("/projects/microcredentials/references", offset=2**63 - 1)
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("value", ["\u0661\u0662", "abc", "99999999999999999999", "-1", "1e3"])
def test_an_id_in_a_path_is_a_400_or_a_404(api, lead, demo_imports, value: str) -> None:
    client = api(as_=lead)
    client.client.raise_request_exception = False
    for path in [
        f"/projects/microcredentials/references/{value}",
        f"/jobs/{value}",
    ]:
        assert client.get(path).status_code in {400, 404}
    vote = client.post(
        f"/projects/microcredentials/references/{value}/votes",
        {"stage": "title_abstract", "vote": "include"},
    )
    assert vote.status_code in {400, 404}


@pytest.mark.parametrize(
    ("path", "form"),
    [
        (
            "/projects/microcredentials/conflicts/",
            {"reference": "abc", "stage": "title_abstract", "decision": "include"},
        ),
        ("/projects/microcredentials/full-texts/", {"reference": "abc", "action": "not_retrieved"}),
        ("/projects/microcredentials/full-texts/", {"reference": "1.5", "action": "not_retrieved"}),
    ],
)
def test_a_form_id_that_is_no_number_is_the_400_page_naming_it(
    lead, demo_imports, path: str, form: dict[str, str]
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    response = client.post(path, form)
    assert response.status_code == 400
    assert "The field &#x27;reference&#x27; must be a whole number" in response.content.decode()


@pytest.mark.parametrize("value", ["\u0661\u0662", "99999999999999999999"])
def test_a_form_id_in_other_digits_or_too_large_is_no_500(lead, demo_imports, value: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    for path, form in [
        ("/projects/microcredentials/conflicts/", {"reference": value, "stage": "title_abstract"}),
        ("/projects/microcredentials/full-texts/", {"reference": value, "action": "not_retrieved"}),
        ("/projects/microcredentials/reasons/", {"action": "rename", "reason": value, "name": "y"}),
        ("/projects/microcredentials/duplicates/", {"candidate": value, "action": "merge"}),
    ]:
        assert client.post(path, form).status_code < 500, path


@pytest.mark.parametrize(
    "path",
    [
        "/projects/microcredentials/screen/?reference=99999999999999999999",
        "/projects/microcredentials/history/?reference=99999999999999999999",
        "/projects/microcredentials/duplicates/?unmerged=99999999999999999999",
    ],
)
def test_an_id_past_64_bits_in_a_page_s_query_is_no_500(lead, demo_imports, path: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    response = client.get(path)
    assert response.status_code in {200, 400, 404}


@pytest.mark.django_db(transaction=True)
def test_a_project_name_longer_than_its_column_is_a_400_naming_it(api, lead) -> None:
    # Refused by the service on both databases (SQLite would keep it whole).
    client = api(as_=lead)
    client.client.raise_request_exception = False
    response = client.post("/projects", {"name": "x" * 100_000})
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert "200 characters" in response.json()["detail"]
    assert not Project.objects.filter(name__startswith="xxx").exists()
