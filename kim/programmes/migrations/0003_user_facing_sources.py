"""Data migration (decisions D-054): the funding rates, pay tables, step rules, special payments and the employer add-on cite their official sources in German; research remarks moved to ``reference_data`` (``internal_note``).

Rows still holding the text shipped before are rewritten; a row somebody corrected locally
(its text differs from the old one) is left alone. Reversible: backwards swaps the texts again.
Generated from the reference data of both versions; the texts are copied here so that the
migration keeps working when ``reference_data`` changes again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

T00 = 'older BRA text mirrored at https://ufaauto24.com/7pAr9dyY.html (KIM brief §1.5)'
T01 = 'Förderrichtlinie KIM vom 25.11.2020, MBl. NRW 2020 Nr. 32, S. 751; frühere Fassung der Förderseite der Bezirksregierung Arnsberg'
T02 = 'Up to 55,000 € per VZÄ and year (first RL / older BRA text). The step from 55,000 € to 57,000 € happened between 2021 and 2023; the switch year (2022 or 2023) is UNCONFIRMED. This record assumes 01.01.2023.'
T03 = 'Bis zu 55.000 € je VZÄ und Jahr. Das Jahr der Erhöhung von 55.000 € auf 57.000 € (2022 oder 2023) ist nicht bestätigt – bitte prüfen; hier gilt der höhere Satz ab 01.01.2023.'
T04 = 'Kreis Coesfeld SV-10-0898: https://www.kreis-coesfeld.de/sessionnet/sessionnetbi/vo0050.php?__kvonr=5924 (KIM brief §1.5); BRA page: https://bra.nrw.de/integration-migration/kompetenzzentrum-fuer-integration/foerderung-kommunen/kommunales-integrationsmanagement-kim (KIM brief §1.5)'
T05 = 'Bezirksregierung Arnsberg, Dezernat 36 (Kompetenzzentrum für Integration): Förderung Kommunales Integrationsmanagement (KIM); Kreis Coesfeld, Sitzungsvorlage SV-10-0898'
T06 = "57,000 € per VZ (Coesfeld, 'currently 2023'); BRA page: up to 57,000 € per Koordinationsstelle. The step from 55,000 € to 57,000 € happened between 2021 and 2023; the switch year (2022 or 2023) is UNCONFIRMED. This record assumes 01.01.2023."
T07 = 'Bis zu 57.000 € je Koordinationsstelle. Das Jahr der Erhöhung von 55.000 € auf 57.000 € (2022 oder 2023) ist nicht bestätigt – bitte prüfen; hier gilt der höhere Satz ab 01.01.2023.'
T08 = 'older BRA text mirrored at https://ufaauto24.com/7pAr9dyY.html (KIM brief §1.5); BRA page: https://bra.nrw.de/integration-migration/kompetenzzentrum-fuer-integration/foerderung-kommunen/kommunales-integrationsmanagement-kim (KIM brief §1.5)'
T09 = 'Förderrichtlinie KIM vom 25.11.2020, MBl. NRW 2020 Nr. 32, S. 751; frühere Fassung der Förderseite der Bezirksregierung Arnsberg; Bezirksregierung Arnsberg, Dezernat 36 (Kompetenzzentrum für Integration): Förderung Kommunales Integrationsmanagement (KIM)'
T10 = '0.5 Verwaltungsassistenz: 22,500 € per year, unchanged in old and current text.'
T11 = '0,5 Stelle Verwaltungsassistenz: 22.500 € je Jahr, in der früheren und der aktuellen Fassung gleich.'
T12 = "9,700 € per VZÄ and year (older text). In 2023 the sources speak of 'arbeitsplatzbezogene Sachkostenpauschalen' plus event money; ending this rate the day before the RL of 12.12.2024 is an assumption."
T13 = '9.700 € je VZÄ und Jahr (frühere Fassung). Dass dieser Satz am Tag vor der Förderrichtlinie vom 12.12.2024 endet, ist nicht bestätigt – bitte prüfen.'
T14 = 'BRA page: https://bra.nrw.de/integration-migration/kompetenzzentrum-fuer-integration/foerderung-kommunen/kommunales-integrationsmanagement-kim (KIM brief §1.5); Förderrichtlinie KIM of 12.12.2024, MBl. NRW 2024 Nr. 43: https://recht.nrw.de/lmi/owa/br_vbl_detail_text?anw_nr=7&vd_id=21991&ver=8&val=21991&sg=1&menu=1&vd_back=N'
T15 = 'Bezirksregierung Arnsberg, Dezernat 36 (Kompetenzzentrum für Integration): Förderung Kommunales Integrationsmanagement (KIM); Förderrichtlinie KIM vom 12.12.2024, MBl. NRW 2024 Nr. 43, S. 1229'
T16 = 'Up to 5,700 € per full-time post for setting up a workplace (one-off). The other items (Fortbildung, Maßnahmen, events) are UNCONFIRMED.'
T17 = 'Bis zu 5.700 € je Vollzeitstelle für die Einrichtung eines Arbeitsplatzes (einmalig). Weitere Sachkosten (Fortbildung, Maßnahmen, Veranstaltungen) sind nicht bestätigt – bitte prüfen.'
T18 = 'older BRA text mirrored at https://ufaauto24.com/7pAr9dyY.html (KIM brief §1.5); Kreis Heinsberg: https://sitzungsdienst.kreis-heinsberg.de/bi/vo0050.asp?__kvonr=2459&voselect=1402&s=74EDD97319E5CBDB3D9F18667063E0E4213C9E58 (KIM brief §1.5)'
T19 = 'Förderrichtlinie KIM vom 25.11.2020, MBl. NRW 2020 Nr. 32, S. 751; frühere Fassung der Förderseite der Bezirksregierung Arnsberg; Kreis Heinsberg, Sitzungsvorlage zur Weiterleitung an freie Träger (2021)'
T20 = "Fixed 'fachbezogene Pauschale' paid without application; the amount rests on Heinsberg passing on max. 55,000 € per VZÄ in 2021. The step from 55,000 € to 57,000 € happened between 2021 and 2023; the switch year (2022 or 2023) is UNCONFIRMED. This record assumes 01.01.2023."
T21 = 'Feste fachbezogene Pauschale, ohne Antrag gezahlt. Die Höhe ist nicht bestätigt – bitte prüfen: Der Kreis Heinsberg gab 2021 höchstens 55.000 € je VZÄ weiter.'
T22 = 'Coesfeld states 57,000 € per VZ for all modules (2023). The current amount (2025 call, applied for with B1) is not visible: UNCONFIRMED, probably 57,000 €.'
T23 = 'Der Kreis Coesfeld nennt 57.000 € je Vollzeitstelle für alle Bausteine (2023). Die aktuelle Höhe (Aufruf 2025, gemeinsam mit Baustein 1 beantragt) ist nicht veröffentlicht: nicht bestätigt – bitte prüfen.'
T24 = 'Fixed Pauschale without application (older BRA text); first B3 money came in spring 2020. The amount is inferred from B1/B2 and UNCONFIRMED. The step from 55,000 € to 57,000 € happened between 2021 and 2023; the switch year (2022 or 2023) is UNCONFIRMED. This record assumes 01.01.2023.'
T25 = 'Feste Pauschale, ohne Antrag gezahlt (frühere Fassung der Förderseite). Die Höhe ist aus den Bausteinen 1 und 2 abgeleitet: nicht bestätigt – bitte prüfen.'
T26 = 'Kreis Coesfeld SV-10-0898: https://www.kreis-coesfeld.de/sessionnet/sessionnetbi/vo0050.php?__kvonr=5924 (KIM brief §1.5)'
T27 = 'Kreis Coesfeld, Sitzungsvorlage SV-10-0898'
T28 = 'Coesfeld states 57,000 € per VZ for all modules (2023). Whether B3 is still a Pauschale is UNCONFIRMED: the 2025 call names only B1 and B2.'
T29 = 'Der Kreis Coesfeld nennt 57.000 € je Vollzeitstelle für alle Bausteine (2023). Ob Baustein 3 weiter als Pauschale gezahlt wird, ist nicht bestätigt – bitte prüfen: Der Aufruf 2025 nennt nur die Bausteine 1 und 2.'
T30 = 'TVöD VKA Entgelttabelle ab 01.03.2024: https://xn--tvd-tna.com/entgelttabelle/vka/ (KIM brief §6.2)'
T31 = 'TVöD (VKA), Entgelttabelle Anlage A, gültig ab 01.03.2024'
T32 = 'TVöD VKA Entgelttabelle ab 01.04.2025, checked against https://www.dienstrechner.de/entgelttabellen/tvoed-vka (E 9b, E 9c, E 10, E 11 match exactly); Tarifeinigung 06.04.2025: https://oeffentlicher-dienst.info/tvoed/tr/2025 (KIM brief §6.2)'
T33 = 'TVöD (VKA), Entgelttabelle Anlage A, gültig ab 01.04.2025 (Tarifeinigung Bund/VKA vom 06.04.2025)'
T34 = 'COMPUTED from the Tarifeinigung of 06.04.2025 (+3.0 %, at least +110 € from 01.04.2025; +2.8 % from 01.05.2026; term 01.01.2025–31.03.2027): https://oeffentlicher-dienst.info/tvoed/tr/2025 ; https://laghessen.de/tvoed-tarifabschluss-final-entgelttabellen-hier-zum-download/ (KIM brief §6.2; a few cents may differ from the official tables)'
T35 = 'Tarifeinigung für den öffentlichen Dienst von Bund und Kommunen (TVöD) vom 06.04.2025: +3,0 %, mindestens +110 € ab 01.04.2025; +2,8 % ab 01.05.2026; Laufzeit 01.01.2025 bis 31.03.2027. Werte nach der angegebenen Regel berechnet; einzelne Cent-Beträge können von der amtlichen Tabelle abweichen.'
T36 = '2026 value = 2025 value × 1.028, rounded to the cent (half up)'
T37 = 'Wert 2026 = Wert 2025 × 1,028 (Tarifeinigung vom 06.04.2025), kaufmännisch auf den Cent gerundet'
T38 = 'TVöD SuE Entgelttabelle ab 01.03.2024: https://xn--tvd-tna.com/entgelttabelle/sue/ ; identical to AVR-Württemberg Anlage C VKA: https://www.xn--avr-wrttemberg-ksb.de/teil-3-1-besonderer-teil-verwaltung-bt-v-einschliesslich-ergaenzender-bestimmungen/anlage-c-vka-ab-1-3-2020/ (KIM brief §6.2)'
T39 = 'TVöD (VKA), Entgelttabelle Sozial- und Erziehungsdienst, gültig ab 01.03.2024'
T40 = '2025 value = max(2024 value × 1.03, 2024 value + 110 €), rounded to the cent (half up)'
T41 = 'Wert 2025 = Wert 2024 × 1,03, mindestens Wert 2024 + 110 € (Tarifeinigung vom 06.04.2025), kaufmännisch auf den Cent gerundet'
T42 = '§ 16 Abs. 3 TVöD (VKA): https://dbb.de/lexikon/themenartikel/e/entwicklungsstufen.html (KIM brief §6.3)'
T43 = '§ 16 Abs. 3 TVöD (VKA), Stufenlaufzeiten'
T44 = 'TVöD SuE Stufenlaufzeiten: https://www.gew-sachsen.de/aktuelles/detailseite/neuigkeiten/stufenlaufzeiten/ (KIM brief §6.3)'
T45 = 'TVöD (VKA), Sonderregelungen für den Sozial- und Erziehungsdienst, Stufenlaufzeiten'
T46 = '§ 20 TVöD Jahressonderzahlung: https://oeffentlicher-dienst.info/tvoed/tr/2025 ; Haufe (KIM brief §6.3)'
T47 = '§ 20 TVöD, Jahressonderzahlung; Tarifeinigung vom 06.04.2025'
T48 = 'Jahressonderzahlung SuE: https://www.xn--mav-kirchenkreis-osnabrck-1wc.de/themen-von-a-z/jahressonderzahlung (KIM brief §6.3)'
T49 = '§ 20 TVöD, Jahressonderzahlung (Sozial- und Erziehungsdienst); Tarifeinigung vom 06.04.2025'
T50 = 'Employer social-insurance shares 2025 (≈ 21 %): https://deutsche-flagge.de/ (Sozialversicherung 2025); kvw-Zusatzversorgung: https://kvw-muenster.de/de/betriebsrente/arbeitgeber/mitgliedschaft (levy rate UNCONFIRMED, roughly 4–7 %); rule of thumb 1.25–1.30 × gross (KIM brief §6.4)'
T51 = 'Arbeitgeberanteile der gesetzlichen Sozialversicherung 2025 (zusammen rund 21 %); Umlage zur kvw-Zusatzversorgung (Kommunale Versorgungskassen Westfalen-Lippe), Satz nicht bestätigt – bitte prüfen (üblich 4–7 %); Faustregel 1,25–1,30 × Bruttoentgelt'

# (model, natural key, {field: (shipped before, shipped now)})
CHANGES: list[tuple[str, dict[str, Any], dict[str, tuple[Any, Any]]]] = [('FundingRate',
  {'baustein': 'B1', 'kind': 'per_vze', 'valid_from': '2020-07-01'},
  {'source': (T00, T01), 'note': (T02, T03)}),
 ('FundingRate',
  {'baustein': 'B1', 'kind': 'per_vze', 'valid_from': '2023-01-01'},
  {'source': (T04, T05), 'note': (T06, T07)}),
 ('FundingRate',
  {'baustein': 'B1', 'kind': 'va_half', 'valid_from': '2020-07-01'},
  {'source': (T08, T09), 'note': (T10, T11)}),
 ('FundingRate',
  {'baustein': 'B1', 'kind': 'non_personnel', 'valid_from': '2020-07-01'},
  {'source': (T00, T01), 'note': (T12, T13)}),
 ('FundingRate',
  {'baustein': 'B1', 'kind': 'workplace_setup', 'valid_from': '2024-12-12'},
  {'source': (T14, T15), 'note': (T16, T17)}),
 ('FundingRate',
  {'baustein': 'B2', 'kind': 'per_vze', 'valid_from': '2020-07-01'},
  {'source': (T18, T19), 'note': (T20, T21)}),
 ('FundingRate',
  {'baustein': 'B2', 'kind': 'per_vze', 'valid_from': '2023-01-01'},
  {'source': (T04, T05), 'note': (T22, T23)}),
 ('FundingRate',
  {'baustein': 'B3', 'kind': 'per_vze', 'valid_from': '2020-07-01'},
  {'source': (T00, T01), 'note': (T24, T25)}),
 ('FundingRate',
  {'baustein': 'B3', 'kind': 'per_vze', 'valid_from': '2023-01-01'},
  {'source': (T26, T27), 'note': (T28, T29)}),
 ('PayTableEntry', {'group': 'E 9b', 'valid_from': '2024-03-01'}, {'source': (T30, T31)}),
 ('PayTableEntry', {'group': 'E 9b', 'valid_from': '2025-04-01'}, {'source': (T32, T33)}),
 ('PayTableEntry',
  {'group': 'E 9b', 'valid_from': '2026-05-01'},
  {'source': (T34, T35), 'rule': (T36, T37)}),
 ('PayTableEntry', {'group': 'E 9c', 'valid_from': '2024-03-01'}, {'source': (T30, T31)}),
 ('PayTableEntry', {'group': 'E 9c', 'valid_from': '2025-04-01'}, {'source': (T32, T33)}),
 ('PayTableEntry',
  {'group': 'E 9c', 'valid_from': '2026-05-01'},
  {'source': (T34, T35), 'rule': (T36, T37)}),
 ('PayTableEntry', {'group': 'E 10', 'valid_from': '2024-03-01'}, {'source': (T30, T31)}),
 ('PayTableEntry', {'group': 'E 10', 'valid_from': '2025-04-01'}, {'source': (T32, T33)}),
 ('PayTableEntry',
  {'group': 'E 10', 'valid_from': '2026-05-01'},
  {'source': (T34, T35), 'rule': (T36, T37)}),
 ('PayTableEntry', {'group': 'E 11', 'valid_from': '2024-03-01'}, {'source': (T30, T31)}),
 ('PayTableEntry', {'group': 'E 11', 'valid_from': '2025-04-01'}, {'source': (T32, T33)}),
 ('PayTableEntry',
  {'group': 'E 11', 'valid_from': '2026-05-01'},
  {'source': (T34, T35), 'rule': (T36, T37)}),
 ('PayTableEntry', {'group': 'S 11b', 'valid_from': '2024-03-01'}, {'source': (T38, T39)}),
 ('PayTableEntry',
  {'group': 'S 11b', 'valid_from': '2025-04-01'},
  {'source': (T34, T35), 'rule': (T40, T41)}),
 ('PayTableEntry',
  {'group': 'S 11b', 'valid_from': '2026-05-01'},
  {'source': (T34, T35), 'rule': (T36, T37)}),
 ('PayTableEntry', {'group': 'S 12', 'valid_from': '2024-03-01'}, {'source': (T38, T39)}),
 ('PayTableEntry',
  {'group': 'S 12', 'valid_from': '2025-04-01'},
  {'source': (T34, T35), 'rule': (T40, T41)}),
 ('PayTableEntry',
  {'group': 'S 12', 'valid_from': '2026-05-01'},
  {'source': (T34, T35), 'rule': (T36, T37)}),
 ('StepRule', {'scale': 'TVöD VKA', 'step': 1}, {'source': (T42, T43)}),
 ('StepRule', {'scale': 'TVöD VKA', 'step': 2}, {'source': (T42, T43)}),
 ('StepRule', {'scale': 'TVöD VKA', 'step': 3}, {'source': (T42, T43)}),
 ('StepRule', {'scale': 'TVöD VKA', 'step': 4}, {'source': (T42, T43)}),
 ('StepRule', {'scale': 'TVöD VKA', 'step': 5}, {'source': (T42, T43)}),
 ('StepRule', {'scale': 'TVöD VKA', 'step': 6}, {'source': (T42, T43)}),
 ('StepRule', {'scale': 'TVöD SuE', 'step': 1}, {'source': (T44, T45)}),
 ('StepRule', {'scale': 'TVöD SuE', 'step': 2}, {'source': (T44, T45)}),
 ('StepRule', {'scale': 'TVöD SuE', 'step': 3}, {'source': (T44, T45)}),
 ('StepRule', {'scale': 'TVöD SuE', 'step': 4}, {'source': (T44, T45)}),
 ('StepRule', {'scale': 'TVöD SuE', 'step': 5}, {'source': (T44, T45)}),
 ('StepRule', {'scale': 'TVöD SuE', 'step': 6}, {'source': (T44, T45)}),
 ('SpecialPaymentRate',
  {'scale': 'TVöD VKA', 'group_from': 'E 1', 'group_to': 'E 8', 'valid_from': '2024-01-01'},
  {'source': (T46, T47)}),
 ('SpecialPaymentRate',
  {'scale': 'TVöD VKA', 'group_from': 'E 9a', 'group_to': 'E 12', 'valid_from': '2024-01-01'},
  {'source': (T46, T47)}),
 ('SpecialPaymentRate',
  {'scale': 'TVöD VKA', 'group_from': 'E 13', 'group_to': 'E 15', 'valid_from': '2024-01-01'},
  {'source': (T46, T47)}),
 ('SpecialPaymentRate',
  {'scale': 'TVöD SuE', 'group_from': 'S 10', 'group_to': 'S 18', 'valid_from': '2024-01-01'},
  {'source': (T48, T49)}),
 ('SpecialPaymentRate',
  {'scale': 'TVöD VKA', 'group_from': 'E 1', 'group_to': 'E 15', 'valid_from': '2026-01-01'},
  {'source': (T46, T47)}),
 ('SpecialPaymentRate',
  {'scale': 'TVöD SuE', 'group_from': 'S 10', 'group_to': 'S 18', 'valid_from': '2026-01-01'},
  {'source': (T48, T49)}),
 ('EmployerAddOn',
  {'valid_from': '2025-01-01'},
  {'source': (T50, T51),
   'breakdown': ([['Rentenversicherung', '0.093'],
                  ['Krankenversicherung', '0.073'],
                  ['Krankenversicherung, halber Zusatzbeitrag (≈)', '0.0125'],
                  ['Pflegeversicherung', '0.018'],
                  ['Arbeitslosenversicherung', '0.013'],
                  ['Zusatzversorgung kvw (UNCONFIRMED, 4–7 %)', '0.06']],
                 [['Rentenversicherung', '0.093'],
                  ['Krankenversicherung', '0.073'],
                  ['Krankenversicherung, halber Zusatzbeitrag (≈)', '0.0125'],
                  ['Pflegeversicherung', '0.018'],
                  ['Arbeitslosenversicherung', '0.013'],
                  ['Zusatzversorgung kvw (nicht bestätigt – bitte prüfen, üblich 4–7 %)',
                   '0.06']])})]


def _apply(apps: Any, forward: bool) -> None:
    for model_name, lookup, fields in CHANGES:
        model = apps.get_model("programmes", model_name)
        for row in model.objects.filter(**lookup):
            changed = []
            for field, (before, after) in fields.items():
                old, new = (before, after) if forward else (after, before)
                if getattr(row, field) == old:
                    setattr(row, field, new)
                    changed.append(field)
            if changed:
                row.save(update_fields=changed)


def forwards(apps: Any, schema_editor: Any) -> None:
    _apply(apps, forward=True)


def backwards(apps: Any, schema_editor: Any) -> None:
    _apply(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_staffmember_employer")]

    operations = [migrations.RunPython(forwards, backwards)]
