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
SUPPORT_ROLES = {"participant": "участник", "speaker": "выступающий"}
SUPPORT_ROLE_SYNONYMS = {"спикер": "speaker", "докладчик": "speaker", "выступление": "speaker",
                         "представление опыта": "speaker", "слушатель": "participant"}
OUTCOMES = {"completed": "завершена", "terminated": "прекращена досрочно"}
EXPERT_ROLES = {
    "attestation_commission": "аттестационная комиссия",
    "competition_jury": "жюри конкурса",
    "exam_expert": "эксперт предметной комиссии ГИА",
    "program_reviewer": "эксперт (рецензент) программ",
    "other": "другое",
}
EXPERT_ROLE_SYNONYMS = {
    "член аттестационной комиссии": "attestation_commission", "аттестация": "attestation_commission",
    "жюри": "competition_jury", "член жюри": "competition_jury",
    "эксперт гиа": "exam_expert", "эксперт егэ": "exam_expert", "эксперт огэ": "exam_expert",
    "рецензент": "program_reviewer", "эксперт программ": "program_reviewer",
    "иное": "other",
}
LEVELS = {
    "institutional": "институциональный",
    "municipal": "муниципальный",
    "regional": "региональный",
    "federal": "федеральный",
}
LEVEL_SYNONYMS = {"школьный": "institutional", "уровень оо": "institutional", "всероссийский": "federal"}
PROJECT_OUTCOMES = {"completed": "завершил участие", "withdrawn": "выбыл"}
PROJECT_OUTCOME_SYNONYMS = {"завершил": "completed", "завершила": "completed", "завершено": "completed",
                            "окончил": "completed", "выбыла": "withdrawn", "выбыл досрочно": "withdrawn",
                            "отчислен": "withdrawn"}
TAKING_PART = "участвует"
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
