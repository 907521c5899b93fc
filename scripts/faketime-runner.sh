#!/usr/bin/env bash
# nextest's target runner for the time-bomb run of scripts/test.sh: the test binary (and the
# servers it starts: SMTP, OpenID provider) see a system clock years ahead of the tests' fixed
# clock. A rule that reads the system time instead of the injected clock fails there.
exec env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
    FAKETIME="${METIERS_FAKETIME:-+5y}" FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
