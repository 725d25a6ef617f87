#!/usr/bin/env bash
# Fuzz the API with schemathesis against a real gunicorn on 127.0.0.1 (demo data, token auth).
# Fails on any server error or any response that contradicts the documented schema.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
port=${FUZZ_PORT:-8765}
export KIM_ENV=demo SECRET_KEY="fuzz-$(date +%s)-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')" \
  KIM_VAR_DIR="$tmp" DATABASE_URL="sqlite:///$tmp/fuzz.sqlite3"
.venv/bin/kim demo --no-serve >/dev/null
token=$(.venv/bin/kim drf_create_token koordination | awk '{print $3}')
export KIM_FUZZ_KREIS=$(.venv/bin/kim shell --no-imports -c "from kim.organisations.models import Organisation as O; print(O.objects.get(ags='05970').code)")
export KIM_FUZZ_POSITION=$(.venv/bin/kim shell --no-imports -c "from kim.programmes.models import Position as P; print(P.objects.order_by('id').first().code)")
export KIM_FUZZ_TALK=$(.venv/bin/kim shell --no-imports -c "from kim.partners.models import Talk as T; print(T.objects.order_by('id').first().code)")
export KIM_FUZZ_AGREEMENT=$(.venv/bin/kim shell --no-imports -c "from kim.partners.models import Agreement as A; print(A.objects.order_by('id').first().code)")
# The first call of the Kreis Siegen-Wittgenstein; a code that exists nowhere if the demo has none
# (the call operations then only reach the 404).
export KIM_FUZZ_CALL=$(.venv/bin/kim shell --no-imports -c "from kim.partners.models import Call as C; c = C.objects.filter(region__ags='05970').order_by('id').first(); print(c.code if c else 'nocallseeded0000')")
# The first demo topic of the Kreis (tools/schemathesis.toml); a code that exists nowhere if none.
export KIM_FUZZ_TOPIC=$(.venv/bin/kim shell --no-imports -c "from kim.steering.models import Topic as T; t = T.objects.filter(region__ags='05970').order_by('id').first(); print(t.code if t else 'notopicseeded000')")
echo "fuzzing with Kreis $KIM_FUZZ_KREIS, position $KIM_FUZZ_POSITION, talk $KIM_FUZZ_TALK, agreement $KIM_FUZZ_AGREEMENT call $KIM_FUZZ_CALL and topic $KIM_FUZZ_TOPIC"
.venv/bin/gunicorn kim.wsgi:application --bind 127.0.0.1:$port --workers 2 --log-level warning --limit-request-line 16384 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
.venv/bin/schemathesis --config-file tools/schemathesis.toml run "http://127.0.0.1:$port/api/v1/schema.json" \
  --header "Authorization: Token $token" --wait-for-schema 30 \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
  --max-examples 30 --workers 1 --seed 1 --no-color
