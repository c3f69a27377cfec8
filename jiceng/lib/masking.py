"""Masking of personal data for display: only the parts a role needs are shown."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """4101**********1234: keep the first four and last four characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****1234 for mobile numbers; other numbers keep only their last four digits."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_address(value: str | None, keep: int = 6) -> str:
    """Keep the first characters of an address (the district and street), hide the rest."""
    if not value:
        return ""
    if len(value) <= keep:
        return value
    return value[:keep] + "*" * min(len(value) - keep, 8)


def mask_name(value: str | None) -> str:
    """张** : keep the family name."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
