"""Pluggable SMS backends: console and file for development; a provider's gateway in production.

Set SMS_BACKEND to the dotted path of a class with `send(phone, text) -> None` (raise to fail).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[短信] {phone}：{text}\n")


class FileBackend:
    """Appends one JSON line per message to SMS_FILE_PATH (var/sms.log by default)."""

    def send(self, phone: str, text: str) -> None:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            line = {"at": timezone.now().isoformat(), "phone": phone, "text": text}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def backend():
    return import_string(settings.SMS_BACKEND)()
