"""Geo: haversine distances and a bounding box that always contains the circle."""

from __future__ import annotations

import math

import pytest

from services.directory.domain.geo import EARTH_RADIUS_KM, bounding_box, distance_km
from tests.unit.directory.test_directory_factories import CHICAGO, KM_PER_DEGREE_LAT


def destination(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) along `bearing_deg` on the same sphere."""
    phi, lmb, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    d = km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(theta))
    lmb2 = lmb + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(phi), math.cos(d) - math.sin(phi) * math.sin(phi2)
    )
    lon2 = (math.degrees(lmb2) + 540.0) % 360.0 - 180.0
    return math.degrees(phi2), lon2


def test_same_point_is_zero() -> None:
    assert distance_km(*CHICAGO, *CHICAGO) == 0.0


def test_one_degree_of_latitude() -> None:
    assert distance_km(0, 0, 1, 0) == pytest.approx(KM_PER_DEGREE_LAT, rel=1e-6)


def test_one_degree_of_longitude_shrinks_with_latitude() -> None:
    at_60 = distance_km(60, 10, 60, 11)
    assert at_60 == pytest.approx(KM_PER_DEGREE_LAT / 2, rel=1e-3)


def test_symmetric_and_known_city_pair() -> None:
    milwaukee = (43.0389, -87.9065)
    d = distance_km(*CHICAGO, *milwaukee)
    assert d == pytest.approx(distance_km(*milwaukee, *CHICAGO))
    assert 128 < d < 132  # about 130 km


def test_antipodes_and_the_antimeridian() -> None:
    assert distance_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert distance_km(0, 179.5, 0, -179.5) == pytest.approx(KM_PER_DEGREE_LAT, rel=1e-6)


@pytest.mark.parametrize(
    ("lat", "lon", "radius"),
    [
        (*CHICAGO, 40.0),
        (*CHICAGO, 500.0),
        (0.0, 0.0, 100.0),
        (-33.9, 18.4, 250.0),
        (64.8, -147.7, 300.0),  # Fairbanks: high latitude widens longitude a lot
        (85.0, 20.0, 100.0),
    ],
)
def test_box_contains_every_point_of_the_circle(lat: float, lon: float, radius: float) -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
    assert min_lat < lat < max_lat
    assert min_lon <= lon <= max_lon
    for bearing in range(0, 360, 5):
        for fraction in (0.5, 0.999999):
            p_lat, p_lon = destination(lat, lon, bearing, radius * fraction)
            assert distance_km(lat, lon, p_lat, p_lon) <= radius
            assert min_lat <= p_lat <= max_lat
            assert min_lon <= p_lon <= max_lon


def test_box_is_tight_in_latitude_and_at_the_equator() -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(0.0, 0.0, KM_PER_DEGREE_LAT)
    assert (min_lat, max_lat) == pytest.approx((-1.0, 1.0), rel=1e-6)
    assert (min_lon, max_lon) == pytest.approx((-1.0, 1.0), rel=1e-3)


def test_circle_reaching_a_pole_spans_all_longitudes() -> None:
    assert bounding_box(89.5, 10.0, 100.0) == pytest.approx(
        (88.6006, 90.0, -180.0, 180.0), abs=1e-3
    )
    min_lat, max_lat, min_lon, max_lon = bounding_box(-89.9, 0.0, 50.0)
    assert (min_lat, min_lon, max_lon) == (-90.0, -180.0, 180.0)
    assert max_lat < -89.0


def test_crossing_the_antimeridian_spans_all_longitudes() -> None:
    # Adak, Alaska (-176.6): 400 km reaches past 180; a wrapped pair would break BETWEEN.
    _, _, min_lon, max_lon = bounding_box(51.88, -176.65, 400.0)
    assert (min_lon, max_lon) == (-180.0, 180.0)


def test_zero_radius_is_the_point() -> None:
    assert bounding_box(*CHICAGO, 0.0) == (CHICAGO[0], CHICAGO[0], CHICAGO[1], CHICAGO[1])


def test_huge_radius_is_the_world() -> None:
    assert bounding_box(*CHICAGO, 30_000.0) == (-90.0, 90.0, -180.0, 180.0)


@pytest.mark.parametrize(
    ("lat", "lon", "radius"),
    [(91.0, 0.0, 1.0), (0.0, 181.0, 1.0), (0.0, 0.0, -1.0), (0.0, 0.0, math.nan)],
)
def test_invalid_arguments_are_refused(lat: float, lon: float, radius: float) -> None:
    with pytest.raises(ValueError):
        bounding_box(lat, lon, radius)
