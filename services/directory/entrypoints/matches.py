"""`GET /v1/matches`: ranked receiving services for a referral, carrying no patient identity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from services.directory.adapters.match_index import MatchIndex
from services.directory.domain.matching import InvalidMatchRequest, MatchRequest, rank
from services.directory.domain.model import LevelOfCare, Modality, Population
from services.directory.entrypoints.listing_views import matches_json
from services.directory.settings import DirectorySettings
from warmlink.auth import Caller, Role, require_role
from warmlink.problems import InvalidInput

router = APIRouter(tags=["matching"])
MatcherDep = Annotated[Caller, require_role(Role.CLINIC, Role.ADMIN)]


class MatchQuery(BaseModel):
    """The criteria; validated as one model (one pass instead of one per parameter)."""

    model_config = ConfigDict(extra="forbid")

    level_of_care: LevelOfCare
    coverage: Literal["plan", "medicaid", "uninsured"]
    plan: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    radius_km: float = Field(40.0, gt=0, le=500)
    telehealth_state: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    language: str | None = Field(None, max_length=16)
    modality: Modality | None = None
    population: Population | None = None
    urgency: Literal["routine", "urgent"] = "routine"
    limit: int = Field(10, ge=1, le=50)


@router.get("/v1/matches")
async def get_matches(
    request: Request, caller: MatcherDep, query: Annotated[MatchQuery, Query()]
) -> Response:
    """Practices ranked by expected days to first appointment, fit and reliability, each with
    the reasons for its rank; always at least one option usable without insurance, or the PSI
    HelpLine. Urgent requests list crisis resources first."""
    try:
        match_request = MatchRequest(**query.__dict__)
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
