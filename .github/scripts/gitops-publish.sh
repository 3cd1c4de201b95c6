#!/usr/bin/env bash
# Publishes the rendered manifests of one service in one environment, deploy/<env>/<service>/, to the GitOps branch
# (default `deploy`) as one commit — the desired state a GitOps controller (Argo CD, Flux) applies to the cluster.
#
#   gitops-publish.sh <environment> <service> <sha256:digest>
#
# Run at the root of a full clone (fetch-depth: 0) whose remote accepts pushes, after `nx run <service>:deploy`.
#   - Every image reference in the manifests must be pinned by digest, and the service's image to exactly <digest>.
#   - Only deploy/<env>/<service>/ changes on the branch; everything else there stays as it is. The commit is built
#     with plumbing (a temporary index, write-tree, commit-tree): no checkout of the branch, the work tree untouched.
#   - Never moves an environment backwards: when the branch already holds this service in this environment from a
#     commit that is not an ancestor of ours (a newer run got there first), it prints a notice and changes nothing.
#   - Idempotent: nothing to commit when the manifests are unchanged (a re-run).
#   - Parallel matrix jobs push to the same branch: a rejected (non-fast-forward) push is rebuilt on the new tip and
#     retried; the jobs touch disjoint folders, so a retry never conflicts.
# Environment: GITOPS_BRANCH (deploy), GITOPS_REMOTE (origin), SOURCE_SHA (HEAD), GITOPS_PUSH_ATTEMPTS (5).
set -euo pipefail

usage='usage: gitops-publish.sh <environment> <service> <sha256:digest>'
environment=${1:?$usage}
service=${2:?$usage}
digest=${3:?$usage}
branch=${GITOPS_BRANCH:-deploy}
remote=${GITOPS_REMOTE:-origin}
attempts=${GITOPS_PUSH_ATTEMPTS:-5}

fail() {
  echo "gitops-publish: $*" >&2
  exit 1
}

[[ "$environment" =~ ^[a-z][a-z0-9-]*$ ]] || fail "bad environment name '$environment'"
[[ "$service" =~ ^[a-z][a-z0-9-]*$ ]] || fail "bad service name '$service'"
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "digest '$digest' is not sha256:<64 hex> (an empty job output?)"

cd "$(git rev-parse --show-toplevel)"
source_sha=${SOURCE_SHA:-$(git rev-parse HEAD)}
dir="deploy/$environment/$service"

[[ -d "$dir" && -n "$(ls -A "$dir")" ]] ||
  fail "$dir is missing or empty: render it first (npx nx run $service:deploy --environment=$environment)"

# Pinned by digest: no image reference without @sha256:, and the service's own image at exactly this digest.
unpinned=$(grep -rhE '(^|[^A-Za-z])"?image"?[[:space:]]*:' "$dir" | grep -v '@sha256:' || true)
[[ -z "$unpinned" ]] || fail "image references in $dir not pinned by digest:"$'\n'"$unpinned"
pinned=$(grep -rhoE "/$service@sha256:[0-9a-f]{64}" "$dir" | sed 's/.*@//' | sort -u || true)
[[ -n "$pinned" ]] || fail "no manifest in $dir references the image …/$service@sha256:…"
[[ "$pinned" == "$digest" ]] || fail "manifests in $dir pin $(echo "$pinned" | tr '\n' ' ')but the artifact is $digest"

: "${GIT_AUTHOR_NAME:=github-actions[bot]}" "${GIT_AUTHOR_EMAIL:=41898282+github-actions[bot]@users.noreply.github.com}"
: "${GIT_COMMITTER_NAME:=$GIT_AUTHOR_NAME}" "${GIT_COMMITTER_EMAIL:=$GIT_AUTHOR_EMAIL}"
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

message=$(mktemp)
index=$(mktemp -u)
trap 'rm -f "$message" "$index"' EXIT
{
  echo "deploy($environment): $service ${digest:0:19}"
  echo
  echo "Environment: $environment"
  echo "Service: $service"
  echo "Digest: $digest"
  echo "Source-Commit: $source_sha"
  if [[ -n "${GITHUB_RUN_ID:-}" ]]; then
    echo "Run: ${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/$GITHUB_RUN_ID"
  fi
} >"$message"

for ((attempt = 1; attempt <= attempts; attempt++)); do
  parent=''
  if git ls-remote --exit-code --heads "$remote" "$branch" >/dev/null; then
    git fetch --quiet --no-tags "$remote" "+refs/heads/$branch:refs/remotes/$remote/$branch"
    parent=$(git rev-parse "refs/remotes/$remote/$branch")
  else
    status=$?
    [[ $status -eq 2 ]] || fail "cannot read branches of $remote (git ls-remote exit $status)"
    echo "gitops-publish: $remote has no branch $branch yet: creating it"
  fi

  if [[ -n "$parent" ]]; then
    deployed=$(git log -1 --format='%(trailers:key=Source-Commit,valueonly)' "$parent" -- "$dir" | tr -d '[:space:]')
    if [[ -n "$deployed" && "$deployed" != "$source_sha" ]]; then
      if ! git cat-file -e "${deployed}^{commit}" 2>/dev/null; then
        echo "gitops-publish: warning: $dir on $branch comes from $deployed, which is not in this clone; replacing it" >&2
      elif ! git merge-base --is-ancestor "$deployed" "$source_sha"; then
        echo "gitops-publish: $dir on $branch already comes from $deployed, newer than $source_sha: left as it is"
        exit 0
      fi
    fi
  fi

  if [[ -n "$parent" ]]; then GIT_INDEX_FILE=$index git read-tree "$parent"; else GIT_INDEX_FILE=$index git read-tree --empty; fi
  GIT_INDEX_FILE=$index git rm -r -q -f --cached --ignore-unmatch -- "$dir" >/dev/null
  GIT_INDEX_FILE=$index git add -- "$dir" # deploy/.gitignore keeps lock and staging files out
  tree=$(GIT_INDEX_FILE=$index git write-tree)
  rm -f "$index"

  if [[ -n "$parent" && "$tree" == "$(git rev-parse "$parent^{tree}")" ]]; then
    echo "gitops-publish: $dir on $branch is already at $digest: nothing to commit"
    exit 0
  fi
  parents=()
  [[ -z "$parent" ]] || parents=(-p "$parent")
  commit=$(git commit-tree "$tree" "${parents[@]}" -F "$message")

  if git push --quiet "$remote" "$commit:refs/heads/$branch"; then
    echo "gitops-publish: pushed $commit to $branch: $dir at $digest (from $source_sha)"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "commit=$commit" >>"$GITHUB_OUTPUT"; fi
    exit 0
  fi
  echo "gitops-publish: push rejected (attempt $attempt of $attempts): another job moved $branch; rebuilding on its tip" >&2
  sleep "$((attempt - 1)).$((RANDOM % 10))"
done
fail "could not push to $branch after $attempts attempts"
