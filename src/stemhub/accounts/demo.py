"""The demo's institutions and staff: one user for every role, a few more at other sites.

The institutions and their provider codes are invented; no code belongs to a real provider.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from stemhub.accounts.models import Institution, Role, RoleGrant, User

DEMO_PASSWORD = "stemhub-demo"


@dataclass(frozen=True)
class InstitutionSpec:
    code: str
    name: str
    kind: str
    country: str
    city: str
    domain: str


INSTITUTIONS = (
    InstitutionSpec(
        "NSRB",
        "National Stem Cell Resource Bank",
        Institution.Kind.STEM_CELL_BANK,
        "SE",
        "Uppsala",
        "nsrb.example.org",
    ),
    InstitutionSpec(
        "LUIC",
        "Lindholm University iPSC Core Facility",
        Institution.Kind.RESEARCH_INSTITUTION,
        "SE",
        "Gothenburg",
        "luic.example.org",
    ),
    InstitutionSpec(
        "IRMR",
        "Institute for Regenerative Medicine Research",
        Institution.Kind.RESEARCH_INSTITUTION,
        "DK",
        "Aarhus",
        "irmr.example.org",
    ),
    InstitutionSpec(
        "NCBB",
        "Nordic Public Cord Blood Bank",
        Institution.Kind.CORD_BLOOD_BANK,
        "NO",
        "Bergen",
        "ncbb.example.org",
    ),
    InstitutionSpec(
        "UHTC",
        "University Hospital Stem Cell Transplant Centre",
        Institution.Kind.TRANSPLANT_CENTRE,
        "SE",
        "Lund",
        "uhtc.example.org",
    ),
    InstitutionSpec(
        "NHPR",
        "National hPSC Registry",
        Institution.Kind.REGISTRY,
        "SE",
        "Stockholm",
        "nhpr.example.org",
    ),
)
DEMO_PROVIDER_CODES = tuple(spec.code for spec in INSTITUTIONS)


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    institution: str
    roles: tuple[Role, ...]
    staff: bool = False


USERS = (
    UserSpec("admin", "Ingrid", "Sandberg", "NHPR", (Role.PLATFORM_ADMIN,), staff=True),
    UserSpec("curator", "Elin", "Karlsson", "NSRB", (Role.CURATOR,)),
    UserSpec("instadmin", "Johan", "Lindqvist", "NSRB", (Role.INSTITUTION_ADMIN,)),
    UserSpec("technician", "Amira", "Haddad", "NSRB", (Role.BANK_TECHNICIAN,)),
    UserSpec("qa", "Per", "Nyström", "NSRB", (Role.QA_MANAGER,)),
    UserSpec("committee", "Anders", "Wallin", "NSRB", (Role.ACCESS_COMMITTEE,)),
    UserSpec("researcher", "Sofia", "Bergström", "LUIC", (Role.RESEARCHER,)),
    UserSpec("coordinator", "Mikael", "Holm", "UHTC", (Role.SEARCH_COORDINATOR,)),
    UserSpec("luic-curator", "Hanna", "Öberg", "LUIC", (Role.CURATOR,)),
    UserSpec("luic-admin", "David", "Engström", "LUIC", (Role.INSTITUTION_ADMIN,)),
    UserSpec("irmr-curator", "Mette", "Kjær", "IRMR", (Role.CURATOR, Role.RESEARCHER)),
    UserSpec("irmr-researcher", "Jonas", "Madsen", "IRMR", (Role.RESEARCHER,)),
    UserSpec("cord-tech", "Lars", "Haugen", "NCBB", (Role.BANK_TECHNICIAN,)),
    UserSpec("cord-qa", "Kari", "Solberg", "NCBB", (Role.QA_MANAGER,)),
)


def create_institutions() -> dict[str, Institution]:
    institutions = {}
    for spec in INSTITUTIONS:
        institution = Institution(
            name=spec.name,
            kind=spec.kind,
            provider_code=spec.code,
            country=spec.country,
            city=spec.city,
            website=f"https://{spec.domain}/",
            contact_email=f"info@{spec.domain}",
        )
        institution.full_clean()
        institution.save()
        institutions[spec.code] = institution
    return institutions


def create_users(institutions: dict[str, Institution]) -> dict[str, User]:
    # One slow argon2 hash shared by every demo user, not one per user.
    password_hash = make_password(DEMO_PASSWORD)
    users = {}
    for spec in USERS:
        institution = institutions[spec.institution]
        user = User.objects.create_user(
            username=spec.username,
            password=None,
            email=f"{spec.username.replace('-', '.')}@{institution.website[8:-1]}",
            first_name=spec.first_name,
            last_name=spec.last_name,
            institution=institution,
            is_staff=spec.staff,
            is_superuser=spec.staff,
        )
        user.password = password_hash
        user.save(update_fields=["password"])
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in spec.roles)
        users[spec.username] = user
    return users


def member_history(users: dict[str, User], institutions: dict[str, Institution]) -> None:
    """A few real changes to people, made by NSRB's institution admin through the members
    services, so the members page and the audit trail show them: a technician who joined, also
    covered QA for a while, and left."""
    from stemhub.accounts.services import (
        member_add,
        member_deactivate,
        member_role_grant,
        member_role_revoke,
    )

    admin = users["instadmin"]
    former = member_add(
        actor=admin,
        institution=institutions["NSRB"],
        username="former-tech",
        email="former.tech@nsrb.example.org",
        first_name="Oskar",
        last_name="Lund",
        roles=[Role.BANK_TECHNICIAN],
        mail=False,
    )
    member_role_grant(
        actor=admin, member=former, role=Role.QA_MANAGER, reason="Covers QA during parental leave"
    )
    member_role_revoke(
        actor=admin, member=former, role=Role.QA_MANAGER, reason="The QA manager is back"
    )
    member_deactivate(actor=admin, member=former, reason="Left NSRB for a position abroad")
