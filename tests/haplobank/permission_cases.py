"""Permission cases of the haplobank pages and API, collected by the matrices: the plan needs
populations.view; a patient's holdings need cordblood.search at the patient's centre (NSCB)."""

from tests.haplobank.support import PK, set_and_patient
from tests.permissions import INSIDERS, OTHERS, Case, Page

VIEWERS = INSIDERS | OTHERS | {"search_coordinator"}
SEARCHERS = {"search_coordinator", "platform_admin"}

API_CASES = [
    Case("GET", "/api/v1/haplobank/plan", VIEWERS, setup=set_and_patient),
    Case(
        "GET",
        "/api/v1/haplobank/patients/{patient_id}",
        SEARCHERS,
        path=f"/api/v1/haplobank/patients/{PK}",
        setup=set_and_patient,
    ),
]

PAGE_CASES = [
    Page("haplobank:plan", "/haplobank/", VIEWERS, setup=set_and_patient),
    Page("haplobank:plan_csv", "/haplobank/plan.csv", VIEWERS, setup=set_and_patient),
    Page("haplobank:patient", f"/haplobank/patients/{PK}/", SEARCHERS, setup=set_and_patient),
]
