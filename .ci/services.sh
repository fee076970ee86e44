#!/usr/bin/env bash
# Install the system packages the tests use and start the services they talk to when down.
set -euo pipefail

need_apt=()
command -v bwrap >/dev/null || need_apt+=(bubblewrap)
# the sandbox's seccomp filters load the system libseccomp through pyseccomp
/sbin/ldconfig -p | grep 'libseccomp\.so\.2' >/dev/null || need_apt+=(libseccomp2)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
