"""Masking personal data for display."""

from __future__ import annotations

import pytest

from jiceng.lib.masking import mask_id_number, mask_phone


def test_an_id_number_keeps_only_the_first_four_and_last_four_characters():
    assert mask_id_number("410102198501121234") == "4101**********1234"


def test_an_id_number_ending_in_x_keeps_the_x():
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_a_masked_id_number_keeps_its_length():
    assert len(mask_id_number("410102198501121234")) == 18
    assert mask_id_number("410102850112123") == "4101*******2123"  # old 15-digit number


@pytest.mark.parametrize("value", ["12345678", "1234", "1"])
def test_a_short_id_value_is_hidden_entirely(value):
    assert mask_id_number(value) == "*" * len(value)


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_id_number_masks_to_an_empty_string(value):
    assert mask_id_number(value) == ""


def test_a_mobile_number_shows_the_first_three_and_last_four_digits():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("13800001234") == "138****1234"


def test_a_landline_keeps_only_its_last_four_digits():
    assert mask_phone("0396-2345678") == "********5678"


@pytest.mark.parametrize("value", ["1234", "110", "9"])
def test_a_short_phone_value_is_hidden_entirely(value):
    assert mask_phone(value) == "*" * len(value)


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_phone_masks_to_an_empty_string(value):
    assert mask_phone(value) == ""
