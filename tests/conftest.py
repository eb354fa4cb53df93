"""Fixtures shared by the whole suite: institutions and one user per role."""

import pytest
from django.test import Client

from stemhub.accounts.models import Institution, Role, RoleGrant, User

PASSWORD = "correct horse battery staple"


def make_user(username: str, institution: Institution | None, *roles: str) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=username.split("_")[0].title(),
        last_name="Tester",
        institution=institution,
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in roles)
    return user


@pytest.fixture
def bank(db) -> Institution:
    return Institution.objects.create(
        name="National Stem Cell Bank", kind=Institution.Kind.STEM_CELL_BANK, provider_code="NSCB"
    )


@pytest.fixture
def other_bank(db) -> Institution:
    return Institution.objects.create(
        name="Other Stem Cell Bank", kind=Institution.Kind.STEM_CELL_BANK, provider_code="OSB"
    )


@pytest.fixture
def users(bank, other_bank) -> dict[str, User]:
    """One user per role at the bank, plus staff of another institution."""
    people = {role.value: make_user(role.value, bank, role.value) for role in Role}
    people["other_curator"] = make_user("other_curator", other_bank, Role.CURATOR)
    people["other_technician"] = make_user("other_technician", other_bank, Role.BANK_TECHNICIAN)
    people["other_qa"] = make_user("other_qa", other_bank, Role.QA_MANAGER)
    return people


@pytest.fixture
def client_for(users):
    def login(who: str | None) -> Client:
        client = Client()
        if who is not None:
            client.force_login(users[who])
        return client

    return login
