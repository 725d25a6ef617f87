#!/usr/bin/env bash
# Fails when the German catalogue is behind the code: a msgid in the code that the committed
# locale/de/LC_MESSAGES/django.po lacks, an untranslated or fuzzy entry, or a stale .mo file.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v msgfmt >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq gettext >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
fi
command -v msgfmt >/dev/null || { echo "gettext (msgfmt) is needed: apt-get install gettext" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r locale "$tmp/locale.orig"
.venv/bin/kim makemessages -l de --no-obsolete --add-location file -i ".venv/*" -i "node_modules/*" \
  -i "var/*" -i "benchmarks/*" -i "tests/*" >/dev/null
new_ids=$(msgattrib --untranslated --no-wrap locale/de/LC_MESSAGES/django.po | grep -c '^msgid "' || true)
fuzzy=$(msgattrib --only-fuzzy --no-wrap locale/de/LC_MESSAGES/django.po | grep -c '^msgid "' || true)
# Put the committed catalogue back (makemessages only changed dates and locations otherwise).
rm -rf locale && cp -r "$tmp/locale.orig" locale
status=0
if [ "$new_ids" -gt 0 ]; then echo "locale: $((new_ids - 1)) untranslated msgid(s); run 'make messages' and translate" >&2; status=1; fi
if [ "$fuzzy" -gt 0 ]; then echo "locale: fuzzy entries in django.po" >&2; status=1; fi
msgfmt -c -o "$tmp/check.mo" locale/de/LC_MESSAGES/django.po
if ! cmp -s "$tmp/check.mo" locale/de/LC_MESSAGES/django.mo; then
  echo "locale: django.mo is not compiled from django.po; run 'make messages'" >&2; status=1
fi
exit $status
