#!/usr/bin/env bash
# Builds the dlib model files go-face needs (placeholder until the converter lands).
set -euo pipefail
echo "models: converter not built yet; face recognition unavailable (biometric tests skip)" >&2
