"""Open Referral HSDS 3.1 records of the directory: pure functions from listings to JSON dicts.

``full_service`` is the fully nested service of the API's ``/services/{id}``: its parts (phones,
languages, schedules, service areas, cost options, funding, capacities, attributes), its
``organization`` and its ``service_at_locations`` with each ``location``. ``service_summary`` is
the service of a ``/services`` page: one-to-one fields only, and the organization's.
Organizations likewise (``full_organization``, ``one_to_one``). Every ``id`` is a UUIDv5 of our
string id (``ids.hsds_id``), so the same directory exports the same UUIDs every time. What HSDS
has no field for (level of care, PMH-C, populations, infant welcome, modality, capacity flags such
as ``capacity-stale``) is carried by ``attributes`` whose ``taxonomy_term`` comes from the
``warmlink-perinatal`` vocabulary (``taxonomy``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.directory.domain.model import (
    IntakeMethod,
    Location,
    Organization,
    OrgStatus,
    Population,
    Service,
)
from services.directory.hsds.domain import capacity as cap
from services.directory.hsds.domain import components as parts
from services.directory.hsds.domain.ids import hsds_id
from services.directory.hsds.domain.taxonomy import TERMS, Json, attribute, facet_code

_ORG_DESCRIPTIONS = {
    "hospital": "Hospital labor & delivery / postpartum unit referring patients to the network.",
    "ob": "OB office referring patients to the network.",
    "pediatric": "Pediatric office referring mothers, screened at well-child visits.",
    "iop_php": "IOP/PHP program discharging patients to outpatient perinatal care.",
    "practice": "Perinatal mental health practice receiving referrals.",
    "network": "Administration of the perinatal mental health referral network.",
}


def organization_to_hsds(org: Organization) -> Json:
    """HSDS ``organization`` (no nested services or locations: they have their own lists)."""
    org_uuid = hsds_id("organization", org.id)
    codes = [facet_code("organization_kind", org.kind)]
    if org.practice_type is not None:
        codes.append(facet_code("practice_type", org.practice_type))
    if org.status is OrgStatus.SUSPENDED:
        codes.append("organization-suspended")
    result: Json = {
        "id": org_uuid,
        "name": org.name,
        "description": org.description or _ORG_DESCRIPTIONS[org.kind],
    }
    if org.website:
        result["website"] = org.website
    if org.phone:
        result["phones"] = [
            {
                "id": hsds_id("phone", f"{org.id}/main"),
                "organization_id": org_uuid,
                "number": org.phone,
                "type": "voice",
                "description": "Main line",
            }
        ]
    result["attributes"] = [attribute("organization", org.id, org_uuid, c) for c in codes]
    return result


def location_to_hsds(loc: Location, org: Organization) -> Json:
    """HSDS ``location`` (physical) with its one ``address``."""
    loc_uuid = hsds_id("location", loc.id)
    return {
        "id": loc_uuid,
        "location_type": "physical",
        "organization_id": hsds_id("organization", org.id),
        "name": loc.name,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "addresses": [
            {
                "id": hsds_id("address", loc.id),
                "location_id": loc_uuid,
                "address_1": loc.address_1,
                "city": loc.city,
                "state_province": loc.state,
                "postal_code": loc.postal_code,
                "country": "US",
                "address_type": "physical",
            }
        ],
    }


def service_at_location_to_hsds(service: Service, loc: Location, org: Organization) -> Json:
    """HSDS ``service_at_location`` with its ``location`` nested."""
    return {
        "id": hsds_id("service_at_location", f"{service.id}@{loc.id}"),
        "service_id": hsds_id("service", service.id),
        "location_id": hsds_id("location", loc.id),
        "description": f"{service.name} at {loc.name}",
        "location": location_to_hsds(loc, org),
    }


def _eligibility(service: Service) -> str:
    who = []
    if Population.PREGNANT in service.populations:
        who.append("pregnant")
    if Population.POSTPARTUM in service.populations:
        who.append(f"up to {service.postpartum_months} months postpartum")
    text = f"People who are {' or '.join(who)}" if who else "Perinatal families"
    if Population.PARTNERS in service.populations:
        text += ", and their partners"
    return text + "."


def _application_process(service: Service) -> str:
    steps = []
    if IntakeMethod.REFERRAL_FORM in service.intake_methods and service.intake_url:
        steps.append(f"submit the referral form ({service.intake_url}) with the patient present")
    if IntakeMethod.SCHEDULING_LINK in service.intake_methods and service.intake_url:
        steps.append(f"book the first appointment with the patient ({service.intake_url})")
    if IntakeMethod.INTAKE_LINE in service.intake_methods and service.intake_phone:
        steps.append(f"call the intake line ({service.intake_phone}) with the patient present")
    how = "; or ".join(steps) if steps else "contact the practice"
    return f"Warm handoff: {how}. The practice acknowledges within 1 business day."


def _default_description(service: Service) -> str:
    level = TERMS[facet_code("level_of_care", service.level_of_care)].name
    return f"{level} for perinatal mood and anxiety disorders."


def _alert(service: Service, now: datetime, stale_after: timedelta) -> str | None:
    capacity = service.capacity
    alerts = []
    if capacity is not None and not capacity.accepting_new_patients:
        alerts.append(f"Not accepting new patients (waitlist: {capacity.waitlist_length}).")
    if cap.is_stale(capacity, now, stale_after):
        alerts.append("Capacity not recently confirmed: call the intake line to check.")
    return " ".join(alerts) or None


def _service_attributes(
    service: Service, service_uuid: str, now: datetime, stale_after: timedelta
) -> list[Json]:
    tagged: list[tuple[str, str | None]] = [
        (facet_code("level_of_care", service.level_of_care), None)
    ]
    tagged += [(facet_code("modality", m), None) for m in sorted(service.modalities)]
    for population in sorted(service.populations):
        months = str(service.postpartum_months) if population is Population.POSTPARTUM else None
        tagged.append((facet_code("population", population), months))
    if service.pmhc_certified:
        tagged.append(("pmh-c", None))
    if service.infant_welcome:
        tagged.append(("infant-welcome", None))
    tagged += [(facet_code("intake_method", m), None) for m in sorted(service.intake_methods)]
    if service.capacity is not None and cap.is_stale(service.capacity, now, stale_after):
        tagged.append(("capacity-stale", cap.timestamp(service.capacity.verified_at)))
    return [attribute("service", service.id, service_uuid, c, v) for c, v in tagged]


def _service_fields(
    service: Service,
    org: Organization,
    now: datetime,
    stale_after: timedelta,
    last_modified: datetime | None,
) -> Json:
    """The one-to-one fields of the HSDS ``service`` (no parts)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if service.organization_id != org.id:
        raise ValueError(f"service {service.id} belongs to {service.organization_id}, not {org.id}")
    result: Json = {
        "id": hsds_id("service", service.id),
        "organization_id": hsds_id("organization", org.id),
        "name": service.name,
        "description": service.description or _default_description(service),
        "status": "inactive" if org.status is OrgStatus.SUSPENDED else "active",
        "application_process": _application_process(service),
        "eligibility_description": _eligibility(service),
        "fees_description": parts.fees_description(service),
    }
    url = service.intake_url or org.website
    if url:
        result["url"] = url
    if service.pmhc_certified:
        result["accreditations"] = (
            "At least one clinician holds the Perinatal Mental Health Certification (PMH-C)."
        )
    alert = _alert(service, now, stale_after)
    if alert:
        result["alert"] = alert
    if last_modified is not None:
        result["last_modified"] = cap.timestamp(last_modified)
    return result


def service_to_hsds(
    service: Service,
    org: Organization,
    now: datetime,
    stale_after: timedelta,
    last_modified: datetime | None = None,
) -> Json:
    """HSDS ``service`` with its parts nested; ``now`` (aware) decides freshness and offsets;
    ``last_modified`` is when the service or what it shows (capacity, organization) changed."""
    result = _service_fields(service, org, now, stale_after, last_modified)
    service_uuid = result["id"]
    return result | {
        "phones": parts.phones(service, service_uuid),
        "schedules": parts.schedules(service, service_uuid, now),
        "service_areas": parts.service_areas(service, service_uuid),
        "languages": parts.languages(service, service_uuid),
        "funding": parts.funding(service, service_uuid),
        "cost_options": parts.cost_options(service, service_uuid),
        "capacities": cap.capacities(service, service_uuid, now, stale_after),
        "attributes": _service_attributes(service, service_uuid, now, stale_after),
    }


def one_to_one(record: Json) -> Json:
    """The record without its nested lists and objects: what HSDS list pages carry."""
    return {key: value for key, value in record.items() if not isinstance(value, list | dict)}


def full_organization(org: Organization) -> Json:
    """HSDS ``organization`` with its locations nested (``/organizations/{id}``)."""
    locations = [location_to_hsds(loc, org) for loc in sorted(org.locations, key=lambda x: x.id)]
    return organization_to_hsds(org) | {"locations": locations}


def full_service(
    service: Service,
    org: Organization,
    now: datetime,
    stale_after: timedelta,
    last_modified: datetime | None = None,
) -> Json:
    """The fully nested HSDS ``service`` of ``/services/{id}``: parts, organization, and where."""
    locations = {loc.id: loc for loc in org.locations}
    unknown = [location_id for location_id in service.location_ids if location_id not in locations]
    if unknown:
        raise ValueError(f"{org.id}: service {service.id} names unknown {unknown}")
    result = service_to_hsds(service, org, now, stale_after, last_modified)
    result["organization"] = organization_to_hsds(org)
    result["service_at_locations"] = [
        service_at_location_to_hsds(service, locations[location_id], org)
        for location_id in service.location_ids
    ]
    return result


def service_summary(
    service: Service,
    org: Organization,
    now: datetime,
    stale_after: timedelta,
    last_modified: datetime | None = None,
) -> Json:
    """The HSDS ``service`` of a ``/services`` page: one-to-one fields and its organization's."""
    record = _service_fields(service, org, now, stale_after, last_modified)
    return record | {"organization": one_to_one(organization_to_hsds(org))}
