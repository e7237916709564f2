"""Restore a whole review from an archive file written by export_archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.errors import ServiceError
from screening.services.archive import project_archive_restore


class Command(BaseCommand):
    help = (
        "Restore a whole review from an archive file, as a new project: all or nothing. People "
        "are matched by username; one missing here is created inactive, without a password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The archive file (a .zip written by export_archive).")
        parser.add_argument(
            "--slug", default="", help="Restore under this slug instead of the archive's."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                result = project_archive_restore(source=handle, slug=options["slug"])
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        except ServiceError as error:
            raise CommandError(error.message) from None
        rows = sum(result.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.project.name!r} as {result.project.slug}: {rows} rows; ids "
                + ("kept." if result.ids_kept else "renumbered (some were taken here).")
            )
        )
        if result.created_users:
            self.stdout.write(
                "Created inactive, without a usable password (set one to let them in): "
                + ", ".join(result.created_users)
            )
