#!/usr/bin/env bash
# The one test command (`npm test`): typecheck, lint, then every test, against a real
# Kafka broker that this script starts (and stops again if it started it).
# Tests that need Kafka or Chromium fail loudly when they are missing: nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    step "installing Debian's chromium for the report's browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
      { echo "could not install chromium (apt-get install chromium); the report browser test will fail" >&2; }
  else
    echo "note: /usr/bin/chromium is missing; install Debian's chromium package or the report browser test will fail" >&2
  fi
fi

if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=ja family 2>/dev/null)" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    step "installing Debian's fonts-noto-cjk for the report's Japanese rendering test"
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 ||
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null)) ||
      { echo "could not install fonts-noto-cjk; the report's Japanese rendering test will fail" >&2; }
  else
    echo "note: no Japanese font; install Debian's fonts-noto-cjk or the report's Japanese rendering test will fail" >&2
  fi
fi

step "build (tsc -b: every package to dist/, incremental)"
npm run --silent build

step "typecheck (tsc)"
npx tsc -p tsconfig.json --noEmit

step "lint (biome)"
npx biome check .

started_kafka=0
if ! bash deploy/kafka/kafka.sh status >/dev/null 2>&1; then
  step "starting the Kafka broker (deploy/kafka/kafka.sh)"
  bash deploy/kafka/kafka.sh start
  started_kafka=1
fi
cleanup() { if [ "$started_kafka" = 1 ]; then bash deploy/kafka/kafka.sh stop >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

step "tests (vitest)"
export TANE_KAFKA_BROKERS="${TANE_KAFKA_BROKERS:-127.0.0.1:${TANE_KAFKA_PORT:-9092}}"
npx vitest run "$@"
