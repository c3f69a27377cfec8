"""Checks for uploaded photos: the content must really be an image of an accepted type, and not too big."""

from __future__ import annotations

from django.conf import settings

from jiceng.lib.errors import DomainError

# Magic bytes of the accepted image formats; the declared type and the file name are not trusted.
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(upload) -> str:
    """Return the real content type, or raise a Chinese error naming the file."""
    limit = settings.CASE_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise DomainError(f"照片“{upload.name}”超过{limit // (1024 * 1024)}MB，请压缩后再上传。", field="photos")
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise DomainError(f"“{upload.name}”不是JPG、PNG或WebP格式的照片。", field="photos")
    return content_type
