"""Permission cases of the populations API and pages, collected by the matrices: reading needs
populations.view (staff who search or hold lines), writing populations.manage (platform
admins)."""

from typing import Any

from stemhub.populations.models import HaplotypeSet, Population
from tests.permissions import Case, Page

VIEWERS = {
    "curator",
    "bank_technician",
    "qa_manager",
    "search_coordinator",
    "institution_admin",
    "platform_admin",
    "other_curator",
    "other_technician",
    "other_qa",
}
MANAGERS = {"platform_admin"}
SET = 9401
SMALL = (
    b"haplotype,count,frequency\n"
    b"A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01,10,0.6\n"
    b"A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:01,5,0.4\n"
)


def population(users: dict[str, Any]) -> None:
    """CAU (the default) with version 1 of its set, stored as the service would store it."""
    import hashlib

    cau = Population.objects.create(code="CAU", name="Caucasian", is_default=True)
    HaplotypeSet.objects.create(
        pk=SET,
        population=cau,
        version=1,
        actor=users["platform_admin"],
        source="hand-made",
        imgt_release="3.58.0",
        resolution="two_field",
        loci="A~C~B~DRB1~DQB1",
        haplotype_count=2,
        frequency_sum=1.0,
        filename="small.csv",
        sha256=hashlib.sha256(SMALL).hexdigest(),
        content=SMALL,
    )


LOAD = {"file": SMALL, "source": "hand-made", "sample_size": "100"}

API_CASES = [
    Case("GET", "/api/v1/populations", VIEWERS, setup=population),
    Case("POST", "/api/v1/populations", MANAGERS, body={"code": "EUR", "name": "European"}),
    Case(
        "GET",
        "/api/v1/populations/{code}",
        VIEWERS,
        path="/api/v1/populations/CAU",
        setup=population,
    ),
    Case(
        "POST",
        "/api/v1/populations/{code}/default",
        MANAGERS,
        path="/api/v1/populations/CAU/default",
        setup=population,
    ),
    Case(
        "POST",
        "/api/v1/populations/{code}/sets",
        MANAGERS,
        path="/api/v1/populations/CAU/sets",
        body=LOAD,
        multipart=True,
        setup=population,
    ),
    Case(
        "GET",
        "/api/v1/haplotype-sets/{set_id}",
        VIEWERS,
        path=f"/api/v1/haplotype-sets/{SET}",
        setup=population,
    ),
    Case(
        "GET",
        "/api/v1/haplotype-sets/{set_id}/file",
        VIEWERS,
        path=f"/api/v1/haplotype-sets/{SET}/file",
        setup=population,
    ),
]

PAGE_CASES = [
    Page("populations:list", "/populations/", VIEWERS, setup=population),
    Page(
        "populations:create",
        "/populations/new/",
        MANAGERS,
        method="POST",
        data={"code": "EUR", "name": "European"},
    ),
    Page("populations:detail", "/populations/CAU/", VIEWERS, setup=population),
    Page(
        "populations:set_upload",
        "/populations/CAU/sets/",
        MANAGERS,
        method="POST",
        data=LOAD,
        setup=population,
    ),
    Page(
        "populations:make_default",
        "/populations/CAU/default/",
        MANAGERS,
        method="POST",
        setup=population,
    ),
    Page("populations:set_detail", f"/populations/sets/{SET}/", VIEWERS, setup=population),
    Page("populations:set_download", f"/populations/sets/{SET}/file/", VIEWERS, setup=population),
]
