"""Permission cases of the tasks pages and API, collected by the matrices.

A queued cord upload started by NSCB's bank technician: they see it, and so do NSCB's managers
of that work (cordblood.manage: the institution admin) and platform admins; everyone else,
another institution's staff included, gets 404 (anonymous visitors the login page or 401)."""

import uuid
from typing import Any

from stemhub.jobs.models import Job, Kind
from tests.permissions import SIGNED_IN, Case, Page

JOB_ID = uuid.UUID("00000000-0000-4000-8000-000000900001")
SEE = {"bank_technician", "institution_admin", "platform_admin"}


def queued_upload(users: dict[str, Any]) -> None:
    tech = users["bank_technician"]
    Job.objects.create(
        pk=JOB_ID,
        kind=Kind.CORD_UPLOAD,
        title="units.csv · NSCB",
        institution=tech.institution,
        created_by=tech,
        parameters={"mode": "delta"},
        input_name="units.csv",
        input_bytes=b"local_id\n",
    )


API_CASES = [
    Case(
        "GET",
        "/api/v1/tasks/{task_id}",
        SEE,
        path=f"/api/v1/tasks/{JOB_ID}",
        setup=queued_upload,
    ),
    Case(
        "POST",
        "/api/v1/tasks/{task_id}/cancel",
        SEE,
        path=f"/api/v1/tasks/{JOB_ID}/cancel",
        setup=queued_upload,
    ),
]

PAGE_CASES = [
    Page("jobs:tasks", "/tasks/", SIGNED_IN, setup=queued_upload),
    Page("jobs:task", f"/tasks/{JOB_ID}/", SEE, setup=queued_upload),
    Page("jobs:task_panel", f"/tasks/{JOB_ID}/panel/", SEE, setup=queued_upload),
    Page(
        "jobs:task_cancel",
        f"/tasks/{JOB_ID}/cancel/",
        SEE,
        method="POST",
        data={"confirm": "yes"},
        setup=queued_upload,
    ),
]
