#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a command with a resolver that cannot answer, so that a temporary name-service
# failure (EAI_AGAIN / WSATRY_AGAIN) can be provoked (ContractResolver.*):
#   broken_dns.sh <program> [arguments...]
# The program runs in new user, mount and network namespaces (unshare -r -m -n) with
# /etc/resolv.conf naming 127.0.0.1 (where nothing listens: queries are refused at
# once) and /etc/nsswitch.conf saying "hosts: dns", and WSKPORT_TEST_BROKEN_DNS=1 in its
# environment. Nothing outside the namespaces changes. Exits 77 (ctest's
# SKIP_RETURN_CODE) when the namespaces cannot be made, else with the program's status.
set -eu

if [ "$#" -lt 1 ]; then
  echo "usage: broken_dns.sh <program> [arguments...]" >&2
  exit 2
fi
if ! command -v unshare >/dev/null 2>&1 || ! unshare -r -m -n true 2>/dev/null; then
  echo "broken_dns.sh: no user namespaces here (unshare -r -m -n failed): skipped" >&2
  exit 77
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/wskport-dns.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$dir/resolv.conf"
printf 'hosts: dns\n' >"$dir/nsswitch.conf"

status=0
unshare -r -m -n sh -eu -c '
  dir=$1
  shift
  mount --bind "$dir/resolv.conf" /etc/resolv.conf
  if [ -e /etc/nsswitch.conf ]; then mount --bind "$dir/nsswitch.conf" /etc/nsswitch.conf; fi
  if command -v ip >/dev/null 2>&1; then ip link set lo up 2>/dev/null || true; fi
  WSKPORT_TEST_BROKEN_DNS=1 "$@"
' sh "$dir" "$@" || status=$?
exit "$status"
