#!/usr/bin/env bash
# Image-build step of the GPU images: fetches DJL's CUDA build of libtorch into $1, so that nothing is downloaded at
# run time (the services run with ai.djl.offline=true and PYTORCH_LIBRARY_PATH=$1).
# DJL 0.35.1 pairs PyTorch 2.7.1 with the flavor cu128 (its pytorch-jni 2.7.1-0.35.1 jar carries
# jnilib/linux-x86_64/cu128/libdjl_torch.so). The CUDA libtorch itself is not on Maven Central (the last
# pytorch-native-cu* artifact there is cu124 2.5.1); DJL publishes it where its own LibUtils fetches it from.
set -euo pipefail
dest="$1"
version="${PYTORCH_VERSION:-2.7.1}"
flavor="${PYTORCH_FLAVOR:-cu128}"
base="https://publish.djl.ai/pytorch/$version"
mkdir -p "$dest"
curl -fsSL "$base/files.txt" | grep "^$flavor/linux-x86_64/" | while read -r file; do
  name="$(basename "$file" .gz)"
  echo "libtorch $flavor: $name"
  curl -fsSL "$base/$file" | gunzip > "$dest/$name"
done
test -s "$dest/libtorch_cuda.so" || { echo "no libtorch_cuda.so for $version $flavor under $base" >&2; exit 1; }
