#!/usr/bin/env bash
# Runs "$@" with IDGATE_TEST_POSTGRES_DSN pointing at a throw-away PostgreSQL (placeholder).
set -euo pipefail
exec "$@"
