#!/bin/sh
# Installs the Debian packages qfs needs to build and test. Idempotent: quiet and
# quick when everything is already present. Must run as root when something is missing.
set -eu

# chromium (large; installed without its recommends like everything here) renders
# the HTML report headless in tests/cli/report_commands.sh.
PKGS="build-essential cmake pkg-config libprotobuf-c-dev protobuf-c-compiler \
libxxhash-dev libzstd-dev libmicrohttpd-dev check libjansson-dev libsodium-dev libssl-dev zstd clang libclang-rt-14-dev jq clang-format \
python3 xxhash libxml2-utils chromium curl prometheus apache2-utils"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root to install)" >&2
    exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
