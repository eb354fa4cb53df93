"""Who may open the quality system's pages and call its API: qms.view to read (every staff role
but the access committee), the parts' own permissions to write, each in the record's
institution."""

from tests.permissions import OTHERS, Case, Page
from tests.qms.iqc_setups import (
    a_material_with_a_run,
    a_pending_round,
    a_questionable_round,
    a_scheme,
)

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

# qms.record (recording runs and PT results) and qms.manage (materials, schemes, reviews).
RECORDERS = {"bank_technician", "qa_manager", "platform_admin"}
MANAGERS = {"qa_manager", "platform_admin"}
# Staff of another institution who hold the permission in their own institution.
OTHER_RECORDERS = {"other_technician", "other_qa"}
MATERIAL = {
    "assay": "endotoxin",
    "name": "Endotoxin control",
    "level": 1,
    "lot": "EC-1",
    "target_mean": 0.5,
    "target_sd": 0.05,
    "valid_from": "2026-01-01",
}
RUN = {"value": 92.1, "run_at": "2026-06-01T09:30:00+08:00"}
RESULT = {"result": 90.5, "assigned_value": 91.0, "sigma_pt": 2.0}
ROUND = {
    "scheme_id": 9201,
    "round_code": "2026-2",
    "sample_id": "V-02",
    "received_on": "2026-03-01",
    "due_on": "2026-03-20",
}

API_CASES: list = [
    Case("GET", "/api/v1/qms/iqc/materials", QMS_VIEWERS, setup=a_material_with_a_run),
    Case("POST", "/api/v1/qms/iqc/materials", MANAGERS | {"other_qa"}, body=MATERIAL),
    Case(
        "GET",
        "/api/v1/qms/iqc/materials/{material_id}/runs",
        QMS_VIEWERS - OTHERS,
        path="/api/v1/qms/iqc/materials/9101/runs",
        setup=a_material_with_a_run,
    ),
    Case(
        "POST",
        "/api/v1/qms/iqc/materials/{material_id}/runs",
        RECORDERS,
        path="/api/v1/qms/iqc/materials/9101/runs",
        body=RUN,
        setup=a_material_with_a_run,
    ),
    Case(
        "POST",
        "/api/v1/qms/iqc/runs/{run_id}/correction",
        RECORDERS,
        path="/api/v1/qms/iqc/runs/9111/correction",
        body={"value": 92.2, "reason": "transcription error"},
        setup=a_material_with_a_run,
    ),
    Case("GET", "/api/v1/qms/proficiency/schemes", QMS_VIEWERS, setup=a_scheme),
    Case(
        "POST",
        "/api/v1/qms/proficiency/schemes",
        MANAGERS | {"other_qa"},
        body={"provider": "UK NEQAS", "name": "CD34+ stem cell enumeration", "assay": "cd34_count"},
    ),
    Case("GET", "/api/v1/qms/proficiency/rounds", QMS_VIEWERS, setup=a_pending_round),
    Case("POST", "/api/v1/qms/proficiency/rounds", RECORDERS, body=ROUND, setup=a_scheme),
    Case(
        "POST",
        "/api/v1/qms/proficiency/rounds/{round_id}/result",
        RECORDERS,
        path="/api/v1/qms/proficiency/rounds/9301/result",
        body=RESULT,
        setup=a_pending_round,
    ),
    Case(
        "POST",
        "/api/v1/qms/proficiency/rounds/{round_id}/review",
        MANAGERS,
        path="/api/v1/qms/proficiency/rounds/9301/review",
        body={"note": "Pipette recalibrated; within limits since."},
        setup=a_questionable_round,
    ),
]

PAGE_CASES = [
    Page("qms:home", "/qms/", QMS_VIEWERS),
    Page("qms:iqc_overview", "/qms/iqc/", QMS_VIEWERS, setup=a_material_with_a_run),
    Page(
        "qms:iqc_material_define",
        "/qms/iqc/materials/",
        MANAGERS | {"other_qa"},
        method="POST",
        data={**MATERIAL, "target_mean": "0.5", "target_sd": "0.05", "level": "1"},
    ),
    Page(
        "qms:iqc_material",
        "/qms/iqc/materials/9101/",
        QMS_VIEWERS - OTHERS,
        setup=a_material_with_a_run,
    ),
    Page(
        "qms:iqc_run_record",
        "/qms/iqc/materials/9101/runs/",
        RECORDERS,
        method="POST",
        data={"value": "92.1", "run_on": "2026-06-01", "run_time": "09:30"},
        setup=a_material_with_a_run,
    ),
    Page("qms:pt_list", "/qms/proficiency/", QMS_VIEWERS, setup=a_pending_round),
    Page(
        "qms:pt_scheme_create",
        "/qms/proficiency/schemes/",
        MANAGERS | {"other_qa"},
        method="POST",
        data={"provider": "UK NEQAS", "name": "CD34+ enumeration", "assay": "cd34_count"},
    ),
    Page(
        "qms:pt_round_register",
        "/qms/proficiency/rounds/",
        RECORDERS,
        method="POST",
        data={
            "scheme": "9201",
            "round_code": "2026-2",
            "sample_id": "V-02",
            "received_on": "2026-03-01",
            "due_on": "2026-03-20",
        },
        setup=a_scheme,
    ),
    Page(
        "qms:pt_result_enter",
        "/qms/proficiency/rounds/9301/result/",
        RECORDERS,
        method="POST",
        data={"result": "90.5", "assigned_value": "91", "sigma_pt": "2"},
        setup=a_pending_round,
    ),
    Page(
        "qms:pt_round_review",
        "/qms/proficiency/rounds/9301/review/",
        MANAGERS,
        method="POST",
        data={"note": "Pipette recalibrated."},
        setup=a_questionable_round,
    ),
]
