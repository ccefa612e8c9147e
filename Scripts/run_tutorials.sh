#!/usr/bin/env bash
# Runs the five seed tutorials (Examples/Tutorials) on the demo model, each in seconds; fails on the first
# that exits non-zero. Debug build (the one `swift test` made); their HTML figures go to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
tutorials=(TutorialRunningExample TutorialCircuitWalkthrough TutorialFirstAnalysis TutorialProbesAndNeurons TutorialQuickReference)
# A line each tutorial must print: the behaviour it studies holds, and hook loops agree with the library's sweeps.
declare -A expected=(
    [TutorialRunningExample]="Model predicts: ' Paris'"
    [TutorialCircuitWalkthrough]="(within 1e-5: true)"
    [TutorialFirstAnalysis]="Generalization: 4/4 as expected"
    [TutorialProbesAndNeurons]="(the hook loop's within 1e-5: true)"
    [TutorialQuickReference]="demo: layers 3, heads 4, d_model 128"
)
for tutorial in "${tutorials[@]}"; do swift build --product "$tutorial" >/dev/null; done
bin=$(swift build --show-bin-path)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for tutorial in "${tutorials[@]}"; do
    start=$SECONDS
    (cd "$out" && "$bin/$tutorial" >"$out/$tutorial.log" 2>&1) || { cat "$out/$tutorial.log"; echo "FAILED: $tutorial"; exit 1; }
    grep -qF -- "${expected[$tutorial]}" "$out/$tutorial.log" || { cat "$out/$tutorial.log"; echo "FAILED: $tutorial did not print: ${expected[$tutorial]}"; exit 1; }
    echo "ok: $tutorial ($((SECONDS - start)) s, $(wc -l <"$out/$tutorial.log") lines)"
done
