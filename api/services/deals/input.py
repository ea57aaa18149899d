"""Checks on what a user types into a deal: name, amount, currency, close date, competitors, notes and reasons."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from api.process import ProcessDefinitions
from api.services.deals.failures import InvalidInput

MAX_AMOUNT = Decimal("999999999999.99")
MAX_NAME = 200
MAX_TEXT = 4000
"""Notes and reasons: a few paragraphs."""
MAX_SEARCH = 200
"""Longer than any deal or account name a search could match."""
CLOSE_DATE_YEARS = 10
"""How far from today a close date may be, either way: further is a typo (1900, 2206), not a forecast."""

# PostgreSQL cannot store NUL in text, and no control character (C0 or C1) belongs in a name; notes keep tabs and
# newlines. Bidi overrides, embeddings and isolates make text display in another order than it is stored (a name
# that reads as someone else's); a lone UTF-16 surrogate is not a character at all and no database stores it.
_UNSTORABLE = "\ud800-\udfff"
_REORDERING = "\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_REORDERING}{_UNSTORABLE}]")
_CONTROL_BUT_WHITESPACE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_REORDERING}{_UNSTORABLE}]")
_PLAIN_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

# ISO 4217 codes in use for B2B contracts; extend when a team sells in another currency.
CURRENCIES = frozenset(
    {
        "AED",
        "ARS",
        "AUD",
        "BRL",
        "CAD",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CZK",
        "DKK",
        "EGP",
        "EUR",
        "GBP",
        "HKD",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "ISK",
        "JPY",
        "KRW",
        "MXN",
        "MYR",
        "NOK",
        "NZD",
        "PEN",
        "PHP",
        "PLN",
        "RON",
        "SAR",
        "SEK",
        "SGD",
        "THB",
        "TRY",
        "TWD",
        "UAH",
        "USD",
        "VND",
        "ZAR",
    }
)


def parse_name(value: str, *, field: str) -> str | InvalidInput:
    text = value.strip()
    if not text:
        return InvalidInput(field=field, message="must not be empty")
    if len(text) > MAX_NAME:
        return InvalidInput(field=field, message=f"must be at most {MAX_NAME} characters (got {len(text)})")
    if _CONTROL.search(text):
        return InvalidInput(
            field=field, message="must not contain control characters, text-direction overrides or broken characters"
        )
    if not any(_shows(char) for char in text):
        return InvalidInput(field=field, message="must contain a visible character, not only invisible ones")
    return text


def _shows(char: str) -> bool:
    """Whether a character is seen: not a format character (zero-width space or joiner, word joiner, BOM,
    soft hyphen, direction mark) nor white space."""
    return not char.isspace() and unicodedata.category(char) != "Cf"


def parse_amount(value: str, *, field: str) -> Decimal | InvalidInput:
    # Plain ASCII digits only: Python's Decimal would also read `1_000`, `1e3` and digits of other scripts.
    if not isinstance(value, str) or not _PLAIN_AMOUNT.fullmatch(value.strip()):
        return InvalidInput(field=field, message=f"{value!r} is not a number; write it like '12500.00'")
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        return InvalidInput(field=field, message=f"{value!r} is not a number; write it like '12500.00'")
    if not amount.is_finite():
        return InvalidInput(field=field, message=f"{value!r} is not a finite number")
    if amount < 0:
        return InvalidInput(field=field, message=f"must not be negative (got {value})")
    if amount > MAX_AMOUNT:
        return InvalidInput(field=field, message=f"must be at most {MAX_AMOUNT} (got {value})")
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # an exponent too small for the context's precision, e.g. 1e-999999999
        cents = None
    if cents is None or amount != cents:
        return InvalidInput(field=field, message=f"at most two decimal places (got {value})")
    return cents + 0  # `-0` becomes `0.00`


def parse_currency(value: str, *, field: str) -> str | InvalidInput:
    code = value.strip()
    if code not in CURRENCIES:
        return InvalidInput(field=field, message=f"{value!r} is not a supported ISO 4217 currency code, e.g. 'EUR'")
    return code


def parse_close_date(value: date, *, field: str, today: date) -> date | InvalidInput:
    earliest, latest = years_from(today, -CLOSE_DATE_YEARS), years_from(today, CLOSE_DATE_YEARS)
    if not earliest <= value <= latest:
        return InvalidInput(
            field=field,
            message=f"{value.isoformat()} is more than {CLOSE_DATE_YEARS} years from today; "
            f"give a day from {earliest.isoformat()} to {latest.isoformat()}",
        )
    return value


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def parse_competitors(
    keys: list[str], *, definitions: ProcessDefinitions, field: str
) -> tuple[str, ...] | InvalidInput:
    for index, key in enumerate(keys):
        if definitions.competitor(key) is None:
            known = ", ".join(c.key for c in definitions.competitors)
            return InvalidInput(field=f"{field}[{index}]", message=f"unknown competitor {key!r} (known: {known})")
    return tuple(dict.fromkeys(keys))


def parse_note(value: str | None, *, field: str) -> str | None | InvalidInput:
    """Free text a person writes (a note, a reason): trimmed, at most MAX_TEXT characters; None when empty."""
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        return InvalidInput(field=field, message=f"must be at most {MAX_TEXT} characters (got {len(text)})")
    if _CONTROL_BUT_WHITESPACE.search(text):
        return InvalidInput(
            field=field,
            message="must not contain control characters other than tabs and newlines, text-direction overrides "
            "or broken characters",
        )
    return text or None


def parse_search(value: str | None, *, field: str) -> str | None | InvalidInput:
    """Search text: at most MAX_SEARCH characters, nothing a name could not hold; None when empty."""
    text = (value or "").strip()
    if len(text) > MAX_SEARCH:
        return InvalidInput(field=field, message=f"must be at most {MAX_SEARCH} characters (got {len(text)})")
    if re.search(f"[{_UNSTORABLE}]", text):
        return InvalidInput(field=field, message="must not contain broken characters (lone UTF-16 surrogates)")
    return text or None


def parse_reason(value: str | None, *, field: str, required: bool) -> str | None | InvalidInput:
    text = parse_note(value, field=field)
    if required and text is None:
        return InvalidInput(field=field, message="a written reason is required")
    return text
