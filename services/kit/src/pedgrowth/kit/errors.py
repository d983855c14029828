"""Why a service refuses a fact: the domain error types every service raises, in one place.

Domain modules import only the standard library, eventsourcing and this module (it imports
nothing; ``pedgrowth.kit``'s package module is empty), so the rules stay free of the mechanics.
"""


class RuleViolation(Exception):
    """A fact that breaks a rule an operator would expect (HTTP 422, DLQ business_rule)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Conflict(RuleViolation):
    """A fact that contradicts what is already recorded (HTTP 409)."""


class UnknownReference(RuleViolation):
    """A fact that refers to something the service does not know (HTTP 422)."""


REJECTIONS: dict[type[Exception], int] = {RuleViolation: 422, UnknownReference: 422, Conflict: 409}
"""The HTTP status of each domain error (the most specific class wins); a service adds its own to a copy."""
