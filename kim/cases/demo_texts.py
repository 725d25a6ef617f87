"""Demo translations of the consent form (issue 19, D-092): Arabic and Ukrainian, entered as
the demo Kreis' texts through ``save_form_text``, marked ``is_demo`` and printed with the mark
"Demo-Text – keine geprüfte Übersetzung". They are careful translations of the German
reference text, but no certified ones: a Kreis enters its own certified translations.
"""

from __future__ import annotations

from typing import Any

from kim.cases.actions.formtexts import save_form_text
from kim.cases.models import ConsentFormText
from kim.cases.reference_data import PROGRAMME_START
from kim.organisations.models import Organisation

DEMO_CERTIFIED_BY = "Demo – keine beglaubigte Übersetzung"
DEMO_SOURCE = "Demo-Übersetzung des deutschen Referenztextes (§ 67b Abs. 2 SGB X)"

CONSENT_FORM_AR = """أنا، {person}، أوافق على أن تقوم الجهة {organisation}، في إطار الإدارة \
البلدية للاندماج (KIM)، بنقل البيانات التالية المتعلقة بي إلى الجهة {recipient} وتبادلها معها:

{categories}

الغرض: {purpose}

وفي هذا النطاق أُعفي مديرة الحالة أو مدير الحالة من واجب الحفاظ على السر المهني (المادة 203 \
من قانون العقوبات الألماني). تسري هذه الموافقة حتى {valid_until}.

هذه الموافقة طوعية. يمكنني سحبها كليًا أو جزئيًا في أي وقت ودون ذكر الأسباب، ويسري السحب على \
المستقبل (الفقرة 2 من المادة 67b من الكتاب العاشر من قانون الشؤون الاجتماعية، \
والفقرة 3 من المادة 7 من اللائحة العامة لحماية البيانات). إذا لم أوافق أو سحبت موافقتي، \
فلن يلحق بي أي ضرر في الاستشارة، ولن تُنقل البيانات عندئذٍ إلى الجهة {recipient}."""

CONSENT_FORM_UK = """Я, {person}, даю згоду на те, щоб організація {organisation} в рамках \
Комунального менеджменту інтеграції (KIM) передавала організації {recipient} такі дані про мене \
та обмінювалася ними з організацією {recipient}:

{categories}

Мета: {purpose}

У цьому обсязі я звільняю кейс-менеджерку або кейс-менеджера від обов’язку зберігати професійну \
таємницю (§ 203 Кримінального кодексу Німеччини). Ця згода діє до {valid_until}.

Згода є добровільною. Я можу будь-коли без пояснення причин повністю або частково відкликати її \
з дією на майбутнє (§ 67b абз. 2 Соціального кодексу X, ст. 7 абз. 3 ЗРЗД). Якщо я не даю згоди \
або відкликаю її, це не матиме для мене жодних негативних наслідків під час консультування; \
у такому разі дані не передаватимуться організації {recipient}."""

DEMO_FORM_TEXTS: dict[str, dict[str, Any]] = {
    "ar": {
        "title": "موافقة وإعفاء من واجب الحفاظ على السر المهني",
        "body": CONSENT_FORM_AR,
        "place_date_label": "المكان، التاريخ",
        "signature_label": "التوقيع",
        "binding_note": "هذه ترجمة للاطلاع فقط. النص الألماني هو النص الملزم.",
    },
    "uk": {
        "title": "Згода та звільнення від обов’язку зберігати професійну таємницю",
        "body": CONSENT_FORM_UK,
        "place_date_label": "Місце, дата",
        "signature_label": "Підпис",
        "binding_note": "Переклад для ознайомлення. Обов’язковим є текст німецькою мовою.",
    },
}


def seed_form_texts(kreis: Organisation) -> int:
    """Idempotent: the demo Kreis' Arabic and Ukrainian texts, where it has none yet."""
    created = 0
    for language, fields in DEMO_FORM_TEXTS.items():
        if ConsentFormText.objects.filter(region=kreis, language=language).exists():
            continue
        save_form_text(
            acting_user=None,
            region=kreis,
            language=language,
            valid_from=PROGRAMME_START,
            certified_by=DEMO_CERTIFIED_BY,
            source=DEMO_SOURCE,
            is_demo=True,
            **fields,
        )
        created += 1
    return created
