#!/usr/bin/env bash
# Brings the desired state of one service, deploy/<env>/<service>/ of every environment, from the GitOps branch
# (default `deploy`) into the work tree: what the clusters run now. The deploy stage checks promotion order against it
# (preprod only takes the digest ci holds), and it is the base gitops-publish.sh compares with. A missing branch (no
# deploy yet) leaves the work tree as it is.
#
#   gitops-checkout.sh <service>
#
# Environment: GITOPS_BRANCH (deploy), GITOPS_REMOTE (origin).
set -euo pipefail

service=${1:?usage: gitops-checkout.sh <service>}
branch=${GITOPS_BRANCH:-deploy}
remote=${GITOPS_REMOTE:-origin}
[[ "$service" =~ ^[a-z][a-z0-9-]*$ ]] || {
  echo "gitops-checkout: bad service name '$service'" >&2
  exit 1
}
cd "$(git rev-parse --show-toplevel)"

if git ls-remote --exit-code --heads "$remote" "$branch" >/dev/null; then
  git fetch --quiet --no-tags "$remote" "+refs/heads/$branch:refs/remotes/$remote/$branch"
else
  status=$?
  if [[ $status -ne 2 ]]; then
    echo "gitops-checkout: cannot read branches of $remote (git ls-remote exit $status)" >&2
    exit 1
  fi
  echo "gitops-checkout: $remote has no branch $branch yet: nothing deployed"
  exit 0
fi

ref="refs/remotes/$remote/$branch"
mapfile -t dirs < <(git ls-tree -d --name-only "$ref" deploy/ | while read -r env; do
  if git cat-file -e "$ref:$env/$service" 2>/dev/null; then echo "$env/$service"; fi
done)
for dir in "${dirs[@]}"; do
  rm -rf "$dir" # the branch's folder whole: no file of another render survives
  mkdir -p "$dir"
  git archive "$ref" "$dir" | tar -x
  echo "gitops-checkout: $dir from $branch ($(git rev-parse --short "$ref"))"
done
if [[ ${#dirs[@]} -eq 0 ]]; then echo "gitops-checkout: $service is not deployed anywhere yet"; fi
