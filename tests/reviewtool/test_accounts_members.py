"""Adding a member names no usernames: an unknown name and an account that cannot be added read
the same, on the members page as in the API (issue 19, "Accounts")."""

from __future__ import annotations

import pytest

from screening.models import Membership

MEMBERS = "/projects/microcredentials/members/"


@pytest.mark.django_db
def test_the_members_page_says_the_same_for_an_unknown_and_a_deactivated_user(
    browser_client, admin, outsider
) -> None:
    outsider.is_active = False
    outsider.save()
    client = browser_client(admin)
    pages = [
        client.post(MEMBERS, {"username": name, "role": "reviewer"}, follow=True).content.decode()
        for name in ("ghost", "outsider")
    ]
    for page in pages:
        assert "No such user, or one who cannot be added to a project." in page
    messages = [page.split('<ul class="messages"', 1)[1].split("</ul>", 1)[0] for page in pages]
    assert messages[0] == messages[1]  # the name typed is not echoed either
    assert not Membership.objects.filter(user=outsider, project__slug="microcredentials").exists()


@pytest.mark.django_db
def test_an_active_user_is_still_added(api, admin, outsider) -> None:
    response = api(as_=admin).post(
        "/projects/microcredentials/members", {"username": "outsider", "role": "reviewer"}
    )
    assert response.status_code == 201
