"""Why the mentoring service refuses a fact."""


class RuleViolation(Exception):
    """A fact that breaks a rule an operator would expect (HTTP 422, DLQ business_rule)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Conflict(RuleViolation):
    """A fact that contradicts what is already recorded (HTTP 409)."""


class UnknownReference(RuleViolation):
    """A fact that refers to something the service does not know (HTTP 422)."""
