"""Resident ID, unified social credit code and phone checks.

The reference check characters below are computed from the published rules
(TECH-NOTES.md), independently of ``models.validators``, so a wrong weight or
table in the module makes these tests fail.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.validators import (
    InvalidValue,
    check_credit_code,
    check_id_number,
    check_phone,
    mask_id_number,
    normalise_phone,
)

CI = settings(max_examples=200, deadline=None)
TODAY = dt.date(2026, 11, 15)

DIGITS = "0123456789"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FULLWIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in DIGITS + "Xx-+"})


def reference_id_check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def reference_credit_check(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def make_id(prefix: str, birth: dt.date | str, seq: str) -> str:
    body = prefix + (birth if isinstance(birth, str) else birth.strftime("%Y%m%d")) + seq
    return body + reference_id_check(body)


def rejection(check, raw: str, **kwargs) -> str:
    """The Chinese message ``check`` refuses ``raw`` with."""
    with pytest.raises(InvalidValue) as info:
        check(raw, **kwargs)
    text = str(info.value.message)
    assert re.search(r"[\u4e00-\u9fff]", text), text
    assert str(info.value) == text
    return text


ids = st.builds(
    make_id,
    st.text(DIGITS, min_size=6, max_size=6),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.text(DIGITS, min_size=3, max_size=3),
)
codes = st.text(CREDIT_CHARSET, min_size=17, max_size=17).map(
    lambda body: body + reference_credit_check(body)
)


# --- resident ID: fixed examples ------------------------------------------------


def test_published_example_passes_with_birth_date_and_sex():
    result = check_id_number("11010519491231002X", today=TODAY)
    assert result.number == "11010519491231002X"
    assert result.birth_date == dt.date(1949, 12, 31)
    assert result.sex == "F"


def test_odd_sequence_digit_means_male():
    number = make_id("320102", "19900101", "123")
    assert check_id_number(number, today=TODAY).sex == "M"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５\u3000１９４９１２３１\u3000００２ｘ",
        "110105\t19491231\n002X",
    ],
)
def test_full_width_digits_spaces_and_lowercase_x_are_normalised(raw):
    assert check_id_number(raw, today=TODAY).number == "11010519491231002X"


def test_empty_is_refused():
    assert "为空" in rejection(check_id_number, "  ")


@pytest.mark.parametrize(("raw", "length"), [("11010519491231002", 17), ("11010519491231002X1", 19)])
def test_wrong_length_is_refused_saying_the_length(raw, length):
    text = rejection(check_id_number, raw, today=TODAY)
    assert "18 位" in text and f"{length} 位" in text


def test_letters_inside_are_refused():
    assert "数字" in rejection(check_id_number, "1101051949123100AX", today=TODAY)


def test_wrong_check_char_is_refused():
    assert "校验位" in rejection(check_id_number, "110105194912310021", today=TODAY)


def test_impossible_date_is_refused_naming_it():
    text = rejection(check_id_number, make_id("110105", "19990230", "002"), today=TODAY)
    assert "19990230" in text and "不存在" in text


def test_future_birth_date_is_refused():
    tomorrow = TODAY + dt.timedelta(days=1)
    text = rejection(check_id_number, make_id("110105", tomorrow, "002"), today=TODAY)
    assert tomorrow.isoformat() in text
    assert check_id_number(make_id("110105", TODAY, "002"), today=TODAY).birth_date == TODAY


def test_birth_before_1900_is_refused():
    assert "不合理" in rejection(check_id_number, make_id("110105", "18991231", "002"), today=TODAY)


def test_digits_of_other_scripts_are_refused():
    """Arabic-Indic digits match a Unicode ``\\d`` but are not an ID a register may store."""
    arabic = "".join(chr(0x0660 + int(c)) for c in "11010519491231002") + "X"
    rejection(check_id_number, arabic, today=TODAY)


# --- resident ID: properties -----------------------------------------------------


@CI
@given(ids)
def test_any_well_formed_id_passes_and_derives_birth_and_sex(number):
    result = check_id_number(number, today=TODAY)
    assert result.number == number
    assert result.birth_date.strftime("%Y%m%d") == number[6:14]
    assert result.sex == ("M" if int(number[16]) % 2 else "F")


@CI
@given(ids)
def test_lowercase_x_is_accepted_wherever_the_check_is_x(number):
    assert check_id_number(number.lower(), today=TODAY).number == number


def test_every_single_digit_change_changes_the_weighted_sum_mod_11():
    """Why a one-character slip is always caught: 11 is prime and no weight is 0 mod 11."""
    for weight in ID_WEIGHTS:
        for old in range(10):
            for new in range(10):
                if old != new:
                    assert (new - old) * weight % 11 != 0


@CI
@given(ids, st.integers(0, 17), st.sampled_from(DIGITS + "X"))
def test_any_single_character_substitution_is_refused(number, position, char):
    if number[position] == char:
        char = DIGITS[(DIGITS.index(char) + 1) % 10] if char != "X" else "0"
    changed = number[:position] + char + number[position + 1 :]
    assert changed != number
    with pytest.raises(InvalidValue):
        check_id_number(changed, today=TODAY)


# --- unified social credit code ---------------------------------------------------


def test_a_computed_social_organization_code_passes():
    code = "51320000MJ1234567" + reference_credit_check("51320000MJ1234567")
    assert check_credit_code(code) == code


@pytest.mark.parametrize(
    "decorate",
    [str.lower, lambda c: " ".join(c), lambda c: c.translate(FULLWIDTH)],
    ids=["lowercase", "spaced", "fullwidth-digits"],
)
def test_credit_code_is_normalised(decorate):
    code = "51320000MJ1234567" + reference_credit_check("51320000MJ1234567")
    assert check_credit_code(decorate(code)) == code


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_charset_are_refused_by_name(bad):
    text = rejection(check_credit_code, "51320000MJ123456" + bad + "0")
    assert bad in text


def test_credit_code_wrong_length_and_wrong_check_are_refused():
    assert "17 位" in rejection(check_credit_code, "51320000MJ1234567")
    code = "51320000MJ1234567" + reference_credit_check("51320000MJ1234567")
    wrong = CREDIT_CHARSET[(CREDIT_CHARSET.index(code[-1]) + 1) % 31]
    assert "校验位" in rejection(check_credit_code, code[:-1] + wrong)
    assert "为空" in rejection(check_credit_code, "")


@CI
@given(codes)
def test_any_well_formed_credit_code_passes(code):
    assert check_credit_code(code) == code
    assert check_credit_code(code.lower()) == code


def test_every_single_credit_char_change_changes_the_weighted_sum_mod_31():
    assert CREDIT_WEIGHTS == tuple(pow(3, i, 31) for i in range(17))
    for weight in CREDIT_WEIGHTS:
        for old in range(31):
            for new in range(31):
                if old != new:
                    assert (new - old) * weight % 31 != 0


@CI
@given(codes, st.integers(0, 17), st.sampled_from(CREDIT_CHARSET + "IOZSV"))
def test_any_single_credit_char_substitution_is_refused(code, position, char):
    if code[position] == char:
        char = CREDIT_CHARSET[(CREDIT_CHARSET.index(char) + 1) % 31]
    changed = code[:position] + char + code[position + 1 :]
    with pytest.raises(InvalidValue):
        check_credit_code(changed)


# --- phones ---------------------------------------------------------------------------


mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(DIGITS, min_size=9, max_size=9),
)


@st.composite
def decorated_mobiles(draw):
    """A mobile number as it arrives from sheets: grouped, prefixed, maybe full-width."""
    number = draw(mobiles)
    cuts = sorted(draw(st.sets(st.integers(1, 10), max_size=4)))
    parts = [number[i:j] for i, j in zip([0, *cuts], [*cuts, 11])]
    text = ""
    for part in parts:
        text += part + draw(st.sampled_from(["", " ", "-", "\u3000"]))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "+86-", "0086", "0086 ", "(+86)", "（+86）"]))
    text = prefix + text.rstrip(" -\u3000")
    if draw(st.booleans()):
        text = text.translate(FULLWIDTH)
    return number, text


@CI
@given(decorated_mobiles())
def test_decorated_mobiles_normalise_to_eleven_digits(case):
    number, text = case
    assert normalise_phone(text) == number
    assert check_phone(text) == number


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("0514-87654321", "0514-87654321"),
        ("051487654321", "051487654321"),
        ("010-12345678", "010-12345678"),
        ("0514-8765432", "0514-8765432"),
        ("0514-87654321-123", "0514-87654321-123"),
        (" 0514 - 87654321 ", "0514-87654321"),
        ("０５１４－８７６５４３２１", "0514-87654321"),
    ],
)
def test_landlines_pass(raw, clean):
    assert check_phone(raw) == clean


@pytest.mark.parametrize(
    "raw",
    ["abc", "12345", "138001380001", "1380013800", "0514-123", "+86", "电话", "514-87654321"],
)
def test_junk_is_refused(raw):
    rejection(check_phone, raw)


def test_mobile_with_impossible_second_digit_gets_the_mobile_message():
    assert "11 位" in rejection(check_phone, "12800138000")


def test_empty_phone_is_refused():
    assert "为空" in rejection(check_phone, " \u3000 ")


@pytest.mark.parametrize(
    "raw",
    ["13" + "".join(chr(0x0660 + int(c)) for c in "800138000"),
     "0514-" + "".join(chr(0x0660 + int(c)) for c in "87654321")],
)
def test_phones_with_digits_of_other_scripts_are_refused(raw):
    rejection(check_phone, raw)


@CI
@given(st.text(st.characters(exclude_categories=("Nd",)), max_size=20))
def test_text_without_digits_is_never_a_phone(raw):
    with pytest.raises(InvalidValue):
        check_phone(raw)


# --- masking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("320102199001011234", "320102********1234"),
        ("11010519491231002X", "110105********002X"),
        ("320102900101123", "320102*****1123"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


@CI
@given(ids)
def test_masking_keeps_region_and_last_four_only(number):
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "*" * 8
