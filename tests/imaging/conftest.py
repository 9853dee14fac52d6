import pytest

from tests.imaging.factory import make_admin


@pytest.fixture
def admin():
    return make_admin()
