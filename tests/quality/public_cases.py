"""Who may open the public certificate pages and the STR search page, and the set-up they need:
a published line with an STR profile, its master bank, a passing result for every required
test, and the QA manager's release (which issues certificate COA-NSCBi001-A-MCB-01-1).

Merge `PAGE_CASES` into tests/quality/permission_cases.py. Until config/urls.py includes
`stemhub.quality.urls_public`, the tests of these pages use `urlpatterns` below.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.urls import include, path

from stemhub.biobank.models import CellBank
from stemhub.config import urls as project_urls
from stemhub.quality import selectors, services
from stemhub.quality.models import Release, SpecKind
from stemhub.registry.models import CellLine
from tests.biobank.storage import published_line
from tests.conftest import PASSWORD
from tests.permissions import EVERYONE, Page

LINE = "NSCBi001-A"
BANK_CODE = "NSCBi001-A-MCB-01"
NUMBER = f"COA-{BANK_CODE}-1"
PROFILE = {
    "Amelogenin": ["X"],
    "CSF1PO": ["11", "12"],
    "D13S317": ["9", "11"],
    "D16S539": ["10", "12"],
    "D5S818": ["11", "13"],
    "D7S820": ["8", "10"],
    "TH01": ["6", "9.3"],
    "TPOX": ["8", "11"],
    "vWA": ["16", "17"],
}
PROFILE_TEXT = ";".join(f"{locus}:{','.join(alleles)}" for locus, alleles in PROFILE.items())
FIRST_TEST_DAY = date(2025, 4, 1)
STR_STAFF = {"bank_technician", "qa_manager", "platform_admin", "other_technician", "other_qa"}


def passing_value(test: Any) -> str:
    """A value inside the test's specification, derived from the specification itself."""
    if test.spec_kind == SpecKind.QUALITATIVE:
        return str(test.accepted_results[0])
    if test.spec_kind == SpecKind.STR_IDENTITY:
        return PROFILE_TEXT
    low, high = test.lower_limit, test.upper_limit
    if low is not None and high is not None:
        return str((low + high) / 2)
    if low is not None:
        return str(low + 10)
    return str(high / 2) if high is not None else "1"


def bank_with_passing_results(users: dict[str, Any], code: str = BANK_CODE) -> CellBank:
    tech = users["bank_technician"]
    line = CellLine.objects.filter(name=LINE).first() or published_line(users, LINE)
    CellLine.objects.filter(pk=line.pk).update(str_profile=PROFILE)
    bank = CellBank.objects.create(
        institution=tech.institution,
        code=code,
        tier="mcb",
        line=line,
        passage_number=12,
        freeze_date=date(2025, 3, 14),
        cells_per_vial=1_000_000,
        vial_count=20,
        post_thaw_viability=Decimal("85.00"),
        created_by=tech,
    )
    for day, test in enumerate(selectors.required_tests(bank)):
        services.qc_result_record(
            actor=tech,
            bank=bank,
            test=test,
            value=passing_value(test),
            tested_on=FIRST_TEST_DAY + timedelta(days=day),
        )
    return bank


def certified(users: dict[str, Any]) -> Release:
    """Setup: the bank released by the QA manager, its certificate issued."""
    bank = bank_with_passing_results(users)
    return services.bank_release(actor=users["qa_manager"], bank=bank, password=PASSWORD)


PAGE_CASES = [
    Page("quality_public:verify_lookup", "/verify/", EVERYONE),
    Page("quality_public:verify", f"/verify/{NUMBER}/", EVERYONE, setup=certified),
    Page("quality_public:certificate_pdf", f"/verify/{NUMBER}/pdf", EVERYONE, setup=certified),
    Page("quality_public:str_search", "/str/", STR_STAFF),
]

urlpatterns = list(project_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "quality_public" for p in urlpatterns):
    urlpatterns.insert(0, path("", include("stemhub.quality.urls_public")))
