"""The audit trail page names what changed in words: field labels, not column names, and
coded values as their labels (a status as "Submitted", not `submitted`)."""

import pytest

from stemhub.registry import services
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db


def test_a_change_shows_the_field_label_and_the_value_in_words(users, client_for):
    line = services.cell_line_create(actor=users["curator"], data=publishable())
    services.cell_line_submit(actor=users["curator"], line=line, comment="Ready for review")
    client = client_for("qa_manager")
    html = client.get(f"/audit/registry.cellline/{line.pk}/").content.decode()
    assert '<th scope="row">Status</th><td>Draft</td><td>Submitted</td>' in html
    assert "<code>status</code>" not in html
    listing = client.get("/audit/", {"model": "registry.cellline"}).content.decode()
    assert "<strong>Status</strong>: <del>Draft</del>" in listing
    assert "<ins>Submitted</ins>" in listing
