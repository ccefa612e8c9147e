"""Gradients, attribution patching and EAP-IG: lens against TransformerLens (and the EAP-IG library), in the same
run, on a randomly initialised GPT-2-small-shaped model (the weights of compare_patching.py's `make_models`).

Measures (best of --repeats, model loaded once per side beforehand; both sides use the machine's cores, torch with
OMP_WAIT_POLICY=PASSIVE):
  1. at --tokens tokens (one prompt): lens's plain forward, its recording forward and its backward pass alone
     (ratio backward / forward), `runWithCache(inclBackward:)` at every hook point against TransformerLens caching
     every hook point forward and backward (what run_with_cache(incl_bwd=True) does) for the same logit difference;
  2. the head-z sweep at --patch-tokens tokens: lens's attribution patching and its exact fast sweep against
     TransformerLens's get_act_patch_attn_head_out_all_pos (and the correlation of the estimate with the exact sweep);
  3. with EAP_IG_SRC set to the EAP-IG library's src folder (it is not on PyPI): EAP-IG edge scores (5 steps) at
     --patch-tokens tokens, lens against the library, and the largest score difference.

Run from the package root (builds the release `lens` into .build-release first):
    python Benchmarks/compare_gradients.py [--tokens 128] [--patch-tokens 64] [--repeats 3]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import types

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformer_lens import patching  # noqa: E402

from compare_patching import LENS, build, make_models, prompts  # noqa: E402


def ids(t):
    return ",".join(str(i) for i in t[0].tolist())


def lens(*args):
    out = subprocess.run([LENS, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(repeats, body):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return min(times)


def tl_gradients(model, tokens, answer, wrong, repeats):
    """Forward alone, and forward + backward caching every hook point's activation and gradient."""
    def forward():
        with torch.no_grad():
            model(tokens)

    optional = ("hook_result", "_input", "hook_attn_in", "hook_mlp_in")  # off in a default run_with_cache

    def every(name):
        return not any(name.endswith(o) for o in optional)

    def incl_bwd():
        cache = {}
        model.add_hook(every, lambda a, hook: cache.__setitem__(hook.name, a.detach()), "fwd")
        model.add_hook(every, lambda g, hook: cache.__setitem__(hook.name + "_grad", g.detach()), "bwd")
        with torch.enable_grad():
            logits = model(tokens)
            (logits[0, -1, answer] - logits[0, -1, wrong]).backward()
        model.reset_hooks()
        model.zero_grad(set_to_none=True)

    return best(repeats, forward), best(repeats, incl_bwd)


def tl_head_z(model, clean, corrupted, answer, wrong):
    with torch.no_grad():
        def ld(logits):
            return logits[0, -1, answer] - logits[0, -1, wrong]
        c, k = float(ld(model(clean))), float(ld(model(corrupted)))
        start = time.perf_counter()
        _, cache = model.run_with_cache(clean)
        patching.get_act_patch_attn_head_out_all_pos(model, corrupted, cache, lambda l: (ld(l) - k) / (c - k))
        return time.perf_counter() - start


def eap_ig_library(model, clean, corrupted, answer, wrong):
    sys.path.insert(0, os.environ["EAP_IG_SRC"])
    for name in ("matplotlib", "matplotlib.cm"):
        sys.modules.setdefault(name, types.ModuleType(name))
    zeros = torch.zeros
    torch.zeros = lambda *a, **k: zeros(*a, **{**k, "device": "cpu"} if k.get("device") == "cuda" else k)
    import eap.attribute as attribute
    from eap.graph import Graph
    attribute.tokenize_plus = lambda _m, t: (t, torch.ones_like(t), torch.full((len(t),), t.shape[1]), t.shape[1])
    model.cfg.use_attn_result = model.cfg.use_split_qkv_input = model.cfg.use_hook_mlp_in = True
    model.setup()
    graph = Graph.from_model(model)

    def metric(logits, *_):
        return (logits[:, -1, answer] - logits[:, -1, wrong]).sum()

    start = time.perf_counter()
    attribute.attribute(model, graph, [(clean, corrupted, None)], metric, method="EAP-IG-inputs", ig_steps=5, quiet=True)
    seconds = time.perf_counter() - start
    torch.zeros = zeros
    return seconds, graph.scores.numpy()


def gradients(folder, model, tokens, answer, wrong, args):
    swift = lens("grad", "--model", folder, "--tokens", ids(tokens), "--answer-id", str(answer),
                 "--wrong-id", str(wrong), "--out", folder, "--benchmark-repeats", str(args.repeats))
    tl_forward, tl_incl = tl_gradients(model, tokens, answer, wrong, args.repeats)
    row = {"tokens": args.tokens, **swift, "backward_over_forward": swift["backward_seconds"] / swift["forward_seconds"],
           "tl_forward_seconds": tl_forward, "tl_incl_bwd_seconds": tl_incl,
           "tl_incl_bwd_over_lens_incl_bwd": tl_incl / swift["run_with_cache_incl_bwd_seconds"],
           "tl_incl_bwd_over_lens_gradients": tl_incl / swift["gradients_all_hooks_seconds"]}
    print(json.dumps(row), flush=True)


def atp(folder, model, clean, corrupted, answer, wrong, args):
    swift = lens("attrib-patch", "--model", folder, "--clean-tokens", ids(clean), "--corrupted-tokens",
                 ids(corrupted), "--answer-id", str(answer), "--wrong-id", str(wrong), "--act", "head_z_all_pos",
                 "--benchmark-repeats", str(args.repeats))
    tl_exact = tl_head_z(model, clean, corrupted, answer, wrong)
    print(json.dumps({"sweep": "head_z_all_pos", "tokens": args.patch_tokens, **swift, "tl_exact_seconds": tl_exact,
                      "exact_fast_over_atp": swift["exact_fast_seconds"] / swift["atp_seconds"],
                      "tl_exact_over_atp": tl_exact / swift["atp_seconds"]}), flush=True)


def eap_ig(folder, model, clean, corrupted, answer, wrong, args):
    scores_path = os.path.join(folder, "scores.npy")
    swift = lens("circuit", "--model", folder, "--clean-tokens", ids(clean), "--corrupted-tokens",
                 ids(corrupted), "--answer-id", str(answer), "--wrong-id", str(wrong), "--steps", "5",
                 "--benchmark-repeats", str(args.repeats), "--benchmark-scores", scores_path)
    library_seconds, library_scores = eap_ig_library(model, clean, corrupted, answer, wrong)
    ours = np.load(scores_path)
    print(json.dumps({"eap_ig_steps": 5, "tokens": args.patch_tokens, **swift,
                      "library_seconds": library_seconds,
                      "library_over_lens": library_seconds / swift["edge_attribution_seconds"],
                      "max_abs_score_difference": float(np.abs(ours - library_scores).max()),
                      "max_abs_score": float(np.abs(library_scores).max())}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--patch-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--parts", nargs="+", default=["gradients", "atp", "eap-ig"],
                        help="which measurements to run (eap-ig needs EAP_IG_SRC)")
    args = parser.parse_args()
    if not args.no_build:
        build()
    rng = np.random.default_rng(13)
    with tempfile.TemporaryDirectory() as folder:
        model = make_models(folder)
        tokens, _, answer, wrong = prompts(model, args.tokens, rng)
        clean, corrupted, answer2, wrong2 = prompts(model, args.patch_tokens, rng)
        if "gradients" in args.parts:
            gradients(folder, model, tokens, answer, wrong, args)
        if "atp" in args.parts:
            atp(folder, model, clean, corrupted, answer2, wrong2, args)
        if "eap-ig" in args.parts and os.environ.get("EAP_IG_SRC"):
            eap_ig(folder, model, clean, corrupted, answer2, wrong2, args)


if __name__ == "__main__":
    main()
