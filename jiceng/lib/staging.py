"""Uploaded files kept between 预检 (dry run) and 确认导入: saved under MEDIA_ROOT/imports/<area>/<token>/.

The token travels in the user's session, so one user cannot confirm another's upload.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings


def folder(area: str, token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad token")
    return Path(settings.MEDIA_ROOT) / "imports" / area / token


def stage(area: str, uploads: dict) -> tuple[str, Path]:
    """Save {file name: UploadedFile} and return (token, folder)."""
    token = secrets.token_hex(8)
    target = folder(area, token)
    target.mkdir(parents=True, exist_ok=True)
    for name, upload in uploads.items():
        with open(target / name, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return token, target
