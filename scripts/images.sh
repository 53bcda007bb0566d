#!/usr/bin/env bash
# Builds every image the Kubernetes manifests and docker-compose.yml pull, tagged with the one version that
# k8s/base/kustomization.yaml sets (its images' newTag):
#   espalier/session-service  espalier/ui-vaadin
#   espalier/rollout-service  espalier/trainer-service          (CPU libtorch: the base)
#   espalier/rollout-service-cuda  espalier/trainer-service-cuda (CUDA libtorch: the GPU overlay, docker compose)
# usage: scripts/images.sh [--registry REGISTRY] [--push] [--cpu-only]
#   --registry R  also tags each image as R/espalier/NAME:VERSION, and prints the `images:` block that points an
#                 overlay of k8s/base at R
#   --push        pushes the R/... tags (needs --registry and `docker login R`)
#   --cpu-only    skips the two CUDA images (each carries ~3 GB of CUDA libtorch)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
registry=""
push=false
cuda=true
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry="${2:?--registry needs a value}"; shift 2 ;;
    --push) push=true; shift ;;
    --cpu-only) cuda=false; shift ;;
    *) echo "images.sh: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
if $push && [ -z "$registry" ]; then
  echo "images.sh: --push needs --registry" >&2; exit 2
fi
version="$(sed -n 's/^ *newTag: *//p' "$root/k8s/base/kustomization.yaml" | sort -u)"
if [ -z "$version" ] || [ "$(printf '%s\n' "$version" | wc -l)" -ne 1 ]; then
  echo "images.sh: k8s/base/kustomization.yaml must set one newTag for every image, found: ${version:-none}" >&2
  exit 1
fi

built=()
build() { # build IMAGE MODULE [TARGET]
  local image="$1" module="$2" target="${3:-}"
  echo "images.sh: building $image:$version"
  docker build -f "$root/$module/src/main/docker/Dockerfile" ${target:+--target "$target"} \
    -t "$image:$version" "$root"
  built+=("$image")
}
build espalier/session-service session-service
build espalier/ui-vaadin ui-vaadin
build espalier/rollout-service rollout-service cpu
build espalier/trainer-service trainer-service cpu
if $cuda; then
  build espalier/rollout-service-cuda rollout-service cuda
  build espalier/trainer-service-cuda trainer-service cuda
fi

if [ -n "$registry" ]; then
  for image in "${built[@]}"; do
    docker tag "$image:$version" "$registry/$image:$version"
    if $push; then docker push "$registry/$image:$version"; fi
  done
  # Names a rendering does not contain are left alone by kustomize, so one block serves overlays of both.
  echo "images.sh: in an overlay of k8s/base or k8s/overlays/gpu, this pulls them from $registry:"
  echo "images:"
  for image in "${built[@]}"; do
    printf '  - name: %s\n    newName: %s\n' "$image" "$registry/$image"
  done
fi
echo "images.sh: built ${built[*]} at $version"
