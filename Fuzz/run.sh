#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS: Fuzz/run.sh TARGET SECONDS [libFuzzer options...]
# Targets: npy safetensors index npz config tokenizer sae pth. Builds the targets first (ASan + libFuzzer) unless
# SKIP_BUILD=1. The corpus grows in Fuzz/.build/corpus/TARGET (the committed seeds in Fuzz/Corpus/TARGET and the
# test fixtures of the format are read as well); a crashing input lands in Fuzz/.build/artifacts/TARGET/ and the
# run exits non-zero. Library allocations are capped by SWIFTLENS_MEMORY_LIMIT (default 1G) below libFuzzer's
# memory limits, so a refused size is a thrown error while an unchecked one is a finding.
# FUZZ_CONFIGURATION=release builds the targets optimised (faster on large inputs: npz, tokenizer, pth).
set -euo pipefail
cd "$(dirname "$0")"
target=$1 seconds=$2
shift 2
configuration=${FUZZ_CONFIGURATION:-debug}
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c "$configuration" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >&2
fi
work=.build/corpus/$target
mkdir -p "$work" ".build/artifacts/$target"
fixtures=../Tests/Fixtures
seeds=("Corpus/$target")
copy() { # copy FILE... into the work corpus under their folder's name (fixtures that live beside large files)
    for f in "$@"; do cp -n "$f" "$work/$(basename "$(dirname "$f")")-$(basename "$f")"; done
}
case $target in
    npy) seeds+=("$fixtures/tensor/io/npy") ;;
    safetensors) seeds+=("$fixtures/tensor/io/safetensors") ;;
    npz) seeds+=("$fixtures/tensor/io/npz") ;;
    config) copy "$fixtures"/models/*/config.json "$fixtures"/models/*/tl_config.json ;;
    tokenizer) copy "$fixtures"/tokenizers/gpt2.tokenizer.json "$fixtures"/tokenizers/llama3.tokenizer.json ;;
    sae) copy "$fixtures"/lens/saes/*/cfg.json ;;
    pth) copy "$fixtures"/models/pth/*/model.pth "$fixtures"/models/pth/zoo.pth ;;
esac
dictionary=()
[ -f "Dictionaries/$target.dict" ] && dictionary=("-dict=Dictionaries/$target.dict")
export SWIFTLENS_MEMORY_LIMIT=${SWIFTLENS_MEMORY_LIMIT:-1G}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export SWIFT_BACKTRACE=enable=no
exec ".build/$configuration/fuzz-$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -malloc_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix=".build/artifacts/$target/" "${dictionary[@]}" "$@" \
    "$work" "${seeds[@]}"
