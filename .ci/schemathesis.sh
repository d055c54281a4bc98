#!/usr/bin/env bash
# The external referee: Schemathesis (pinned) runs every check and every phase of each
# generated OpenAPI document against a running `provsim serve`. Zero failures required.
#
#   bash .ci/schemathesis.sh [path/to/provsim] [max-examples] [seed]
#
# Installs Schemathesis from PyPI if missing. Stops the server however it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/provsim}
max_examples=${2:-40}
seed=${3:-20261129}
st_version=4.32.5

if ! st --version 2>/dev/null | grep -q "$st_version"; then
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$st_version"
fi

# shellcheck source=serve.sh
source .ci/serve.sh
start_provsim "$bin"

# Back to the fixture, and no Exotel rate limit: Schemathesis sends far more than 200
# requests a minute, and 429 is covered by the black-box tests.
prepare() {
  curl -sf -X POST http://127.0.0.1:8100/_sim/reset >/dev/null
  curl -sf -X PUT http://127.0.0.1:8100/_sim/exotel/accounts/provsim1/rate-limit \
    -H 'Content-Type: application/json' -d '{"requests_per_minute":0}' >/dev/null
}

failed=()
run() { # family port [auth args...]
  local family=$1 port=$2
  shift 2
  prepare
  echo "--- schemathesis: $family"
  if ! st --config-file "contracts/schemathesis/$family.toml" run "contracts/openapi/$family.yaml" \
      --url "http://127.0.0.1:$port" --max-examples "$max_examples" --seed "$seed" \
      --workers 1 --no-color "$@"; then
    failed+=("$family")
  fi
}

run vpn 8101 -H 'Authorization: Bearer vpn-demo-key'
run vpn-daemon 8895
run exotel 8102 --auth exotel-demo-key:exotel-demo-token
run control 8100

if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis: failures in: ${failed[*]}"
  exit 1
fi
echo "schemathesis: every contract passed"
