#!/usr/bin/env bash
# Refresh the Docker official image lists in src/pipedoctor/sources/ from a clone (with history)
# of docker-library/official-images: the names in its library/ folder, and the names removed
# from it (deprecated images, still on Docker Hub but not mirrored), with the commit they come from.
set -euo pipefail
checkout="${1:?usage: $0 PATH-TO-official-images-CLONE}"
out="$(dirname "$0")/../src/pipedoctor/knowledge"
commit="$(git -C "$checkout" log -1 --format=%H)"
day="$(git -C "$checkout" log -1 --format=%cs)"
current="$(git -C "$checkout" ls-tree --name-only HEAD library/ | sed 's|^library/||')"
{
  echo "# Docker official images: the names under library/ in docker-library/official-images"
  echo "# (commit $commit, $day). ECR Public mirrors these as"
  echo "# public.ecr.aws/docker/library/NAME. Refresh with scripts/make_docker_official_images.sh."
  echo "$current"
} > "$out/docker-official-images.txt"
{
  echo "# Deprecated Docker official images: removed from library/ in docker-library/official-images"
  echo "# (history up to commit $commit, $day); still pulled from Docker Hub, not mirrored."
  git -C "$checkout" log --diff-filter=D --name-only --format= -- library/ | sed 's|^library/||' \
    | grep -v '^MAINTAINERS$' | sort -u | grep -vxF -f <(echo "$current")
} > "$out/docker-deprecated-official-images.txt"
