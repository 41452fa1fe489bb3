"""Chinese resident identity numbers (GB 11643-1999), mainland phone numbers, unified social credit
codes (GB 32100-2015), and how each of them and a child's name is masked: the one home of these rules."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import DomainError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def check_digit(first17: str) -> str:
    """The 18th character: ISO 7064 MOD 11-2 over the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def id_number_problem(value: str, *, today: date | None = None) -> str | None:
    """Why `value` is not a valid resident ID number, or None. Reasons are stable codes."""
    value = normalise_id_number(value)
    if not _ID_RE.match(value):
        return "format"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    if born > (today or date.today()) or born.year < 1880:
        return "birth_date"
    if check_digit(value[:17]) != value[17]:
        return "checksum"
    return None


def birth_date_of(value: str) -> date:
    value = normalise_id_number(value)
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_of(value: str) -> str:
    """'M' or 'F': the 17th digit is odd for men, even for women."""
    return "M" if int(normalise_id_number(value)[16]) % 2 else "F"


def make_id_number(region: str, born: date, sequence: int, gender: str) -> str:
    """A valid ID number (for demo and benchmark data): sequence 0–499, parity set by gender."""
    seq = sequence * 2 + (1 if gender == "M" else 0)
    first17 = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_digit(first17)


def phone_problem(value: str) -> str | None:
    """Why `value` is not a mainland mobile number (11 digits from 13–19), or None."""
    return None if _PHONE_RE.match(value.strip()) else "format"


_LANDLINE_RE = re.compile(r"^(010|02\d|0[3-9]\d{2})-?([2-9]\d{6,7})(?:-(\d{1,6}))?$")
_LOCAL_RE = re.compile(r"^[2-9]\d{6,7}$")
_SERVICE_RE = re.compile(r"^([48]00)-?(\d{3})-?(\d{4})$")


def normalise_phone(value: str, *, mobile_only: bool = False) -> str | None:
    """A phone number in its one written form (13800138000; 0757-86001234, with an extension
    0757-86001234-801; an 8-digit local number; 400-123-4567), "" when nothing was typed, None when it
    is no such number. `mobile_only`: only a mobile number will do."""
    raw = re.sub(r"[\s()（）]", "", value or "")
    if not raw:
        return ""
    digits = raw.replace("-", "")
    if digits.startswith("1"):
        return digits if phone_problem(digits) is None else None
    if mobile_only:
        return None
    if m := _LANDLINE_RE.match(raw) or _LANDLINE_RE.match(digits):
        area_code, number, extension = m.groups()
        return f"{area_code}-{number}" + (f"-{extension}" if extension else "")
    if _LOCAL_RE.match(digits):
        return digits
    if m := _SERVICE_RE.match(raw):
        return "-".join(m.groups())
    return None


def clean_phone(value: str, *, field: str = "phone", mobile_only: bool = False, code: str = "") -> str:
    """The number as normalise_phone writes it, or a DomainError on `field` (code `<field>_format`
    unless given): every form and API that takes a phone number checks it here."""
    phone = normalise_phone(value, mobile_only=mobile_only)
    if phone is not None:
        return phone
    message = (
        _("A mobile number has 11 digits and begins with 13–19.")
        if mobile_only
        else _(
            "Enter a mobile number (11 digits, beginning with 13–19) "
            "or a landline with its area code, e.g. 0757-86001234."
        )
    )
    raise DomainError(message, code=code or f"{field}_format", fields={field: "format"})


def mask_id_number(value: str) -> str:
    """110105********002X: region and last four, as shown on screens and exports."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def mask_name(name: str) -> str:
    """A child's name in the minimal form: its first character only, not even its length (李小明 → 李**)."""
    return name[:1] + "**" if name else ""


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_problem(value: str) -> str | None:
    """Why `value` is not a unified social credit code (GB 32100-2015), or None."""
    value = value.strip().upper()
    if not _USCC_RE.match(value):
        return "format"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return None if _USCC_CHARS[check] == value[17] else "checksum"
