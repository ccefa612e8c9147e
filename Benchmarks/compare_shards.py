"""Sharded scans on one machine: one scan process against two concurrent shard processes, and the merge time.

Measures with the release `lens`, each in its own process(es), wall time from start to exit (model loading, the
shards' counting pass over the corpus and the final save included):
  whole         `lens scan` of the whole corpus in one process, free to use every core;
  2 pinned      `lens scan --shard 0/2` and `--shard 1/2` at the same time, each pinned to one core (`taskset`), as
                Slurm runs two 1-CPU array tasks on one node (the kernels' thread count follows the affinity mask);
  2 free        the same two shard processes, unpinned (each sees both cores);
  merge         `lens merge` of the two pinned shards' databases, as a fraction of the whole scan's time;
and checks that the merged database equals the whole scan's (`lens compare-db`). Throughput of a shard run is the
corpus's tokens over the wall time of the slower shard. Workloads:
  demo   Models/demo (3 layers, d_model 128): its SAE (1024 features), the 512 neurons of layer 1 and every head,
         over Models/demo/corpus.txt twice (332 contexts of 128 tokens);
  gpt2   GPT-2-small shapes (random weights from transformers, seed 0): the 3072 neurons of blocks.8.mlp.hook_post
         over 64 pre-tokenized contexts of 128 random tokens (batches of 8).

Run from the package root (the gpt2 workload needs the reference Python stack to write its checkpoint):
    HF_HUB_OFFLINE=1 python Benchmarks/compare_shards.py [--workload demo|gpt2|both] [--no-build]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LENS = os.path.join(ROOT, ".build", "release", "lens")


def write_gpt2(folder, contexts):
    import numpy as np
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)).eval()
    model.save_pretrained(os.path.join(folder, "model"), safe_serialization=True)
    tokens = np.random.default_rng(0).integers(1, 50257, size=(contexts, 128), dtype=np.int64)
    tokens[:, 0] = 50256
    np.save(os.path.join(folder, "tokens.npy"), tokens)


def workload(name, folder):
    demo = os.path.join(ROOT, "Models", "demo")
    if name == "demo":
        corpus = os.path.join(folder, "corpus.txt")
        with open(os.path.join(demo, "corpus.txt")) as f:
            text = f.read()
        with open(corpus, "w") as f:
            f.write(text + text)
        return ["--model", demo, "--corpus", corpus, "--sae", os.path.join(demo, "sae", "blocks.1.hook_resid_post"),
                "--neurons", "1", "--heads", "0,1,2"]
    write_gpt2(folder, 64)
    return ["--model", os.path.join(folder, "model"), "--corpus", os.path.join(folder, "tokens.npy"), "--neurons", "8",
            "--batch-size", "8", "--logit-effects", "0"]


def start(arguments, db, shard=None, core=None):
    command = ([] if core is None else ["taskset", "-c", str(core)]) + [LENS, "scan"] + arguments \
        + ["--db", db, "--no-progress", "--benchmark-json"] + ([] if shard is None else ["--shard", shard])
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=dict(os.environ, OMP_WAIT_POLICY="PASSIVE"))


def run(processes):
    """Waits for all; returns (wall seconds of the slowest, total tokens)."""
    begin = time.perf_counter()
    tokens = 0
    for process in processes:
        out, _ = process.communicate()
        if process.returncode != 0:
            sys.exit(f"lens scan failed ({process.returncode})")
        tokens += json.loads(out.strip().splitlines()[-1])["tokens"]
    return time.perf_counter() - begin, tokens


def measure(name, folder):
    arguments = workload(name, folder)
    db = lambda label: os.path.join(folder, f"{name}-{label}.sqlite")
    whole_s, tokens = run([start(arguments, db("whole"))])
    pinned_s, pinned_tokens = run([start(arguments, db(f"pinned-{k}"), f"{k}/2", core=k) for k in range(2)])
    free_s, free_tokens = run([start(arguments, db(f"free-{k}"), f"{k}/2") for k in range(2)])
    assert tokens == pinned_tokens == free_tokens, (tokens, pinned_tokens, free_tokens)
    begin = time.perf_counter()
    subprocess.run([LENS, "merge", "--out", db("merged"), db("pinned-0"), db("pinned-1")], check=True, stdout=subprocess.DEVNULL)
    merge_s = time.perf_counter() - begin
    same = subprocess.run([LENS, "compare-db", db("merged"), db("whole")], stdout=subprocess.PIPE, text=True)
    print(same.stdout.strip())
    if same.returncode != 0:
        sys.exit("the merged shards differ from the whole scan")
    size = os.path.getsize(db("whole")) / 2**20
    print(f"| {name} | {tokens} | {tokens / whole_s:.0f} ({whole_s:.1f} s) | {tokens / pinned_s:.0f} ({pinned_s:.1f} s) | "
          f"{pinned_s and whole_s / pinned_s:.2f}x | {tokens / free_s:.0f} ({free_s:.1f} s) | {whole_s / free_s:.2f}x | "
          f"{merge_s:.2f} s = {merge_s / whole_s:.2f} | {size:.1f} MB |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", choices=["demo", "gpt2", "both"], default="both")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "lens"], cwd=ROOT, check=True)
    print(f"load: {os.getloadavg()[0]:.1f}, cores: {os.cpu_count()}")
    print("| workload | tokens | 1 process tok/s | 2 pinned shards tok/s | ratio | 2 free shards tok/s | ratio | "
          "merge (fraction of the scan) | database |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="lens-shards-") as folder:
        for name in (["demo", "gpt2"] if args.workload == "both" else [args.workload]):
            measure(name, folder)
    print(f"load: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
