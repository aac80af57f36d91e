"""Bulk-seed a large synthetic directory straight into the database (for bench-directory).

10,000 practices through the API would take minutes and measure the API, not matching; COPY
puts them in place in seconds. Rows follow the same shapes the API writes.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import asyncpg
import orjson

# (state, centre latitude, centre longitude) of ten metro areas.
METROS = [
    ("IL", 41.88, -87.63),
    ("IN", 39.77, -86.16),
    ("WI", 43.04, -87.91),
    ("MI", 42.33, -83.05),
    ("OH", 39.96, -83.00),
    ("MN", 44.98, -93.27),
    ("IA", 41.59, -93.62),
    ("MO", 38.63, -90.20),
    ("KY", 38.25, -85.76),
    ("TN", 36.16, -86.78),
]
STALE_AFTER = timedelta(days=7)  # the directory's default DIRECTORY_CAPACITY_MAX_AGE
LEVELS = ["outpatient_therapy", "outpatient_therapy", "psychiatry", "iop", "php"]
TYPES = ["private_practice"] * 6 + ["community_mental_health_center", "fqhc", "telehealth_only"]
PLANS = ["aetna", "bcbs", "cigna", "uhc", "humana"]
LANGS = [["en"], ["en"], ["en", "es"], ["en", "pl"], ["en", "ar"], ["es"]]


def _rows(count: int, now: datetime, rng: random.Random) -> dict[str, list[tuple[object, ...]]]:
    orgs: list[tuple[object, ...]] = []
    locs: list[tuple[object, ...]] = []
    svcs: list[tuple[object, ...]] = []
    caps: list[tuple[object, ...]] = []
    for i in range(count):
        org_id = f"bench-practice-{i:05d}"
        state, lat, lon = METROS[i % len(METROS)]
        ptype = rng.choice(TYPES)
        orgs.append((org_id, f"Bench Practice {i}", "practice", "active", ptype, now))
        loc_id = f"{org_id}-loc"
        locs.append(
            (
                loc_id,
                org_id,
                "Office",
                f"{i} Main St",
                "City",
                state,
                "60601",
                lat + rng.uniform(-0.4, 0.4),
                lon + rng.uniform(-0.5, 0.5),
            )
        )
        svc_id = f"{org_id}-svc"
        telehealth = ptype == "telehealth_only" or rng.random() < 0.5
        modalities = (
            ["telehealth"]
            if ptype == "telehealth_only"
            else (["in_person", "telehealth"] if telehealth else ["in_person"])
        )
        sliding = ptype != "private_practice" or rng.random() < 0.15
        svcs.append(
            (
                svc_id,
                org_id,
                "Perinatal care",
                "",
                rng.choice(LEVELS),
                modalities,
                ["pregnant", "postpartum"],
                12,
                rng.random() < 0.4,
                rng.random() < 0.5,
                rng.choice(LANGS),
                rng.sample(PLANS, 2),
                rng.random() < 0.5,
                sliding,
                False,
                [state] if telehealth else [],
                [] if ptype == "telehealth_only" else [loc_id],
                ["intake_line"],
                "312-555-0100",
                None,
                orjson.dumps([]).decode(),
                "America/Chicago",
                now,
            )
        )
        maximum = rng.randint(0, 12)
        verified_at = now - timedelta(hours=rng.randint(0, 400))
        caps.append(
            (
                svc_id,
                rng.randint(0, maximum),
                maximum,
                date.today() + timedelta(days=rng.randint(0, 30)),
                rng.random() < 0.9,
                rng.randint(0, 10),
                verified_at,
                org_id,
                # As in a directory that has been running: what aged was announced as it aged,
                # not 5,800 listings at once in the middle of a measurement.
                verified_at + STALE_AFTER if verified_at + STALE_AFTER < now else None,
            )
        )
    return {"organizations": orgs, "locations": locs, "services": svcs, "capacities": caps}


COLUMNS = {
    "organizations": ["id", "name", "kind", "status", "practice_type", "updated_at"],
    "locations": [
        "id",
        "organization_id",
        "name",
        "address_1",
        "city",
        "state",
        "postal_code",
        "latitude",
        "longitude",
    ],
    "services": [
        "id",
        "organization_id",
        "name",
        "description",
        "level_of_care",
        "modalities",
        "populations",
        "postpartum_months",
        "pmhc_certified",
        "infant_welcome",
        "languages",
        "insurance_plans",
        "accepts_medicaid",
        "sliding_scale",
        "free",
        "telehealth_states",
        "location_ids",
        "intake_methods",
        "intake_phone",
        "intake_url",
        "intake_hours",
        "time_zone",
        "updated_at",
    ],
    "capacities": [
        "service_id",
        "available",
        "maximum",
        "next_available_intake",
        "accepting_new_patients",
        "waitlist_length",
        "verified_at",
        "verified_by",
        "stale_announced_at",
    ],
}


async def seed(database_url: str, count: int, seed_value: int = 7) -> list[str]:
    """Insert `count` practices; return their service ids."""
    rows = _rows(count, datetime.now(UTC), random.Random(seed_value))
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            for table in ("organizations", "locations", "services", "capacities"):
                await conn.copy_records_to_table(table, records=rows[table], columns=COLUMNS[table])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return [str(r[0]) for r in rows["services"]]


def match_paths(count: int, rng: random.Random) -> list[str]:
    """Realistic match queries: a place in one of the metros, varied coverage and needs."""
    paths = []
    for _ in range(count):
        state, lat, lon = rng.choice(METROS)
        coverage = rng.choice(["uninsured", "medicaid", "plan"])
        query = (
            f"/v1/matches?level_of_care={rng.choice(LEVELS)}&coverage={coverage}"
            f"&latitude={lat + rng.uniform(-0.2, 0.2):.4f}"
            f"&longitude={lon + rng.uniform(-0.2, 0.2):.4f}"
            f"&telehealth_state={state}&radius_km=25&population=postpartum"
            f"&urgency={rng.choice(['routine', 'routine', 'urgent'])}"
        )
        if coverage == "plan":
            query += f"&plan={rng.choice(PLANS)}"
        if rng.random() < 0.3:
            query += f"&language={rng.choice(['es', 'pl', 'ar'])}"
        paths.append(query)
    return paths
