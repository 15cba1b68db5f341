"""Service numbers: unique by construction, readable, and a mistyped one is caught at once."""
from datetime import date

import pytest

from hall import numbers
from hall.errors import InvalidServiceNumber, ServiceNumberMistyped

ALPHABET = "0123456789X"


def sample_numbers():
    """Service numbers across days, halls and visits, including ones ending in X."""
    out = [numbers.service_number(date(2026, m, d), node, serial)
           for m, d in [(1, 1), (2, 13), (9, 18), (12, 31)]
           for node in (1, 101, 999)
           for serial in (1, 42, 99_999)]
    serial = 1
    while not any(n.endswith("X") for n in out):
        out.append(numbers.service_number(date(2026, 11, 22), 1, serial))
        serial += 1
    return out


@pytest.mark.parametrize("number", sample_numbers())
def test_every_single_substitution_is_caught(number):
    for position in range(len(number)):
        for replacement in ALPHABET:
            if replacement == number[position]:
                continue
            typo = number[:position] + replacement + number[position + 1:]
            assert not numbers.is_service_number(typo), (number, typo)


@pytest.mark.parametrize("number", sample_numbers())
def test_every_adjacent_swap_is_caught(number):
    for position in range(len(number) - 1):
        a, b = number[position], number[position + 1]
        if a == b:
            continue  # swapping two equal characters changes nothing
        swapped = number[:position] + b + a + number[position + 2:]
        assert not numbers.is_service_number(swapped), (number, swapped)


def test_a_mistyped_number_says_so_and_a_malformed_one_says_what_shape_is_expected():
    good = numbers.service_number(date(2026, 11, 22), 1, 42)
    typo = good[:-2] + ("1" if good[-2] != "1" else "2") + good[-1]
    with pytest.raises(ServiceNumberMistyped):
        numbers.parse_service_number(typo)
    for malformed in ["", "12345", good + "0", "A" + good[1:], good[:-1] + "Y"]:
        with pytest.raises(InvalidServiceNumber) as caught:
            numbers.parse_service_number(malformed)
        assert not isinstance(caught.value, ServiceNumberMistyped)


def test_typed_with_spaces_hyphens_or_lower_case_x_is_still_read():
    ending_in_x = next(n for n in sample_numbers() if n.endswith("X"))
    typed = numbers.grouped(ending_in_x).replace("-", " ").lower()
    assert numbers.parse_service_number(typed) == ending_in_x
    assert numbers.parse_service_number(numbers.grouped(ending_in_x)) == ending_in_x


def test_numbers_are_unique_across_halls_days_and_visits_and_short_enough_to_read():
    seen = {numbers.service_number(date(2026, 11, day), node, serial)
            for day in (22, 23) for node in (1, 2, 101) for serial in range(1, 200)}
    assert len(seen) == 2 * 3 * 199
    assert all(len(n) == 15 for n in seen)


def test_access_codes_avoid_characters_misread_on_paper():
    codes = {numbers.new_access_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) >= 6 and not set(c) & set("01ILO") for c in codes)


def test_queue_numbers_have_at_least_three_digits():
    assert numbers.queue_number("A", 1) == "A001"
    assert numbers.queue_number("B", 1234) == "B1234"
