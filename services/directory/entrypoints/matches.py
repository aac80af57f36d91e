"""`GET /v1/matches`: ranked receiving services for a referral, carrying no patient identity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.directory.adapters import partners
from services.directory.adapters.match_index import MatchIndex
from services.directory.domain.errors import InvalidMatchRequest
from services.directory.domain.matching import MatchRequest
from services.directory.domain.model import LevelOfCare, Modality, Population
from services.directory.entrypoints.listing_views import matches_json
from services.directory.settings import DirectorySettings
from warmlink.auth import Caller, Role, require_role
from warmlink.db import PoolDep
from warmlink.problems import InvalidInput

router = APIRouter(tags=["matching"])
MatcherDep = Annotated[Caller, require_role(Role.CLINIC, Role.ADMIN)]


class MatchQuery(BaseModel):
    """The criteria; validated as one model (one pass instead of one per parameter)."""

    model_config = ConfigDict(extra="forbid")

    level_of_care: LevelOfCare
    coverage: Literal["plan", "medicaid", "uninsured"]
    plan: str | None = Field(None, max_length=100)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    radius_km: float = Field(40.0, gt=0, le=500)
    telehealth_state: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    language: str | None = Field(None, max_length=16)
    modality: Modality | None = None
    population: Population | None = None
    urgency: Literal["routine", "urgent"] = "routine"
    limit: int = Field(10, ge=1, le=50)


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """The schema with pydantic's local `$defs` references replaced by what they name."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI query parameters for a model validated by hand (see `_criteria`)."""
    schema = model.model_json_schema()
    defs, required = schema.get("$defs", {}), set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": _inline(p, defs)}
        for name, p in schema["properties"].items()
    ]


def _criteria(request: Request) -> MatchQuery:
    """The query string validated by the model itself.

    FastAPI's query-model path (parameter introspection on every request) cost about 0.4 ms a
    request here, more than the matching; errors keep FastAPI's shape and status (422).
    """
    try:
        return MatchQuery.model_validate(dict(request.query_params))
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None


@router.get("/v1/matches", openapi_extra={"parameters": _query_parameters(MatchQuery)})
async def get_matches(request: Request, caller: MatcherDep, pool: PoolDep) -> Response:
    """Practices ranked by expected days to first appointment, fit and reliability, each with
    the reasons for its rank; always at least one option usable without insurance, or the PSI
    HelpLine. Urgent requests list crisis resources first. A referring site's preferred
    practices that fit come first, marked `preferred`; those that do not fit are listed in
    `partners_not_fitting` with the reason."""
    query = _criteria(request)
    preferred: list[str] = []
    if caller.role is Role.CLINIC:  # only a referring site keeps partners
        async with pool.acquire() as conn:
            preferred = await partners.preferred_of(conn, caller.organization_id)
    try:
        match_request = MatchRequest(**query.__dict__, preferred=frozenset(preferred))
    except InvalidMatchRequest as exc:
        field = (exc.field or "").lstrip("/")  # a query parameter, not a body pointer
        raise InvalidInput(
            exc.detail, errors=[{"parameter": field, "detail": exc.detail}]
        ) from None
    settings: DirectorySettings = request.app.state.runtime.settings
    index: MatchIndex = request.app.state.match_index
    result = index.match(match_request, datetime.now(UTC), settings.capacity_max_age)
    return Response(matches_json(result), media_type="application/json")
