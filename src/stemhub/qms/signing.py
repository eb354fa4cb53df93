"""The quality management system's electronic signatures: the same Part 11 signing as a
release (`quality.Signature`): the password re-entered, the printed name from the account, the
time, the meaning, and the sha256 of the canonical record signed."""

from typing import Any

from django.utils.translation import gettext as _

from stemhub.core.auth import password_confirm, printed_name
from stemhub.core.errors import Forbidden
from stemhub.quality.models import Signature
from stemhub.quality.selectors import record_bytes, record_hash


def signing_password_check(actor: Any, password: str) -> None:
    """Before the transaction opens: a wrong password is counted against the lockout even
    though nothing is written."""
    password_confirm(
        actor,
        password,
        wrong=Forbidden(
            _("The password does not match: re-enter yours to sign"),
            fields={"password": [_("incorrect")]},
        ),
    )


def signature_write(*, actor: Any, meaning: str, record: dict[str, Any]) -> Signature:
    """Inside the caller's transaction, after `signing_password_check`."""
    return Signature.objects.create(
        signer=actor,
        printed_name=printed_name(actor),
        meaning=meaning,
        record=record_bytes(record).decode(),
        record_hash=record_hash(record),
    )
