import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Family
from clocher.demarches.services import exports, mandates
from clocher.demarches.tests.factories import grant, make_procedure, submit
from clocher.demarches.tests.support_privacy import full_request

pytestmark = pytest.mark.django_db
CSS = Path("clocher/core/static/clocher/clocher.css").resolve()


def _save(name, response):
    html = response.content.decode().replace('href="/static/clocher/clocher.css"', f'href="file://{CSS}"')
    Path(f"/tmp/e/{name}.html").write_text(html)


def test_screens(commune_a, agent_a, elected_a, client):
    agent_a.first_name, agent_a.last_name = "Marie", "Dupont"
    agent_a.save()
    grant(agent_a, commune_a, Family.ROADS, Family.SOCIAL)
    made = full_request(commune_a, agent_a)
    for i in range(5):
        submit(make_procedure(commune_a, family=Family.SOCIAL, slug=f"s{i}", title=f"Aide {i}"))
    _save("my_data", client.get(reverse("public:demarches:my-data", kwargs={"commune_slug": "agey", "token": made.token})))
    _save("erase", client.get(reverse("public:demarches:my-data-erase", kwargs={"commune_slug": "agey", "token": made.token})))
    staff = signed_in_client(agent_a)
    e = exports.export_request(commune=commune_a, actor=agent_a, family="roads", format="ods")
    exports.export_produce(e.pk)
    exports.export_request(commune=commune_a, actor=agent_a, family="social", format="csv")
    _save("exports", staff.get(reverse("staff:demarches:exports", kwargs={"commune_slug": "agey"})))
    _save("stats", signed_in_client(elected_a).get(reverse("staff:demarches:statistics", kwargs={"commune_slug": "agey"})))
    m = mandates.mandate_record(commune=commune_a, actor=agent_a, citizen_name="Germaine Roux", citizen_contact="03 80 11 22 33", families=["social"], valid_from=datetime.date.today(), valid_until=datetime.date.today() + datetime.timedelta(days=200), consent_reference="Classeur")
    _save("mandates", staff.get(reverse("staff:demarches:mandates", kwargs={"commune_slug": "agey"})))
    _save("mandate_create", staff.post(reverse("staff:demarches:mandate-create", kwargs={"commune_slug": "agey"}), {"citizen_name": "X", "families": []}))
    _save("mandate", staff.get(reverse("staff:demarches:mandate", kwargs={"commune_slug": "agey", "mandate": m.pk})))
    Path("/tmp/e/consent.pdf").write_bytes(staff.get(reverse("staff:demarches:mandate-blank-form", kwargs={"commune_slug": "agey"})).content)
    Path("/tmp/e/mydata.pdf").write_bytes(client.get(reverse("public:demarches:my-data-pdf", kwargs={"commune_slug": "agey", "token": made.token})).content)
