"""Friendly input → Twenty's composite field shapes, guided by the object's field metadata.

Shapes (contract examples 003, 020, 021, 050): ``name {firstName, lastName}`` (FULL_NAME),
``emails {primaryEmail, additionalEmails}`` (EMAILS), ``phones {primaryPhoneNumber,
primaryPhoneCountryCode, primaryPhoneCallingCode, additionalPhones}`` (PHONES),
``domainName {primaryLinkUrl, primaryLinkLabel, secondaryLinks}`` (LINKS),
``amount {amountMicros, currencyCode}`` (CURRENCY), ``bodyV2 {markdown}`` (RICH_TEXT in 2.21).

Friendly keys: ``firstName``/``lastName``, ``email``/``emails`` (str or list), ``phone``
(``"+33 6 12 34 56 78"``), ``domain``/``website``, ``linkedin``, ``amount`` + ``currency``,
``markdown``/``body``. A composite field given a plain value is wrapped too
(``{"domainName": "x.io"}``); dicts pass through untouched; other keys pass through as they are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import phonenumbers

from twenty_api.models import FieldInfo, ObjectInfo

RICH_TEXT_TYPES = ("RICH_TEXT_V2", "RICH_TEXT")


def markdown_body(markdown: str, field: str = "bodyV2") -> dict[str, Any]:
    """``{"bodyV2": {"markdown": ...}}`` — Twenty converts it to blocknote (example 050)."""
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a str, got {type(markdown).__name__}")
    return {field: {"markdown": markdown}}


MAX_AMOUNT = Decimal(2**53 // 1_000_000)  # 9,007,199,254 in major units


def to_micros(amount: Any) -> int:
    """Money in major units (12.5) → Twenty's amountMicros (12_500_000), exactly."""
    if isinstance(amount, bool):
        raise ValueError("amount must be a number, not a bool")
    try:
        value = Decimal(str(amount).replace("_", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"amount {amount!r} is not a number (e.g. 1200 or 1200.50)") from exc
    if not value.is_finite():
        raise ValueError(f"amount {amount!r} must be finite")
    if abs(value) > MAX_AMOUNT:
        # amountMicros travels as a JSON number: past 2**53 micros it is no longer exact.
        raise ValueError(f"amount {amount!r} is too large: at most {MAX_AMOUNT:,} in major units")
    return int((value * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def phone_shape(phone: str, default_region: str | None = None) -> dict[str, Any]:
    """``"+33 6 12 34 56 78"`` → ``{primaryPhoneNumber: "612345678", primaryPhoneCountryCode: "FR",
    primaryPhoneCallingCode: "+33"}`` (as example 020 stores it)."""
    if not isinstance(phone, str) or not phone.strip():
        raise ValueError("phone must be a non-empty string such as '+44 20 7946 0958'")
    text = phone.strip()
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        if default_region is None and not text.startswith("+"):
            # No country known: keep the digits as given rather than guess one.
            return {"primaryPhoneNumber": "".join(ch for ch in text if ch.isdigit())}
        raise ValueError(f"phone {phone!r} is not a phone number: {exc}") from exc
    region = phonenumbers.region_code_for_number(parsed)
    shape: dict[str, Any] = {
        "primaryPhoneNumber": str(parsed.national_number),
        "primaryPhoneCallingCode": f"+{parsed.country_code}",
    }
    if region and region != "ZZ":
        shape["primaryPhoneCountryCode"] = region
    return shape


def _first(obj: ObjectInfo, types: tuple[str, ...], preferred: str) -> FieldInfo | None:
    preferred_field = obj.field(preferred)
    if preferred_field is not None and preferred_field.type in types:
        return preferred_field
    candidates = [f for f in obj.fields_of_type(*types) if not f.is_system]
    return candidates[0] if candidates else None


def _require(obj: ObjectInfo, types: tuple[str, ...], preferred: str, friendly: str) -> FieldInfo:
    found = _first(obj, types, preferred)
    if found is None:
        raise ValueError(
            f"{obj.name_singular} has no {'/'.join(types)} field for {friendly!r}; "
            f"its fields are: {', '.join(sorted(f.name for f in obj.fields if not f.is_system))}"
        )
    return found


def _wrap(field: FieldInfo, value: Any, currency: str | None) -> Any:
    """Wrap a plain value into the composite shape of ``field``; dicts/None pass through."""
    if value is None or isinstance(value, dict):
        return value
    kind = field.type
    if kind == "FULL_NAME":
        first, _, last = str(value).strip().partition(" ")
        return {"firstName": first, "lastName": last.strip()}
    if kind == "EMAILS":
        if isinstance(value, list | tuple):
            emails = [str(v) for v in value]
            return {"primaryEmail": emails[0] if emails else "", "additionalEmails": emails[1:]}
        return {"primaryEmail": str(value)}
    if kind == "PHONES":
        return phone_shape(str(value))
    if kind == "LINKS":
        if isinstance(value, list | tuple):
            urls = [str(v) for v in value]
            return {
                "primaryLinkUrl": urls[0] if urls else "",
                "secondaryLinks": [{"url": u, "label": ""} for u in urls[1:]],
            }
        return {"primaryLinkUrl": str(value)}
    if kind == "CURRENCY":
        if not currency:
            raise ValueError(
                f"{field.name}={value!r} needs a currency: pass currency='EUR' (ISO 4217) along with it"
            )
        return {"amountMicros": to_micros(value), "currencyCode": currency.upper()}
    if kind in RICH_TEXT_TYPES:
        return {"markdown": str(value)}
    return value


_ALIASES: dict[str, tuple[tuple[str, ...], str]] = {
    "email": (("EMAILS",), "emails"),
    "phone": (("PHONES",), "phones"),
    "domain": (("LINKS",), "domainName"),
    "website": (("LINKS",), "domainName"),
    "linkedin": (("LINKS",), "linkedinLink"),
    "amount": (("CURRENCY",), "amount"),
    "markdown": (RICH_TEXT_TYPES, "bodyV2"),
    "body": (RICH_TEXT_TYPES, "bodyV2"),
}


def to_twenty_input(obj: ObjectInfo, data: dict[str, Any]) -> dict[str, Any]:
    """Return a new dict shaped for Twenty's REST create/update of ``obj``."""
    if not isinstance(data, dict):
        raise TypeError(f"record data must be a dict, got {type(data).__name__}")
    out: dict[str, Any] = {}
    pending = dict(data)
    currency = pending.pop("currency", None) or pending.pop("currencyCode", None)

    first, last = pending.pop("firstName", None), pending.pop("lastName", None)
    if first is not None or last is not None:
        name_field = _require(obj, ("FULL_NAME",), "name", "firstName/lastName")
        existing = pending.pop(name_field.name, None)
        name = dict(existing) if isinstance(existing, dict) else {}
        if first is not None:
            name["firstName"] = first
        if last is not None:
            name["lastName"] = last
        out[name_field.name] = name

    for key, value in pending.items():
        field = obj.field(key)
        if field is None and key in _ALIASES:
            types, preferred = _ALIASES[key]
            field = _require(obj, types, preferred, key)
        if field is None:
            out[key] = value  # unknown to us: Twenty will name it if it is wrong
            continue
        shaped = _wrap(field, value, currency)
        if field.name in out and isinstance(out[field.name], dict) and isinstance(shaped, dict):
            out[field.name] = {**out[field.name], **shaped}
        else:
            out[field.name] = shaped
    if currency and not any(f.type == "CURRENCY" for f in obj.fields if f.name in out):
        raise ValueError(f"currency={currency!r} was given without an amount field for {obj.name_singular}")
    return out
