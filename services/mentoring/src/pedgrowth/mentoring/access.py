"""Who may write which mentoring fact: the people it names must work where the caller may write."""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import mentoring as contract
from pedgrowth.kit.auth import Principal
from pedgrowth.kit.service import AuthorizeWrite

from .adapters.directory import Directory
from .application import MentoringApplication
from .domain.pair import pair_key


def person_named(data: EventData, app: MentoringApplication) -> tuple[str, str | None]:
    """The field and the person a fact is about (None for an enterprise mentor or an unknown pair)."""
    if isinstance(data, contract.MentorRegistered):
        return "data.person_id", data.person_id
    if isinstance(data, contract.PairAssigned):
        return "data.mentee_person_id", data.mentee_person_id
    if isinstance(data, contract.PairEnded):
        pair = app.get_or_none(pair_key(data.pair_id))  # not the read model: its lock may be held by a long query
        return "data.pair_id", pair.mentee_person_id if pair else None
    return "data.person_id", getattr(data, "person_id", None)


def writer_check(directory: Directory, app: MentoringApplication) -> AuthorizeWrite:
    """School systems write for people employed at their school, operators for their municipality."""

    def authorize(principal: Principal, data: EventData) -> str | None:
        if principal.is_admin:
            return None
        if not principal.can_write:
            return f"role {principal.role.value} is read-only"
        field, person_id = person_named(data, app)
        if person_id is None:
            return None
        with directory.lock:
            allowed = directory.covers_person(principal, person_id)
        if not allowed:
            return f"{field}: person {person_id} is not employed where the caller may write"
        return None

    return authorize
