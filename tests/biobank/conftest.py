import pytest

from tests.biobank.storage import published_line, storage_tree


@pytest.fixture
def tree(users):
    return storage_tree(users["bank_technician"])


@pytest.fixture
def line(users):
    return published_line(users)
