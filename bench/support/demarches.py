"""The world the démarches benchmarks run in: a PostgreSQL database with one commune and
100,000 requests (issue 3: "With 100,000 requests in one commune on PostgreSQL").

``setup_database()`` points Django at a fresh database ``clocher_bench_demarches`` on the server
named by ``CLOCHER_BENCH_DATABASE_URL`` (default ``postgres://root@127.0.0.1:5432/test``: only the
server is taken from it), migrates it, and returns its URL. ``build_world(count)`` fills it:
four procedures in four families, requests spread over two years with every status, channel
and assignment, personal values sealed as the real submission seals them.
"""

from __future__ import annotations

import json
import os
import random
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "clocher_bench_demarches"
SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "type": "choice",
            "name": "topic",
            "label": "Sujet",
            "required": True,
            "choices": [
                {"value": "road", "label": "Voirie"},
                {"value": "lighting", "label": "Éclairage"},
                {"value": "dumping", "label": "Dépôt sauvage"},
            ],
        },
        {"type": "textarea", "name": "details", "label": "Précisions", "required": True},
        {"type": "text", "name": "full_name", "label": "Nom", "required": True, "personal": True},
        {"type": "phone", "name": "phone", "label": "Téléphone", "personal": True},
        {"type": "address", "name": "place", "label": "Lieu", "personal": True},
    ]
}


def setup_database(name: str = BENCH_DATABASE) -> str:
    """Create (or recreate) the bench database, configure Django on it and migrate."""
    import psycopg

    server = os.environ.get("CLOCHER_BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/test")
    parts = urlsplit(server)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clocher.config.settings")
    os.environ.setdefault("CLOCHER_KEK", "bench-kek-1:YmVuY2gtb25seS1rZWstMS0tLS0tLS0tLS0tLS0tLS0=")
    os.environ.setdefault("CLOCHER_DATA_DIR", str(Path("var/bench-demarches").resolve()))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


@dataclass
class World:
    commune: Any
    agent: Any
    procedures: list[Any]


def build_world(count: int, *, seed: int = 3, one_family: bool = False) -> World:
    """One commune, an agent granted two of the four families, ``count`` requests spread over
    four procedures — in four families, or all in the first one with ``one_family``."""
    from django.db import transaction
    from django.utils import timezone

    from clocher.accounts.models import User
    from clocher.core.vault import blind_index
    from clocher.demarches.models import (
        Channel,
        Family,
        FamilyGrant,
        FormVersion,
        Procedure,
        Request,
        RequestCounter,
        SilenceRule,
        StatusKind,
    )
    from clocher.demarches.services.submission import EMAIL_INDEX_CONTEXT
    from clocher.demarches.services.tracking import new_token, token_hash
    from clocher.tenancy.models import Membership, Operator, Role
    from clocher.tenancy.services import commune_create

    rng = random.Random(seed)
    operator = Operator.objects.create(name="Banc d'essai", slug="banc")
    commune = commune_create(operator=operator, insee_code="21997", name="Banc", slug="banc")
    agent = User.objects.create_user("agent@banc.test", "bench-password-2026", last_name="Agent")
    Membership.objects.create(commune=commune, user=agent, role=Role.AGENT)
    families = [Family.ROADS, Family.GENERAL, Family.SOCIAL, Family.SCHOOL]
    for family in families[:2]:
        FamilyGrant.objects.create(commune=commune, user=agent, family=family)
    procedures = []
    now = timezone.now()
    for index, family in enumerate(families):
        if one_family:
            family = families[0]
        procedure = Procedure.objects.create(
            commune=commune,
            slug=f"demarche-{index}",
            title=f"Démarche {index}",
            family=family,
            retention_months=24,
            acknowledgment_text="Reçu.",
            silence_rule=SilenceRule.ACCEPTANCE,
            service_name="Mairie",
            service_address="1 place de la Mairie",
            service_email="mairie@banc.test",
            service_phone="03 80 00 00 00",
            appeal_routes="Tribunal administratif de Dijon.",
            is_published=True,
            published_at=now,
        )
        form = FormVersion.objects.create(
            commune=commune, procedure=procedure, number=1, schema=SCHEMA, published_at=now
        )
        procedure.current_form = form
        procedure.save(update_fields=["current_form"])
        procedures.append(procedure)
    kinds = [
        ("received", StatusKind.RECEIVED),
        ("in_progress", StatusKind.IN_PROGRESS),
        ("waiting_citizen", StatusKind.WAITING_CITIZEN),
        ("accepted", StatusKind.ACCEPTED),
        ("refused", StatusKind.REFUSED),
        ("closed", StatusKind.CLOSED),
    ]
    channels = list(Channel)
    batch: list[Any] = []
    year = now.year
    with transaction.atomic():
        for number in range(1, count + 1):
            procedure = procedures[number % len(procedures)]
            code, kind = kinds[rng.randrange(len(kinds))] if number % 3 else kinds[0]
            received = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            request = Request(
                commune=commune,
                procedure=procedure,
                form_version=procedure.current_form,
                family=procedure.family,
                number=f"{year}-{number:06d}",
                tracking_token_hash=token_hash(new_token()),
                status=code,
                status_kind=kind,
                channel=channels[number % len(channels)],
                received_at=received,
                summary="Sujet : Voirie",
                values={"topic": "road", "details": f"Nid-de-poule n° {number} rue Haute."},
                assigned_to=agent if number % 4 == 0 else None,
                deadline_on=(received + timedelta(days=15)).date(),
                implicit_decision_on=(received + timedelta(days=61)).date(),
            )
            email = f"usager{number}@exemple.fr"
            request.personal_values = json.dumps(
                {
                    "full_name": f"Usager n° {number}",
                    "phone": "03 80 12 34 56",
                    "place": {"text": f"{number} rue Haute"},
                },
                ensure_ascii=False,
            )
            request.email = email
            request.email_index = blind_index(commune.pk, email, context=EMAIL_INDEX_CONTEXT)
            batch.append(request)  # bulk_create seals through the field's pre_save
            if len(batch) == 5000:
                Request.objects.bulk_create(batch)
                batch.clear()
        if batch:
            Request.objects.bulk_create(batch)
        RequestCounter.objects.create(commune=commune, year=year, last=count)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return World(commune=commune, agent=agent, procedures=procedures)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
