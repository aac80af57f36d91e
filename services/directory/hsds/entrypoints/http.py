"""`GET /v1/hsds/...`: the directory as the Open Referral HSDS 3.1 API reference defines it.

`/v1/hsds` is the reference's API root (`/`). Lists (`/services`, `/organizations`,
`/taxonomies`, `/taxonomy_terms`) answer the reference's `Page`: numbered pages (`page` from 1,
`per_page` up to `DIRECTORY_HSDS_PAGE_MAX`, the default) with their counts, records in id order.
`/services` takes `modified_after`, `organization_id`, `taxonomy_term_id`, `taxonomy_id` and
`search`; `/services/{id}` is the fully nested service. Ids are the HSDS UUIDs. Every caller with
a token may read: the directory is what the network publishes."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Query, Request

from services.directory.domain.model import Service
from services.directory.hsds.adapters import queries
from services.directory.hsds.adapters.published_ids import PublishedIds
from services.directory.hsds.domain import export, paging
from services.directory.hsds.domain.taxonomy import (
    CODE_OF_TERM_ID,
    TAXONOMY,
    taxonomy_terms,
)
from services.directory.settings import DirectorySettings
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep
from warmlink.problems import InvalidInput, NotFound

router = APIRouter(prefix="/v1/hsds", tags=["hsds"])
Json = dict[str, Any]
HSDS_VERSION = "3.1"
SERVICE_IDS, ORGANIZATION_IDS = PublishedIds("service"), PublishedIds("organization")

PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")]
PerPage = Annotated[int | None, Query(ge=1, description="records a page; at most the max")]
TermId = Annotated[str | None, Query(max_length=64, description="a taxonomy_term id")]
TaxonomyId = Annotated[str | None, Query(max_length=64, description="a taxonomy id")]
OrganizationId = Annotated[str | None, Query(max_length=64, description="an organization id")]
Search = Annotated[
    str | None,
    Query(
        min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="text in names"
    ),
]
ModifiedAfter = Annotated[
    datetime | None, Query(description="services modified on or after (RFC 3339, with offset)")
]


def _settings(request: Request) -> DirectorySettings:
    settings: DirectorySettings = request.app.state.runtime.settings
    return settings


class PageAsked(NamedTuple):
    number: int
    size: int

    @property
    def offset(self) -> int:
        return paging.offset(self.number, self.size)


def _page_asked(request: Request, page: PageNumber = 1, per_page: PerPage = None) -> PageAsked:
    """``page`` and ``per_page``; ``per_page`` defaults to, and may not pass, the maximum."""
    most = _settings(request).hsds_page_max
    if per_page is not None and per_page > most:
        why = f"at most {most}"
        raise InvalidInput(f"per_page is {why}.", errors=[{"parameter": "per_page", "detail": why}])
    return PageAsked(page, per_page or most)


Paged = Annotated[PageAsked, Depends(_page_asked)]


def _aware(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC; a time without an offset is refused, not guessed."""
    why = "a date-time with an offset or Z, from year 1 to 9999 in UTC"
    try:
        if moment is None or moment.tzinfo is not None:
            return moment and moment.astimezone(UTC)
    except OverflowError:
        pass
    raise InvalidInput(
        f"modified_after must be {why}.", errors=[{"parameter": "modified_after", "detail": why}]
    )


def _service_of(item: queries.Listed) -> Service:
    return next(s for s in item.organization.services if s.id == item.service_id)


@router.get("")
async def api_root(request: Request, caller: CallerDep) -> Json:
    """The reference's `/`: which HSDS this API speaks and where its OpenAPI document is."""
    return {"version": HSDS_VERSION, "openapi_url": str(request.base_url) + "openapi.json"}


@router.get("/services")
async def services(
    request: Request,
    caller: CallerDep,
    conn: ConnectionDep,
    asked: Paged,
    modified_after: ModifiedAfter = None,
    organization_id: OrganizationId = None,
    taxonomy_term_id: TermId = None,
    taxonomy_id: TaxonomyId = None,
    search: Search = None,
) -> Json:
    """A page of services (one-to-one fields and their organization's), filtered."""
    modified_after = _aware(modified_after)
    org = code = None
    if organization_id is not None:
        org = await ORGANIZATION_IDS.find(organization_id, partial(queries.organization_ids, conn))
    if taxonomy_term_id is not None:
        code = CODE_OF_TERM_ID.get(taxonomy_term_id)
    unknown_org, unknown_term = organization_id and not org, taxonomy_term_id and not code
    if unknown_org or unknown_term or taxonomy_id not in (None, TAXONOMY["id"]):
        # Nothing to read: no service has that organization or term, nor another taxonomy.
        return paging.page([], 0, asked.number, asked.size)
    settings, now = _settings(request), datetime.now(UTC)
    where = queries.ServiceFilter(modified_after, org, code, search)
    listed, total = await queries.services_page(
        conn, where, now - settings.capacity_max_age, asked.size, asked.offset
    )
    contents = [
        export.service_summary(
            _service_of(item), item.organization, now, settings.capacity_max_age, item.last_modified
        )
        for item in listed
    ]
    return paging.page(contents, total, asked.number, asked.size)


@router.get("/services/{id}")
async def one_service(request: Request, id: str, caller: CallerDep, conn: ConnectionDep) -> Json:
    """The fully nested service (HSDS `service.json`), or 404."""
    our_id = await SERVICE_IDS.find(id, partial(queries.service_ids, conn))
    item = await queries.one_service(conn, our_id) if our_id else None
    if item is None:
        raise NotFound(f"No service {id}.")
    settings = _settings(request)
    return export.full_service(
        _service_of(item),
        item.organization,
        datetime.now(UTC),
        settings.capacity_max_age,
        item.last_modified,
    )


@router.get("/organizations")
async def organizations(asked: Paged, caller: CallerDep, conn: ConnectionDep) -> Json:
    """A page of organizations, one-to-one fields only."""
    orgs, total = await queries.organizations_page(conn, asked.size, asked.offset)
    contents = [export.one_to_one(export.organization_to_hsds(org)) for org in orgs]
    return paging.page(contents, total, asked.number, asked.size)


@router.get("/organizations/{id}")
async def one_organization(id: str, caller: CallerDep, conn: ConnectionDep) -> Json:
    """The organization with its locations and attributes, or 404."""
    our_id = await ORGANIZATION_IDS.find(id, partial(queries.organization_ids, conn))
    orgs = await queries.organizations(conn, [our_id] if our_id else [])
    if not orgs:
        raise NotFound(f"No organization {id}.")
    return export.full_organization(orgs[0])


@router.get("/taxonomies")
async def taxonomies(asked: Paged, caller: CallerDep) -> Json:
    """Our one vocabulary, `warmlink-perinatal`."""
    return paging.slice_of([dict(TAXONOMY)], asked.number, asked.size)


@router.get("/taxonomy_terms")
async def terms(asked: Paged, caller: CallerDep, taxonomy_id: TaxonomyId = None) -> Json:
    """The terms of the vocabulary, in code order."""
    every = taxonomy_terms() if taxonomy_id in (None, TAXONOMY["id"]) else []
    return paging.slice_of(every, asked.number, asked.size)
