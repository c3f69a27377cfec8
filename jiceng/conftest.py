"""Names tests import; the fixtures themselves live in jiceng/fixtures.py (see the root conftest.py)."""

from jiceng.fixtures import PASSWORD, make_person, make_user

__all__ = ["PASSWORD", "make_person", "make_user"]
