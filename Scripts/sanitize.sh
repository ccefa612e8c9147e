#!/usr/bin/env bash
# Runs the whole test suite under the address sanitizer and the thread sanitizer, each in its own build folder
# (.build-asan, .build-tsan) so the normal .build is untouched: Scripts/sanitize.sh [address|thread]...
# Prints one summary line per sanitizer and exits non-zero if either finds anything or a test fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for sanitizer in "${@:-address thread}"; do
    for s in $sanitizer; do
        log=.build-$s.log
        start=$(date +%s)
        ASAN_OPTIONS=detect_leaks=0 TSAN_OPTIONS=halt_on_error=1 SWIFT_BACKTRACE=enable=no \
            swift test --sanitize="$s" --scratch-path ".build-${s:0:1}san" > "$log" 2>&1
        code=$?
        summary=$(grep -E "Test run with|Executed [0-9]+ tests" "$log" | tail -1)
        findings=$(grep -cE "ERROR: AddressSanitizer|WARNING: ThreadSanitizer" "$log")
        echo "$s: exit $code, $findings sanitizer reports, $(( $(date +%s) - start )) s: $summary (log: $log)"
        [ "$code" -eq 0 ] && [ "$findings" -eq 0 ] || status=1
    done
done
exit $status
