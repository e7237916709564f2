"""A whole review as one archive file: downloaded by a project admin, restored by site staff."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from ..access import get_project_for_user
from ..errors import TooLarge
from ..models import Role
from ..services.archive import project_archive_restore, project_archive_write
from .auth import BearerToken
from .schemas import Error

router = Router(tags=["archive"])

_ZIP = "application/zip"


@router.get(
    "/projects/{slug}/archive",
    # The session too: the project page links here for an admin signed in to the site.
    auth=[BearerToken(), SessionAuth()],
    openapi_extra={
        "responses": {
            200: {
                "description": "The archive (a zip), as an attachment",
                "content": {_ZIP: {"schema": {"type": "string", "format": "binary"}}},
            },
            409: {
                "description": "A file the review stores is missing from storage: the archive "
                "would be incomplete",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
        }
    },
)
def archive_download(request: HttpRequest, slug: str) -> FileResponse:
    """The whole review as one versioned archive file (project admins), to restore elsewhere:
    searches and their files, records, references and merges, votes, resolutions, reports and
    their PDFs, reasons, codebook and extractions, ranking settings, stopping decisions and the
    audit trail. Written to a temporary file first and streamed from it."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.ADMIN)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    try:
        project_archive_write(project=project, out=spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{project.slug}-archive.zip", content_type=_ZIP
    )


class ArchiveRestoredOut(Schema):
    slug: str
    name: str
    ids_kept: bool
    created_users: list[str]
    tables: dict[str, int]


@router.post("/archives", response={201: ArchiveRestoredOut, 403: Error})
def archive_restore(
    request: HttpRequest, file: UploadedFile = File(...), slug: str = Form("")
) -> Status[dict[str, Any]]:
    """Restore a whole review from its archive as a new project (site staff). All or nothing:
    an archive of a newer format, a damaged one or one that is not an archive is refused (400),
    a slug taken here too (409: give another as `slug`). People are matched by username; one
    missing here is created inactive, without a usable password, and listed in the answer."""
    if not request.user.is_staff:
        return Status(403, {"detail": "Only site staff restore archives."})
    if file.size and file.size > settings.UPLOAD_MAX_BYTES:
        raise TooLarge(
            f"{file.name} is {file.size} bytes; the limit is {settings.UPLOAD_MAX_BYTES} "
            "(restore a larger archive with `manage.py restore_archive`).",
            field="file",
        )
    result = project_archive_restore(source=file, slug=slug, actor=request.user)
    return Status(
        201,
        {
            "slug": result.project.slug,
            "name": result.project.name,
            "ids_kept": result.ids_kept,
            "created_users": result.created_users,
            "tables": result.tables,
        },
    )
