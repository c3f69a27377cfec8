"""Validators for Chinese identifiers: 居民身份证号 (GB 11643), 统一社会信用代码 (GB 32100), 手机号.

Each `parse_*`/`check_*` function raises `django.core.exceptions.ValidationError` with a Chinese
message that tells the user what exactly is wrong, so forms, the API and Excel imports all say the
same thing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError


def _ascii(raw: str | None) -> str:
    """Full-width digits and letters (１２３Ｘ), common in pasted text, become ASCII; other digits stay and fail."""
    return unicodedata.normalize("NFKC", raw or "").strip()


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# The first two digits of an ID number are a province-level code (GB/T 2260).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    sex: str  # "男" or "女"
    region_code: str


def id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-character 居民身份证号 and derive birth date and sex from it."""
    value = _ascii(raw).upper()
    if not value:
        raise ValidationError("请填写身份证号。", code="required")
    if len(value) != 18:
        raise ValidationError(f"身份证号应为18位，当前为{len(value)}位。", code="length")
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或X。", code="format")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(f"身份证号的地址码“{value[:6]}”不是有效的省级代码开头。", code="region")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号中的出生日期“{value[6:14]}”不是有效日期。", code="birth") from None
    today = today or date.today()
    if birth > today or birth.year < 1900:
        raise ValidationError(f"身份证号中的出生日期“{value[6:14]}”不合理。", code="birth")
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            f"身份证号校验位错误：最后一位应为“{expected}”，填写的是“{value[17]}”。请核对号码。",
            code="checksum",
        )
    sex = "男" if int(value[16]) % 2 == 1 else "女"
    return IdNumber(value=value, birth_date=birth, sex=sex, region_code=value[:6])


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门代码 (GB 32100-2015): 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教,
# 8 工会, 9 市场监管(工商), A 中央军委改革和编制办公室, N 农业, Y 其他.
CREDIT_AUTHORITIES = frozenset("123456789ANY")


def credit_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(raw: str) -> str:
    """Validate an 18-character 统一社会信用代码 and return it normalised to upper case."""
    value = _ascii(raw).upper()
    if not value:
        raise ValidationError("请填写统一社会信用代码。", code="required")
    if len(value) != 18:
        raise ValidationError(f"统一社会信用代码应为18位，当前为{len(value)}位。", code="length")
    bad = sorted({c for c in value if c not in CREDIT_CHARS})
    if bad:
        raise ValidationError(
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）。", code="format"
        )
    if value[0] not in CREDIT_AUTHORITIES:
        raise ValidationError(f"统一社会信用代码第1位“{value[0]}”不是有效的登记管理部门代码。", code="authority")
    if not re.fullmatch(r"[0-9]{6}", value[2:8]):
        raise ValidationError("统一社会信用代码第3至8位应为行政区划代码（6位数字）。", code="region")
    expected = credit_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            f"统一社会信用代码校验位错误：第18位应为“{expected}”，填写的是“{value[17]}”。请核对代码。",
            code="checksum",
        )
    return value


def check_mobile(raw: str) -> str:
    """Validate an 11-digit mainland mobile number; return it without spaces or dashes."""
    value = re.sub(r"[\s-]", "", _ascii(raw))
    if value.startswith("+86"):
        value = value[3:]
    if not re.fullmatch(r"1[3-9][0-9]{9}", value):
        raise ValidationError("手机号应为以1开头的11位数字。", code="mobile")
    return value


def check_region_code(raw: str) -> str:
    """Validate a 12-digit 统计用区划代码."""
    value = _ascii(raw)
    if not re.fullmatch(r"[0-9]{12}", value):
        raise ValidationError("统计用区划代码应为12位数字。", code="region_code")
    return value


def build_id_number(region_code: str, birth_date: date, sequence: int) -> str:
    """Compose a valid ID number (for demo data and tests): odd `sequence` is male, even female."""
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)


def build_credit_code(authority: str, kind: str, region_code: str, org_code: str) -> str:
    """Compose a valid 统一社会信用代码 from its parts (for demo data and tests)."""
    first17 = f"{authority}{kind}{region_code}{org_code}"
    return first17 + credit_check_char(first17)
