"""Masking what a public page may show of a person."""
from __future__ import annotations

import pytest

from hall.privacy import mask_name, mask_phone


@pytest.mark.parametrize("name,shown", [
    ("张三丰", "张*丰"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("张", "*"),
    ("  李四  ", "李*"), ("", ""), (None, ""), ("John Smith", "J*** S****"),
])
def test_a_name_keeps_its_family_name_and_hides_the_rest(name, shown):
    assert mask_name(name) == shown


@pytest.mark.parametrize("phone,shown", [
    ("13812345678", "138****5678"), ("0451-8888 6666", "****-**** 6666"),
    ("+86 138 1234 5678", "+** *** **** 5678"), ("", ""), (None, ""), ("abc", ""),
])
def test_a_phone_keeps_only_enough_digits_to_be_recognised(phone, shown):
    assert mask_phone(phone) == shown


def test_a_masked_name_never_contains_the_given_name():
    assert "三丰" not in mask_name("张三丰") and "小明" not in mask_name("欧阳小明")
