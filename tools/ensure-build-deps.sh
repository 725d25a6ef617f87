#!/usr/bin/env bash
# `make install` needs a C compiler and the OpenLDAP/SASL headers: python-ldap (behind
# django-auth-ldap, D-069) has no wheel on PyPI and is built from source. As root the missing
# Debian packages are installed; otherwise the script names them and stops.
set -uo pipefail
need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
for pkg in libldap2-dev libsasl2-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo ">> installing build packages for python-ldap (Debian): ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "!! python-ldap needs: apt-get install ${need[*]}" >&2
  exit 2
fi
