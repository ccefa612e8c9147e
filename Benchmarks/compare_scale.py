"""Real model shapes: SwiftLens against transformers (fp32 and bf16) and TransformerLens, ratios in one run.

Usage (from the repository root; long: run under nice):
    HF_HUB_OFFLINE=1 nice -n 19 python Benchmarks/compare_scale.py \
        --data bench-data [--shapes gpt2,qwen2.5-0.5b,llama-3.2-1b] [--repeats 3] [--rounds 2] [--generate 32] [--no-tl]

For each shape, a random BF16 checkpoint written by `make-random-checkpoint` (Benchmarks/Tools; streamed to
disk, no download) under DATA/<shape>/, or for `gpt2` a random GPT-2-small saved by transformers in Float32 (as
GPT-2 is published; there "stored" weights are Float32), is timed, in the same run and on the same cores:
  - load: `lens logits` with stored (BF16) weights and no processing, and with the default processing (fp32),
    vs transformers `from_pretrained` (fp32 and bf16) and TransformerLens `from_pretrained` with processing
    (its time includes the transformers load it starts from);
  - forward: best of N at 1x16, 1x128 and 8x128 tokens, SwiftLens stored weights vs transformers fp32 eager
    (and bf16 at 1x128), plus the part of SwiftLens's 1x128 forward spent in weight products;
  - run_with_cache (every hook, 1x128): `lens cache` vs TransformerLens;
  - generation: greedy tokens/s for --generate new tokens after a 16-token prompt, KV cache, vs transformers fp32.
Ratios are peer time / SwiftLens time (above 1: SwiftLens faster). Torch runs with OMP_WAIT_POLICY=PASSIVE.
The two sides alternate --rounds times and each measure keeps its best: on this shared virtual machine a
single figure moves by up to 2x between minutes, so one side measured in a quiet minute and the other in a
busy one would decide the ratio.
"""
import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, GenerationConfig  # noqa: E402

transformers.utils.logging.disable_progress_bar()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TL_NAMES = {"qwen2": "Qwen/Qwen2-0.5B", "llama": "01-ai/Yi-6B", "gpt2": "gpt2"}  # names that make TL read the local config


def swift_bin(package, product):
    subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=package, check=True)
    path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=package, check=True,
                          capture_output=True, text=True).stdout.strip()
    return os.path.join(path, product)


def token_rows(batch, length, vocab, seed=0):
    return np.random.default_rng(seed).integers(3, min(vocab, 30000), size=(batch, length))


def lens_json(lens, args):
    out = subprocess.run([lens] + args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def lens_logits(lens, model, tokens, repeats, extra, generate=0):
    rows = ";".join(",".join(str(t) for t in row) for row in tokens)
    with tempfile.TemporaryDirectory() as tmp:
        args = ["logits", "--model", model, "--tokens", rows, "--out", os.path.join(tmp, "l.npy"),
                "--benchmark-repeats", str(repeats)] + extra
        if generate:
            args += ["--benchmark-generate", str(generate)]
        return lens_json(lens, args)


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def torch_side(model_dir, dtype, shapes, repeats, generate):
    start = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="eager", dtype=dtype).eval()
    out = {"load": time.perf_counter() - start}
    vocab = model.config.vocab_size
    with torch.no_grad():
        for label, (b, t) in shapes.items():
            x = torch.tensor(token_rows(b, t, vocab))
            model(x)
            out[label] = best(lambda: model(x), repeats)
        if generate:
            cfg = GenerationConfig(max_new_tokens=generate, min_new_tokens=generate, do_sample=False,
                                   pad_token_id=0, eos_token_id=None)
            prompt = torch.tensor(token_rows(1, 16, vocab))
            out["generate"] = best(lambda: model.generate(prompt, generation_config=cfg), repeats)
    return model, out


def transformer_lens_from_folder(model_dir, hf_fp32):
    """TransformerLens `from_pretrained` (with its default processing, fp32) on the local folder `model_dir`, whose
    transformers model `hf_fp32` is already loaded: TL is pointed at a hub name of the same architecture and
    handed the local config, so nothing is downloaded. Returns the model and the seconds it took, including
    the transformers load TL starts from."""
    import transformer_lens.loading_from_pretrained as tl_loading
    from transformer_lens import HookedTransformer

    config = hf_fp32.config
    original = tl_loading.convert_hf_model_config
    tl_loading.AutoConfig = type("Local", (), {"from_pretrained": staticmethod(lambda *a, **k: config)})
    tl_loading.convert_hf_model_config = lambda name, **k: {**original(name, **k), "tokenizer_name": None}
    start = time.perf_counter()
    hf = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    with contextlib.redirect_stdout(io.StringIO()):
        model = HookedTransformer.from_pretrained(TL_NAMES[config.model_type], hf_model=hf, tokenizer=None,
                                                  device="cpu", dtype=torch.float32)
    return model.eval(), time.perf_counter() - start


def transformer_lens_side(model_dir, hf_fp32, tokens, repeats):
    model, load = transformer_lens_from_folder(model_dir, hf_fp32)
    x = torch.tensor(tokens)
    with torch.no_grad():
        model.run_with_cache(x)
        cache = best(lambda: model.run_with_cache(x), repeats)
    return {"load_processed": load, "run_with_cache_1x128": cache}


def swift_side(lens, model_dir, vocab, shapes, repeats, generate):
    stored = ["--no-processing", "--weights", "stored"]
    swift = {}
    for label, (b, t) in shapes.items():
        result = lens_logits(lens, model_dir, token_rows(b, t, vocab), repeats, stored,
                             generate=generate if label == "forward_1x16" else 0)
        swift[label] = result["forward_seconds"]
        swift["load_stored"] = min(swift.get("load_stored", result["load_seconds"]), result["load_seconds"])
        if label == "forward_1x16" and generate:
            swift["generate"] = result["generate_seconds"]
        if label == "forward_1x128":
            swift["matmul_1x128"] = result["matmul_seconds"]
            swift["max_rss_1x128"] = result["max_rss_bytes"]
    swift["load_processed"] = lens_logits(lens, model_dir, token_rows(1, 16, vocab), 1, [])["load_seconds"]
    swift["load_fp32"] = lens_logits(lens, model_dir, token_rows(1, 16, vocab), 1,
                                     ["--no-processing", "--weights", "fp32"])["load_seconds"]
    rows = ";".join(",".join(str(v) for v in row) for row in token_rows(1, 128, vocab))
    cache = lens_json(lens, ["cache", "--model", model_dir, "--tokens", rows, "--out", "/tmp", "--no-processing",
                             "--benchmark-repeats", str(repeats)])
    swift["run_with_cache_1x128"] = cache["cache_seconds"]
    return swift


def keep_best(best_so_far, new):
    """Per measure, the least time over rounds (the least disturbed run on a shared machine)."""
    for key, value in new.items():
        best_so_far[key] = min(best_so_far.get(key, value), value)
    return best_so_far


def run_shape(name, lens, data, repeats, generate, with_tl, rounds):
    model_dir = os.path.join(data, name)
    vocab = json.load(open(os.path.join(model_dir, "config.json")))["vocab_size"]
    shapes = {"forward_1x16": (1, 16), "forward_1x128": (1, 128), "forward_8x128": (8, 128)}
    swift, fp32, bf16 = {}, {}, {}
    for _ in range(rounds):
        keep_best(swift, swift_side(lens, model_dir, vocab, shapes, repeats, generate))
        hf32, result = torch_side(model_dir, torch.float32, shapes, repeats, generate)
        keep_best(fp32, result)
        keep_best(bf16, torch_side(model_dir, torch.bfloat16, {"forward_1x128": (1, 128)}, repeats, 0)[1])
    tl = transformer_lens_side(model_dir, hf32, token_rows(1, 128, vocab), repeats) if with_tl else {}
    del hf32

    ratios = {
        "load (tf fp32 / lens stored)": fp32["load"] / swift["load_stored"],
        "load (tf bf16 / lens stored)": bf16["load"] / swift["load_stored"],
        "load (tf fp32 / lens fp32)": fp32["load"] / swift["load_fp32"],
    }
    for label in shapes:
        ratios[f"{label} (tf fp32 / lens)"] = fp32[label] / swift[label]
    ratios["forward_1x128 (tf bf16 / lens)"] = bf16["forward_1x128"] / swift["forward_1x128"]
    if generate:
        ratios["generate tokens/s (lens / tf fp32)"] = fp32["generate"] / swift["generate"]
    if tl:
        ratios["load processed (TL / lens)"] = tl["load_processed"] / swift["load_processed"]
        ratios["run_with_cache 1x128 (TL / lens)"] = tl["run_with_cache_1x128"] / swift["run_with_cache_1x128"]
    ratios["lens 1x128 share in weight products"] = swift["matmul_1x128"] / swift["forward_1x128"]
    return {"shape": name, "lens": swift, "transformers_fp32": fp32, "transformers_bf16": bf16,
            "transformer_lens": tl, "ratios": ratios}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="bench-data")
    parser.add_argument("--shapes", default="qwen2.5-0.5b,llama-3.2-1b")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--generate", type=int, default=32)
    parser.add_argument("--no-tl", action="store_true")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternate SwiftLens and transformers this many times, keeping each measure's best")
    args = parser.parse_args()
    torch.set_num_threads(2)
    lens = swift_bin(ROOT, "lens")
    maker = None
    for name in args.shapes.split(","):
        folder = os.path.join(args.data, name)
        if name == "gpt2" and not os.path.exists(os.path.join(folder, "config.json")):
            torch.manual_seed(0)  # GPT-2-small as it is published: Float32 weights
            transformers.GPT2LMHeadModel(transformers.GPT2Config()).save_pretrained(folder, safe_serialization=True)
        elif not os.path.exists(os.path.join(folder, "config.json")):
            maker = maker or swift_bin(os.path.join(ROOT, "Benchmarks"), "make-random-checkpoint")
            subprocess.run([maker, name, folder], check=True)
        result = run_shape(name, lens, args.data, args.repeats, args.generate, not args.no_tl, args.rounds)
        print(json.dumps(result, indent=1))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
