"""Activation-patching sweeps: `lens patch` (fast and naive strategies) against TransformerLens's
`patching.get_act_patch_*`, in the same run, on a randomly initialised GPT-2-small-shaped model.

For 16 and 64 tokens (one prompt) it times a resid_pre sweep over all layers and positions and a head-z
sweep over all heads (`get_act_patch_resid_pre`, `get_act_patch_attn_head_out_all_pos`), with the
normalised logit-difference metric. Each timing includes the clean run that caches the patched
activations; the model is loaded once per side beforehand. Both sides use the machine's cores (torch with
OMP_WAIT_POLICY=PASSIVE, lens with OpenBLAS and its own two-core kernels). The Swift fast result is checked against
TransformerLens's (largest absolute difference), and the fast path against the naive path.

Both sides get the same weights: a random `GPT2LMHeadModel` saved as a Hugging Face folder, loaded by
`lens` with default processing and by TransformerLens through `convert_gpt2_weights` +
`load_and_process_state_dict` (from_pretrained's processing).

With `--model DIR` the model is instead a Hugging Face folder (for example the Qwen2.5-0.5B-shaped random BF16
checkpoint that `make-random-checkpoint qwen2.5-0.5b DIR` writes, issue 12's goal at 32 tokens): `lens` loads it
with default processing (Float32), TransformerLens with `from_pretrained` on the same folder (see
compare_scale.py).

Run from the package root (builds the release `lens` into .build-release first):
    python Benchmarks/compare_patching.py [--lengths 16 64] [--repeats 3]
    python Benchmarks/compare_patching.py --model bench-data/qwen2.5-0.5b --lengths 32
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

os.environ.setdefault("TQDM_DISABLE", "1")
# Idle torch threads sleep instead of spinning: on a shared (oversubscribed) machine spinning OpenMP workers
# make TransformerLens several times slower than its single-threaded speed, which would flatter lens.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel  # noqa: E402
from transformer_lens import HookedTransformer, HookedTransformerConfig, patching  # noqa: E402
from transformer_lens.pretrained.weight_conversions.gpt2 import convert_gpt2_weights  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LENS = os.path.join(ROOT, ".build-release", "release", "lens")
SWEEPS = (("resid_pre", "get_act_patch_resid_pre"), ("head_z_all_pos", "get_act_patch_attn_head_out_all_pos"))


def build():
    subprocess.run(["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--product", "lens"],
                   cwd=ROOT, check=True)


def make_models(folder):
    """A random GPT-2-small-shaped HF model saved to `folder`, and the same weights in TransformerLens."""
    torch.manual_seed(0)
    hf = GPT2LMHeadModel(GPT2Config()).eval()
    hf.save_pretrained(folder, safe_serialization=True)
    c = hf.config
    cfg = HookedTransformerConfig(
        d_model=c.n_embd, d_head=c.n_embd // c.n_head, n_heads=c.n_head, d_mlp=4 * c.n_embd, n_layers=c.n_layer,
        n_ctx=c.n_positions, eps=c.layer_norm_epsilon, d_vocab=c.vocab_size, act_fn=c.activation_function,
        normalization_type="LN", original_architecture="GPT2LMHeadModel", device="cpu", dtype=torch.float32)
    tl = HookedTransformer(cfg)
    tl.load_and_process_state_dict(convert_gpt2_weights(hf, cfg))
    return tl.eval()


def local_models(folder):
    """TransformerLens `from_pretrained` (default processing, fp32) on a Hugging Face folder."""
    from compare_scale import transformer_lens_from_folder
    from transformers import AutoModelForCausalLM

    hf = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    return transformer_lens_from_folder(folder, hf)[0]


def prompts(model, length, rng):
    """Random clean tokens, corrupted at two positions; answer = clean argmax, wrong = corrupted argmax."""
    clean = torch.tensor(rng.integers(0, model.cfg.d_vocab, size=(1, length)))
    corrupted = clean.clone()
    for p in (length // 4, length // 2):
        corrupted[0, p] = (clean[0, p] + model.cfg.d_vocab // 2) % model.cfg.d_vocab
    with torch.no_grad():
        answer = int(model(clean)[0, -1].argmax())
        top2 = model(corrupted)[0, -1].topk(2).indices.tolist()
    wrong = top2[0] if top2[0] != answer else top2[1]
    return clean, corrupted, answer, wrong


def tl_sweep(model, function, clean, corrupted, answer, wrong):
    """Seconds and result of one TransformerLens sweep, including the clean run_with_cache."""
    def logit_diff(logits):
        return logits[0, -1, answer] - logits[0, -1, wrong]

    with torch.no_grad():
        clean_ld = float(logit_diff(model(clean)))
        corrupted_ld = float(logit_diff(model(corrupted)))

        def metric(logits):
            return (logit_diff(logits) - corrupted_ld) / (clean_ld - corrupted_ld)

        start = time.perf_counter()
        _, cache = model.run_with_cache(clean)
        result = getattr(patching, function)(model, corrupted, cache, metric)
        return time.perf_counter() - start, result.numpy()


def lens_sweep(folder, act, clean, corrupted, answer, wrong, repeats, out):
    ids = lambda t: ",".join(str(i) for i in t[0].tolist())  # noqa: E731
    report = subprocess.run(
        [LENS, "patch", "--model", folder, "--clean-tokens", ids(clean), "--corrupted-tokens", ids(corrupted),
         "--answer-id", str(answer), "--wrong-id", str(wrong), "--act", act, "--quiet",
         "--benchmark-repeats", str(repeats), "--out", out], check=True, capture_output=True, text=True)
    return json.loads(report.stdout), np.load(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--repeats", type=int, default=3, help="fast-path repeats (best time kept)")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--model", help="a Hugging Face model folder instead of the random GPT-2-small")
    args = parser.parse_args()
    if not args.no_build:
        build()
    rng = np.random.default_rng(11)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.model or scratch
        model = local_models(args.model) if args.model else make_models(folder)
        for length in args.lengths:
            clean, corrupted, answer, wrong = prompts(model, length, rng)
            for act, function in SWEEPS:
                out = os.path.join(scratch, f"{act}_{length}.npy")
                swift, fast_result = lens_sweep(folder, act, clean, corrupted, answer, wrong, args.repeats, out)
                tl_seconds, tl_result = tl_sweep(model, function, clean, corrupted, answer, wrong)
                row = {"sweep": act, "tokens": length, "shape": list(tl_result.shape),
                       "fast_s": swift["fast_seconds"], "naive_s": swift["naive_seconds"], "tl_s": tl_seconds,
                       "tl_over_fast": tl_seconds / swift["fast_seconds"],
                       "naive_over_fast": swift["naive_seconds"] / swift["fast_seconds"],
                       "tl_over_naive": tl_seconds / swift["naive_seconds"],
                       "max_abs_fast_vs_naive": swift["max_abs_fast_vs_naive"],
                       "max_abs_fast_vs_tl": float(np.abs(fast_result - tl_result).max())}
                rows.append(row)
                print(json.dumps(row), flush=True)
    print()
    print(f"{'sweep':<16}{'tokens':>7}{'fast s':>10}{'naive s':>10}{'TL s':>10}{'TL/fast':>9}{'naive/fast':>11}"
          f"{'TL/naive':>9}{'|fast-TL|':>11}")
    for r in rows:
        print(f"{r['sweep']:<16}{r['tokens']:>7}{r['fast_s']:>10.3f}{r['naive_s']:>10.3f}{r['tl_s']:>10.3f}"
              f"{r['tl_over_fast']:>9.1f}{r['naive_over_fast']:>11.1f}{r['tl_over_naive']:>9.2f}"
              f"{r['max_abs_fast_vs_tl']:>11.2e}")


if __name__ == "__main__":
    main()
