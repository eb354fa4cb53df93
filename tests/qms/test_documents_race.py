"""Two writers bringing versions into force at once, on PostgreSQL: the document's row lock
serialises them, and the partial unique index refuses a second effective version to anyone
who skips the lock."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from stemhub.qms import documents
from stemhub.qms.models import DocumentVersion, VersionStatus
from tests.concurrency import HeldOpen
from tests.qms.documents_setup import advance, drafted, sop

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks only matter where transactions run in parallel: needs PostgreSQL",
    ),
]


def two_versions_due(users):
    """Version 1 in force, version 2 approved for a day that has now come."""
    document = sop(users)
    advance(users, drafted(users, document, "1"), "effective")
    later = timezone.localdate() + timezone.timedelta(days=3)
    second = advance(users, drafted(users, document, "2"), "effective", effective_from=later)
    DocumentVersion.objects.filter(pk=second.pk).update(effective_from=timezone.localdate())
    return document


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_and_finds_the_version_already_in_force(users):
    document = two_versions_due(users)
    with HeldOpen(lambda: documents.document_bring_into_force(document=document)) as held:
        in_force = documents.document_bring_into_force(document=document)
    assert held.outcome == "committed" and held.waiter_seen
    assert in_force is not None and in_force.number == 2
    statuses = dict(document.versions.values_list("number", "status"))
    assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.EFFECTIVE}


@pytest.mark.django_db(transaction=True)
def test_the_index_refuses_a_second_effective_version_written_past_the_lock(users):
    document = two_versions_due(users)
    second = document.versions.get(number=2)

    def put_in_force_without_superseding() -> None:
        DocumentVersion.objects.filter(pk=second.pk).update(
            status=VersionStatus.EFFECTIVE, review_due=timezone.localdate()
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        put_in_force_without_superseding()
    assert document.versions.filter(status=VersionStatus.EFFECTIVE).count() == 1
