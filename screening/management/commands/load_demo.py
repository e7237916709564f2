"""Load the demo review: four people, one project, three searches from the sample exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from screening.models import Project, Role
from screening.services.imports import SearchDetails, search_import
from screening.services.projects import membership_set, project_create, project_screening_update
from screening.services.reasons import exclusion_reason_add

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

# Local demo accounts only: printed by `make run` so a new user can log straight in. A user that
# exists already keeps its password: someone may have changed it.
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
    help = (
        "Create the demo users and a demo review built from the sample exports the app ships. "
        "Safe to run again: existing users keep their passwords and the review is loaded once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="Where the server listens, as runserver takes it (port, or host:port): "
            "the address printed for the demo review.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = served_url(options["address"])
        with transaction.atomic():
            users, created = _demo_users()
            project = Project.objects.filter(slug=SLUG).first()
            if project is None:
                project = _demo_review(users)
                self.stdout.write(self.style.SUCCESS(f"Demo review created: {project.name}"))
            else:
                self.stdout.write(f"Demo review already loaded, left as it is: {project.name}")
        self.stdout.write("\nDemo logins (local use only):")
        for username, password, role, _ in PEOPLE:
            if username in created:
                self.stdout.write(f"  {username:<11} {password:<22} {role}")
            else:
                self.stdout.write(
                    f"  {username:<11} exists: password unchanged "
                    f"({password} if you have not changed it)"
                )
        self.stdout.write(f"\nOpen {url}/projects/{SLUG}/\n")


def served_url(address: str) -> str:
    """The URL of runserver's `addrport` argument: a port, or host:port ([::1]:8000 for IPv6)."""
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise CommandError(
            f"--address {address!r} is not a port or host:port (e.g. 8001 or 127.0.0.1:8001)"
        )
    return f"http://{host or '127.0.0.1'}:{port}"


def _demo_users() -> tuple[dict[str, Any], set[str]]:
    """The four demo people, creating those missing; an existing user is left exactly as it is."""
    User = get_user_model()
    users, created = {}, set()
    for username, password, _, is_staff in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.org",
                password=password,
                is_staff=is_staff,
                is_superuser=is_staff,
            )
            created.add(username)
        users[username] = user
    return users, created


def _demo_review(users: dict[str, Any]) -> Project:
    project = project_create(
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
        membership_set(project=project, username=username, role=role, actor=users["admin"])
    project_screening_update(
        project=project,
        user=users["admin"],
        eligibility_criteria=project.eligibility_criteria,
        include_terms="microcredential*\ndigital badge*\nopen badge*\n"
        "continuing education\ncontinuing professional development",
        exclude_terms="undergraduate*\nprotocol\nopinion\neditorial",
    )
    for reason in ("Wrong population", "Not microcredentials", "Wrong study design"):
        exclusion_reason_add(project=project, name=reason, user=users["lead"])
    for filename, database, platform, query in SEARCHES:
        details = SearchDetails(
            database=database, platform=platform, searched_on=dt.date(2026, 10, 1), query=query
        )
        search_import(
            project=project,
            data=(DEMO_DIR / filename).read_bytes(),
            filename=filename,
            details=details,
            user=users["lead"],
        )
    return project
