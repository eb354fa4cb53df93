"""Cord search over the imported units through the API (ranked, with doses and flags).

    .venv/bin/python benchmarks/cord_search.py [--patients 30] [--database-url URL]

Uses the database `cord_import.py` left under var/bench/cord/ (run it first). Patients are
generated typings of another seed; each search is one POST /api/v1/cord/patients/{id}/searches
through the whole Django stack in-process (django.test.Client), after one warm-up search that
loads the engine and the index snapshot. Prints p50/p90/max and the result counts.
"""

import argparse
import os
import statistics
import time

from cord_common import WORK, hla_donors, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    setup_django(args.database_url or f"sqlite:///{WORK / 'cord.sqlite3'}")
    from django.test import Client

    from stemhub.accounts.models import Institution, Role, RoleGrant, User
    from stemhub.cordblood import services

    centre = Institution.objects.get_or_create(
        provider_code="UHTC",
        defaults={"name": "Bench Transplant Centre", "kind": "transplant_centre"},
    )[0]
    user = User.objects.filter(username="bench-coordinator").first()
    if user is None:
        user = User.objects.create_user("bench-coordinator", institution=centre)
        RoleGrant.objects.create(user=user, role=Role.SEARCH_COORDINATOR)
    patients = []
    for number, (pid, gl) in enumerate(hla_donors.generate(args.patients + 1, seed=99, prefix="P")):
        found = services.Patient.objects.filter(centre=centre, centre_patient_id=pid).first()
        patients.append(
            found
            or services.patient_create(
                actor=user,
                data={"centre_patient_id": pid, "weight_kg": 15 + number % 50, "hla": gl},
            )
        )
    client = Client()
    client.force_login(user)
    seconds, cpu, found = [], [], []
    for number, patient in enumerate(patients):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer = client.post(
            f"/api/v1/cord/patients/{patient.pk}/searches",
            data={"limit": 20},
            content_type="application/json",
        )
        elapsed, cpu_elapsed = time.perf_counter() - started, time.process_time() - cpu_started
        assert answer.status_code == 200, answer.content[:300]
        if number == 0:
            print(f"warm-up (engine + index load): {elapsed:.2f} s")
            continue
        seconds.append(elapsed)
        cpu.append(cpu_elapsed)
        found.append(sum(answer.json()["kinds"]["cord"]["counts"].values()))
    seconds.sort()
    print(
        f"cord search, {len(seconds)} patients: p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"p90 {seconds[int(len(seconds) * 0.9)] * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms; "
        f"potential matches per patient: median {statistics.median(found):,.0f}, "
        f"max {max(found):,}; CPU p50 {statistics.median(cpu) * 1000:.0f} ms, load average "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
