"""Write a whole review to one archive file, to restore on another server (restore_archive)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.errors import ServiceError
from screening.models import Project
from screening.services.archive import project_archive_write


class Command(BaseCommand):
    help = (
        "Export a whole review (searches and their files, records, references, merges, votes, "
        "resolutions, reports and their PDFs, reasons, extraction, ranking settings, stopping "
        "decisions, audit trail) to one archive file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The project's slug.")
        parser.add_argument("out", help="The archive file to write (a .zip).")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(slug=options["slug"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['slug']!r}.")
        out = Path(options["out"])
        partial = out.with_name(out.name + ".part")
        try:
            with partial.open("wb") as handle:
                manifest = project_archive_write(project=project, out=handle)
            partial.replace(out)
        except ServiceError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(error.message) from None
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {out}: {error}") from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {out}: {rows} rows in {len(manifest['tables'])} tables, "
                f"{len(manifest['files'])} files (format version {manifest['format_version']})."
            )
        )
