# Transitional re-exports for issue 17; removed once every importer points at screening.services.
from .services.audit import audit_each, audit_record

__all__ = ["audit_each", "audit_record"]
