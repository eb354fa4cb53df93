"""Who may read the audit trail: audit.view (QA manager, institution admin, platform admin),
for their own institution's records."""

from tests.equipment.setups import a_tank
from tests.permissions import Case, Page

AUDITORS = {"qa_manager", "institution_admin", "platform_admin"}
# Auditors of another institution see their (empty) part of a period, not the bank's rows.
PERIOD = "from=2000-01-01&to=2100-12-31"

API_CASES = [
    Case(
        "GET",
        "/api/v1/audit/records/{model}/{pk}",
        AUDITORS,
        path="/api/v1/audit/records/equipment.equipment/9001",
        setup=a_tank,
    ),
    Case(
        "GET",
        "/api/v1/audit/events",
        AUDITORS | {"other_qa"},
        path=f"/api/v1/audit/events?{PERIOD}",
        setup=a_tank,
    ),
]

PAGE_CASES = [
    Page("audit:index", "/audit/", AUDITORS | {"other_qa"}),
    Page("audit:record", "/audit/equipment.equipment/9001/", AUDITORS, setup=a_tank),
    Page("audit:export", f"/audit/export.csv?{PERIOD}", AUDITORS | {"other_qa"}, setup=a_tank),
]
