"""Checks on what a user types into a deal: name, amount, currency, competitors."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from api.process import ProcessDefinitions
from api.services.failures import InvalidInput

MAX_AMOUNT = Decimal("999999999999.99")
MAX_NAME = 200

# ISO 4217 codes in use for B2B contracts; extend when a team sells in another currency.
CURRENCIES = frozenset({
    "AED", "ARS", "AUD", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP", "EUR", "GBP",
    "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PEN", "PHP",
    "PLN", "RON", "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "UAH", "USD", "VND", "ZAR",
})


def parse_name(value: str, *, field: str) -> str | InvalidInput:
    text = value.strip()
    if not text:
        return InvalidInput(field=field, message="must not be empty")
    if len(text) > MAX_NAME:
        return InvalidInput(field=field, message=f"must be at most {MAX_NAME} characters (got {len(text)})")
    return text


def parse_amount(value: str, *, field: str) -> Decimal | InvalidInput:
    try:
        amount = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return InvalidInput(field=field, message=f"{value!r} is not a number; write it like '12500.00'")
    if not amount.is_finite():
        return InvalidInput(field=field, message=f"{value!r} is not a finite number")
    if amount < 0:
        return InvalidInput(field=field, message=f"must not be negative (got {value})")
    if amount > MAX_AMOUNT:
        return InvalidInput(field=field, message=f"must be at most {MAX_AMOUNT} (got {value})")
    if amount != amount.quantize(Decimal("0.01")):
        return InvalidInput(field=field, message=f"at most two decimal places (got {value})")
    return amount.quantize(Decimal("0.01"))


def parse_currency(value: str, *, field: str) -> str | InvalidInput:
    code = value.strip()
    if code not in CURRENCIES:
        return InvalidInput(field=field, message=f"{value!r} is not a supported ISO 4217 currency code, e.g. 'EUR'")
    return code


def parse_competitors(
    keys: list[str], *, definitions: ProcessDefinitions, field: str
) -> tuple[str, ...] | InvalidInput:
    for index, key in enumerate(keys):
        if definitions.competitor(key) is None:
            known = ", ".join(c.key for c in definitions.competitors)
            return InvalidInput(field=f"{field}[{index}]", message=f"unknown competitor {key!r} (known: {known})")
    return tuple(dict.fromkeys(keys))


def parse_reason(value: str | None, *, field: str, required: bool) -> str | None | InvalidInput:
    text = (value or "").strip()
    if required and not text:
        return InvalidInput(field=field, message="a written reason is required")
    return text or None
