"""Ratios from a TensorBenchmarks run (text output on stdin): each streaming kernel's fraction of copy bandwidth,
conversion throughput, gemv against sgemm with m = 1 (decode) and the prefill strategies against float32 sgemm.

    cd Benchmarks && swift package --disable-sandbox benchmark --target TensorBenchmarks \
        --filter '.*\\[1024, 4096\\].*' --filter '.*\\[32, 1024.*' --filter 'decode.*' --filter 'prefill.*' \
        | python3 kernel_table.py

Times are wall-clock p0 (the least disturbed run on a shared machine) and p50, in microseconds.
"""
import re
import sys

times = {}
name = None
for line in sys.stdin:
    line = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line).rstrip()
    if line and not line.startswith(("│", "╒", "╞", "├", "╘", "=", " ")) and "%" not in line:
        name = line
    elif name and line.startswith("│ Time (wall clock)"):
        unit = re.search(r"\(wall clock\) \((\S+)\)", line).group(1)
        scale = {"ns": 1e-3, "μs": 1, "us": 1, "ms": 1e3, "s": 1e6}[unit]
        cells = [c.strip() for c in line.split("│")[2:-1]]
        times[name] = (float(cells[0]) * scale, float(cells[2]) * scale)


def mib(label):
    return float(re.search(r"\((\d+) MiB moved\)", label).group(1))


copy = next((t for n, t in times.items() if n.startswith("copy")), None)
if copy:
    print("| kernel [1024, 4096] | MiB moved | p0 µs | fraction of copy (p0) | fraction of copy (p50) | GB/s (p0) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n, (p0, p50) in times.items():
        if "MiB moved" in n:
            bandwidth = [mib(n) / t / (mib("(32 MiB moved)") / c) for t, c in ((p0, copy[0]), (p50, copy[1]))]
            print(f"| {n.split(' (')[0]} | {mib(n):.0f} | {p0:.0f} | {bandwidth[0]:.2f} | {bandwidth[1]:.2f} | "
                  f"{mib(n) * 1.048576 / p0 * 1e3:.1f} |")

decode = {n: t for n, t in times.items() if n.startswith("decode")}
if decode:
    print("\n| decode shape | sgemm m=1 f32 p0 µs | gemv f32 | gemv bf16 [n,k] | gemv f16 [n,k] | gemv bf16 [k,n] | gemv m=4 bf16 (per row) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n, (p0, _) in decode.items():
        if not n.startswith("decode sgemm"):
            continue
        shape = n.split("[n,k] ")[1]
        ratios = []
        for variant in ["m=1 f32 [n,k]", "m=1 bf16 [n,k]", "m=1 f16 [n,k]", "m=1 bf16 [k,n]", "m=4 bf16 [n,k]"]:
            t = decode.get(f"decode gemv {variant} {shape}")
            rows = 4 if variant.startswith("m=4") else 1
            ratios.append(f"{p0 / t[0] * rows:.2f}x" if t else "-")
        print(f"| {shape} | {p0:.0f} | " + " | ".join(ratios) + " |")

prefill = {n: t for n, t in times.items() if n.startswith("prefill")}
if prefill:
    print("\n| prefill (throughput / f32 sgemm) | f32 sgemm p0 µs | bf16 gemv | bf16 widened whole | blocks of 512 | blocks of 2048 | blocks of 8192 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n, (p0, _) in prefill.items():
        if not n.startswith("prefill sgemm f32 weights"):
            continue
        label = n.split("weights ")[1]
        cells = []
        for variant in ["gemv", "widened whole + sgemm", "blocks of 512 + sgemm", "blocks of 2048 + sgemm",
                        "blocks of 8192 + sgemm"]:
            t = prefill.get(f"prefill bf16 {variant} {label}")
            cells.append(f"{p0 / t[0]:.2f}" if t else "-")
        print(f"| {label} | {p0:.0f} | " + " | ".join(cells) + " |")
