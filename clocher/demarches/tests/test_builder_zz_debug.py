import pytest, re
from clocher.core.testing.clients import signed_in_client
from clocher.demarches.tests.test_builder_authorization import _url, SCHEMA
from clocher.demarches.tests.factories import make_procedure
pytestmark = pytest.mark.django_db
def test_x(agent_a, commune_a):
    p = make_procedure(commune_a, schema=SCHEMA)
    r = signed_in_client(agent_a).post(_url("form-field-add", p), {"type": "text", "label": "Nouvelle question"})
    print(re.findall(r'error[^>]*>([^<]*)<', r.content.decode()))
