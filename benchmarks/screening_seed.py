"""Seed a review of n references half-screened on title and abstract; prints the API tokens as JSON.

Used by bench_screening and bench_load: rows go in through COPY (screening.services.bulk), as an
import would put them. With a third argument, every account gets that password (to log in on the
pages) and a lead, "bench-lead", joins the project.
"""

from __future__ import annotations

import json
import random
import sys

import django


def main(n: int, reviewers: int, password: str = "") -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from screening.models import Membership, Record, Reference, Resolution, Role, Search, Vote
    from screening.services.accounts import token_issue
    from screening.services.bulk import insert_rows, refresh_statistics
    from screening.services.projects import project_create

    user_model = get_user_model()
    admin = user_model.objects.create_user(username="bench-admin")
    people = [user_model.objects.create_user(username=f"reviewer{i:02d}") for i in range(reviewers)]
    project = project_create(name="Screening benchmark", creator=admin)
    Membership.objects.bulk_create(
        [Membership(project=project, user=u, role=Role.REVIEWER) for u in people]
    )
    leads = []
    if password:
        leads = [user_model.objects.create_user(username="bench-lead")]
        Membership.objects.create(project=project, user=leads[0], role=Role.LEAD)
        hashed = make_password(password)  # hashed once: the same password for every account
        user_model.objects.filter(pk__in=[u.pk for u in [admin, *people, *leads]]).update(
            password=hashed
        )
    rng = random.Random(5)
    with transaction.atomic():
        search = Search.objects.create(
            project=project,
            database="PubMed",
            filename="bench.nbib",
            sha256="0" * 64,
            format="medline",
        )
        titles = [f"Reference {i}: microcredentials in continuing education" for i in range(n)]
        reference_ids = insert_rows(
            Reference,
            [
                {"project_id": project.pk, "source": "databases", "title": t, "year": 2020}
                for t in titles
            ],
        )
        insert_rows(
            Record,
            [
                {"project_id": project.pk, "search_id": search.pk, "reference_id": r, "title": t,
                 "position": i}
                for i, (r, t) in enumerate(zip(reference_ids, titles, strict=True))
            ],
        )  # fmt: skip
        # Half the references screened by two reviewers each, one in ten in conflict and resolved.
        votes, resolutions = [], []
        for i, reference in enumerate(reference_ids[: n // 2]):
            first, second = rng.sample(people, 2)
            conflict = i % 10 == 0
            for who, vote in ((first, "include" if i % 3 == 0 else "exclude"), (second, None)):
                votes.append(
                    {"project_id": project.pk, "reference_id": reference, "stage": "title_abstract",
                     "reviewer_id": who.pk,
                     "vote": vote or ("include" if (i % 3 == 0) != conflict else "exclude")}
                )  # fmt: skip
            if conflict:
                resolutions.append(
                    {"project_id": project.pk, "reference_id": reference, "stage": "title_abstract",
                     "decision": "exclude", "decided_by_id": admin.pk}
                )  # fmt: skip
        insert_rows(Vote, votes)
        insert_rows(Resolution, resolutions)
        # As an import does (screening.services.imports): a planner that knows the tables' sizes.
        refresh_statistics(Reference, Record, Vote, Resolution, rows=n)
    tokens = {u.username: token_issue(user=u, name="bench") for u in [admin, *people, *leads]}
    print(json.dumps({"slug": project.slug, "tokens": tokens}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:4])
