"""Demo data for `stemhub demo`: institutions, a user for every role and 70-odd cell lines."""

from stemhub.accounts.demo import DEMO_PASSWORD, DEMO_PROVIDER_CODES, USERS
from stemhub.registry.demo.loader import (
    DemoSummary,
    demo_is_loaded,
    demo_load,
    demo_summary,
    logins_table,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_PROVIDER_CODES",
    "USERS",
    "DemoSummary",
    "demo_is_loaded",
    "demo_load",
    "demo_summary",
    "logins_table",
]
