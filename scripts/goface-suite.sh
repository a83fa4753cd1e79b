#!/usr/bin/env bash
# Runs go-face's OWN test suite (face_test.go from the module cache) against our models.
# Usage: scripts/goface-suite.sh MODELSDIR
# The module cache is read-only, so the module is copied to a temp dir whose testdata/ links
# our models and the shared go-face test photos. Fails (non-zero) when the suite fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
models="$(cd "${1:?usage: goface-suite.sh MODELSDIR}" && pwd)"
version=v0.0.0-20210630145111-0c14797b4d0e
shared="$root/../shared/faces/go-face-testdata"
for f in shape_predictor_5_face_landmarks.dat dlib_face_recognition_resnet_model_v1.dat mmod_human_face_detector.dat; do
  [ -f "$models/$f" ] || { echo "goface-suite: $models/$f missing (run make models)" >&2; exit 1; }
done
# The suite's photos live beside the repository only for its developers; a clone has none.
if [ ! -d "$shared/images" ] || [ ! -f "$shared/idols.json" ]; then
  echo "goface-suite: skipped: go-face's test photos (../shared/faces/go-face-testdata) are not beside the repository"
  exit 0
fi

export GOFLAGS=-mod=mod
src="$(go env GOMODCACHE)/github.com/!kagami/go-face@$version"
[ -d "$src" ] || (cd "$root" && go mod download github.com/Kagami/go-face)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
mkdir -p "$work/testdata"
ln -s "$models" "$work/testdata/models"
ln -s "$shared/images" "$work/testdata/images"
ln -s "$shared/idols.json" "$work/testdata/idols.json"

log="$work/test.log"
set +e
(cd "$work" && GOWORK=off go test -count=1 -v . >"$log" 2>&1)
rc=$?
set -e
pass=$(grep -c -- '--- PASS: TestIdols/' "$log" || true)
fail=$(grep -c -- '--- FAIL: TestIdols/' "$log" || true)
tpass=$(grep -c -E -- '^--- PASS: Test' "$log" || true)
tfail=$(grep -c -E -- '^--- FAIL: Test' "$log" || true)
grep -E -- '--- FAIL|^FAIL|panic' "$log" >&2 || true
echo "goface-suite: idols $pass/$((pass+fail)) recognised; top-level tests $tpass passed, $tfail failed"
if [ $rc -ne 0 ] || [ $((pass+fail)) -eq 0 ]; then
  echo "goface-suite: FAILED (go test exit $rc)" >&2
  tail -20 "$log" >&2
  exit 1
fi
