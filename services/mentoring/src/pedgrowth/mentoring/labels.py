"""Russian names of the contract's codes, for exports and for reading imported tables."""

from __future__ import annotations

import re

FORMS = {
    "teacher_teacher": "педагог – педагог",
    "head_teacher": "руководитель – педагог",
    "employer_teacher": "работодатель – педагог",
    "peer_group": "групповая (равный – равному)",
    "other": "другая",
}
FORM_SYNONYMS = {
    "учитель-учитель": "teacher_teacher", "педагог-педагог": "teacher_teacher",
    "руководитель-педагог": "head_teacher", "руководитель-учитель": "head_teacher",
    "работодатель-педагог": "employer_teacher", "работодатель-учитель": "employer_teacher",
    "групповая": "peer_group", "равный-равному": "peer_group", "групповая (равный-равному)": "peer_group",
    "другая": "other", "иная": "other",
}
SUPPORT_EVENT_KINDS = {
    "seminar": "семинар",
    "master_class": "мастер-класс",
    "training": "тренинг",
    "conference": "конференция",
    "young_teacher_school": "школа молодого педагога",
    "burnout_prevention": "профилактика профессионального выгорания",
    "consultation": "консультация",
    "other": "другое",
}
KIND_SYNONYMS = {
    "профилактика выгорания": "burnout_prevention",
    "шмп": "young_teacher_school",
    "иное": "other",
}
OUTCOMES = {"completed": "завершена", "terminated": "прекращена досрочно"}
YES, NO, NOBODY = "да", "нет", "нет"


def normalise(text: str) -> str:
    """Lower case, ё as е, dashes as '-', no spaces around dashes, single spaces."""
    text = text.strip().lower().replace("ё", "е")
    text = re.sub(r"\s*[–—-]\s*", "-", text)
    return re.sub(r"\s+", " ", text)


def code_of(value: str, labels: dict[str, str], synonyms: dict[str, str]) -> str:
    """The contract code for a code or a Russian name; unknown text is returned as given (the contract rejects it)."""
    wanted = normalise(value)
    for code, label in labels.items():
        if wanted in (code, normalise(label)):
            return code
    return synonyms.get(wanted, value.strip())
