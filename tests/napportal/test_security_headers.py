"""Every portal page carries a Content-Security-Policy that forbids inline script and style."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url_name", "signed_in"), [("account_login", False), ("tracker:framework-list", True)])
def test_pages_forbid_inline_script_and_style(client, user, url_name, signed_in):
    if signed_in:
        client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
