"""Resident ID numbers at the window (#10.1): every number with the right shape, a real birth
date and a matching GB 11643 check character is accepted, whatever its region code says
about the birth year; an unknown region code is only a word to the clerk."""
from __future__ import annotations

from datetime import date

import pytest
from stdnum.iso7064 import mod_11_2

from hall import numbers
from hall.errors import IdNumberBirthDate, IdNumberMistyped, InvalidIdNumber
from test_division_console import accept, as_user, at_window, frozen  # noqa: F401

TODAY = date(2026, 11, 23)
# Genuine Harbin numbers refused before: the district codes date from 2006 (香坊区 230110)
# and 1983 (道里区 230102), after these holders were born; the code is where the number
# was issued.
XIANGFANG_1965 = "230110196505051232"
DAOLI_1978 = "230102197808081230"


def with_check(body: str) -> str:
    return body + mod_11_2.calc_check_digit(body)


VALID = [
    XIANGFANG_1965,
    DAOLI_1978,
    with_check("23011019900505123"),            # the same district, born 1990 (ends in X)
    with_check("11010519491231002"),            # Beijing 朝阳区, born 1949
    with_check("44030420000229001"),            # born on 29 February of a leap year
    with_check("99000019800101001"),            # no known region: accepted, with a word
]
INVALID = [
    ("", InvalidIdNumber),
    ("23011019650505123", InvalidIdNumber),                    # 17 characters
    ("2301101965050512322", InvalidIdNumber),                  # 19
    ("23011019650505123Y", InvalidIdNumber),                   # a letter that is not X
    ("X30110196505051232", InvalidIdNumber),
    (with_check("23011019650230123"), IdNumberBirthDate),      # 30 February
    (with_check("23011019651305123"), IdNumberBirthDate),      # month 13
    (with_check("23011020270101123"), IdNumberBirthDate),      # born next year
    (with_check("23011018890101123"), IdNumberBirthDate),      # before 1900
    (XIANGFANG_1965[:-1] + "3", IdNumberMistyped),             # a wrong check character
    ("230110196505052132", IdNumberMistyped),                  # two neighbours swapped
]


@pytest.mark.parametrize("number", VALID)
def test_numbers_with_a_right_check_character_and_birth_date_are_accepted(number):
    assert numbers.parse_resident_id(number, TODAY) == number
    assert numbers.parse_resident_id(number.lower().replace("X", "x"), TODAY) == number
    assert numbers.parse_resident_id(f" {number[:6]} {number[6:14]} {number[14:]} ",
                                     TODAY) == number


@pytest.mark.parametrize("number, error", INVALID)
def test_a_wrong_shape_date_or_check_character_is_refused_with_its_reason(number, error):
    with pytest.raises(error) as caught:
        numbers.parse_resident_id(number, TODAY)
    assert caught.value.code == "invalid-id-number"


def test_every_single_mistyped_digit_is_caught():
    for position in range(17):
        for digit in "0123456789":
            if digit == DAOLI_1978[position]:
                continue
            typo = DAOLI_1978[:position] + digit + DAOLI_1978[position + 1:]
            with pytest.raises(InvalidIdNumber):
                numbers.parse_resident_id(typo, TODAY)


def test_a_region_code_unknown_to_the_lists_is_only_reported():
    assert numbers.region_known(XIANGFANG_1965) and numbers.region_known(DAOLI_1978)
    assert not numbers.region_known(with_check("99000019800101001"))


@pytest.mark.parametrize("number", [XIANGFANG_1965, DAOLI_1978])
def test_the_two_harbin_numbers_are_accepted_at_the_window(app, frozen, number):  # noqa: F811
    clerk = as_user(app, "clerk03")
    at_window(clerk)
    r = accept(clerk, applicant_id_no=number)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["case"]["warnings"] == [] and "身份证" not in body["message"]


def test_an_unknown_region_is_a_word_to_the_clerk_not_a_refusal(app, frozen):  # noqa: F811
    clerk = as_user(app, "clerk03")
    at_window(clerk)
    r = accept(clerk, json=False, applicant_id_no=with_check("99000019800101001"))
    assert r.status_code == 302
    page = clerk.get("/hall/HQ/windows/3").get_data(as_text=True)
    assert "已受理" in page and "不是已知的行政区划代码" in page
    case_page = clerk.get("/hall/HQ/cases/1").get_data(as_text=True)
    assert "data-id-warning" in case_page


def test_a_birth_date_that_does_not_exist_says_so(app, frozen):  # noqa: F811
    clerk = as_user(app, "clerk03")
    at_window(clerk)
    r = accept(clerk, applicant_id_no=with_check("23011019650230123"))
    assert (r.status_code, r.get_json()["code"]) == (422, "invalid-id-number")
    assert "出生日期" in r.get_json()["message"] and "19650230" in r.get_json()["message"]
