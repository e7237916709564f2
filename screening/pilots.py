# Transitional re-exports for issue 17; removed once every importer points at screening.services.
from .services.pilots import latest_pilot, pilot_close, pilot_report, pilot_start

__all__ = ["latest_pilot", "pilot_close", "pilot_report", "pilot_start"]
