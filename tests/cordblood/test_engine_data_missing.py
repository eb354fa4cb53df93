"""A patient accepted with a MAC code, searched on a server whose HLA engine has no MAC
dictionary (say, a new server where `stemhub hla macs` was not run): the search answers 503
naming the code and what the operator runs, never a server error."""

import pytest
from django.test import Client

from stemhub.cordblood import index as search_index
from stemhub.cordblood.services import patient_create
from stemhub.core.hla import use_engine
from stemhub.hla import HLAEngine

MAC_TYPING = "HLA-A*02:01+HLA-A*24:02^HLA-B*07:02+HLA-B*44:02^HLA-DRB1*15:01+HLA-DRB1*04:AB"


@pytest.fixture
def engine_without_macs(cord_engine, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STEMHUB_HLA_CACHE", str(tmp_path / "hla"))
    bare = HLAEngine(cord_engine.tables, macs=None)
    use_engine(bare)
    search_index.forget()


def test_search_without_the_mac_dictionary_answers_503_in_words(people, request) -> None:
    patient = patient_create(
        actor=people["coordinator"],
        data={"centre_patient_id": "P-MAC", "weight_kg": 20, "hla": MAC_TYPING},
    )
    request.getfixturevalue("engine_without_macs")
    client = Client()
    client.force_login(people["coordinator"])
    answer = client.post(
        f"/api/v1/cord/patients/{patient.pk}/searches", {}, content_type="application/json"
    )
    assert answer.status_code == 503, answer.content[:300]
    message = answer.json()["error"]["message"]
    assert "DRB1*04:AB" in message
    assert "stemhub hla macs" in message
