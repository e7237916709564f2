"""Load the demo review: four people, one project, three searches from the sample exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from screening import decisions, services
from screening.models import Project, Role

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

# Local demo accounts only: printed on every `make run` so a new user can log straight in.
PEOPLE = [
    ("admin", "demo-admin-pass", Role.ADMIN, True),
    ("lead", "demo-lead-pass", Role.LEAD, False),
    ("reviewer_a", "demo-reviewer-a-pass", Role.REVIEWER, False),
    ("reviewer_b", "demo-reviewer-b-pass", Role.REVIEWER, False),
]

SEARCHES = [
    (
        "pubmed_microcredentials.nbib",
        "PubMed",
        "",
        '("microcredential*"[tiab] OR "digital badge*"[tiab] OR "open badge*"[tiab]) '
        'AND ("continuing education"[MeSH] OR "professional development"[tiab])',
    ),
    (
        "embase_microcredentials.ris",
        "Embase",
        "Embase.com",
        "('microcredential*':ti,ab OR 'digital badge*':ti,ab) AND 'continuing education'/exp",
    ),
    (
        "eric_microcredentials.nbib",
        "ERIC",
        "eric.ed.gov",
        'microcredentials OR "digital badges" AND health',
    ),
]

SLUG = "demo-microcredentials"


class Command(BaseCommand):
    help = "Create the demo users and a demo review built from the sample exports the app ships."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        with transaction.atomic():
            users = {}
            for username, password, _, is_staff in PEOPLE:
                user, _ = User.objects.get_or_create(username=username)
                user.set_password(password)
                user.email = f"{username}@example.org"
                user.is_staff = is_staff
                user.is_superuser = is_staff
                user.save()
                users[username] = user
            project = Project.objects.filter(slug=SLUG).first()
            if project is None:
                project = services.project_create(
                    name="Microcredentials in health professionals' continuing education (demo)",
                    slug=SLUG,
                    creator=users["admin"],
                    eligibility_criteria=(
                        "Include: health professionals in continuing education; microcredentials, "
                        "digital or open badges, or short certified courses; any outcome.\n"
                        "Exclude: undergraduate education only; protocols; opinion pieces."
                    ),
                )
                for username, _, role, _ in PEOPLE[1:]:
                    services.membership_set(
                        project=project, username=username, role=role, actor=users["admin"]
                    )
                services.project_screening_update(
                    project=project,
                    user=users["admin"],
                    eligibility_criteria=project.eligibility_criteria,
                    include_terms="microcredential*\ndigital badge*\nopen badge*\n"
                    "continuing education\ncontinuing professional development",
                    exclude_terms="undergraduate*\nprotocol\nopinion\neditorial",
                )
                for reason in ("Wrong population", "Not microcredentials", "Wrong study design"):
                    decisions.exclusion_reason_add(project=project, name=reason, user=users["lead"])
                for filename, database, platform, query in SEARCHES:
                    services.search_import(
                        project=project,
                        data=(DEMO_DIR / filename).read_bytes(),
                        filename=filename,
                        database=database,
                        platform=platform,
                        searched_on=dt.date(2026, 10, 1),
                        query=query,
                        user=users["lead"],
                    )
                self.stdout.write(self.style.SUCCESS(f"Demo review created: {project.name}"))
            else:
                self.stdout.write(f"Demo review already loaded: {project.name}")
        self.stdout.write("\nDemo logins (local use only):")
        for username, password, role, _ in PEOPLE:
            self.stdout.write(f"  {username:<11} {password:<22} {role}")
        self.stdout.write(f"\nOpen http://127.0.0.1:8000/projects/{SLUG}/\n")
