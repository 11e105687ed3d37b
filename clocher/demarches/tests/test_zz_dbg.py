import pytest
from django.test import override_settings
from clocher.demarches.tests.support_public import make_multi_page, post_page, start, url
@pytest.mark.django_db
def test_x(client, commune_a):
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "road"})
    with override_settings(UPLOAD_MAX_BYTES=3 * 1024 * 1024):
        c = client.get(url("fill", procedure)).content.decode()
    print(c[c.index("<main"):c.index("</main>")])
