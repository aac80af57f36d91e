"""CloudNativePG's Cluster and Database resources for the region, written from the services' list.

    python -m tools.deploy.cnpg            # deploy/k8s/base/postgres/{cluster,databases}.yaml
    python -m tools.deploy.cnpg --check    # exit 1 if they are not current (make test)

Each service gets what `warmlink db roles` gives it (warmlink/db_roles.py): a database of its
name owned by `<service>_owner` (migrations), a runtime role `<service>_app` that owns nothing,
and CONNECT on the database for those two only. The operator makes them without anyone holding
the superuser's password (enableSuperuserAccess: false):
- once, when the cluster is created, `postInitSQL` (run by the operator as the superuser)
  creates the roles without login, the databases and the CONNECT rights: CloudNativePG has no
  resource that revokes CONNECT from PUBLIC;
- always, `managed.roles` keeps each role a login role with no special powers and the password
  of its Secret, and the Database resources keep each database's owner.
The runtime role's rights on tables are granted by the owner at every service start, after the
migrations (warmlink.db_roles.grant_runtime), as everywhere else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from contracts.topics import SERVICES
from tools.deploy.manifests import HEADER, Rendered, documents, main
from warmlink.db_roles import quote_ident

CLUSTER = "warmlink-db"
POSTGRES_DIR = "deploy/k8s/base/postgres"
CLUSTER_FILE = f"{POSTGRES_DIR}/cluster.yaml"
DATABASES_FILE = f"{POSTGRES_DIR}/databases.yaml"
API_VERSION = "postgresql.cnpg.io/v1"
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"
OBJECT_STORE = "warmlink-db-backups"  # backups.yaml
# CloudNativePG's initdb always makes one application database and its owner; it makes the
# first service's, so no unused `app` database and login role exist.
LABELS = {"app.kubernetes.io/part-of": "warmlink"}
MODULE = "tools.deploy.cnpg"


def owner(service: str) -> str:
    return f"{service}_owner"


def runtime(service: str) -> str:
    return f"{service}_app"


def role_secret(role: str) -> str:
    """The kubernetes.io/basic-auth Secret (username, password) CloudNativePG sets `role`'s
    password from: warmlink-<service>-db-owner or warmlink-<service>-db-app."""
    service, kind = role.rsplit("_", 1)
    return f"warmlink-{service}-db-{kind}"


def post_init_sql(services: Sequence[str] = SERVICES) -> list[str]:
    """Run once by the operator, statement by statement, in the `postgres` database of the new
    cluster, before initdb makes its application database (which then exists and is kept)."""
    statements: list[str] = []
    for service in services:
        db, own, run = (quote_ident(n) for n in (service, owner(service), runtime(service)))
        if service != services[0]:  # initdb made the bootstrap owner already
            statements.append(f"CREATE ROLE {own} NOLOGIN")
        statements += [
            f"CREATE ROLE {run} NOLOGIN",
            f"CREATE DATABASE {db} OWNER {own}",
            f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {db} TO {run}",
        ]
    return statements


def managed_role(role: str, what: str) -> dict[str, Any]:
    return {
        "name": role,
        "comment": what,
        "ensure": "present",
        "login": True,
        "superuser": False,
        "createdb": False,
        "createrole": False,
        "replication": False,
        "bypassrls": False,
        "passwordSecret": {"name": role_secret(role)},
    }


def cluster(services: Sequence[str] = SERVICES) -> dict[str, Any]:
    roles = []
    for service in services:
        roles.append(managed_role(owner(service), f"owns {service}'s database: migrations only"))
        roles.append(managed_role(runtime(service), f"what the {service} service runs as"))
    return {
        "apiVersion": API_VERSION,
        "kind": "Cluster",
        "metadata": {"name": CLUSTER, "labels": LABELS},
        "spec": {
            "instances": 3,
            # PostgreSQL 17; pin a digest (<image>:<tag>@sha256:...) for repeatable rollouts.
            "imageName": "ghcr.io/cloudnative-pg/postgresql:17",
            "primaryUpdateStrategy": "unsupervised",
            "enableSuperuserAccess": False,
            "enablePDB": True,
            "storage": {"size": "50Gi"},
            "walStorage": {"size": "20Gi"},
            "resources": {
                "requests": {"cpu": "1", "memory": "4Gi"},
                "limits": {"memory": "4Gi"},
            },
            "affinity": {"enablePodAntiAffinity": True, "podAntiAffinityType": "required"},
            "postgresql": {
                # Every process holds up to 20 connections (DATABASE_POOL_MAX 10 for requests,
                # DATABASE_BACKGROUND_POOL_MAX 10 for the relay, consumers and workers), and
                # session pooling passes each through: see KAFKA-AND-POSTGRES.md for the sum.
                "parameters": {"max_connections": "500", "shared_buffers": "1GB"},
                # A commit is acknowledged once one standby has it: the outbox is the system of
                # record for every event, and a failover must not lose a committed one.
                "synchronous": {"method": "any", "number": 1},
            },
            "bootstrap": {
                "initdb": {
                    "database": services[0],
                    "owner": owner(services[0]),
                    "secret": {"name": role_secret(owner(services[0]))},
                    "dataChecksums": True,
                    "postInitSQL": post_init_sql(services),
                }
            },
            "managed": {"roles": roles},
            # WAL archiving and base backups through the Barman Cloud plugin (backups.yaml).
            "plugins": [
                {
                    "name": BARMAN_PLUGIN,
                    "isWALArchiver": True,
                    "parameters": {"barmanObjectName": OBJECT_STORE},
                }
            ],
        },
    }


def database(service: str) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Database",
        "metadata": {"name": f"{CLUSTER}-{service}", "labels": LABELS},
        "spec": {
            "cluster": {"name": CLUSTER},
            "name": service,
            "owner": owner(service),
            "ensure": "present",
            # Deleting the resource must never drop a service's data.
            "databaseReclaimPolicy": "retain",
        },
    }


def render() -> Rendered:
    """CloudNativePG's Cluster and Database resources from the services' list."""
    source = "contracts/topics.py SERVICES"
    return {
        CLUSTER_FILE: documents(HEADER.format(module=MODULE, source=source), [cluster()]),
        DATABASES_FILE: documents(
            HEADER.format(module=MODULE, source=source), (database(s) for s in SERVICES)
        ),
    }


if __name__ == "__main__":
    sys.exit(main(render))
