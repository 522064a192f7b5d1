#!/usr/bin/env bash
# The browser tests (tests/e2e/run.sh), counted by tests/run; they skip
# cleanly when Chromium or playwright-core cannot be had.
exec bash "$(dirname "$0")/../e2e/run.sh"
