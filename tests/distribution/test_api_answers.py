"""The distribution API's named answers carry what the service and selectors give, key for key
(a named schema drops what it does not declare)."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from stemhub.distribution import selectors
from stemhub.distribution.api import request_out
from stemhub.distribution.models import DistributionRequest
from tests.distribution.setups import approved, distribution_lot, shipped


def test_a_shipped_request_its_pack_pick_list_and_statistics_answer_in_full(
    users, line, client_for
):
    distribution_lot(users, line, count=2)
    found = shipped(users, approved(users, line, vials_requested=1))
    found = DistributionRequest.objects.get(pk=found.pk)
    researcher, staff = client_for("researcher"), client_for("curator")

    def same(answer, expected):
        assert answer.status_code == 200, answer.content
        assert answer.json() == json.loads(json.dumps(expected, cls=DjangoJSONEncoder))

    same(researcher.get(f"/api/v1/distribution/requests/{found.pk}"), request_out(found))
    same(researcher.get(f"/api/v1/distribution/requests/{found.pk}/pack"), found.shipment.pack)
    by_line = selectors.distribution_statistics(users["curator"], by="line")
    assert by_line and "institution" not in by_line[0]
    same(staff.get("/api/v1/distribution/statistics?by=line"), by_line)
    by_institution = selectors.distribution_statistics(users["curator"], by="institution")
    same(staff.get("/api/v1/distribution/statistics?by=institution"), by_institution)
