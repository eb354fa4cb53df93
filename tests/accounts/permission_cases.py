"""Who may open the members pages: accounts.manage_members in the institution (its institution
admin) and platform admins; the list of every institution is for platform admins only."""

from tests.permissions import Page

MANAGERS = {"institution_admin", "platform_admin"}

PAGE_CASES = [
    Page("institutions", "/accounts/institutions/", {"platform_admin"}),
    Page("members", "/accounts/institutions/NSCB/members/", MANAGERS),
    Page("member_new", "/accounts/institutions/NSCB/members/new/", MANAGERS),
    Page("member", "/accounts/institutions/NSCB/members/researcher/", MANAGERS),
    Page(
        "member_action",
        "/accounts/institutions/NSCB/members/researcher/grant/",
        MANAGERS,
        method="POST",
        data={"role": "curator"},
    ),
]
