"""The jobs tests run cord uploads: the cord blood tests' engine, bank and staff."""

from tests.cordblood.conftest import _engine, centre, cord_bank, cord_engine, people  # noqa: F401
