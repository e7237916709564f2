# Transitional re-exports for issue 17; removed once every importer points at screening.services.
from .services.bulk import ANALYZE_AFTER_ROWS, insert_rows, refresh_statistics

__all__ = ["ANALYZE_AFTER_ROWS", "insert_rows", "refresh_statistics"]
