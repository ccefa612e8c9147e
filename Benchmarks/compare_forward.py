"""Forward pass and load time of a GPT-2-small-shaped model: SwiftLens against transformers.

Usage (from the repository root, with the reference stack of ../shared/reference-stack.sh):
    HF_HUB_OFFLINE=1 .venv-reference/bin/python Benchmarks/compare_forward.py [--repeats 5]

Builds `lens` and `make-gpt2-checkpoint` in release, writes a random 124M-parameter checkpoint
(Hugging Face names, no download), then times, in the same run and on the same cores:
  - load: `lens logits` load time vs `GPT2LMHeadModel.from_pretrained` (unprocessed weights),
  - forward: best of N for batch 1 x 128 and 8 x 128 tokens, transformers fp32 eager attention.
Prints each figure and the ratio (transformers time / SwiftLens time: above 1 means SwiftLens is faster).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# Without this, torch's OpenMP workers spin-wait on this shared 2-core machine and its times inflate up to 10x.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import GPT2LMHeadModel  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "lens"], cwd=ROOT, check=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "make-gpt2-checkpoint"],
                   cwd=os.path.join(ROOT, "Benchmarks"), check=True)


def swift_bin(package, product):
    path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=package,
                          check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(path, product)


def time_swift(lens, model, tokens, repeats):
    rows = ";".join(",".join(str(t) for t in row) for row in tokens)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([lens, "logits", "--model", model, "--tokens", rows, "--no-processing",
                              "--out", os.path.join(tmp, "logits.npy"), "--benchmark-repeats", str(repeats)],
                             check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def time_torch(model_dir, tokens, repeats):
    start = time.perf_counter()
    model = GPT2LMHeadModel.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32)
    load = time.perf_counter() - start
    model.eval()
    ids = torch.tensor(tokens)
    best = float("inf")
    with torch.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            model(ids).logits
            best = min(best, time.perf_counter() - start)
    return {"load_seconds": load, "forward_seconds": best}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    build()
    lens = swift_bin(ROOT, "lens")
    maker = swift_bin(os.path.join(ROOT, "Benchmarks"), "make-gpt2-checkpoint")
    model_dir = os.path.join(tempfile.gettempdir(), "swiftlens-gpt2-small")
    if not os.path.exists(os.path.join(model_dir, "model.safetensors")):
        subprocess.run([maker, model_dir], check=True)
    rng = np.random.default_rng(0)
    print(f"threads: {args.threads}, repeats: {args.repeats}")
    for batch in (1, 8):
        tokens = rng.integers(0, 50257, size=(batch, 128)).tolist()
        ours = time_swift(lens, model_dir, tokens, args.repeats)
        theirs = time_torch(model_dir, tokens, args.repeats)
        print(f"{batch}x128 forward: SwiftLens {ours['forward_seconds']*1e3:.1f} ms, "
              f"transformers {theirs['forward_seconds']*1e3:.1f} ms, "
              f"ratio {theirs['forward_seconds'] / ours['forward_seconds']:.2f}x")
        if batch == 1:
            print(f"load (unprocessed): SwiftLens {ours['load_seconds']*1e3:.0f} ms, "
                  f"transformers {theirs['load_seconds']*1e3:.0f} ms, "
                  f"ratio {theirs['load_seconds'] / ours['load_seconds']:.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
