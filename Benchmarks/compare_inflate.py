"""SwiftLens's inflate (NpzArchive) against zlib (NumPy's np.load of the same .npz) in the same run.

    HF_HUB_OFFLINE=1 python Benchmarks/compare_inflate.py
Builds Benchmarks' `inflate-npz` in release, writes a 64 MiB compressed .npz (half smooth floats, half zeros),
and prints the best of 3 read times of each and their ratio."""
import json, os, subprocess, tempfile, time
import numpy as np

root = os.path.dirname(os.path.abspath(__file__))
subprocess.run(["swift", "build", "-c", "release", "--product", "inflate-npz"], cwd=root, check=True)
tool = os.path.join(root, ".build", "release", "inflate-npz")
rng = np.random.default_rng(0)
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "arrays.npz")
    smooth = np.round(rng.standard_normal(1 << 23), 2).astype(np.float32)
    np.savez_compressed(path, smooth=smooth, zeros=np.zeros(1 << 23, dtype=np.float32))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with np.load(path) as z:
            total = sum(z[k].nbytes for k in z.files)
        best = min(best, time.perf_counter() - start)
    ours = json.loads(subprocess.run([tool, path], capture_output=True, text=True, check=True).stdout)
    print(f"{os.path.getsize(path)} compressed bytes -> {total} bytes")
    print(f"zlib (np.load)  {best * 1e3:8.1f} ms")
    print(f"SwiftLens       {ours['seconds'] * 1e3:8.1f} ms")
    print(f"SwiftLens / zlib: {ours['seconds'] / best:.2f}x the time")
