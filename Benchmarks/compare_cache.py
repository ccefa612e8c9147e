"""runWithCache (every hook) against a plain forward, and against TransformerLens's run_with_cache.

Writes a random GPT-2-small-shaped checkpoint (12 layers, d_model 768, 12 heads, vocab 50257, seed 0) to a
temporary folder, builds the release `lens`, and for each sequence length times, in separate processes:
  - SwiftLens: a plain forward and `runWithCache` of every hook point (`lens cache --benchmark-repeats`);
  - TransformerLens 3.9: `model(tokens)` and `model.run_with_cache(tokens)` (torch on the same 2 threads).
Both load the same weights processed the same way (fold LN, centre writing weights and unembedding, fold
value biases). Reports the best of several runs, the cache overhead over a forward, the speed ratio against
TransformerLens, the bytes the cache holds and each process's peak resident memory.

Run from the package root:
    python Benchmarks/compare_cache.py [--lengths 128 1024] [--repeats 5]
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


def write_checkpoint(folder):
    """A random GPT-2 small (HF GPT2LMHeadModel, float32 safetensors) in `folder`."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
    GPT2LMHeadModel(config).eval().save_pretrained(folder, safe_serialization=True)


def transformer_lens_child(folder, tokens, repeats):
    """Runs in a fresh process: load the checkpoint into TransformerLens and time forward / run_with_cache."""
    import warnings

    warnings.filterwarnings("ignore")
    import torch
    from transformers import GPT2LMHeadModel
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    from transformer_lens.pretrained.weight_conversions import convert_gpt2_weights

    torch.set_num_threads(THREADS)
    torch.set_grad_enabled(False)
    hf = GPT2LMHeadModel.from_pretrained(folder).eval()
    cfg = HookedTransformerConfig(d_model=768, d_head=64, n_heads=12, n_layers=12, n_ctx=1024, d_vocab=50257,
                                  d_mlp=3072, act_fn="gelu_new", normalization_type="LN", eps=1e-5,
                                  original_architecture="GPT2LMHeadModel")
    model = HookedTransformer(cfg)
    model.load_and_process_state_dict(convert_gpt2_weights(hf, cfg))
    del hf
    ids = torch.tensor([tokens])

    def timed(fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return time.perf_counter() - wall, time.process_time() - cpu, result

    best = {key: float("inf") for key in ("forward", "forward_cpu", "cache", "cache_cpu")}
    cache = None
    for _ in range(repeats):  # interleaved, so both see the same machine load
        wall, cpu, _ = timed(lambda: model(ids))
        best["forward"], best["forward_cpu"] = min(best["forward"], wall), min(best["forward_cpu"], cpu)
        cache = None
        wall, cpu, (_, cache) = timed(lambda: model.run_with_cache(ids))
        best["cache"], best["cache_cpu"] = min(best["cache"], wall), min(best["cache_cpu"], cpu)
    storages = {}
    for value in cache.values():
        storages[value.untyped_storage().data_ptr()] = value.untyped_storage().nbytes()
    print(json.dumps({"forward_seconds": best["forward"], "forward_cpu_seconds": best["forward_cpu"],
                      "cache_seconds": best["cache"], "cache_cpu_seconds": best["cache_cpu"], "cached_activations": len(cache),
                      "cache_bytes": sum(storages.values()),
                      "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def run_swift(folder, tokens, repeats):
    out = tempfile.mkdtemp(prefix="lens-cache-")
    result = subprocess.run([LENS, "cache", "--model", folder, "--tokens", ",".join(map(str, tokens)), "--out", out,
                             "--benchmark-repeats", str(repeats)], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_transformer_lens(folder, tokens, repeats):
    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS), HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, __file__, "--child", folder, "--repeats", str(repeats), "--tokens",
                             ",".join(map(str, tokens))], check=True, capture_output=True, text=True, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 1024])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child")
    parser.add_argument("--tokens")
    parser.add_argument("--no-build", action="store_true", help="use the lens already in .build-release")
    args = parser.parse_args()
    if args.child:
        return transformer_lens_child(args.child, [int(t) for t in args.tokens.split(",")], args.repeats)

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--product", "lens"],
                       cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="gpt2-small-random-") as folder:
        write_checkpoint(folder)
        print("Times are the best of the runs, wall clock and process CPU (all threads); overhead = cache / forward - 1.")
        print(f"{'pos':>5} {'':>16} {'forward s':>10} {'cache s':>10} {'overhead':>9} {'fwd cpu s':>10} "
              f"{'cache cpu s':>11} {'cpu ovh':>8} {'cache MB':>9} {'peak RSS MB':>12}")
        for length in args.lengths:
            tokens = [(i * 7919) % 50257 for i in range(length)]
            rows = {"SwiftLens": run_swift(folder, tokens, args.repeats),
                    "TransformerLens": run_transformer_lens(folder, tokens, args.repeats)}
            for name, r in rows.items():
                overhead = r["cache_seconds"] / r["forward_seconds"] - 1
                cpu_overhead = r["cache_cpu_seconds"] / r["forward_cpu_seconds"] - 1
                print(f"{length:>5} {name:>16} {r['forward_seconds']:>10.4f} {r['cache_seconds']:>10.4f} "
                      f"{overhead:>8.1%} {r['forward_cpu_seconds']:>10.4f} {r['cache_cpu_seconds']:>11.4f} "
                      f"{cpu_overhead:>7.1%} {r['cache_bytes'] / 2**20:>9.1f} {r['max_rss_bytes'] / 2**20:>12.1f}")
            swift, tl = rows["SwiftLens"], rows["TransformerLens"]
            print(f"{length:>5} run_with_cache: SwiftLens is {tl['cache_seconds'] / swift['cache_seconds']:.2f}x "
                  f"TransformerLens (wall), {tl['cache_cpu_seconds'] / swift['cache_cpu_seconds']:.2f}x (CPU); "
                  f"peak RSS ratio {swift['max_rss_bytes'] / tl['max_rss_bytes']:.2f}")


if __name__ == "__main__":
    main()
