"""A normal day on stemhub, for locust (driven by ``benchmarks/load_day.py``, which prepares the
database and passes what the users need through the environment).

Who comes, in the proportions a national centre sees in a working day:

- anonymous visitors browse the public catalogue: the front page, searches, line pages;
- researchers sign in and look at their requests and the lines they may request;
- search coordinators of transplant centres search the cord network for their patients through
  the API (a search is ranked, with doses and match predictions) and open a unit;
- a cord blood bank uploads a small delta of units now and then and follows it to the end.

Each request is named by its kind (``/lines/?q=…`` is "catalogue search"), so the statistics
group what a person does, not every distinct URL.
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, task

LINES: list[str] = json.loads(os.environ.get("LOAD_LINES", "[]"))
PATIENTS: list[int] = json.loads(os.environ.get("LOAD_PATIENTS", "[]"))
UNITS: list[int] = json.loads(os.environ.get("LOAD_UNITS", "[]"))
TOKENS: list[str] = json.loads(os.environ.get("LOAD_TOKENS", "[]"))
BANK_TOKEN = os.environ.get("LOAD_BANK_TOKEN", "")
BANK = os.environ.get("LOAD_BANK", "NCBB")
RESEARCHER = os.environ.get("LOAD_RESEARCHER", "researcher")
PASSWORD = os.environ.get("LOAD_PASSWORD", "stemhub-demo")
SEARCHES = ("iPSC", "hESC", "Parkinson", "cardiomyocyte", "帕金森", "retina", "male", "LUIC")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class CatalogueVisitor(HttpUser):
    """Anonymous: the public catalogue."""

    weight = 20
    wait_time = between(1, 5)

    @task(3)
    def front_page(self) -> None:
        self.client.get("/", name="catalogue front page")

    @task(5)
    def search(self) -> None:
        self.client.get("/lines/", params={"q": random.choice(SEARCHES)}, name="catalogue search")

    @task(4)
    def line_page(self) -> None:
        if LINES:
            self.client.get(f"/lines/{random.choice(LINES)}/", name="public line page")


class Researcher(HttpUser):
    """Signed in: their requests and a line's request form."""

    weight = 10
    wait_time = between(2, 6)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text)
        self.client.post(
            "/accounts/login/",
            data={
                "username": RESEARCHER,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )

    @task(3)
    def requests(self) -> None:
        self.client.get("/distribution/requests/", name="researcher: my requests")

    @task(2)
    def work(self) -> None:
        self.client.get("/work/", name="researcher: my work")

    @task(2)
    def request_form(self) -> None:
        if LINES:
            self.client.get(
                f"/distribution/lines/{random.choice(LINES)}/request/",
                name="researcher: request form",
            )


class Coordinator(HttpUser):
    """A transplant centre's search coordinator, through the API."""

    weight = 15
    wait_time = between(2, 8)

    def on_start(self) -> None:
        token = random.choice(TOKENS) if TOKENS else ""
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task(4)
    def search(self) -> None:
        if not PATIENTS:
            return
        with self.client.post(
            f"/api/v1/cord/patients/{random.choice(PATIENTS)}/searches",
            json={"limit": 20},
            name="cord search (API)",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200 and "kinds" not in answer.json():
                answer.failure("a search answer without results")

    @task(2)
    def unit(self) -> None:
        if UNITS:
            self.client.get(f"/api/v1/cord/units/{random.choice(UNITS)}", name="cord unit (API)")

    @task(1)
    def patient(self) -> None:
        if PATIENTS:
            self.client.get(
                f"/api/v1/cord/patients/{random.choice(PATIENTS)}", name="cord patient (API)"
            )


class Bank(HttpUser):
    """A cord blood bank's technician: a delta upload of a few hundred units, followed to the
    end (the upload answers at once with a task; its progress is polled)."""

    weight = 1
    wait_time = between(30, 60)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {BANK_TOKEN}"
        self.batch = 0

    @task
    def upload(self) -> None:
        content = os.environ.get("LOAD_DELTA_CSV", "")
        if not content:
            return
        answer = self.client.post(
            f"/api/v1/cord/banks/{BANK}/units/import",
            json={"format": "csv", "content": content, "mode": "delta"},
            name="bank upload (API)",
        )
        if answer.status_code != 202:
            return
        location = answer.headers.get("Location") or answer.json().get("links", {}).get("self")
        for _poll in range(120):
            state = self.client.get(location, name="bank upload: task progress").json()
            if state.get("state") in ("succeeded", "failed", "cancelled"):
                break
            self._sleep(1)

    def _sleep(self, seconds: float) -> None:
        import gevent

        gevent.sleep(seconds)
