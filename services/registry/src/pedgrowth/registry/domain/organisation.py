"""Organisations (ОО) of the register, each placed in one municipality and region."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import Conflict

from .rules import registry_id


def organisation_id(org_id: str) -> UUID:
    return registry_id("organisation", org_id)


class Organisation(Aggregate):
    """An educational organisation; where it belongs decides who may write for it."""

    @event("Registered")
    def __init__(self, org_id: str, name: str, kind: str, municipality_id: str, municipality_name: str,
                 region_id: str, region_name: str):
        self.org_id = org_id
        self.name = name
        self.kind = kind
        self.municipality_id = municipality_id
        self.municipality_name = municipality_name
        self.region_id = region_id
        self.region_name = region_name

    @staticmethod
    def create_id(org_id: str, **_: str) -> UUID:
        return organisation_id(org_id)

    def refuse_registration(self, municipality_id: str, region_id: str) -> None:
        """An organisation is registered once; it never moves to another municipality or region."""
        if (municipality_id, region_id) != (self.municipality_id, self.region_id):
            raise Conflict(
                f"organisation {self.org_id} is already registered in municipality {self.municipality_id}, "
                f"region {self.region_id}; an organisation belongs to one municipality and region",
                "data.municipality_id" if municipality_id != self.municipality_id else "data.region_id")
        raise Conflict(f"organisation {self.org_id} is already registered", "data.org_id")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("org_id", "name", "kind", "municipality_id", "municipality_name",
                                              "region_id", "region_name")}
