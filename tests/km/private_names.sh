#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a command with name files of its own, so that WskGetNameInfo has exact answers
# (KmDriverC.NameInfoHostsFile):
#   private_names.sh <program> [arguments...]
# The program runs in new user, mount, UTS and network namespaces (unshare -r -m -u -n,
# no privileges needed where the kernel allows unprivileged user namespaces) with
# /etc/hosts, /etc/services and /etc/nsswitch.conf ("files" only: no DNS) bind-mounted
# from a temporary directory, the host name wskport-v4.test (NI_NOFQDN strips ".test"),
# and WSKPORT_TEST_PRIVATE_NAMES=1 in its environment. Nothing outside the namespaces
# changes. Exits 77 (ctest's SKIP_RETURN_CODE) when the namespaces cannot be made, else
# with the program's status.
set -eu

if [ "$#" -lt 1 ]; then
  echo "usage: private_names.sh <program> [arguments...]" >&2
  exit 2
fi
if ! command -v unshare >/dev/null 2>&1 || ! unshare -r -m -u -n true 2>/dev/null; then
  echo "private_names.sh: no user namespaces here (unshare -r -m -u -n failed): skipped" >&2
  exit 77
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/wskport-names.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
# 127.0.0.2's name is UTF-8 (u with diaeresis): the lookup must bring it back as UTF-16.
printf '127.0.0.1 wskport-v4.test wskport-v4\n::1 wskport-v6.test wskport-v6\n127.0.0.2 wskport-\303\274.test\n' >"$dir/hosts"
printf 'wskport-tcp 4242/tcp\nwskport-udp 4242/udp\n' >"$dir/services"
printf 'hosts: files\nservices: files\n' >"$dir/nsswitch.conf"

status=0
unshare -r -m -u -n sh -eu -c '
  dir=$1
  shift
  mount --bind "$dir/hosts" /etc/hosts
  mount --bind "$dir/services" /etc/services
  if [ -e /etc/nsswitch.conf ]; then mount --bind "$dir/nsswitch.conf" /etc/nsswitch.conf; fi
  hostname wskport-v4.test
  # Loopback is down in a new network namespace; the program may still open sockets.
  if command -v ip >/dev/null 2>&1; then ip link set lo up 2>/dev/null || true; fi
  WSKPORT_TEST_PRIVATE_NAMES=1 "$@"
' sh "$dir" "$@" || status=$?
exit "$status"
