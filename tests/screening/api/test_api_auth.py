from __future__ import annotations

import hashlib

import pytest

from screening.models import ApiToken
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_a_user_exchanges_username_and_password_for_a_working_token(api, lead) -> None:
    response = api().post("/auth/token", {"username": "lead", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client = api()
    api_client.token = token
    assert api_client.get("/projects/microcredentials").status_code == 200


@pytest.mark.django_db
def test_only_the_hash_of_a_token_is_stored(api, lead) -> None:
    token = api().post("/auth/token", {"username": "lead", "password": PASSWORD}).json()["token"]
    stored = ApiToken.objects.get(user=lead)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.key_hash, stored.name}
    assert stored.prefix == token[:8]


@pytest.mark.django_db
def test_a_wrong_password_gets_401(api, lead) -> None:
    response = api().post("/auth/token", {"username": "lead", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."


@pytest.mark.django_db
def test_a_token_request_without_a_password_is_400_naming_the_field(api) -> None:
    response = api().post("/auth/token", {"username": "lead"})
    assert response.status_code == 400
    assert "password" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Token abc", "Bearer "])
def test_a_call_without_a_valid_token_gets_401(client, project, header) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/projects/microcredentials", headers=headers)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db
def test_a_revoked_token_stops_working(api, lead) -> None:
    client = api(as_=lead)
    assert client.get("/projects/microcredentials").status_code == 200
    assert client.delete("/auth/token").status_code == 204
    assert client.get("/projects/microcredentials").status_code == 401
    assert ApiToken.objects.get(user=lead).revoked_at is not None


@pytest.mark.django_db
def test_a_deactivated_user_s_token_stops_working(api, lead) -> None:
    client = api(as_=lead)
    lead.is_active = False
    lead.save()
    assert client.get("/projects/microcredentials").status_code == 401


@pytest.mark.django_db
def test_the_openapi_schema_and_docs_are_served(client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/projects/{slug}/members" in paths
    assert "/api/v1/jobs/{job_id}" in paths
    assert client.get("/api/v1/docs").status_code == 200
