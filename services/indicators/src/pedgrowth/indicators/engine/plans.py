"""What the engine keeps of plans: targets, the variants and base values they choose, reported values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ..definitions import BY_CODE, BadVariant, Variant
from ..records import Order


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """A plan as the indicators read it (the command side's aggregate is ``domain.plan.Plan``)."""

    plan_id: str
    municipality_id: str
    title: str
    period_start: date
    period_end: date
    definitions: dict[str, dict[str, str]]  # indicator → {dimension: value}
    baselines: dict[tuple[str, int], float]
    order: Order

    def covers(self, year: int, code: str | None = None) -> bool:
        """Whether the plan measures ``year``: its period, and for an outcome measured later (young_retention_3y)
        the years after it its targets may name."""
        indicator = BY_CODE.get(code) if code else None
        later = indicator.measured_after if indicator is not None else 0
        return self.period_start.year <= year <= self.period_end.year + later

    def variant(self, code: str) -> Variant | None:
        """The plan's variant of an indicator (None: the plan keeps the default)."""
        chosen = self.definitions.get(code)
        indicator = BY_CODE.get(code)
        if not chosen or indicator is None:
            return None
        try:
            return indicator.default.choose(chosen, self.period_start)
        except BadVariant:
            return None  # validated when adopted; an older plan naming a value no longer offered keeps the default


@dataclass
class Plans:
    """Plans, targets and reported values, by municipality; the latest ``(time, source, id)`` wins a conflict."""

    plans: dict[str, PlanEntry] = field(default_factory=dict)
    targets: dict[tuple[str, str, int], tuple[Order, float]] = field(default_factory=dict)
    baselines: dict[tuple[str, str, int], tuple[Order, float]] = field(default_factory=dict)
    reported: dict[tuple[str, str, int], tuple[Order, float, str]] = field(default_factory=dict)

    def adopt(self, d: dict, order: Order) -> PlanEntry | None:
        """Keep a plan_adopted (unless a later one of the same plan is kept); the plan kept."""
        plan = PlanEntry(
            d["plan_id"], d["municipality_id"], d["title"], date.fromisoformat(d["period_start"]),
            date.fromisoformat(d["period_end"]),
            {c["indicator"]: {k: v for k, v in c.items() if k != "indicator" and v is not None}
             for c in d.get("definitions") or ()},
            {(b["indicator"], int(b["year"])): float(b["value"]) for b in d.get("baselines") or ()}, order)
        old = self.plans.get(plan.plan_id)
        if old is None or order > old.order:
            self.plans[plan.plan_id] = plan
        for target in d["targets"]:
            self.set_target(plan.plan_id, target["indicator"], target["year"], target["value"], order)
        for (indicator, year), value in plan.baselines.items():
            self.set_baseline(plan.plan_id, indicator, year, value, order)
        return self.plans[plan.plan_id]

    def set_target(self, plan: str, indicator: str, year: int, value: float, order: Order) -> None:
        key = (plan, indicator, int(year))
        old = self.targets.get(key)
        if old is None or order > old[0]:
            self.targets[key] = (order, float(value))

    def set_baseline(self, plan: str, indicator: str, year: int, value: float, order: Order) -> None:
        key = (plan, indicator, int(year))
        old = self.baselines.get(key)
        if old is None or order > old[0]:
            self.baselines[key] = (order, float(value))

    def report(self, d: dict, order: Order) -> None:
        key = (d["municipality_id"], d["indicator"], int(d["year"]))
        old = self.reported.get(key)
        if old is None or order > old[0]:
            self.reported[key] = (order, float(d["value"]), d["method"])

    def of(self, municipality: str) -> list[PlanEntry]:
        return [p for p in list(self.plans.values()) if p.municipality_id == municipality]

    def plan_for(self, municipality: str, year: int, code: str | None = None) -> PlanEntry | None:
        """The municipality's plan whose period covers the year (for ``code``: see ``PlanEntry.covers``; the
        latest adopted when several do)."""
        covering = [p for p in self.of(municipality) if p.covers(year, code)]
        return max(covering, key=lambda p: p.order) if covering else None

    def target_years(self, municipality: str) -> dict[str, dict[int, float]]:
        """Every target of the municipality's plans: indicator → year → value (latest wins)."""
        return self.latest(self.targets, municipality)

    def latest(self, values: dict[tuple[str, str, int], tuple[Order, float]],
               municipality: str) -> dict[str, dict[int, float]]:
        """Targets or base values of the municipality's plans: indicator → year → value (latest wins)."""
        plans = {p.plan_id for p in self.of(municipality)}
        best: dict[tuple[str, int], tuple[Order, float]] = {}
        for (plan, indicator, year), entry in list(values.items()):
            if plan in plans and ((indicator, year) not in best or entry[0] > best[(indicator, year)][0]):
                best[(indicator, year)] = entry
        out: dict[str, dict[int, float]] = defaultdict(dict)
        for (indicator, year), (_, value) in best.items():
            out[indicator][year] = value
        return out

    def targets_of(self, municipality: str, year: int) -> dict[str, float]:
        return {code: years[year] for code, years in self.target_years(municipality).items() if year in years}

    def baselines_of(self, municipality: str) -> dict[str, dict[int, float]]:
        """The base values of the municipality's plans, adopted with them or set since (latest wins)."""
        return self.latest(self.baselines, municipality)

    def reported_values(self, municipality: str) -> dict[str, dict[int, tuple[float, str]]]:
        out: dict[str, dict[int, tuple[float, str]]] = defaultdict(dict)
        for (m, indicator, year), (_, value, method) in list(self.reported.items()):
            if m == municipality:
                out[indicator][year] = (value, method)
        return out

    def known_codes(self) -> set[str]:
        return {i for (_, i, _) in list(self.reported)} | {i for (_, i, _) in list(self.targets)}
