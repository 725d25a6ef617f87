"""Demo translations of the invitation letter (issue 19, D-092): English, Arabic and
Ukrainian, entered as the demo Kreis' texts through ``save_letter_text``, marked ``is_demo``
and printed with the mark "Demo-Text – keine geprüfte Übersetzung". Careful translations of
the German reference text, but no certified ones. The Arabic text leaves out the title of the
former § 10 Abs. 3 StAG on purpose: the letter then prints it in German (``lang="de"``).
"""

from __future__ import annotations

from typing import Any

from kim.organisations.models import Organisation
from kim.screening.actions.letters import save_letter_text
from kim.screening.models import LetterText
from kim.screening.reference_data import LETTER_TEXT_DE

DEMO_CERTIFIED_BY = "Demo – keine beglaubigte Übersetzung"
DEMO_SOURCE = "Demo-Übersetzung des deutschen Einladungsschreibens"

DEMO_LETTER_TEXTS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Invitation to counselling about your residence prospects",
        "file_number_label": "Your file number",
        "salutation": "Dear {name},",
        "intro": (
            "we would like to invite you to a counselling appointment about your residence "
            "prospects. A first check of the information we hold suggests that the following "
            "may be possible for you:"
        ),
        "fallback_promising": "a secure right of residence",
        "possibly_from": "{rule} – possibly from {day}",
        "documents_intro": "Please bring the following documents, where you have them:",
        "disclaimer": (
            "This letter is not a decision and makes no promise. Whether a residence permit "
            "can be granted or naturalisation is possible is decided by the authority only "
            "after an application and a full examination of your individual case."
        ),
        "contact_label": "Contact",
        "closing": "Kind regards",
        "binding_note": "Translation for information. The German text is binding.",
        "terms": {
            "aufenthg_25a": "§ 25a AufenthG – well-integrated young people and young adults",
            "aufenthg_25b": "§ 25b AufenthG – sustainable integration",
            "aufenthg_104c": "§ 104c AufenthG – opportunity residence right",
            "stag_10": "§ 10 StAG – naturalisation",
            "stag_10_3": "§ 10 (3) StAG – naturalisation after 3 years (former rule)",
            "language_certificate": "Language certificate (e.g. DTZ, telc, Goethe)",
            "test_certificate": (
                "Certificate of the “Leben in Deutschland” test or the naturalisation test"
            ),
            "school_reports": "School reports and certificates",
            "identity": "Passport or other proof of identity",
            "income": "Proof of income (e.g. employment contract, payslips)",
            "children_school": "School certificates of your children",
            "residence_papers": "Your current residence papers (Duldung, residence permit)",
        },
    },
    "ar": {
        "title": "دعوة إلى استشارة حول آفاق إقامتك",
        "file_number_label": "رقم ملفك",
        "salutation": "مرحبًا {name}،",
        "intro": (
            "نودّ دعوتك إلى موعد استشارة حول آفاق إقامتك. تشير مراجعة أولية للمعلومات "
            "المتوفرة لدينا إلى أن ما يلي قد يكون ممكنًا بالنسبة لك:"
        ),
        "fallback_promising": "حق إقامة آمن",
        "possibly_from": "{rule} – ربما اعتبارًا من {day}",
        "documents_intro": "يُرجى إحضار المستندات التالية إن كانت متوفرة لديك:",
        "disclaimer": (
            "هذه الرسالة ليست قرارًا ولا تتضمن أي وعد. لا تقرر الجهة المختصة ما إذا كان "
            "يمكن منح تصريح إقامة أو ما إذا كان التجنيس ممكنًا إلا بعد تقديم طلب وفحص "
            "حالتك الفردية فحصًا كاملًا."
        ),
        "contact_label": "للتواصل",
        "closing": "مع أطيب التحيات",
        "binding_note": "هذه ترجمة للاطلاع فقط. النص الألماني هو النص الملزم.",
        "terms": {
            "aufenthg_25a": "§ 25a AufenthG – اليافعون والشباب البالغون المندمجون جيدًا",
            "aufenthg_25b": "§ 25b AufenthG – الاندماج المستدام",
            "aufenthg_104c": "§ 104c AufenthG – حق الإقامة بوصفه فرصة",
            "stag_10": "§ 10 StAG – التجنيس",
            "language_certificate": "شهادة لغة (مثل DTZ أو telc أو Goethe)",
            "test_certificate": "شهادة اجتياز اختبار «الحياة في ألمانيا» أو اختبار التجنيس",
            "school_reports": "الشهادات المدرسية وشهادات التخرج",
            "identity": "جواز السفر أو وثيقة أخرى لإثبات الهوية",
            "income": "إثباتات الدخل (مثل عقد العمل وكشوف الرواتب)",
            "children_school": "شهادات مدرسية لأطفالك",
            "residence_papers": "أوراق إقامتك الحالية (Duldung أو تصريح الإقامة)",
        },
    },
    "uk": {
        "title": "Запрошення на консультацію щодо ваших перспектив перебування",
        "file_number_label": "Ваш номер справи",
        "salutation": "Добрий день, {name},",
        "intro": (
            "запрошуємо вас на консультацію щодо ваших перспектив перебування. Попередній "
            "розгляд наявних у нас відомостей свідчить про те, що для вас може бути можливим "
            "таке:"
        ),
        "fallback_promising": "надійне право на перебування",
        "possibly_from": "{rule} – можливо, з {day}",
        "documents_intro": "Будь ласка, візьміть із собою такі документи, якщо вони у вас є:",
        "disclaimer": (
            "Цей лист не є рішенням і не містить жодних обіцянок. Чи може бути видано "
            "дозвіл на перебування або чи можлива натуралізація, відомство вирішує лише після "
            "подання заяви та повної перевірки вашого індивідуального випадку."
        ),
        "contact_label": "Контакт",
        "closing": "З повагою",
        "binding_note": "Переклад для ознайомлення. Обов’язковим є текст німецькою мовою.",
        "terms": {
            "aufenthg_25a": "§ 25a AufenthG – добре інтегровані підлітки та молоді повнолітні",
            "aufenthg_25b": "§ 25b AufenthG – стала інтеграція",
            "aufenthg_104c": "§ 104c AufenthG – право на перебування як шанс",
            "stag_10": "§ 10 StAG – натуралізація",
            "stag_10_3": "§ 10 абз. 3 StAG – натуралізація через 3 роки (колишня норма)",
            "language_certificate": "Мовний сертифікат (наприклад, DTZ, telc, Goethe)",
            "test_certificate": (
                "Довідка про складання тесту «Життя в Німеччині» або тесту на натуралізацію"
            ),
            "school_reports": "Шкільні табелі та атестати",
            "identity": "Паспорт або інший документ, що посвідчує особу",
            "income": "Підтвердження доходів (наприклад, трудовий договір, розрахункові листи)",
            "children_school": "Шкільні довідки ваших дітей",
            "residence_papers": (
                "Ваші чинні документи про перебування (Duldung, дозвіл на перебування)"
            ),
        },
    },
}


def seed_letter_texts(kreis: Organisation) -> int:
    """Idempotent: the demo Kreis' English, Arabic and Ukrainian letter texts."""
    created = 0
    for language, fields in DEMO_LETTER_TEXTS.items():
        if LetterText.objects.filter(region=kreis, language=language).exists():
            continue
        save_letter_text(
            acting_user=None,
            region=kreis,
            language=language,
            valid_from=LETTER_TEXT_DE["valid_from"],
            promising_intro="",
            certified_by=DEMO_CERTIFIED_BY,
            source=DEMO_SOURCE,
            is_demo=True,
            **fields,
        )
        created += 1
    return created
