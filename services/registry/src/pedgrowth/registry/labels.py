"""Russian labels of the registry's codes, as HR exports and officers write them."""

from __future__ import annotations

POSITION_LABELS: dict[str, str] = {
    "teacher": "Учитель",
    "director": "Директор",
    "deputy_director": "Заместитель директора",
    "methodist": "Методист",
    "educational_psychologist": "Педагог-психолог",
    "tutor": "Тьютор",
    "additional_education_teacher": "Педагог дополнительного образования",
    "preschool_teacher": "Воспитатель",
    "social_pedagogue": "Социальный педагог",
    "speech_therapist": "Учитель-логопед",
    "senior_teacher": "Старший воспитатель",
    "leading_teacher": "Ведущий учитель",
    "other_pedagogical": "Иной педагогический работник",
    "non_pedagogical": "Непедагогический работник",
}

POSITION_ALIASES: dict[str, str] = {
    "логопед": "speech_therapist",
    "старший учитель": "senior_teacher",
    "заместитель руководителя": "deputy_director",
    "заведующий": "director",
    "руководитель": "director",
    "педагог-организатор": "other_pedagogical",
    "преподаватель-организатор": "other_pedagogical",
    "учитель-дефектолог": "other_pedagogical",
    "советник директора по воспитанию": "other_pedagogical",
}

YES = {"да", "yes", "true", "1", "+", "соответствует"}
NO = {"нет", "no", "false", "0", "-", "не соответствует"}


def normalise(text: str) -> str:
    """Lower case, ё as е, single spaces, no spaces around hyphens: how labels are compared."""
    text = " ".join(str(text).replace("ё", "е").replace("Ё", "Е").lower().split())
    return text.replace(" - ", "-").replace("- ", "-").replace(" -", "-")


POSITIONS_BY_LABEL: dict[str, str] = {
    **{normalise(label): code for code, label in POSITION_LABELS.items()},
    **{normalise(alias): code for alias, code in POSITION_ALIASES.items()},
    **{code: code for code in POSITION_LABELS},
}


def position_code(label: str) -> str | None:
    """The position code of a Russian label (or of the code itself); None when unknown."""
    return POSITIONS_BY_LABEL.get(normalise(label))


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("да" if value else "нет")
