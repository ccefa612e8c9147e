"""Trains the demo SAE: a standard (ReLU, L1) sparse autoencoder in SAELens format on the residual stream of the
SwiftLens demo model after block 1 (`blocks.1.hook_resid_post`), on the demo corpus (Scripts/demo_model/corpus.py).

Run from the repository root (about fifteen CPU minutes):
    HF_HUB_OFFLINE=1 nice -n 19 python Scripts/demo_sae/train.py
Writes Models/demo/sae/blocks.1.hook_resid_post/{cfg.json, sae_weights.safetensors, SAE_CARD.md, steering.json}
and the scan corpus Models/demo/corpus.txt (held-out documents, one per line).

The SAE reads what SwiftLens (and TransformerLens with its default weight processing) sees at that hook: weight
processing centres every write to the residual stream, so the hook holds the Hugging Face hidden state minus its
mean over d_model. Splicing the reconstruction back into the Hugging Face model in place of the raw hidden state
gives the processed model's logits, because every later read goes through a LayerNorm, which removes the mean.
"""

import argparse
import json
import os
import sys
import time

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo_model"))
from corpus import CorpusGenerator  # noqa: E402

HOOK = "blocks.1.hook_resid_post"
LAYER = 1  # hidden_states[LAYER + 1] is the residual stream after block LAYER
MIX = {"fact": 0.2, "sentiment": 0.2, "ioi": 0.25, "name_copy": 0.1, "repeated_words": 0.1, "filler": 0.15}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="Models/demo")
    parser.add_argument("--d-sae", type=int, default=1024)
    parser.add_argument("--l1", type=float, default=3.0, help="L1 coefficient on |f| ‖W_dec row‖ (MSE summed over d_in)")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=1024, help="tokens per step")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train-docs", type=int, default=20000)
    parser.add_argument("--eval-docs", type=int, default=3000)
    parser.add_argument("--corpus-docs", type=int, default=1200, help="documents in the shipped scan corpus")
    parser.add_argument("--ctx", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def pack(tokenizer, docs, ctx):
    """Contexts as SwiftLens's ContextPacker cuts them: BOS, then the documents joined by EOS (both id 0)."""
    bos = tokenizer.token_to_id("<|endoftext|>")
    stream = []
    for k, enc in enumerate(tokenizer.encode_batch(docs)):
        if k > 0:
            stream.append(bos)
        stream.extend(enc.ids)
    room = ctx - 1
    rows = [[bos] + stream[i:i + room] for i in range(0, len(stream) - room + 1, room)]
    return torch.tensor(rows, dtype=torch.long)


@torch.no_grad()
def activations(model, tokens, batch=64):
    """Centred residual stream after block LAYER, [rows, ctx, d_model]."""
    out = []
    for i in range(0, len(tokens), batch):
        h = model(tokens[i:i + batch], output_hidden_states=True).hidden_states[LAYER + 1]
        out.append(h - h.mean(-1, keepdim=True))
    return torch.cat(out)


class SAE(torch.nn.Module):
    """SAELens's standard SAE: f = relu((x − b_dec) W_enc + b_enc), x̂ = f W_dec + b_dec."""

    def __init__(self, d_in, d_sae, mean):
        super().__init__()
        W_dec = torch.randn(d_sae, d_in)
        W_dec /= W_dec.norm(dim=1, keepdim=True) * 10
        self.W_dec = torch.nn.Parameter(W_dec)
        self.W_enc = torch.nn.Parameter(W_dec.T.clone())
        self.b_enc = torch.nn.Parameter(torch.zeros(d_sae))
        self.b_dec = torch.nn.Parameter(mean.clone())

    def encode(self, x):
        return torch.relu((x - self.b_dec) @ self.W_enc + self.b_enc)

    def decode(self, f):
        return f @ self.W_dec + self.b_dec


@torch.no_grad()
def ce_losses(model, tokens, sae, batch=64):
    """Mean next-token loss clean, with the SAE reconstruction spliced in, and with the hook zero-ablated."""
    block = model.transformer.h[LAYER]
    mode = {"replace": None}

    def hook(_module, _inputs, output):
        h = output[0] if isinstance(output, tuple) else output
        if mode["replace"] == "sae":
            centred = h - h.mean(-1, keepdim=True)
            h = sae.decode(sae.encode(centred))
        elif mode["replace"] == "zero":
            h = torch.zeros_like(h)
        return (h,) + tuple(output[1:]) if isinstance(output, tuple) else h

    handle = block.register_forward_hook(hook)
    totals = {}
    try:
        for name in ["clean", "sae", "zero"]:
            mode["replace"] = None if name == "clean" else name
            losses = [model(tokens[i:i + batch], labels=tokens[i:i + batch]).loss for i in range(0, len(tokens), batch)]
            totals[name] = float(torch.stack(losses).mean())
    finally:
        handle.remove()
    return totals


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    start, start_cpu = time.time(), time.process_time()
    model = GPT2LMHeadModel.from_pretrained(args.model, attn_implementation="eager").float().eval()
    tokenizer = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    gen = CorpusGenerator(seed=1000 + args.seed)
    train = pack(tokenizer, gen.documents(args.train_docs, MIX), args.ctx)
    held = pack(tokenizer, gen.documents(args.eval_docs, MIX), args.ctx)
    corpus_docs = CorpusGenerator(seed=2000 + args.seed).documents(args.corpus_docs, MIX)
    x_train = activations(model, train)[:, 1:].reshape(-1, 128)  # BOS positions left out of training
    x_held = activations(model, held)[:, 1:].reshape(-1, 128)
    print(f"{len(train)} training contexts ({len(x_train)} tokens), {len(held)} held out", flush=True)

    sae = SAE(x_train.shape[1], args.d_sae, x_train.mean(0))
    opt = torch.optim.Adam(sae.parameters(), lr=args.lr, betas=(0.9, 0.999))
    for step in range(args.steps):
        x = x_train[torch.randint(len(x_train), (args.batch,))]
        f = sae.encode(x)
        mse = (sae.decode(f) - x).pow(2).sum(-1).mean()
        l1 = args.l1 * min(1.0, step / (0.05 * args.steps)) * (f * sae.W_dec.norm(dim=1)).sum(-1).mean()
        lr = args.lr * min(1.0, (args.steps - step) / (0.2 * args.steps))
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        (mse + l1).backward()
        opt.step()
        if step % 1000 == 0 or step == args.steps - 1:
            print(f"step {step}: mse {mse.item():.4f} l1 {l1.item():.4f} L0 {(f > 0).float().sum(-1).mean():.1f}", flush=True)

    with torch.no_grad():
        # Fold the decoder norms into the encoder so every decoder row has unit norm (SAELens's convention).
        norms = sae.W_dec.norm(dim=1)
        sae.W_dec /= norms[:, None]
        sae.W_enc *= norms[None, :]
        sae.b_enc *= norms
        f = sae.encode(x_held)
        recon = sae.decode(f)
        l0 = float((f > 0).float().sum(-1).mean())
        explained = 1 - float((x_held - recon).pow(2).sum() / (x_held - x_held.mean(0)).pow(2).sum())
        frequency = (f > 0).float().mean(0)
        dead = int((frequency == 0).sum())
    ce = ce_losses(model, held, sae)
    recovered = (ce["zero"] - ce["sae"]) / (ce["zero"] - ce["clean"])
    print(f"L0 {l0:.1f}, explained variance {explained:.3f}, CE clean {ce['clean']:.3f} sae {ce['sae']:.3f} "
          f"zero {ce['zero']:.3f} (recovered {recovered:.3f}), dead {dead}", flush=True)

    out = os.path.join(args.model, "sae", HOOK)
    os.makedirs(out, exist_ok=True)
    save_file({"W_enc": sae.W_enc.detach().contiguous(), "W_dec": sae.W_dec.detach().contiguous(),
               "b_enc": sae.b_enc.detach().contiguous(), "b_dec": sae.b_dec.detach().contiguous()},
              os.path.join(out, "sae_weights.safetensors"))
    cfg = {"architecture": "standard", "d_in": x_train.shape[1], "d_sae": args.d_sae, "dtype": "float32", "device": "cpu",
           "apply_b_dec_to_input": True, "normalize_activations": "none", "reshape_activations": "none",
           "metadata": {"model_name": "swiftlens-demo", "hook_name": HOOK, "hook_head_index": None, "prepend_bos": True,
                        "context_size": args.ctx, "dataset_path": "Scripts/demo_model/corpus.py",
                        "sae_lens_training_version": None, "trained_with": "Scripts/demo_sae/train.py"}}
    with open(os.path.join(out, "cfg.json"), "w") as fh:
        json.dump(cfg, fh, indent=2)
    with open(os.path.join(args.model, "corpus.txt"), "w") as fh:
        fh.write("\n".join(corpus_docs) + "\n")
    steering = choose_steering(model, tokenizer, sae)
    with open(os.path.join(out, "steering.json"), "w") as fh:
        json.dump(steering, fh, indent=2)
    minutes, cpu_minutes = (time.time() - start) / 60, (time.process_time() - start_cpu) / 60
    write_card(out, args, dict(l0=l0, explained=explained, ce=ce, recovered=recovered, dead=dead,
                               tokens=len(x_train), minutes=minutes, cpu_minutes=cpu_minutes, steering=steering))
    print(f"wrote {out} in {minutes:.1f} min", flush=True)


@torch.no_grad()
def choose_steering(model, tokenizer, sae):
    """The demo's steering example: on a negative sentiment prompt, the feature whose decoder direction, added
    after block 1, most raises the logit of a positive adjective; with the smallest scale that makes it win."""
    prompt = "I hate this movie because it is"
    ids = torch.tensor([[0] + tokenizer.encode(prompt).ids])
    target = tokenizer.encode(" great").ids[0]
    block = model.transformer.h[LAYER]
    add = {"v": None}

    def hook(_module, _inputs, output):
        h = output[0] if isinstance(output, tuple) else output
        if add["v"] is not None:
            h = h + add["v"]
        return (h,) + tuple(output[1:]) if isinstance(output, tuple) else h

    handle = block.register_forward_hook(hook)
    try:
        base = model(ids).logits[0, -1]
        best = None
        for feature in range(sae.W_dec.shape[0]):
            add["v"] = 8.0 * sae.W_dec[feature]
            gain = float(model(ids).logits[0, -1, target] - base[target])
            if best is None or gain > best[1]:
                best = (feature, gain)
        feature = best[0]
        for scale in [2, 4, 6, 8, 10, 12, 16, 20]:
            add["v"] = scale * sae.W_dec[feature]
            if int(model(ids).logits[0, -1].argmax()) == target:
                break
    finally:
        handle.remove()
    return {"prompt": prompt, "feature": feature, "scale": float(scale), "target": " great", "new_tokens": 3}


def write_card(out, args, m):
    ce = m["ce"]
    text = f"""# Demo SAE: `{HOOK}` of the SwiftLens demo model

A standard sparse autoencoder (SAELens format, `architecture: standard`: `f = relu((x − b_dec) W_enc + b_enc)`,
`x̂ = f W_dec + b_dec`) trained on the residual stream of `Models/demo` after block 1, as SwiftLens and
TransformerLens (default weight processing, so the stream is centred) see it. Decoder rows have unit norm.

| | |
|---|---|
| d_in / d_sae | 128 / {args.d_sae} |
| training tokens | {m['tokens']} (demo corpus documents, BOS positions left out), {args.steps} steps of {args.batch} |
| loss | MSE summed over d_in + {args.l1} · Σ f·‖W_dec row‖ (L1 warmed up over the first 5%) |
| L0 (mean active features per token, held out) | {m['l0']:.1f} |
| explained variance (held out) | {m['explained']:.3f} |
| CE loss: clean / SAE spliced / zero-ablated | {ce['clean']:.3f} / {ce['sae']:.3f} / {ce['zero']:.3f} |
| CE loss recovered | {m['recovered']:.3f} |
| dead features on the held-out tokens | {m['dead']} |

`steering.json` is the demo's steering example: feature {m['steering']['feature']} added with scale
{m['steering']['scale']} after block 1 turns the prediction after "{m['steering']['prompt']}" to "{m['steering']['target']}".

Retrain from the repository root ({m['minutes']:.0f} minutes of wall time, {m['cpu_minutes']:.0f} CPU minutes, {args.threads} torch threads):
`HF_HUB_OFFLINE=1 nice -n 19 python Scripts/demo_sae/train.py`
(the reference stack of `../shared/reference-stack.sh`). It also writes `Models/demo/corpus.txt`, the
{args.corpus_docs} held-out documents `lens demo` scans.
"""
    with open(os.path.join(out, "SAE_CARD.md"), "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
