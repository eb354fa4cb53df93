"""Who may open the quality system's pages and call its API: qms.view to read (every staff role
but the access committee), the parts' own permissions to write, each in the record's
institution."""

from tests.permissions import OTHERS, Page
from tests.qms import competence_cases

# Everyone holding qms.view, at the bank or elsewhere (the pages show one's own institution).
QMS_VIEWERS = {
    "curator",
    "bank_technician",
    "qa_manager",
    "search_coordinator",
    "institution_admin",
    "document_controller",
    "trainer",
    "platform_admin",
} | OTHERS

API_CASES: list = [*competence_cases.api_cases(QMS_VIEWERS)]

PAGE_CASES = [
    Page("qms:home", "/qms/", QMS_VIEWERS),
    *competence_cases.PAGE_CASES,
    *competence_cases.page_cases(QMS_VIEWERS),
]
