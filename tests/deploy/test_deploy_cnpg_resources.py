"""CloudNativePG's resources for the region, offline: a database and two least-privilege roles
per service with the Secrets they take their passwords from, the session-mode pooler the outbox
relay needs, and backups that archive WAL. (Validation against the CRDs and that the generated
files are current: test_deploy_strimzi_crds.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from contracts.topics import SERVICES
from tools.deploy import cnpg
from tools.deploy.manifests import ROOT, resources_in

POSTGRES = resources_in(ROOT / cnpg.POSTGRES_DIR)
NO_POWERS = ("superuser", "createdb", "createrole", "replication", "bypassrls")


def _one(kind: str) -> dict[str, Any]:
    (found,) = [r for r in POSTGRES if r["kind"] == kind]
    return found


def test_the_cluster_has_three_instances_and_no_superuser_access() -> None:
    cluster = _one("Cluster")
    assert cluster["metadata"]["name"] == "warmlink-db"
    assert cluster["spec"]["instances"] == 3
    assert cluster["spec"]["enableSuperuserAccess"] is False
    assert cluster["spec"]["imageName"].rsplit(":", 1)[1].split(".")[0] == "17"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_database_owned_by_its_owner_role(service: str) -> None:
    databases = {r["spec"]["name"]: r["spec"] for r in POSTGRES if r["kind"] == "Database"}
    assert databases[service]["owner"] == f"{service}_owner"
    assert databases[service]["cluster"] == {"name": "warmlink-db"}
    assert databases[service]["databaseReclaimPolicy"] == "retain"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_an_owner_and_a_runtime_login_role_without_powers(service: str) -> None:
    roles = {r["name"]: r for r in _one("Cluster")["spec"]["managed"]["roles"]}
    for role, secret in (
        (f"{service}_owner", f"warmlink-{service}-db-owner"),
        (f"{service}_app", f"warmlink-{service}-db-app"),
    ):
        assert roles[role]["login"] is True and roles[role]["ensure"] == "present"
        assert not any(roles[role][power] for power in NO_POWERS)
        assert roles[role]["passwordSecret"] == {"name": secret}


def test_only_the_services_roles_are_managed() -> None:
    roles = {r["name"] for r in _one("Cluster")["spec"]["managed"]["roles"]}
    assert roles == {f"{s}_{kind}" for s in SERVICES for kind in ("owner", "app")}


def test_initdb_makes_the_first_services_database_not_an_unused_app_one() -> None:
    initdb = _one("Cluster")["spec"]["bootstrap"]["initdb"]
    assert (initdb["database"], initdb["owner"]) == ("screening", "screening_owner")
    assert initdb["secret"] == {"name": "warmlink-screening-db-owner"}


def test_the_pooler_pools_sessions_in_front_of_the_primary() -> None:
    pooler = _one("Pooler")
    assert pooler["metadata"]["name"] == "warmlink-db-pooler-rw"
    assert pooler["spec"]["cluster"] == {"name": "warmlink-db"}
    assert pooler["spec"]["type"] == "rw"
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "session"


def test_wal_is_archived_and_base_backups_are_scheduled_to_the_object_store() -> None:
    (plugin,) = _one("Cluster")["spec"]["plugins"]
    store = _one("ObjectStore")
    assert plugin["name"] == "barman-cloud.cloudnative-pg.io" and plugin["isWALArchiver"]
    assert plugin["parameters"]["barmanObjectName"] == store["metadata"]["name"]
    backup = _one("ScheduledBackup")["spec"]
    assert backup["cluster"] == {"name": "warmlink-db"}
    assert backup["method"] == "plugin"
    assert backup["pluginConfiguration"] == {"name": plugin["name"]}
    assert store["spec"]["retentionPolicy"] == "30d"
