"""Back-dating history in tests: history rows are immutable (stemhub.audit.registry.IMMUTABLE),
so a test that needs events of some days ago lifts the guards for the block with the demo's own
tool, as only the database owner can."""

from stemhub.audit.triggers import history_rewritable

__all__ = ["history_rewritable"]
