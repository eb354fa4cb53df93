"""The demo's institutions and staff: one user for every role, a few more at other sites.

The institutions are modelled on the network a Chinese stem cell resource centre works with
(a national bank, university and institute labs, a cord blood bank, a transplant centre, a
registry); their names, provider codes, people and data are invented, so that no figure of the
demo is read as a real institution's. Every institution and person has an English and a Chinese
name (people: pinyin given and family name, and 姓名).
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
    name_zh: str = ""


INSTITUTIONS = (
    InstitutionSpec(
        "NSRB",
        "National Stem Cell Resource Bank",
        Institution.Kind.STEM_CELL_BANK,
        "CN",
        "Beijing",
        "nsrb.example.org",
        "国家干细胞资源库",
    ),
    InstitutionSpec(
        "LUIC",
        "Lianhu University iPSC Core Facility",
        Institution.Kind.RESEARCH_INSTITUTION,
        "CN",
        "Xi'an",
        "luic.example.org",
        "莲湖大学诱导多能干细胞平台",
    ),
    InstitutionSpec(
        "IRMR",
        "Institute for Regenerative Medicine Research",
        Institution.Kind.RESEARCH_INSTITUTION,
        "CN",
        "Shanghai",
        "irmr.example.org",
        "再生医学研究院",
    ),
    InstitutionSpec(
        "NCBB",
        "North China Cord Blood Bank",
        Institution.Kind.CORD_BLOOD_BANK,
        "CN",
        "Tianjin",
        "ncbb.example.org",
        "华北脐带血造血干细胞库",
    ),
    InstitutionSpec(
        "UHTC",
        "Jinghua University Hospital Transplant Centre",
        Institution.Kind.TRANSPLANT_CENTRE,
        "CN",
        "Beijing",
        "uhtc.example.org",
        "京华大学人民医院造血干细胞移植中心",
    ),
    InstitutionSpec(
        "NHPR",
        "National hPSC Registry",
        Institution.Kind.REGISTRY,
        "CN",
        "Beijing",
        "nhpr.example.org",
        "国家人多能干细胞登记中心",
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
    name_zh: str = ""


USERS = (
    UserSpec("admin", "Jianguo", "Wang", "NHPR", (Role.PLATFORM_ADMIN,), True, "王建国"),
    UserSpec("curator", "Siyu", "Chen", "NSRB", (Role.CURATOR,), name_zh="陈思雨"),
    UserSpec("instadmin", "Yang", "Liu", "NSRB", (Role.INSTITUTION_ADMIN,), name_zh="刘洋"),
    UserSpec("technician", "Min", "Zhang", "NSRB", (Role.BANK_TECHNICIAN,), name_zh="张敏"),
    UserSpec("qa", "Peng", "Nie", "NSRB", (Role.QA_MANAGER,), name_zh="聂鹏"),
    UserSpec("committee", "Lixin", "Zhao", "NSRB", (Role.ACCESS_COMMITTEE,), name_zh="赵立新"),
    UserSpec(
        "doccontrol", "Jing", "Xu", "NSRB", (Role.DOCUMENT_CONTROLLER,), name_zh="徐静"
    ),
    UserSpec("trainer", "Qiang", "Guo", "NSRB", (Role.TRAINER,), name_zh="郭强"),
    UserSpec("researcher", "Na", "Li", "LUIC", (Role.RESEARCHER,), name_zh="李娜"),
    UserSpec(
        "coordinator", "Haifeng", "Zhou", "UHTC", (Role.SEARCH_COORDINATOR,), name_zh="周海峰"
    ),
    UserSpec("luic-curator", "Xiaoyan", "Sun", "LUIC", (Role.CURATOR,), name_zh="孙晓燕"),
    UserSpec("luic-admin", "Zhiqiang", "Wu", "LUIC", (Role.INSTITUTION_ADMIN,), name_zh="吴志强"),
    UserSpec(
        "irmr-curator", "Xue", "Zheng", "IRMR", (Role.CURATOR, Role.RESEARCHER), name_zh="郑雪"
    ),
    UserSpec("irmr-researcher", "Lei", "Huang", "IRMR", (Role.RESEARCHER,), name_zh="黄磊"),
    UserSpec("cord-tech", "Lihua", "Ma", "NCBB", (Role.BANK_TECHNICIAN,), name_zh="马丽华"),
    UserSpec("cord-qa", "Fan", "Yang", "NCBB", (Role.QA_MANAGER,), name_zh="杨帆"),
)


def create_institutions() -> dict[str, Institution]:
    institutions = {}
    for spec in INSTITUTIONS:
        institution = Institution(
            name=spec.name,
            name_zh=spec.name_zh,
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
            name_zh=spec.name_zh,
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
        first_name="Yuan",
        last_name="Gao",
        name_zh="高远",
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
