#!/usr/bin/env bash
# `make fuzz`: builds each reader's fuzz target with libFuzzer and AddressSanitizer
# (swiftc -sanitize=fuzzer,address) and runs it for a set time. Every crash, out-of-memory or
# timeout input lands in Tests/Fuzz/crashes/TARGET/, which `make test` replays: commit it with
# its fix, and it stays a regression test. The seed corpus is written by the target itself
# from the current writers (see targets/Entry.swift); the grown corpus stays in .build/fuzz.
#
# usage: Tests/Fuzz/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]    (default 300 s, all targets)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx npy safetensors spec qgraph manifest tflite)
out=.build/fuzz
mkdir -p "$out"
flags=(-package-name Whittle -parse-as-library -O -g -sanitize=fuzzer,address -I "$out" -I Sources/CZlib)

modules_of() {
    case "$1" in
        idx|npy|safetensors|spec) echo WhittleSupport WhittleTensor WhittleNN ;;
        qgraph|manifest) echo WhittleSupport WhittleIR WhittleCodegen ;;
        tflite) echo WhittleSupport WhittleIR WhittleTFLite ;;
        *) echo "fuzz.sh: unknown target '$1' (targets: idx npy safetensors spec qgraph manifest tflite)" >&2; exit 2 ;;
    esac
}

declare -A built=()
build_module() {
    [ -n "${built[$1]:-}" ] && return
    echo "building $1 with -sanitize=fuzzer,address" >&2
    swiftc -emit-library -static "${flags[@]}" -module-name "$1" -emit-module-path "$out/$1.swiftmodule" \
        $(find "Sources/$1" -name '*.swift') -o "$out/lib$1.a" 2> "$out/$1.build.log" \
        || { cat "$out/$1.build.log" >&2; exit 1; }
    built[$1]=1
}

summary=()
for target in "${targets[@]}"; do
    modules=$(modules_of "$target")
    libs=()
    for m in $modules; do build_module "$m"; libs=("-l$m" "${libs[@]}"); done
    swiftc "${flags[@]}" Tests/Fuzz/targets/Entry.swift "Tests/Fuzz/targets/$target.swift" -L "$out" "${libs[@]}" -lz \
        -o "$out/fuzz-$target" 2> "$out/fuzz-$target.build.log" || { cat "$out/fuzz-$target.build.log" >&2; exit 1; }
    corpus="$out/corpus/$target" crashes="Tests/Fuzz/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    [ "$target" = spec ] && for f in examples/*.json; do cp "$f" "$corpus/seed-example-$(basename "$f")"; done
    before=$(ls "$crashes" | wc -l)
    echo "fuzzing $target for $seconds s" >&2
    # libFuzzer stops at a crash: start it again for the time left (at most 20 crashes a target).
    start=$(date +%s) executions=0 runs=0
    : > "$out/fuzz-$target.log"
    while left=$(( seconds - ($(date +%s) - start) )); [ "$left" -gt 0 ] && [ "$runs" -lt 20 ]; do
        WHITTLE_FUZZ_SEEDS="$corpus" "$out/fuzz-$target" "$corpus" -max_total_time="$left" -timeout=30 \
            -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" \
            > "$out/fuzz-$target.run.log" 2>&1 || true
        cat "$out/fuzz-$target.run.log" >> "$out/fuzz-$target.log"
        n=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$out/fuzz-$target.run.log" | grep -oE '[0-9]+$' || true)
        [ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$out/fuzz-$target.run.log" | tail -1 | tr -d '#')
        executions=$(( executions + ${n:-0} )) runs=$(( runs + 1 ))
    done
    found=$(( $(ls "$crashes" | wc -l) - before ))
    summary+=("$(printf '%-12s %6s s %14s executions %4s new crashes %7s corpus files' \
        "$target" "$seconds" "${executions:-0}" "$found" "$(ls "$corpus" | wc -l)")")
done
printf '%s\n' "${summary[@]}"
total=$(for t in "${targets[@]}"; do ls "Tests/Fuzz/crashes/$t"; done | wc -l)
[ "$total" -eq 0 ] || echo "inputs in Tests/Fuzz/crashes: $total (make test replays them)"
