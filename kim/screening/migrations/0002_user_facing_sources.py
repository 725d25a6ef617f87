"""Data migration (decisions D-054): the screening rule versions cite the law on gesetze-im-internet.de and the amending acts instead of commentaries and counselling sites; notes say “nicht bestätigt – bitte prüfen” in German.

Rows still holding the text shipped before are rewritten; a row somebody corrected locally
(its text differs from the old one) is left alone. Reversible: backwards swaps the texts again.
Generated from the reference data of both versions; the texts are copied here so that the
migration keeps working when ``reference_data`` changes again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

T00 = 'https://buzer.de/25a_AufenthG.htm?setmobile=1 ; https://nds-fluerat.org/?p=45528 ; https://asyl.net/themen/ (Aufenthaltserlaubnis für gut integrierte Jugendliche und junge Erwachsene) ; https://anwalt-diedrich.de/?p=889'
T01 = 'https://www.gesetze-im-internet.de/aufenthg_2004/__25a.html (Aufenthaltsgesetz, § 25a, geltende Fassung) ; Gesetz zur Einführung eines Chancen-Aufenthaltsrechts (Änderungen ab 31.12.2022)'
T02 = 'Chancen-Aufenthaltsrechtsgesetz; § 25a Abs. 2 (Eltern, Geschwister) nicht abgebildet (UNBESTÄTIGT).'
T03 = 'Fassung des Gesetzes zur Einführung eines Chancen-Aufenthaltsrechts. § 25a Abs. 2 (Eltern, Geschwister) ist nicht abgebildet; Einzelheiten nicht bestätigt – bitte prüfen.'
T04 = 'https://www.asyl.net/themen/ (Aufenthaltserlaubnis bei nachhaltiger Integration) ; https://nds-fluerat.org/leitfaden/15-aufenthaltserlaubnis-nachhaltige-integration/ ; https://asyl.net/rsdb/M26754'
T05 = 'https://www.gesetze-im-internet.de/aufenthg_2004/__25b.html (Aufenthaltsgesetz, § 25b, geltende Fassung) ; Gesetz zur Einführung eines Chancen-Aufenthaltsrechts (Änderungen ab 31.12.2022)'
T06 = 'https://sonnenberg-lawfirm.de/?p=2234 ; https://www.ihk.de/regensburg/ (Chancen-Aufenthaltsrecht: Anträge nur noch bis 31.12.2025, 6745522) ; https://bleibdranplus.de/countdown-chancenaufenthalt/ ; https://berlin-hilft.com/2023/01/20/'
T07 = 'https://www.gesetze-im-internet.de/aufenthg_2004/__104c.html (Aufenthaltsgesetz, § 104c, Chancen-Aufenthaltsrecht) ; eingefügt durch das Gesetz zur Einführung eines Chancen-Aufenthaltsrechts; Anträge bis 31.12.2025'
T08 = 'https://proasyl.de/hintergrund/voraussetzungen-fuer-die-einbuergerung-seit-juni-2024 ; https://innen.hessen.de/ (Unterhaltsfähigkeit) ; https://szypulka.de/de/einbuergerung/einbuergerung-trotz-buergergeld-oder-sozialhilfe/ ; https://ogletree.de/publikationen/staatsangehoerigkeitsrecht-modernisiert'
T09 = 'https://www.gesetze-im-internet.de/stag/__10.html (Staatsangehörigkeitsgesetz, § 10, geltende Fassung) ; Gesetz zur Modernisierung des Staatsangehörigkeitsrechts (StARModG) vom 22.03.2024, in Kraft seit 27.06.2024'
T10 = 'https://hrrf.de/?p=4568 ; https://www.bundestag.de/presse/hib/kurzmeldungen-1108272 ; https://www.anwalt.org/turbo-einbuergerung-abgeschafft-nach-nur-einem-jahr-ist-schluss ; https://migrando.de/?p=260099'
T11 = 'https://www.gesetze-im-internet.de/stag/__10.html (Staatsangehörigkeitsgesetz, § 10) ; https://www.bundestag.de/presse/hib/kurzmeldungen-1108272 (Deutscher Bundestag: Abschaffung der Einbürgerung nach drei Jahren, Drucksache 21/537) ; VG Trier, Urteil vom 03.12.2025 – 8 K 5461/25.TR'
T12 = 'Abschaffung am 08.10.2025 vom Bundestag beschlossen (Drs. 21/537), in Kraft mit Verkündung Ende Oktober 2025; genauer Tag UNBESTÄTIGT (etwa 30.10.2025), hier 29.10.2025 als letzter Geltungstag angenommen. Keine Übergangsregelung (VG Trier, 03.12.2025, 8 K 5461/25.TR).'
T13 = 'Abschaffung am 08.10.2025 vom Bundestag beschlossen (Drs. 21/537), in Kraft mit Verkündung Ende Oktober 2025; genauer Tag nicht bestätigt – bitte prüfen (etwa 30.10.2025), hier gilt der 29.10.2025 als letzter Geltungstag. Keine Übergangsregelung (VG Trier, 03.12.2025, 8 K 5461/25.TR).'

# (model, natural key, {field: (shipped before, shipped now)})
CHANGES: list[tuple[str, dict[str, Any], dict[str, tuple[Any, Any]]]] = [('RuleVersion',
  {'rule': 'aufenthg_25a', 'valid_from': '2015-08-01'},
  {'source': (T00, T01)}),
 ('RuleVersion',
  {'rule': 'aufenthg_25a', 'valid_from': '2022-12-31'},
  {'source': (T00, T01), 'note': (T02, T03)}),
 ('RuleVersion',
  {'rule': 'aufenthg_25b', 'valid_from': '2015-08-01'},
  {'source': (T04, T05)}),
 ('RuleVersion',
  {'rule': 'aufenthg_25b', 'valid_from': '2022-12-31'},
  {'source': (T04, T05)}),
 ('RuleVersion',
  {'rule': 'aufenthg_104c', 'valid_from': '2022-12-31'},
  {'source': (T06, T07)}),
 ('RuleVersion', {'rule': 'stag_10', 'valid_from': '2000-01-01'}, {'source': (T08, T09)}),
 ('RuleVersion', {'rule': 'stag_10', 'valid_from': '2024-06-27'}, {'source': (T08, T09)}),
 ('RuleVersion',
  {'rule': 'stag_10_3', 'valid_from': '2024-06-27'},
  {'source': (T10, T11), 'note': (T12, T13)})]


def _apply(apps: Any, forward: bool) -> None:
    for model_name, lookup, fields in CHANGES:
        model = apps.get_model("screening", model_name)
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
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
