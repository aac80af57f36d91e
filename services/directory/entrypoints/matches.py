"""`GET /v1/matches`: ranked receiving services for a referral, carrying no patient identity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.directory.adapters.match_index import MatchIndex
from services.directory.domain.matching import InvalidMatchRequest, MatchRequest, rank
from services.directory.domain.model import LevelOfCare, Modality, Population
from services.directory.entrypoints.listing_views import matches_json
from services.directory.settings import DirectorySettings
from warmlink.auth import Caller, Role, require_role
from warmlink.problems import InvalidInput

router = APIRouter(tags=["matching"])
MatcherDep = Annotated[Caller, require_role(Role.CLINIC, Role.ADMIN)]


@router.get("/v1/matches")
async def get_matches(
    request: Request,
    caller: MatcherDep,
    level_of_care: LevelOfCare,
    coverage: Literal["plan", "medicaid", "uninsured"],
    plan: str | None = None,
    latitude: Annotated[float | None, Query(ge=-90, le=90)] = None,
    longitude: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float, Query(gt=0, le=500)] = 40.0,
    telehealth_state: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    modality: Modality | None = None,
    population: Population | None = None,
    urgency: Literal["routine", "urgent"] = "routine",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Practices ranked by expected days to first appointment, fit and reliability, each with
    the reasons for its rank; always at least one option usable without insurance, or the PSI
    HelpLine. Urgent requests list crisis resources first."""
    try:
        match_request = MatchRequest(
            coverage=coverage,
            plan=plan,
            latitude=latitude,
            longitude=longitude,
            radius_km=radius_km,
            telehealth_state=telehealth_state,
            language=language,
            level_of_care=level_of_care,
            modality=modality,
            population=population,
            urgency=urgency,
            limit=limit,
        )
    except InvalidMatchRequest as exc:
        field = exc.field.lstrip("/")
        raise InvalidInput(
            exc.detail, errors=[{"parameter": field, "detail": exc.detail}]
        ) from None
    settings: DirectorySettings = request.app.state.runtime.settings
    index: MatchIndex = request.app.state.match_index
    now = datetime.now(UTC)
    found = index.candidates(match_request, now, settings.capacity_max_age)
    result = rank(match_request, found, now, settings.capacity_max_age)
    return Response(matches_json(result), media_type="application/json")
