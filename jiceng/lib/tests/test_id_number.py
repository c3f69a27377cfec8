"""居民身份证号 (GB 11643-1999): validation, normalisation and what the number says about its holder."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.lib.validators import build_id_number, parse_id_number

# Written out here, independently of the module: ISO 7064 MOD 11-2 as GB 11643 states it.
# Weight of position i (1-based from the left) is 2^(18-i) mod 11; the check value is (12 - S mod 11) mod 11,
# written as "X" when it is 10.


def independent_check_char(first17: str) -> str:
    assert len(first17) == 17 and first17.isascii() and first17.isdigit()
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def complete(first17: str) -> str:
    return first17 + independent_check_char(first17)


def error_of(raw: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        parse_id_number(raw, **kwargs)
    return exc.value


def message_of(err: ValidationError) -> str:
    return " ".join(err.messages)


PUBLISHED_EXAMPLE = "11010519491231002X"  # the example printed in GB 11643-1999


def test_the_independent_algorithm_reproduces_the_published_example():
    assert complete(PUBLISHED_EXAMPLE[:17]) == PUBLISHED_EXAMPLE


def test_it_accepts_the_published_example_and_derives_birth_date_sex_and_region():
    parsed = parse_id_number(PUBLISHED_EXAMPLE)
    assert parsed.value == PUBLISHED_EXAMPLE
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "女"  # 17th digit 2 is even
    assert parsed.region_code == "110105"


@pytest.mark.parametrize(
    ("region", "birth", "sequence"),
    [
        ("411799", date(1985, 1, 12), 11),
        ("410102", date(2000, 2, 29), 240),
        ("440305", date(1970, 7, 1), 7),
        ("650102", date(1931, 10, 9), 998),
    ],
)
def test_it_accepts_numbers_built_with_build_id_number(region, birth, sequence):
    number = build_id_number(region, birth, sequence)
    assert number == complete(f"{region}{birth:%Y%m%d}{sequence:03d}")
    parsed = parse_id_number(number)
    assert parsed.value == number
    assert parsed.birth_date == birth
    assert parsed.region_code == region


@pytest.mark.parametrize(("sequence_digit", "sex"), [("1", "男"), ("3", "男"), ("9", "男"), ("0", "女"), ("4", "女")])
def test_it_derives_sex_from_the_parity_of_the_17th_digit(sequence_digit, sex):
    number = complete("41179919850112" + "01" + sequence_digit)
    assert parse_id_number(number).sex == sex


def test_it_rejects_a_wrong_check_digit_and_names_the_expected_character():
    wrong = PUBLISHED_EXAMPLE[:17] + "5"
    err = error_of(wrong)
    assert err.code == "checksum"
    assert "“X”" in message_of(err)
    assert "“5”" in message_of(err)


@pytest.mark.parametrize("expected_char", ["0", "7", "X"])
def test_the_checksum_message_names_whichever_character_is_expected(expected_char):
    # find a body whose check character is `expected_char`, then give it a different one
    body = next(
        f"41179919850112{n:03d}"
        for n in range(1000)
        if independent_check_char(f"41179919850112{n:03d}") == expected_char
    )
    given_char = "1" if expected_char != "1" else "2"
    err = error_of(body + given_char)
    assert err.code == "checksum"
    assert f"应为“{expected_char}”" in message_of(err)


@pytest.mark.parametrize("raw", [PUBLISHED_EXAMPLE[:17], PUBLISHED_EXAMPLE + "1", "41010219850112", "4"])
def test_it_rejects_a_wrong_length_and_says_how_long_the_input_was(raw):
    err = error_of(raw)
    assert err.code == "length"
    assert f"当前为{len(raw)}位" in message_of(err)


def test_it_rejects_a_blank_value_as_required():
    assert error_of("   ").code == "required"
    assert error_of("").code == "required"


@pytest.mark.parametrize(
    "raw", ["1101051949A231002X", "A1010519491231002X", "11010519491231002Y", "110105194912310-2X"]
)
def test_it_rejects_letters_or_symbols_in_the_body(raw):
    assert error_of(raw).code == "format"


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "raw",
    [
        PUBLISHED_EXAMPLE[:17].translate(FULL_WIDTH) + "X",
        PUBLISHED_EXAMPLE[:2] + PUBLISHED_EXAMPLE[2:17].translate(FULL_WIDTH) + "X",
        PUBLISHED_EXAMPLE[:16] + "٢" + "X",  # Arabic-Indic digit two
    ],
)
def test_it_never_returns_a_number_containing_non_ascii_digits(raw):
    """Full-width digits (common in pasted text and Excel) must not end up in the database.

    Either reject them or convert them to ASCII; storing them as they are breaks searching, uniqueness and masking.
    """
    try:
        parsed = parse_id_number(raw)
    except ValidationError:
        return
    assert parsed.value == PUBLISHED_EXAMPLE
    assert parsed.region_code.isascii()


@pytest.mark.parametrize("birth", ["19990230", "20010229", "19991301", "19990000", "19990431"])
def test_it_rejects_a_birth_date_that_does_not_exist(birth):
    err = error_of(complete(f"110105{birth}002"))
    assert err.code == "birth"
    assert birth in message_of(err)


def test_it_rejects_a_birth_date_in_the_future():
    number = complete("11010520260602002")
    err = error_of(number, today=date(2026, 6, 1))
    assert err.code == "birth"
    assert "20260602" in message_of(err)


def test_it_accepts_someone_born_today():
    number = complete("11010520260601002")
    assert parse_id_number(number, today=date(2026, 6, 1)).birth_date == date(2026, 6, 1)


def test_it_rejects_a_birth_year_before_1900():
    assert error_of(complete("11010518991231002")).code == "birth"


@pytest.mark.parametrize("province", ["00", "10", "19", "66", "99"])
def test_it_rejects_an_unknown_province_code(province):
    err = error_of(complete(f"{province}010519491231002"))
    assert err.code == "region"
    assert f"{province}0105" in message_of(err)


def test_it_accepts_a_lower_case_x_and_normalises_it_to_upper_case():
    parsed = parse_id_number("11010519491231002x")
    assert parsed.value == PUBLISHED_EXAMPLE


def test_it_strips_surrounding_spaces():
    assert parse_id_number(f"  {PUBLISHED_EXAMPLE}\n").value == PUBLISHED_EXAMPLE


REGIONS = ["110105", "310115", "411799", "410102", "440305", "510107", "650102", "820000"]


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    other=st.sampled_from("0123456789X"),
)
def test_any_built_number_parses_back_and_any_other_check_character_fails(region, birth, sequence, other):
    number = build_id_number(region, birth, sequence)
    assert len(number) == 18
    assert number[17] == independent_check_char(number[:17])

    parsed = parse_id_number(number)
    assert parsed.value == number
    assert parsed.birth_date == birth
    assert parsed.region_code == region
    assert parsed.sex == ("男" if sequence % 2 == 1 else "女")

    if other != number[17]:
        err = error_of(number[:17] + other)
        assert err.code == "checksum"
        assert f"应为“{number[17]}”" in message_of(err)
