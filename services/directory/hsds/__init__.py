"""Open Referral HSDS 3.1 export of the directory (pure functions, no I/O).

Validation against the 3.1 schemas lives in ``services.directory.hsds.validate``. It is not
imported here, because it needs ``jsonschema``, which is a development dependency only.
"""

from services.directory.hsds.export import (
    export_directory,
    location_to_hsds,
    organization_to_hsds,
    service_at_location_to_hsds,
    service_to_hsds,
)
from services.directory.hsds.ids import hsds_id

__all__ = [
    "export_directory",
    "hsds_id",
    "location_to_hsds",
    "organization_to_hsds",
    "service_at_location_to_hsds",
    "service_to_hsds",
]
