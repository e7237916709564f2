# Transitional re-exports for issue 17; removed once every importer points at screening.services.
"""The use cases that write, one module per concern. Views, API endpoints and Celery tasks call
them; each is one transaction."""

from ..people import author_display
from .accounts import token_issue, token_revoke, token_user, user_create
from .imports import record_add_other, search_import, search_import_enqueue
from .projects import membership_remove, membership_set, project_create, project_screening_update

__all__ = [
    "author_display",
    "membership_remove",
    "membership_set",
    "project_create",
    "project_screening_update",
    "record_add_other",
    "search_import",
    "search_import_enqueue",
    "token_issue",
    "token_revoke",
    "token_user",
    "user_create",
]
