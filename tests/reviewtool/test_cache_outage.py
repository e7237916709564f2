"""Screening without its cache: a Redis that cannot be reached costs hints, never a request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import override_settings

from reviewtool import cache as tolerant
from screening.models import Reference, Vote

# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE = {
    "default": {
        "BACKEND": "reviewtool.cache.PooledRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
}
TA = "title_abstract"


@pytest.fixture
def redis_down() -> Iterator[object]:
    with override_settings(CACHES=UNREACHABLE):
        yield cache


def test_reads_miss_writes_drop_and_counters_are_missing(redis_down) -> None:
    assert redis_down.get("a", "fallback") == "fallback"
    assert redis_down.get_many(["a", "b"]) == {}
    assert redis_down.add("a", 1, 60) is False
    redis_down.set("a", 1, 60)
    redis_down.set_many({"a": 1}, 60)
    assert redis_down.delete("a") is False
    assert redis_down.get_or_set("hints", 0, None) == 0
    # What every caller already handles for an expired counter.
    with pytest.raises(ValueError, match="cannot be reached"):
        redis_down.incr("claims")


def test_after_a_failure_the_cache_is_left_alone_for_a_few_seconds(
    redis_down, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert redis_down.get("a") is None  # the first call meets the refused connection
    asked = []
    monkeypatch.setattr(
        tolerant._PooledClient, "get_client", lambda *a, **k: asked.append(1) or 1 / 0
    )
    assert redis_down.get("a", "fallback") == "fallback"
    redis_down.set("a", 1, 60)
    assert asked == []


@pytest.mark.django_db
def test_a_reviewer_screens_on_while_the_cache_is_down(
    redis_down, project, reviewer_a, api
) -> None:
    first, second = (
        Reference.objects.create(project=project, title=f"Microcredentials {n}") for n in (1, 2)
    )
    client = api(as_=reviewer_a)
    base = f"/projects/{project.slug}/references"
    shown = client.get(f"{base}/next", stage=TA)
    assert shown.status_code == 200, shown.content
    assert shown.json()["id"] == first.pk
    voted = client.post(f"{base}/{first.pk}/votes", {"stage": TA, "vote": "include"})
    assert voted.status_code == 201, voted.content
    assert Vote.objects.filter(reference=first, reviewer=reviewer_a, vote="include").exists()
    after = client.get(f"{base}/next", stage=TA)
    assert after.status_code == 200
    assert after.json()["id"] == second.pk


@pytest.mark.django_db
def test_the_screening_page_shows_and_takes_a_vote_while_the_cache_is_down(
    redis_down, project, reviewer_a, browser_client
) -> None:
    reference = Reference.objects.create(project=project, title="Microcredentials for nurses")
    client = browser_client(reviewer_a)
    page = client.get(f"/projects/{project.slug}/screen/")
    assert page.status_code == 200
    assert "Microcredentials for nurses" in page.content.decode()
    voted = client.post(
        f"/projects/{project.slug}/screen/{reference.pk}/vote/", {"stage": TA, "vote": "exclude"}
    )
    assert voted.status_code in (200, 204, 302), voted.status_code
    assert Vote.objects.filter(reference=reference, reviewer=reviewer_a, vote="exclude").exists()
