"""Trains a small Othello-GPT in TransformerLens's format on synthetic random legal games.

Run from the repository root with a Python that has torch and transformer_lens (the reference stack of
Scripts/fixtures: torch 2.13, TransformerLens 3.9), about 45 minutes on one thread:
    HF_HUB_OFFLINE=1 nice -n 19 python Scripts/othello/train.py
then write the model card:
    HF_HUB_OFFLINE=1 nice -n 19 python Scripts/othello/evaluate.py

The model is a `HookedTransformer` with the real Othello-GPT's format (`LNPre`, 61 tokens, 59 positions, GELU)
but smaller. Games are drawn uniformly among legal moves (othello.py), so the true next-move distribution at
every position is uniform over the legal moves; the loss is the cross-entropy against that distribution (the
expected next-token loss, with less variance than one sampled move). Fresh games every step.

Writes Models/othello/{config.json, model.pth, model.safetensors} (float16 weights, TransformerLens names; the
repository ships model.pth, which SwiftLens reads without running pickled code); evaluate.py adds MODEL_CARD.md.

`--anneal-from A --anneal-steps K` cuts the cosine schedule planned for `--steps` at step A and decays the
learning rate linearly to lr / 20 over K more steps (A + K steps in all); `--hold-from H` keeps the rate of step H
until then. `--snapshot PATH` saves everything the
run needs to continue (weights, optimizer, game generator, current game pool) at every evaluation, and
`--resume PATH` continues from such a snapshot exactly as the uninterrupted run would.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from safetensors.torch import save_file
from transformer_lens import HookedTransformer, HookedTransformerConfig

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import othello  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="Models/othello")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--checkpoint", default="othello_gpt_fp32.pt",
                        help="full-precision copy (not shipped)")
    parser.add_argument("--hold-from", type=int, default=None, help="keep the learning rate of this step from here on")
    parser.add_argument("--anneal-from", type=int, default=None, help="end the cosine schedule at this step")
    parser.add_argument("--anneal-steps", type=int, default=0, help="linear decay to lr / 20 after --anneal-from")
    parser.add_argument("--snapshot", default=None, help="save the training state here at every evaluation")
    parser.add_argument("--resume", default=None, help="continue from a --snapshot file")
    return parser.parse_args()


def model_config(args):
    return HookedTransformerConfig(n_layers=args.layers, d_model=args.d_model, d_head=args.d_model // args.heads,
                                   n_heads=args.heads, d_mlp=4 * args.d_model, d_vocab=61, d_vocab_out=61, n_ctx=59,
                                   act_fn="gelu", normalization_type="LNPre", seed=args.seed,
                                   model_name=f"othello-gpt-{args.layers}L{args.d_model}")


def batch_tensors(games):
    """Inputs `[n, 59]` (moves 0..58) and the legal-move targets `[n, 59, 61]`: at position p, the moves legal
    for move p + 1."""
    ids = torch.from_numpy(othello.token_ids(games["squares"][:, :59]))
    legal = torch.from_numpy(othello.legal_token_mask(games["legal"][:, 1:]))
    return ids, legal


def legal_loss(logits, legal):
    """Cross-entropy against the uniform distribution over legal moves, averaged over positions."""
    log_probs = logits.log_softmax(dim=-1)
    return -((log_probs * legal).sum(-1) / legal.sum(-1)).mean()


def legal_accuracy(model, ids, legal, chunk=256):
    """Share of positions whose top-1 prediction is a legal move."""
    hits = 0
    with torch.no_grad():
        for start in range(0, len(ids), chunk):
            top = model(ids[start:start + chunk]).argmax(-1)
            hits += legal[start:start + chunk].gather(-1, top[..., None]).sum().item()
    return hits / legal[..., 0].numel()


def learning_rate(step, args):
    """Linear warmup to `lr`, then cosine decay to lr / 20 at `--steps`; with `--hold-from H` the rate of step H
    from then on; with `--anneal-from A`, from step A a linear decay to lr / 20 over `--anneal-steps`."""
    if args.anneal_from is not None and step >= args.anneal_from:
        start = learning_rate(args.anneal_from - 1, argparse.Namespace(**{**vars(args), "anneal_from": None}))
        progress = (step - args.anneal_from + 1) / max(1, args.anneal_steps)
        return start + (0.05 * args.lr - start) * progress
    if args.hold_from is not None and step > args.hold_from:
        return learning_rate(args.hold_from, argparse.Namespace(**{**vars(args), "hold_from": None}))
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def total_steps(args):
    return args.steps if args.anneal_from is None else args.anneal_from + args.anneal_steps


def config_json(cfg):
    """`cfg.to_dict()` as JSON: dtypes and devices as strings, no `model_type`."""
    fields = {k: v for k, v in cfg.to_dict().items() if k != "model_type"}

    def plain(value):
        if isinstance(value, torch.dtype):
            return str(value).removeprefix("torch.")
        if isinstance(value, torch.device):
            return str(value)
        return str(value)
    return json.dumps(fields, indent=1, sort_keys=True, default=plain)


def export(model, cfg, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        f.write(config_json(cfg) + "\n")
    state = {k: (v.to(torch.float16) if v.is_floating_point() else v).contiguous().clone()
             for k, v in model.state_dict().items()}
    torch.save(state, os.path.join(out, "model.pth"))
    save_file(state, os.path.join(out, "model.safetensors"))
    print("exported", sorted(state), flush=True)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    started = time.time()

    cfg = model_config(args)
    model = HookedTransformer(cfg)
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters", flush=True)
    held_out = batch_tensors(othello.random_games(500, np.random.default_rng(args.seed + 1000)))

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and n.startswith("blocks")]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and n.startswith("blocks"))]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.99))
    pool, used, running, first, prior_cpu = None, 0, None, 0, 0.0
    if args.resume:
        state = torch.load(args.resume, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        rng.bit_generator.state = state["rng"]
        pool, used, running, first = state["pool"], state["used"], state["running"], state["step"]
        prior_cpu = state.get("cpu_seconds", 0.0)
        print(f"resumed at step {first}", flush=True)
    model.train()
    for step in range(first, total_steps(args)):
        if pool is None or used + args.batch > len(pool[0]):
            pool, used = batch_tensors(othello.random_games(100 * args.batch, rng)), 0
        ids, legal = pool[0][used:used + args.batch], pool[1][used:used + args.batch]
        used += args.batch
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args)
        loss = legal_loss(model(ids), legal)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % 50 == 0:
            print(f"step {step} loss {running:.4f} lr {learning_rate(step, args):.2e} ({time.time() - started:.0f}s)",
                  flush=True)
        if args.eval_every and step > 0 and step % args.eval_every == 0:
            model.eval()
            print(f"eval step {step} legal-move accuracy {legal_accuracy(model, *held_out):.4f}", flush=True)
            model.train()
            if args.snapshot:  # the state at the start of step + 1
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "rng": rng.bit_generator.state,
                            "pool": pool, "used": used, "running": running, "step": step + 1,
                            "cpu_seconds": prior_cpu + time.process_time()}, args.snapshot)
    model.eval()
    torch.save(model.state_dict(), args.checkpoint)
    print(f"final legal-move accuracy {legal_accuracy(model, *held_out):.4f}; trained in "
          f"{time.time() - started:.0f}s", flush=True)
    export(model, cfg, args.out)
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump({"steps": total_steps(args), "planned_steps": args.steps, "hold_from": args.hold_from,
                   "anneal_from": args.anneal_from,
                   "anneal_steps": args.anneal_steps, "batch": args.batch, "lr": args.lr, "warmup": args.warmup,
                   "seed": args.seed, "games": total_steps(args) * args.batch, "layers": args.layers,
                   "d_model": args.d_model, "heads": args.heads,
                   "cpu_seconds": round(prior_cpu + time.process_time())}, f, indent=1)


if __name__ == "__main__":
    main()
