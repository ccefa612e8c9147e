"""Corpus scan throughput against the Python way of building feature dashboards, on GPT-2-small shapes.

Writes a random GPT-2-small checkpoint (transformers, seed 0), a random SAELens SAE on blocks.8.hook_resid_pre
(standard, d_sae 24576 = 32 x 768, encoder biases set so that each feature fires on about 1% of tokens) and pre-tokenized corpora of
random ids ([N, 128] .npy), builds the release `lens`, and measures in separate processes:
  - SwiftLens: `lens scan` of the 3072 neurons of blocks.8.mlp.hook_post, and of the SAE's features: per unit
    firing count, exact sum, max, log-spaced histogram, exact top-20 contexts with token windows, band samples,
    checkpoints to SQLite; logit effects off (the Python side has none);
  - Python (what sae_dashboard does per batch): TransformerLens `run_with_cache(names_filter=hook,
    stop_at_layer=layer + 1)`, SAE encode, firing counts, float64 sums, max, a log-spaced histogram of the positive
    activations (bucketize + bincount), and a running `torch.topk` of per-context maxima over contexts.
Both use 2 threads (torch with OMP_WAIT_POLICY=PASSIVE), batches of 8 contexts of 128 tokens, and time only the scan
loop (model loading excluded). SwiftLens also runs a corpus four times as long: its peak memory should not grow.

Run from the package root:
    HF_HUB_OFFLINE=1 python Benchmarks/compare_scan.py [--contexts 64] [--no-build]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LENS = os.path.join(ROOT, ".build-release", "release", "lens")
THREADS = 2
LAYER, CTX, BATCH, TOP_K, D_SAE = 8, 128, 8, 20, 24576


def write_inputs(folder, contexts):
    import numpy as np
    import torch
    from safetensors.torch import save_file
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
    model = GPT2LMHeadModel(config).eval()
    model.save_pretrained(os.path.join(folder, "model"), safe_serialization=True)
    rng = np.random.default_rng(0)
    for n in contexts:
        tokens = rng.integers(1, 50257, size=(n, CTX), dtype=np.int64)
        tokens[:, 0] = 50256
        np.save(os.path.join(folder, f"tokens-{n}.npy"), tokens)
    # A random SAE whose encoder bias lets each feature fire on about 1% of tokens (like a trained SAE's L0 of
    # a few hundred): the bias is minus each feature's 99th percentile pre-activation on a sample of the corpus.
    W_dec = torch.randn(D_SAE, 768)
    W_dec /= W_dec.norm(dim=1, keepdim=True)
    W_enc = W_dec.T.contiguous()
    with torch.no_grad():
        sample = torch.from_numpy(np.load(os.path.join(folder, f"tokens-{contexts[0]}.npy"))[:4])
        x = model(sample, output_hidden_states=True).hidden_states[LAYER].reshape(-1, 768)
        x = x - x.mean(-1, keepdim=True)  # what the processed model's hook holds
        b_enc = -torch.quantile(x @ W_enc, 0.99, dim=0)
    sae = os.path.join(folder, "sae")
    os.makedirs(sae)
    save_file({"W_enc": W_enc, "W_dec": W_dec, "b_enc": b_enc.contiguous(), "b_dec": torch.zeros(768)},
              os.path.join(sae, "sae_weights.safetensors"))
    with open(os.path.join(sae, "cfg.json"), "w") as fh:
        json.dump({"architecture": "standard", "d_in": 768, "d_sae": D_SAE, "apply_b_dec_to_input": True,
                   "normalize_activations": "none", "metadata": {"hook_name": f"blocks.{LAYER}.hook_resid_pre"}}, fh)


def python_child(folder, n, kind):
    import warnings

    warnings.filterwarnings("ignore")
    import numpy as np
    import torch
    from safetensors.torch import load_file
    from transformers import GPT2LMHeadModel
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    from transformer_lens.pretrained.weight_conversions import convert_gpt2_weights

    torch.set_num_threads(THREADS)
    torch.set_grad_enabled(False)
    hf = GPT2LMHeadModel.from_pretrained(os.path.join(folder, "model")).eval()
    cfg = HookedTransformerConfig(d_model=768, d_head=64, n_heads=12, n_layers=12, n_ctx=1024, d_vocab=50257,
                                  d_mlp=3072, act_fn="gelu_new", normalization_type="LN", eps=1e-5,
                                  original_architecture="GPT2LMHeadModel")
    model = HookedTransformer(cfg)
    model.load_and_process_state_dict(convert_gpt2_weights(hf, cfg))
    del hf
    tokens = torch.from_numpy(np.load(os.path.join(folder, f"tokens-{n}.npy")))
    sae = load_file(os.path.join(folder, "sae", "sae_weights.safetensors"))
    hook = f"blocks.{LAYER}.mlp.hook_post" if kind == "neurons" else f"blocks.{LAYER}.hook_resid_pre"
    units = 3072 if kind == "neurons" else D_SAE
    edges = torch.tensor([2.0 ** (e / 4) for e in range(-40, 41)])  # 4 bins per octave, 2^-10 .. 2^10
    bins = len(edges) + 1
    firing = torch.zeros(units, dtype=torch.int64)
    sums = torch.zeros(units, dtype=torch.float64)
    maxes = torch.full((units,), -float("inf"))
    histogram = torch.zeros(units * bins, dtype=torch.int64)
    top_values = torch.full((TOP_K, units), -float("inf"))
    top_contexts = torch.zeros((TOP_K, units), dtype=torch.int64)
    start, start_cpu = time.perf_counter(), time.process_time()
    for first in range(0, n, BATCH):
        batch = tokens[first:first + BATCH]
        _, cache = model.run_with_cache(batch, names_filter=[hook], stop_at_layer=LAYER + 1)
        acts = cache[hook]
        if kind == "sae":
            acts = torch.relu((acts - sae["b_dec"]) @ sae["W_enc"] + sae["b_enc"])
        flat = acts.reshape(-1, units)
        firing += (flat > 0).sum(0)
        sums += flat.sum(0, dtype=torch.float64)
        maxes = torch.maximum(maxes, flat.max(0).values)
        rows, cols = (flat > 0).nonzero(as_tuple=True)
        histogram += torch.bincount(cols * bins + torch.bucketize(flat[rows, cols], edges), minlength=units * bins)
        context_max = acts.max(dim=1).values  # [batch, units]
        ids = torch.arange(first, first + len(batch)).unsqueeze(1).expand(-1, units)
        values, picked = torch.cat([top_values, context_max]).topk(TOP_K, dim=0)
        top_values, top_contexts = values, torch.cat([top_contexts, ids]).gather(0, picked)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(json.dumps({"tokens": n * CTX, "scan_seconds": seconds, "scan_cpu_seconds": cpu,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def run_swift(folder, n, kind):
    units = ["--neurons", str(LAYER)] if kind == "neurons" else ["--sae", os.path.join(folder, "sae")]
    with tempfile.TemporaryDirectory(prefix="lens-scan-db-") as out:
        result = subprocess.run([LENS, "scan", "--model", os.path.join(folder, "model"), "--corpus",
                                 os.path.join(folder, f"tokens-{n}.npy"), "--db", os.path.join(out, "scan.sqlite"),
                                 "--batch-size", str(BATCH), "--top-k", str(TOP_K), "--context-length", str(CTX),
                                 "--logit-effects", "0", "--no-progress", "--benchmark-json"] + units,
                                check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_python(folder, n, kind):
    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS), OMP_WAIT_POLICY="PASSIVE", HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, __file__, "--child", folder, "--n", str(n), "--kind", kind],
                            check=True, capture_output=True, text=True, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contexts", type=int, default=64)
    parser.add_argument("--child")
    parser.add_argument("--n", type=int)
    parser.add_argument("--kind")
    parser.add_argument("--no-build", action="store_true", help="use the lens already in .build-release")
    parser.add_argument("--lens", help="a release lens executable to use instead of building one")
    args = parser.parse_args()
    if args.child:
        return python_child(args.child, args.n, args.kind)
    global LENS
    if args.lens:
        LENS = args.lens
    elif not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--product", "lens"],
                       cwd=ROOT, check=True)
    short, long = args.contexts, 4 * args.contexts
    with tempfile.TemporaryDirectory(prefix="lens-scan-bench-") as folder:
        write_inputs(folder, [short, long])
        print("tok/s per wall second and per CPU second (all threads): on a busy machine the CPU figures are the fair ones")
        print(f"{'units':>8} {'contexts':>8} {'Swift tok/s':>12} {'Python tok/s':>13} {'ratio':>6} {'Swift tok/cpu-s':>16} "
              f"{'Python tok/cpu-s':>17} {'ratio':>6} {'Swift peak MB':>14} {'Python peak MB':>15}")
        for kind in ["neurons", "sae"]:
            swift, python = run_swift(folder, short, kind), run_python(folder, short, kind)
            rate = [r["tokens"] / r["scan_seconds"] for r in (swift, python)]
            cpu = [r["tokens"] / r["scan_cpu_seconds"] for r in (swift, python)]
            print(f"{kind:>8} {short:>8} {rate[0]:>12.0f} {rate[1]:>13.0f} {rate[0] / rate[1]:>5.2f}x {cpu[0]:>16.0f} "
                  f"{cpu[1]:>17.0f} {cpu[0] / cpu[1]:>5.2f}x {swift['peak_rss_bytes'] / 2**20:>14.0f} "
                  f"{python['peak_rss_bytes'] / 2**20:>15.0f}", flush=True)
            longer = run_swift(folder, long, kind)
            print(f"{kind:>8} {long:>8} {longer['tokens'] / longer['scan_seconds']:>12.0f} {'':>13} {'':>6} "
                  f"{longer['tokens'] / longer['scan_cpu_seconds']:>16.0f} {'':>17} {'':>6} "
                  f"{longer['peak_rss_bytes'] / 2**20:>14.0f}", flush=True)


if __name__ == "__main__":
    main()
