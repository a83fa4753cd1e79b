#!/usr/bin/env bash
# Builds the three dlib model files go-face needs into DIR (idempotent).
# Usage: scripts/models.sh DIR
#   - dlib_face_recognition_resnet_model_v1.dat: converted (facemodel/cmd/dlibconvert) from the
#     TF.js weights in npm's @vladmandic/face-api@1.7.15 (tarball sha256 pinned below);
#   - shape_predictor_5_face_landmarks.dat: Debian libdlib-data's 68-point predictor (dlib's chip
#     extraction accepts 68- or 5-point shapes);
#   - mmod_human_face_detector.dat: $IDGATE_CNN_DETECTOR if set (a real dlib detector supplied by
#     the operator), else an all-zero placeholder marked by cnn-detector.placeholder beside it.
# Every file is written to a temp name and renamed into place.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: models.sh DIR}"
mkdir -p "$dir" && dir="$(cd "$dir" && pwd)" # absolute: the converter runs from the repo root
pkg="@vladmandic/face-api@1.7.15"
tgz="vladmandic-face-api-1.7.15.tgz"
tgz_sha256="0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"
landmarks_src="/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
cache="$root/var/cache"
stamp="$dir/.models-stamp"
# The stamp records every input, so a change of pin or detector choice triggers a rebuild.
want_stamp="face-api $tgz_sha256; landmarks $(stat -c %s "$landmarks_src" 2>/dev/null || echo missing); detector $( [ -n "${IDGATE_CNN_DETECTOR:-}" ] && sha256sum "$IDGATE_CNN_DETECTOR" 2>/dev/null | cut -c1-64 || echo placeholder)"

if [ -f "$dir/dlib_face_recognition_resnet_model_v1.dat" ] && [ -f "$dir/shape_predictor_5_face_landmarks.dat" ] \
  && [ -f "$dir/mmod_human_face_detector.dat" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "models: up to date ($dir)"
  exit 0
fi

# atomic_copy SRC DST: copy to a temp file beside DST, then rename.
atomic_copy() {
  local tmp
  tmp="$(mktemp "$(dirname "$2")/.$(basename "$2").tmpXXXXXX")"
  cp "$1" "$tmp" && chmod 644 "$tmp" && mv -f "$tmp" "$2" || { rm -f "$tmp"; return 1; }
}

# 1. The face-api tarball, verified against the pinned hash.
mkdir -p "$cache"
if [ ! -f "$cache/$tgz" ] || ! echo "$tgz_sha256  $cache/$tgz" | sha256sum -c --status; then
  echo "models: npm pack $pkg"
  rm -f "$cache/$tgz"
  (cd "$cache" && npm pack --silent "$pkg" >/dev/null)
fi
if ! echo "$tgz_sha256  $cache/$tgz" | sha256sum -c --status; then
  echo "models: $cache/$tgz does not match the pinned sha256 $tgz_sha256; refusing to use it" >&2
  rm -f "$cache/$tgz"
  exit 1
fi
echo "models: $tgz sha256 verified"

# 2. Only the recognition model's two files.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$cache/$tgz" -C "$work" --wildcards 'package/model/face_recognition_model*'

# 3. Convert (pure Go, no cgo build needed); the detector placeholder only when no real one is given.
rm -f "$dir/.models-stamp"
args=(build --out "$dir" --tfjs "$work/package/model")
if [ -z "${IDGATE_CNN_DETECTOR:-}" ]; then
  args+=(--placeholder-detector)
fi
(cd "$root" && GOFLAGS=-mod=mod go run ./facemodel/cmd/dlibconvert "${args[@]}")

# 4. Landmarks from libdlib-data.
[ -f "$landmarks_src" ] || { echo "models: $landmarks_src missing (apt-get install libdlib-data)" >&2; exit 1; }
atomic_copy "$landmarks_src" "$dir/shape_predictor_5_face_landmarks.dat"
echo "models: copied $landmarks_src as shape_predictor_5_face_landmarks.dat"

# 5. The operator's real CNN detector, if any (and drop a stale placeholder marker).
if [ -n "${IDGATE_CNN_DETECTOR:-}" ]; then
  [ -f "$IDGATE_CNN_DETECTOR" ] || { echo "models: IDGATE_CNN_DETECTOR=$IDGATE_CNN_DETECTOR not found" >&2; exit 1; }
  atomic_copy "$IDGATE_CNN_DETECTOR" "$dir/mmod_human_face_detector.dat"
  rm -f "$dir/cnn-detector.placeholder"
  echo "models: installed CNN detector from $IDGATE_CNN_DETECTOR"
fi

tmp="$(mktemp "$dir/.models-stamp.tmpXXXXXX")"
printf '%s' "$want_stamp" >"$tmp" && mv -f "$tmp" "$stamp"
echo "models: built $dir"
