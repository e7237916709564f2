"""The token endpoint's failed-login limit, token expiry and revocation, and who POST /users makes
(issue 19, "Accounts")."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.utils import timezone

from screening.models import ApiToken
from tests.conftest import PASSWORD


def _token(api, password: str):  # noqa: ANN202
    return api().post("/auth/token", {"username": "lead", "password": password})


@pytest.mark.django_db
def test_after_five_wrong_passwords_even_the_right_one_gets_429_saying_when(api, lead) -> None:
    answers = [_token(api, "wrong").status_code for _ in range(4)]
    assert answers == [401] * 4
    fifth = _token(api, "wrong")
    assert fifth.status_code == 429
    right = _token(api, PASSWORD)
    assert right.status_code == 429
    detail = right.json()["detail"]
    assert "Too many failed logins" in detail
    assert "Try again in 15 minutes" in detail
    assert "UTC" in detail
    assert not ApiToken.objects.filter(user=lead).exists()


@pytest.mark.django_db
def test_the_limit_is_a_setting(api, lead, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    assert _token(api, "wrong").status_code == 401
    assert _token(api, "wrong").status_code == 429
    assert _token(api, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_once_the_window_has_passed_the_right_password_works_again(api, lead) -> None:
    for _ in range(5):
        _token(api, "wrong")
    assert _token(api, PASSWORD).status_code == 429
    # The window (LOGIN_LOCKOUT_MINUTES, 15) has passed since the last failure: no sleeping.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _token(api, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_success_clears_the_count(api, lead) -> None:
    for _ in range(4):
        assert _token(api, "wrong").status_code == 401
    assert _token(api, PASSWORD).status_code == 200
    assert not AccessAttempt.objects.filter(username="lead").exists()
    for _ in range(4):
        assert _token(api, "wrong").status_code == 401
    assert _token(api, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_the_lockout_is_per_username(api, lead, admin) -> None:
    for _ in range(5):
        _token(api, "wrong")
    assert _token(api, PASSWORD).status_code == 429
    other = api().post("/auth/token", {"username": "admin", "password": PASSWORD})
    assert other.status_code == 200


@pytest.mark.django_db
def test_the_429_is_declared_in_the_openapi_schema(client) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/auth/token"]["post"]
    assert "429" in operation["responses"]


# Expiry and revocation


@pytest.mark.django_db
def test_a_token_older_than_the_ttl_is_a_401_saying_it_expired(api, lead, settings) -> None:
    settings.API_TOKEN_TTL_DAYS = 90
    client = api(as_=lead)
    assert client.get("/projects/microcredentials").status_code == 200
    ApiToken.objects.filter(user=lead).update(
        created_at=timezone.now() - dt.timedelta(days=90, minutes=1)
    )
    response = client.get("/projects/microcredentials")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.django_db
def test_a_token_within_the_ttl_works(api, lead, settings) -> None:
    settings.API_TOKEN_TTL_DAYS = 90
    client = api(as_=lead)
    ApiToken.objects.filter(user=lead).update(
        created_at=timezone.now() - dt.timedelta(days=89, hours=23)
    )
    assert client.get("/projects/microcredentials").status_code == 200


@pytest.mark.django_db
def test_a_ttl_of_zero_means_tokens_never_expire(api, lead, settings) -> None:
    settings.API_TOKEN_TTL_DAYS = 0
    client = api(as_=lead)
    ApiToken.objects.filter(user=lead).update(created_at=timezone.now() - dt.timedelta(days=3650))
    assert client.get("/projects/microcredentials").status_code == 200


def test_the_default_ttl_is_90_days() -> None:
    from django.conf import settings

    assert settings.API_TOKEN_TTL_DAYS == 90


@pytest.mark.django_db
def test_a_revoked_token_is_a_401_and_revoking_it_again_is_too(api, lead) -> None:
    client = api(as_=lead)
    assert client.delete("/auth/token").status_code == 204
    response = client.get("/projects/microcredentials")
    assert response.status_code == 401
    assert response.json() == {"detail": "A valid bearer token is required."}
    assert client.delete("/auth/token").status_code == 401


@pytest.mark.django_db
def test_revoking_one_token_leaves_the_others(api, lead) -> None:
    first, second = api(as_=lead), api(as_=lead)
    assert first.delete("/auth/token").status_code == 204
    assert second.get("/projects/microcredentials").status_code == 200


# POST /users: the validators, and names that read the same


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("83749201736452", "entirely numeric"),
        ("newcomer-x", "too similar"),
    ],
)
def test_staff_cannot_create_a_user_with_a_weak_password(api, staff, password, why) -> None:
    response = api(as_=staff).post("/users", {"username": "newcomer", "password": password})
    assert response.status_code == 400
    assert response.json()["field"] == "password"
    assert why in response.json()["detail"]
    assert not get_user_model().objects.filter(username="newcomer").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["has space", "semi;colon", "<script>", "x" * 151])
def test_staff_cannot_create_a_user_with_an_invalid_username(api, staff, username) -> None:
    response = api(as_=staff).post("/users", {"username": username, "password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["field"] == "username"
    assert not get_user_model().objects.filter(username=username).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("existing", "attempt"),
    [
        ("fischer", "ﬁscher"),  # the fi ligature is "fi" after NFKC: a 500 before
        ("fischer", "FISCHER"),
        ("strasse", "STRAßE"),  # ß casefolds to ss
        ("anna", "\uff41\uff4e\uff4e\uff41"),  # fullwidth letters
    ],
)
def test_a_username_reading_the_same_as_a_taken_one_is_refused_not_a_500(
    api, staff, existing, attempt
) -> None:
    created = api(as_=staff).post("/users", {"username": existing, "password": PASSWORD})
    assert created.status_code == 201
    response = api(as_=staff).post("/users", {"username": attempt, "password": PASSWORD})
    assert response.status_code == 409
    body = response.json()
    assert body["field"] == "username"
    assert "taken" in body["detail"]
    assert get_user_model().objects.count() == 2  # staff and the first one


@pytest.mark.django_db
def test_a_created_user_s_name_is_stored_in_nfkc(api, staff) -> None:
    response = api(as_=staff).post("/users", {"username": "ﬁona", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json() == {"username": "fiona"}
    assert get_user_model().objects.filter(username="fiona").exists()


# Adding a member names no usernames


@pytest.mark.django_db
def test_an_unknown_and_a_deactivated_user_read_the_same_when_added(api, admin, outsider) -> None:
    outsider.is_active = False
    outsider.save()
    client = api(as_=admin)
    unknown = client.post("/projects/microcredentials/members", {"username": "ghost"})
    inactive = client.post("/projects/microcredentials/members", {"username": "outsider"})
    assert unknown.status_code == inactive.status_code == 400
    assert unknown.json() == inactive.json()
    assert unknown.json()["detail"].startswith("No such user, or ")
    assert "ghost" not in unknown.json()["detail"]
