"""What every event model shares: the base class, field types and date arithmetic.

The field types are the contract's bounds on input (docs/architecture.md, "Bad input"):
days 1900-01-01..2100-12-31, identifiers in a documented character set, numbers bounded
where the domain bounds them. HTTP query parameters use the same types.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2100, 12, 31)
"""Days outside this range are errors: no staff fact lies there, and date arithmetic stays far from its limits."""
DAY_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def _to_day(value: Any) -> date:
    # datetime is a subclass of date: a timestamp must not pass for a day silently.
    if isinstance(value, datetime):
        raise PydanticCustomError("day_type", "expected a date YYYY-MM-DD, got a date-time")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "day_type",
            "expected a date string YYYY-MM-DD, got {kind}",
            {"kind": type(value).__name__},
        )
    if not _DAY.fullmatch(value):
        raise PydanticCustomError(
            "day_format", "expected a date YYYY-MM-DD, got '{value}'", {"value": value}
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "day_value", "'{value}' is not a calendar date", {"value": value}
        ) from None


def _in_range(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PydanticCustomError(
            "day_range",
            "{day} is outside {earliest}..{latest}",
            {"day": day.isoformat(), "earliest": EARLIEST_DAY.isoformat(),
             "latest": LATEST_DAY.isoformat()},
        )
    return day


Day = Annotated[
    date,
    BeforeValidator(_to_day),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
"""A calendar day from 1900-01-01 to 2100-12-31: a `date`, or a string exactly YYYY-MM-DD."""

# Characters no identifier may hold: controls (NUL included), format characters (bidi
# embeddings, overrides and isolates, zero-width space/joiners, BOM, soft hyphen),
# surrogates, private use, unassigned code points, line and paragraph separators.
_FORBIDDEN_IN_ID = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Free text may hold tabs and line breaks, but no other control character.
_FORBIDDEN_IN_TEXT = {"Cc", "Cs"}
_TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r"}


def check_identifier(value: str) -> str:
    if value.isascii() and value.isprintable() and value == value.strip():
        return value  # printable ASCII holds none of the forbidden categories and is NFC (the usual id, fast)
    for position, char in enumerate(value):
        if unicodedata.category(char) in _FORBIDDEN_IN_ID:
            raise PydanticCustomError(
                "id_character",
                "character U+{code} at position {position} is not allowed in an identifier "
                "(no control, format, bidi or zero-width characters)",
                {"code": f"{ord(char):04X}", "position": position},
            )
    if value != value.strip():
        raise PydanticCustomError("id_whitespace", "an identifier has no leading or trailing whitespace")
    if not unicodedata.is_normalized("NFC", value):
        raise PydanticCustomError(
            "id_normalization",
            "an identifier must be in Unicode NFC form (write it composed, e.g. 'й' as one character)",
        )
    return value


def check_text(value: str) -> str:
    for position, char in enumerate(value):
        if unicodedata.category(char) in _FORBIDDEN_IN_TEXT and char not in _TEXT_CONTROLS_ALLOWED:
            raise PydanticCustomError(
                "text_character",
                "character U+{code} at position {position} is not allowed in text",
                {"code": f"{ord(char):04X}", "position": position},
            )
    return value


ID_MAX_LENGTH = 200
Id = Annotated[
    str, StringConstraints(min_length=1, max_length=ID_MAX_LENGTH), AfterValidator(check_identifier)
]
"""An identifier: 1-200 characters, NFC, no control/format/bidi/zero-width characters, no outer spaces."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=1000), AfterValidator(check_text)]
Flag = StrictBool
Year = Annotated[int, Field(strict=True, ge=1990, le=2100)]
MAX_AMOUNT = 1_000_000
Amount = Annotated[float, Field(strict=True, ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
"""A target or reported value: a share (0..1) or a count, finite, at most 1,000,000."""
Share = Annotated[float, Field(strict=True, ge=0, le=1, allow_inf_nan=False)]
"""A fraction 0..1 (0.5 = 50 %), as the plans write shares."""
MAX_HOURS = 10_000
Hours = Annotated[int, Field(strict=True, ge=1, le=MAX_HOURS)]
"""Academic hours of a programme: retraining is at least 250, none runs past 10,000."""


def add_years(day: date, years: int) -> date:
    """The same month and day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + month // 12, month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


class ContractModel(BaseModel):
    """A closed, immutable part of an event's data: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EventData(ContractModel):
    """The `data` of one event type; its class attributes name the type and its subject."""

    service: ClassVar[str]
    type_suffix: ClassVar[str]
    subject_field: ClassVar[str]
    version: ClassVar[int] = 1
    event_type: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "type_suffix" not in cls.__dict__:
            return  # an intermediate base such as RegistryEvent
        if cls.subject_field not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.subject_field names no field: {cls.subject_field}")
        cls.event_type = f"pedgrowth.{cls.service}.{cls.type_suffix}.v{cls.version}"

    @property
    def subject_id(self) -> str:
        """The id this event is about: the CloudEvent subject and the Kafka key."""
        return getattr(self, self.subject_field)
