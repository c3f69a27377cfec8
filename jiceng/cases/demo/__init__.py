"""The demo county's year of cases (办件), loaded by `manage.py seed_demo`: tables in texts.py, loader in history.py."""

from .history import CASES, KEY_PREFIX, seed

__all__ = ["CASES", "KEY_PREFIX", "seed"]
