"""统一社会信用代码 (GB 32100-2015): validation and normalisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.lib.validators import build_credit_code, check_credit_code

# Written out here, independently of the module, from GB 32100-2015 §5: the 31 code characters
# (digits and upper-case letters without I, O, Z, S, V), weights W_i = 3^(i-1) mod 31,
# check value C18 = 31 - (Σ C_i·W_i mod 31), where 31 is written as 0.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def independent_check_char(first17: str) -> str:
    assert len(first17) == 17
    total = sum(CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    value = 31 - total % 31
    return CHARSET[0 if value == 31 else value]


def complete(first17: str) -> str:
    return first17 + independent_check_char(first17)


def error_of(raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        check_credit_code(raw)
    return exc.value


def message_of(err: ValidationError) -> str:
    return " ".join(err.messages)


# Published codes, each verified by independent_check_char below before the module is asked:
PUBLISHED = [
    "91350100M000100Y43",  # the worked example in GB 32100-2015
    "914403001922038216",  # 华为技术有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass_the_independent_check(code):
    assert independent_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", PUBLISHED)
def test_it_accepts_published_codes(code):
    assert check_credit_code(code) == code


def test_it_rejects_a_wrong_check_character_and_names_the_expected_one():
    err = error_of("91350100M000100Y4X")
    assert err.code == "checksum"
    assert "应为“3”" in message_of(err)
    assert "“X”" in message_of(err)


def test_a_check_value_of_31_is_written_as_zero():
    body = next(f"9135010000000{n:04d}" for n in range(10000) if independent_check_char(f"9135010000000{n:04d}") == "0")
    assert check_credit_code(body + "0") == body + "0"
    err = error_of(body + "1")
    assert err.code == "checksum"
    assert "应为“0”" in message_of(err)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_it_rejects_the_forbidden_letters_and_names_them(letter):
    code = "91350100M000100Y43"
    raw = code[:9] + letter + code[10:]
    err = error_of(raw)
    assert err.code == "format"
    assert letter in message_of(err)


def test_it_names_every_forbidden_character_once():
    err = error_of("91350100MOOI00SY43")
    message = message_of(err)
    assert err.code == "format"
    for letter in "IOS":
        assert letter in message.split("（")[0]
    assert message.split("（")[0].count("O") == 1


@pytest.mark.parametrize("raw", ["91350100M000100Y4", "91350100M000100Y433", "9135", "91350100M000100Y43" * 2])
def test_it_rejects_a_wrong_length_and_says_how_long_the_input_was(raw):
    err = error_of(raw)
    assert err.code == "length"
    assert f"当前为{len(raw)}位" in message_of(err)


def test_it_rejects_a_blank_value_as_required():
    assert error_of("").code == "required"
    assert error_of("  ").code == "required"


def test_it_accepts_lower_case_and_normalises_to_upper_case():
    assert check_credit_code("91350100m000100y43") == "91350100M000100Y43"
    assert check_credit_code(" 91110108551385082q ") == "91110108551385082Q"


@pytest.mark.parametrize("first", ["0", "B", "C", "K", "X"])
def test_it_rejects_an_unknown_registration_authority(first):
    raw = complete(first + "1350100M000100Y4")
    err = error_of(raw)
    assert err.code == "authority"
    assert f"“{first}”" in message_of(err)


@pytest.mark.parametrize("first", list("123456789ANY"))
def test_it_accepts_every_registration_authority_of_the_standard(first):
    raw = complete(first + "1350100M000100Y4")
    assert check_credit_code(raw) == raw


def test_it_rejects_letters_in_the_administrative_division_code():
    raw = complete("9135A100M000100Y4")
    assert error_of(raw).code == "region"


AUTHORITIES = "123456789ANY"


@settings(max_examples=200, deadline=None)
@given(
    authority=st.sampled_from(AUTHORITIES),
    kind=st.sampled_from("123459"),
    region=st.from_regex(r"[0-9]{6}", fullmatch=True),
    org_code=st.text(alphabet=CHARSET, min_size=9, max_size=9),
    other=st.sampled_from(CHARSET),
)
def test_any_built_code_is_accepted_and_any_other_check_character_fails(authority, kind, region, org_code, other):
    code = build_credit_code(authority, kind, region, org_code)
    assert code[:17] == f"{authority}{kind}{region}{org_code}"
    assert code[17] == independent_check_char(code[:17])
    assert check_credit_code(code) == code
    assert check_credit_code(code.lower()) == code

    if other != code[17]:
        err = error_of(code[:17] + other)
        assert err.code == "checksum"
        assert f"应为“{code[17]}”" in message_of(err)
