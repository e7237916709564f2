# Transitional re-exports for issue 17; removed once every importer points at screening.services.
from .services.bulk import *  # noqa: F403
