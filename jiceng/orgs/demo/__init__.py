"""The demo county (示范县) loaded by `manage.py seed_demo`: tables in data.py, loader in seed.py."""

from .data import COUNTY_CODE, DEMO_ACCOUNTS, DEMO_PASSWORD, EXISTS_MESSAGE, ZHANGDIAN_APPROVED
from .seed import SeedError, seed

__all__ = ["COUNTY_CODE", "DEMO_ACCOUNTS", "DEMO_PASSWORD", "EXISTS_MESSAGE", "ZHANGDIAN_APPROVED", "SeedError", "seed"]
