"""Great-circle distance and a bounding box for cheap SQL pre-filtering.

``distance_km`` is the haversine distance on a sphere of the Earth's mean radius (6371.0088 km);
its error against the ellipsoid is under 0.5 %, far below what matters for "how far to drive".

``bounding_box`` returns ``(min_lat, max_lat, min_lon, max_lon)`` guaranteed to CONTAIN every
point within ``radius_km`` (a superset: callers still check ``distance_km`` exactly). It is meant
for a plain ``latitude BETWEEN min_lat AND max_lat AND longitude BETWEEN min_lon AND max_lon``:

* Longitude half-width uses the exact tangent-meridian formula ``asin(sin(r) / cos(lat))``, which
  is wider than the naive ``r / cos(lat)`` near the poles, so the box never clips the circle.
* If the circle reaches a pole, latitude is clamped to +/-90 and longitude spans the whole
  ``-180..180`` (every meridian passes through the pole).
* If the box would cross the antimeridian (+/-180), longitude also spans ``-180..180`` instead of
  returning a wrapped ``min_lon > max_lon`` pair: a wider pre-filter is merely slower, while a
  wrapped pair silently returns nothing from a naive BETWEEN. (For a US regional network this
  only ever happens in the Aleutians.)
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine great-circle distance in kilometres between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    # Rounding can push `a` a hair outside [0, 1] for (near-)antipodal points.
    a = min(1.0, max(0.0, a))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """``(min_lat, max_lat, min_lon, max_lon)`` enclosing the circle; see the module notes."""
    if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 180.0):
        raise ValueError("latitude must be within -90..90 and longitude within -180..180")
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError("radius_km must be a finite number >= 0")
    angular = radius_km / EARTH_RADIUS_KM  # radians
    if angular >= math.pi:
        return (-90.0, 90.0, -180.0, 180.0)
    dlat = math.degrees(angular)
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90.0 or max_lat >= 90.0:
        return (max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    if ratio >= 1.0:  # unreachable when no pole is inside, but keep asin in its domain
        return (min_lat, max_lat, -180.0, 180.0)
    dlon = math.degrees(math.asin(ratio))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180.0 or max_lon > 180.0:
        return (min_lat, max_lat, -180.0, 180.0)
    return (min_lat, max_lat, min_lon, max_lon)
