"""Where indicators and reports are asked for: `organization:<id>`, `municipality:<id>`, `region:<id>` (SPEC §4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

SCOPE_KINDS = ("organization", "municipality", "region")
_SCOPE = re.compile(r"(organization|municipality|region):(.{1,200})")


class BadScope(ValueError):
    """A scope that is not one of the three kinds followed by an id."""

    field = "scope"


@dataclass(frozen=True)
class Scope:
    """An organisation, a municipality or a region, written `<kind>:<id>`."""

    kind: str
    id: str

    @classmethod
    def parse(cls, text: str) -> Scope:
        match = _SCOPE.fullmatch(text or "")
        if not match:
            raise BadScope(f"scope must be <kind>:<id> with kind one of {', '.join(SCOPE_KINDS)}; got {text!r}")
        return cls(match.group(1), match.group(2))

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"
