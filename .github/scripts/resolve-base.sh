#!/usr/bin/env bash
# Prints the commit CI compares HEAD with, or prints nothing when there is none, meaning "every service is affected".
#
#   resolve-base.sh <event-name> <pull-request-base-sha> <push-before-sha>
#
#   pull_request       the PR's base commit (github.event.pull_request.base.sha)
#   push               what the branch pointed at before the push (github.event.before); none when that is all zeros
#                      (the branch was just created: the first push) or not in the clone (a force push dropped it)
#   anything else      none: a manual run (workflow_dispatch) checks and builds every service
#
# Needs a full clone (actions/checkout with fetch-depth: 0) so the base commit is present. Notes go to stderr.
set -euo pipefail

event=${1:?usage: resolve-base.sh <event-name> <pull-request-base-sha> <push-before-sha>}
pr_base=${2:-}
before=${3:-}

case "$event" in
  pull_request | pull_request_target) candidate=$pr_base ;;
  push) candidate=$before ;;
  *) candidate='' ;;
esac

if [[ -z "$candidate" || "$candidate" =~ ^0+$ ]]; then
  echo "resolve-base: no base commit for this '$event' event: every service counts as affected" >&2
  exit 0
fi
if ! git cat-file -e "${candidate}^{commit}" 2>/dev/null; then
  echo "resolve-base: base commit $candidate is not in the clone (force push?): every service counts as affected" >&2
  exit 0
fi
git rev-parse --verify --quiet "${candidate}^{commit}"
