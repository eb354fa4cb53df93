"""The registry's HTML pages: staff forms, curation, availability, public pages, home page."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stemhub.registry import services
from stemhub.registry.forms import LineForm
from stemhub.registry.models import CellLine, LineVersion
from tests.registry.lines import publishable


def line_in(users: dict[str, Any], state: str, name: str = "NSCBi001-A", **data: Any) -> CellLine:
    curator = users["curator"]
    line = services.cell_line_create(actor=curator, data=publishable(name, **data))
    steps = ("submitted", "in_review", "published")
    actions = (services.cell_line_submit, services.cell_line_start_review)
    for step, action in zip(steps, (*actions, services.cell_line_publish), strict=True):
        if state == "draft":
            break
        line = action(actor=curator, line=line)
        if step == state:
            break
    return line


def form_post(**fields: str) -> dict[str, str]:
    """What a browser posts for the create form: the required fields plus `fields`."""
    return {"name": "NSCBi010-A", "line_type": "hiPSC", "species": "Homo sapiens", **fields}


def posted_values(form: LineForm) -> dict[str, Any]:
    """What a browser would post back for a rendered form, unchanged."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if form[name].widget_type == "checkbox":
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = {True: "true", False: "false"}.get(value, value)
    return data


# The staff area keeps people without registry.view_internal out.


def test_anonymous_visitors_are_sent_to_the_login_page(bank):
    answer = Client().get("/staff/lines/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/?next=/staff/lines/")


@pytest.mark.parametrize("role", ["researcher", "search_coordinator"])
@pytest.mark.parametrize(
    "url",
    [
        "/staff/lines/",
        "/staff/lines/new/",
        "/staff/lines/NSCBi001-A/",
        "/staff/lines/NSCBi001-A/edit/",
    ],
)
def test_users_without_the_staff_permission_get_403(users, client_for, role, url):
    line_in(users, "draft")
    answer = client_for(role).get(url)
    assert answer.status_code == 403
    assert "registry.view_internal" in answer.content.decode()


@pytest.mark.parametrize("action", ["submit", "review", "return", "publish", "availability"])
def test_a_researcher_cannot_post_curation_actions(users, client_for, action):
    line_in(users, "submitted")
    answer = client_for("researcher").post(
        f"/staff/lines/NSCBi001-A/{action}/", {"comment": "x", "availability": "available"}
    )
    assert answer.status_code == 403
    assert CellLine.objects.get().status == "submitted"


def test_another_institutions_curator_cannot_see_a_draft(users, client_for):
    line_in(users, "draft")
    curator = client_for("other_curator")
    assert curator.get("/staff/lines/NSCBi001-A/").status_code == 404
    assert curator.post("/staff/lines/NSCBi001-A/submit/").status_code == 404
    assert "NSCBi001-A" not in curator.get("/staff/lines/").content.decode()


def test_another_institutions_curator_sees_a_published_line_but_cannot_act_on_it(users, client_for):
    line_in(users, "published")
    curator = client_for("other_curator")
    page = curator.get("/staff/lines/NSCBi001-A/")
    assert page.status_code == 200
    assert "Edit record" not in page.content.decode()
    assert "Change availability" not in page.content.decode()
    assert curator.get("/staff/lines/NSCBi001-A/edit/").status_code == 403
    recall = curator.post(
        "/staff/lines/NSCBi001-A/availability/", {"availability": "recalled", "reason": "x"}
    )
    assert recall.status_code == 403
    assert CellLine.objects.get().availability == "not_available"


def test_the_staff_list_filters_by_status_and_availability(users, client_for):
    line_in(users, "draft", "NSCBi001-A")
    line_in(users, "published", "NSCBi002-A", synonyms=[], donor={"code": "D-2"})
    curator = client_for("bank_technician")
    everything = curator.get("/staff/lines/").content.decode()
    assert "NSCBi001-A" in everything and "NSCBi002-A" in everything
    drafts = curator.get("/staff/lines/?status=draft").content.decode()
    assert "NSCBi001-A" in drafts and "NSCBi002-A" not in drafts
    available = curator.get("/staff/lines/?availability=available").content.decode()
    assert "No line matches" in available


def test_the_staff_list_and_line_page_cost_the_same_queries_for_more_data(users, client_for):
    curator = client_for("curator")
    line_in(users, "published", "NSCBi001-A")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert curator.get(url).status_code == 200
        return len(captured)

    few = (queries("/staff/lines/"), queries("/staff/lines/NSCBi001-A/"))
    for number in range(2, 7):
        line_in(users, "draft", f"NSCBi00{number}-A", synonyms=[], donor={"code": f"D-{number}"})
    services.cell_line_set_availability(
        actor=users["curator"],
        line=CellLine.objects.get(name="NSCBi001-A"),
        availability="available",
    )
    assert (queries("/staff/lines/"), queries("/staff/lines/NSCBi001-A/")) == few


# Forms create and change lines through the services.


def test_a_synonym_longer_than_the_registry_holds_is_refused(users, client_for):
    answer = client_for("curator").post("/staff/lines/new/", form_post(synonyms="ok, " + "x" * 101))
    assert answer.status_code == 400
    assert "A synonym has at most 100 characters" in answer.content.decode()
    assert not CellLine.objects.exists()


def test_a_curator_registers_a_line_with_every_group_through_the_form(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/",
        form_post(
            synonyms="iPS-7, Line seven",
            clinical_grade="on",
            donor_code="D-77",
            donor_sex="male",
            donor_age_bin="40-44",
            donor_ethnicity="European",
            donor_diseases="doid | DOID:10652 | Alzheimer's disease | carrier\n"
            "ICD-10 | G30.9 | Alzheimer, unspecified",
            derivation_method="reprogramming",
            source_cell_type="fibroblast",
            source_cell_type_id="CL:0000057",
            vector="sendai",
            vector_integrating="false",
            reprogramming_factors="OCT4, SOX2, KLF4, MYC",
            derivation_date="2023-04-01",
            passage_at_reprogramming="3",
            derivation_country="de",
            culture_medium="mTeSR1",
            consent_obtained="true",
            ethics_approval="EC-2023-9",
            use_research="on",
            use_commercial="false",
            markers="OCT4 | flow cytometry | positive | 97.5\nSSEA4 | immunostaining | Positive",
            differentiations="endoderm | in vitro directed | hepatocytes | AFP\n"
            "mesoderm | in_vitro_directed\nectoderm | In vivo (teratoma)",
            karyotypes="46,XY | G-banding | 12 | normal",
            pluritests="25.4 | 1.2 | 20",
            str_profile="TH01: 6,9.3\nD5S818: 11, 12",
            hla_typing="HLA-A*01:01+HLA-A*02:01",
            omics="genome | EGA | EGAD00001000001",
            modifications="APOE | variant | c.388T>C | homozygous | CRISPR/Cas9",
            clinical_studies="nct01345006 | Safety study",
            publications="9804556 | | Embryonic stem cell lines",
            xrefs="cellosaurus | CVCL_9773",
            products="cardiomyocytes | NSCB-CM1 | GiWi | TNNT2 | yes",
        ),
    )
    assert answer.status_code == 302, answer.content.decode()
    assert answer["Location"] == "/staff/lines/NSCBi010-A/"
    record = services._fresh_record(CellLine.objects.get(name="NSCBi010-A"))
    assert record["status"] == "draft"
    assert record["synonyms"] == ["Line seven", "iPS-7"]
    assert record["clinical_grade"] is True
    assert record["donor"]["sex"] == "male"
    assert record["donor"]["diseases"] == [
        {
            "ontology": "DOID",
            "term_id": "DOID:10652",
            "label": "Alzheimer's disease",
            "affected": False,
            "primary": True,
        },
        {
            "ontology": "ICD-10",
            "term_id": "G30.9",
            "label": "Alzheimer, unspecified",
            "affected": True,
            "primary": True,
        },
    ]
    assert record["vector_integrating"] is False
    assert record["reprogramming_factors"] == ["OCT4", "SOX2", "KLF4", "MYC"]
    assert record["derivation_date"] == "2023-04-01"
    assert record["derivation_country"] == "DE"
    assert record["use_commercial"] is False
    assert record["markers"][0] == {
        "marker": "OCT4",
        "method": "flow cytometry",
        "result": "positive",
        "percent_positive": "97.50",
    }
    assert {d["mode"] for d in record["differentiations"]} == {"in_vitro_directed", "in_vivo"}
    assert record["karyotypes"] == [
        {"karyotype": "46,XY", "method": "G-banding", "passage": 12, "normal": True}
    ]
    assert record["pluritests"] == [
        {"pluripotency_score": 25.4, "novelty_score": 1.2, "passage": 20}
    ]
    assert record["str_profile"] == {"TH01": ["6", "9.3"], "D5S818": ["11", "12"]}
    assert record["modifications"][0]["zygosity"] == "homozygous"
    assert record["clinical_studies"] == [{"nct_id": "NCT01345006", "title": "Safety study"}]
    assert record["publications"][0]["pmid"] == "9804556"
    assert record["xrefs"][0]["database"] == "Cellosaurus"
    assert record["products"][0]["clinical_grade"] is True
    assert {p["role"] for p in record["providers"]} == {"generator", "owner"}


def test_a_malformed_row_is_rejected_naming_the_field_and_row(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/",
        form_post(
            markers="OCT4 | flow | positive\nNANOG | qPCR | maybe\nSOX2 | a | positive | 1 | x"
        ),
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Pluripotency markers" in page
    assert "Row 2: result &#x27;maybe&#x27; is not one of positive, negative" in page
    assert "Row 3: 5 values, at most 4 expected" in page
    assert not CellLine.objects.exists()


def test_a_missing_required_value_in_a_row_is_rejected(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/", form_post(pluritests="25.4", clinical_studies="|A title")
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Row 1: novelty score is required" in page
    assert "Row 1: NCT id is required" in page
    assert not CellLine.objects.exists()


def test_donor_details_without_a_donor_code_are_not_dropped(users, client_for):
    answer = client_for("curator").post("/staff/lines/new/", form_post(donor_age_bin="30-34"))
    assert answer.status_code == 400
    assert "Give the donor a code" in answer.content.decode()
    assert not CellLine.objects.exists()


def test_duplicate_rows_are_rejected_before_they_reach_the_database(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/", form_post(xrefs="Cellosaurus | CVCL_1\ncellosaurus | CVCL_1")
    )
    assert answer.status_code == 400
    assert "Row 2: same database and accession as row 1" in answer.content.decode()


def test_service_errors_are_shown_on_the_field_and_row_they_name(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/",
        form_post(
            publications="| | A title without identifier",
            modifications="TP53 | knock out | | | CRISPR | NSCBi999-Z",
        ),
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Row 1: isogenic control line: unknown cell line" in page
    assert not CellLine.objects.exists()
    answer = client_for("curator").post(
        "/staff/lines/new/", form_post(publications="| | A title without identifier")
    )
    assert answer.status_code == 400
    assert "Publications</a>: Row 1: " in answer.content.decode()
    assert not CellLine.objects.exists()


def test_a_taken_name_is_refused_with_the_services_status(users, client_for):
    line_in(users, "draft", "NSCBi010-A")
    answer = client_for("curator").post("/staff/lines/new/", form_post())
    assert answer.status_code == 409
    assert "already exists" in answer.content.decode()
    assert CellLine.objects.count() == 1


def test_an_unusable_name_is_refused_on_the_name_field(users, client_for):
    answer = client_for("curator").post("/staff/lines/new/", form_post(name="my line!"))
    assert answer.status_code == 400
    assert 'id="id_name_error"' in answer.content.decode()
    assert not CellLine.objects.exists()


def test_the_edit_form_round_trips_a_line_without_changing_it(users, client_for):
    line_in(
        users,
        "published",
        modifications=[{"gene": "APOE", "hgvs": "c.388T>C"}],
        karyotypes=[{"karyotype": "46,XX", "passage": 10, "normal": True}],
        str_profile={"TH01": ["6", "9.3"]},
        xrefs=[{"database": "hPSCreg", "accession": "NSCBi001-A"}],
    )
    curator = client_for("curator")
    page = curator.get("/staff/lines/NSCBi001-A/edit/")
    assert page.status_code == 200
    data = posted_values(page.context["form"])
    assert "c.388T&gt;C" in page.content.decode()
    data["reason"] = "No change"
    answer = curator.post("/staff/lines/NSCBi001-A/edit/", data)
    assert answer.status_code == 302, answer.context["form"].errors
    assert LineVersion.objects.count() == 1  # the publication itself, nothing more


def test_a_published_line_needs_a_reason_and_its_history_shows_old_and_new(users, client_for):
    line_in(users, "published", culture_medium="mTeSR1")
    curator = client_for("curator")
    data = posted_values(curator.get("/staff/lines/NSCBi001-A/edit/").context["form"])
    data["culture_medium"] = "Essential 8"
    refused = curator.post("/staff/lines/NSCBi001-A/edit/", data)
    assert refused.status_code == 400
    assert 'id="id_reason_error"' in refused.content.decode()
    assert CellLine.objects.get().culture_medium == "mTeSR1"

    data["reason"] = "Medium switched at passage 30"
    assert curator.post("/staff/lines/NSCBi001-A/edit/", data).status_code == 302
    assert CellLine.objects.get().culture_medium == "Essential 8"
    history = curator.get("/staff/lines/NSCBi001-A/").content.decode()
    assert "Medium switched at passage 30" in history
    assert '<span class="field-name">Medium</span>: <del>mTeSR1</del>' in history
    assert "<ins>Essential 8</ins>" in history


def test_a_draft_is_edited_without_a_reason(users, client_for):
    line_in(users, "draft")
    curator = client_for("institution_admin")
    data = posted_values(curator.get("/staff/lines/NSCBi001-A/edit/").context["form"])
    assert "reason" not in data
    data["synonyms"] = "AD-iPS-1, ADi1"
    assert curator.post("/staff/lines/NSCBi001-A/edit/", data).status_code == 302
    assert sorted(CellLine.objects.get().synonyms.values_list("name", flat=True)) == [
        "AD-iPS-1",
        "ADi1",
    ]


# Curation and availability on the staff line page.


BUTTONS = {
    "submit": "Submit for review",
    "review": "Start review",
    "return": "Return to submitter",
    "publish": ">Publish<",
    "availability": "Change availability",
}


@pytest.mark.parametrize(
    ("state", "role", "shown"),
    [
        ("draft", "curator", {"submit", "availability"}),
        ("draft", "institution_admin", {"submit", "availability"}),
        ("draft", "bank_technician", set()),
        ("draft", "qa_manager", {"availability"}),
        ("submitted", "curator", {"review", "availability"}),
        ("submitted", "institution_admin", {"availability"}),
        ("in_review", "curator", {"return", "publish", "availability"}),
        ("in_review", "platform_admin", {"return", "publish", "availability"}),
        ("in_review", "institution_admin", {"availability"}),
        ("published", "curator", {"availability"}),
    ],
)
def test_curation_buttons_are_shown_only_to_those_allowed(users, client_for, state, role, shown):
    line_in(users, state)
    page = client_for(role).get("/staff/lines/NSCBi001-A/").content.decode()
    assert {key for key, text in BUTTONS.items() if text in page} == shown


def test_the_page_shows_the_checklist_with_required_items(users, client_for):
    line_in(users, "draft", markers=[], ethics_approval="")
    page = client_for("curator").get("/staff/lines/NSCBi001-A/").content.decode()
    assert page.count('<span class="tag required">required</span>') == 3
    assert "Missing:</span> Ethical provenance" in page
    assert "Missing:</span> Pluripotency: undifferentiated-state marker" in page
    assert "Done:</span> Pluripotency: differentiation into endoderm" in page


def test_a_curator_takes_a_line_through_curation_with_the_page_buttons(users, client_for):
    line_in(users, "draft")
    curator = client_for("curator")
    url = "/staff/lines/NSCBi001-A"
    assert curator.post(f"{url}/submit/", {"comment": "Ready"}).status_code == 302
    assert curator.post(f"{url}/review/").status_code == 302
    refused = curator.post(f"{url}/return/", {"comment": "  "})
    assert refused.status_code == 400
    assert "Say what the submitter must change" in refused.content.decode()
    assert curator.post(f"{url}/return/", {"comment": "Add the karyotype"}).status_code == 302
    assert CellLine.objects.get().status == "returned"
    for step in ("submit", "review", "publish"):
        assert curator.post(f"{url}/{step}/", {"confirm": "yes"}).status_code == 302
    page = curator.get(f"{url}/").content.decode()
    assert CellLine.objects.get().status == "published"
    assert "Add the karyotype" in page
    assert "In review → Returned" in page
    assert "is now published" in page


def test_publishing_without_the_minimum_is_refused_on_the_page(users, client_for):
    line_in(users, "in_review", differentiations=[])
    answer = client_for("curator").post("/staff/lines/NSCBi001-A/publish/", {"confirm": "yes"})
    assert answer.status_code == 400
    assert "lacks hPSCreg&#x27;s minimum" in answer.content.decode()
    assert CellLine.objects.get().status == "in_review"


def test_publishing_asks_to_confirm_what_becomes_public(users, client_for):
    line_in(users, "in_review")
    curator = client_for("curator")
    page = curator.get("/staff/lines/NSCBi001-A/").content.decode()
    assert "Publishing puts this record in the open catalogue for anyone to read" in page
    assert "now <strong>Not available</strong>" in page
    answer = curator.post("/staff/lines/NSCBi001-A/publish/")
    assert answer.status_code == 400
    assert "Tick the box to confirm" in answer.content.decode()
    assert CellLine.objects.get().status == "in_review"
    assert curator.post("/staff/lines/NSCBi001-A/publish/", {"confirm": "yes"}).status_code == 302
    assert CellLine.objects.get().status == "published"


def test_with_htmx_an_action_answers_with_the_panel_and_the_history(users, client_for):
    line_in(users, "submitted")
    answer = client_for("curator").post(
        "/staff/lines/NSCBi001-A/review/", headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    fragment = answer.content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<section class="card panel" id="curation"')
    assert 'id="history" aria-labelledby="history-title" hx-swap-oob="true"' in fragment
    assert "is now in review" in fragment
    assert "Submitted → In review" in fragment


def test_with_htmx_an_error_answers_with_the_panel_and_its_status(users, client_for):
    line_in(users, "in_review")
    answer = client_for("curator").post(
        "/staff/lines/NSCBi001-A/return/", {"comment": ""}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 400
    assert "<html" not in answer.content.decode()
    assert "Say what the submitter must change" in answer.content.decode()


def test_a_recall_needs_a_reason_which_the_history_keeps(users, client_for):
    line_in(users, "published")
    qa = client_for("qa_manager")
    url = "/staff/lines/NSCBi001-A/availability/"
    refused = qa.post(url, {"availability": "recalled", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the line is recalled" in refused.content.decode()
    assert CellLine.objects.get().availability == "not_available"
    assert qa.post(url, {"availability": "available"}).status_code == 302
    assert (
        qa.post(url, {"availability": "recalled", "reason": "Mycoplasma found"}).status_code == 302
    )
    page = qa.get("/staff/lines/NSCBi001-A/").content.decode()
    assert "Available → Recalled" in page
    assert "Reason: Mycoplasma found" in page


def test_an_unknown_availability_is_refused(users, client_for):
    line_in(users, "published")
    answer = client_for("curator").post(
        "/staff/lines/NSCBi001-A/availability/", {"availability": "lost"}
    )
    assert answer.status_code == 400
    assert CellLine.objects.get().availability == "not_available"


# Public pages.


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review"])
def test_anonymous_visitors_get_404_for_unpublished_lines(users, state):
    line_in(users, state)
    assert Client().get("/lines/NSCBi001-A/").status_code == 404
    assert Client().get("/lines/AD-iPS-1/").status_code == 404


def test_the_public_page_shows_a_published_lines_public_data(users):
    line_in(users, "published", xrefs=[{"database": "Cellosaurus", "accession": "CVCL_9773"}])
    answer = Client().get("/lines/NSCBi001-A/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "<h1>NSCBi001-A</h1>" in page
    assert "OCT4" in page and "Alzheimer&#x27;s disease" in page
    assert 'href="https://www.cellosaurus.org/CVCL_9773"' in page
    assert "Not available" in page
    assert "D-001" not in page  # the provider's own donor code stays internal


@pytest.mark.parametrize("alias", ["AD-iPS-1", "ad-ips-1", "nscbi001-a"])
def test_a_synonym_redirects_to_the_standard_name(users, alias):
    line_in(users, "published")
    answer = Client().get(f"/lines/{alias}/")
    assert answer.status_code in (301, 302)
    assert answer["Location"] == "/lines/NSCBi001-A/"


def test_the_home_page_lists_recent_lines_and_finds_them_by_synonym(users):
    line_in(users, "published")
    line_in(users, "draft", "NSCBi002-A", synonyms=[], donor={"code": "D-2"})
    home = Client().get("/").content.decode()
    assert 'href="/lines/NSCBi001-A/"' in home
    assert "NSCBi002-A" not in home
    found = Client().get("/lines/", {"q": "AD-iPS-1"})
    assert found.status_code == 302
    assert found["Location"] == "/lines/NSCBi001-A/"
    missing = Client().get("/lines/", {"q": "NSCBi002-A"})
    assert missing.status_code == 200
    assert "No cell line is known as" in missing.content.decode()


def test_a_synonym_in_the_staff_area_redirects_to_the_standard_name(users, client_for):
    line_in(users, "draft")
    answer = client_for("bank_technician").get("/staff/lines/AD-iPS-1/")
    assert answer.status_code == 302
    assert answer["Location"] == "/staff/lines/NSCBi001-A/"


def test_the_staff_menu_shows_only_to_those_who_may_open_it(client_for):
    link = b'<a href="/staff/lines/"'
    assert link in client_for("bank_technician").get("/").content
    assert link not in client_for("researcher").get("/").content
    assert link not in client_for(None).get("/").content


def test_loose_values_on_the_new_line_form_are_named_on_their_fields(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/",
        form_post(
            species="homo",
            source_cell_type_id="fibroblast",
            o2_concentration="lots",
            co2_concentration="150%",
            passage_at_reprogramming="5000",
            culture_medium="!!!???",
            jurisdiction="EU\x07",
        ),
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert set(form.errors) == {
        "species",
        "source_cell_type_id",
        "o2_concentration",
        "co2_concentration",
        "passage_at_reprogramming",
        "culture_medium",
        "jurisdiction",
    }
    assert "e.g. Homo sapiens" in form.errors["species"][0]
    assert "CL:0000057" in form.errors["source_cell_type_id"][0]
    assert "percentage from 0 to 100" in form.errors["co2_concentration"][0]
    assert "letters or digits" in form.errors["culture_medium"][0]
    assert "control characters" in form.errors["jurisdiction"][0]
    assert 'value="lots"' in answer.content.decode()  # what was typed stays
    assert not CellLine.objects.exists()


def test_well_formed_values_pass_the_form_checks(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/",
        form_post(
            species="Macaca fascicularis",
            line_type="iPSC",
            source_cell_type_id="CL:0000057",
            o2_concentration="5%",
            co2_concentration="5",
            passage_at_reprogramming="4",
            culture_medium="mTeSR1",
        ),
    )
    assert answer.status_code == 302
    assert CellLine.objects.get().source_cell_type_id == "CL:0000057"


def test_an_old_loose_value_does_not_block_editing_other_fields(users, client_for):
    line = line_in(users, "draft")
    CellLine.objects.filter(pk=line.pk).update(o2_concentration="ambient")
    curator = client_for("curator")
    form = curator.get("/staff/lines/NSCBi001-A/edit/").context["form"]
    data = posted_values(form)
    data["description"] = "Edited"
    answer = curator.post("/staff/lines/NSCBi001-A/edit/", data)
    assert answer.status_code == 302, answer.context["form"].errors
    assert CellLine.objects.get().description == "Edited"


def test_the_staff_list_names_the_line_type_in_words(users, client_for):
    line_in(users, "draft")
    page = client_for("curator").get("/staff/lines/").content.decode()
    assert "<td>Human induced pluripotent stem cell (hiPSC)</td>" in page
