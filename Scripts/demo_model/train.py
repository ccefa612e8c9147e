"""Trains the SwiftLens demo model: a small GPT-2 on a synthetic corpus (see corpus.py).

Run from the repository root:
    HF_HUB_OFFLINE=1 python Scripts/demo_model/train.py
Writes Models/demo/{config.json, model.safetensors, tokenizer.json, prompts.json, MODEL_CARD.md}.
"""

import argparse
import json
import math
import os
import random
import sys
import time

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import GPT2Config, GPT2LMHeadModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import (FACTS, NAMES, NEGATIVE_ADJECTIVES, NEGATIVE_VERBS, POSITIVE_ADJECTIVES,  # noqa: E402
                    POSITIVE_VERBS, CorpusGenerator)
from evaluate import evaluate_all, single_token  # noqa: E402
from export import export_model  # noqa: E402

BOS = "<|endoftext|>"
# Document mixes. The first phase has no IOI: IOI prompts name the wrong person twice, which stalls the
# plain name copying that IOI is built on; it is learned first from one-name sentences and repeats.
COPY_PHASE_MIX = {"fact": 0.15, "sentiment": 0.15, "name_copy": 0.3, "repeated_words": 0.3, "filler": 0.1}
TEXT_MIX = {"fact": 0.14, "sentiment": 0.16, "ioi": 0.3, "name_copy": 0.1, "repeated_words": 0.2, "filler": 0.1}
# Share of documents that are random token ids written two or three times (induction), per phase. They are
# long (10-60 ids per copy), so 0.35 of the documents is about two thirds of the tokens.
COPY_PHASE_RANDOM_SHARE = 0.35
RANDOM_SHARE = 0.2


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="Models/demo")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--copy-phase", type=float, default=0.3, help="share of steps without IOI documents")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--ctx", type=int, default=128)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--vocab", type=int, default=1500)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--eval-every", type=int, default=300)
    return parser.parse_args()


def train_tokenizer(texts, vocab_size):
    """GPT-2 style byte-level BPE with `<|endoftext|>` as its only special token (id 0)."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=[BOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def check_answer_tokens(tokenizer):
    """Every answer word, with its leading space, must be one token (raises otherwise)."""
    words = ([city for _, city in FACTS] + POSITIVE_ADJECTIVES + NEGATIVE_ADJECTIVES + NAMES
             + POSITIVE_VERBS + NEGATIVE_VERBS)
    for word in words:
        single_token(tokenizer, " " + word)


def build_rows(tokenizer, generator, rows_needed, ctx, seed, mix, random_share):
    """Packs documents (each starting with BOS; random-token documents score only their repeats) into rows
    of `ctx` tokens that start at a document boundary; the tail is padded with BOS and masked out of the
    loss. Returns (ids, labels) [rows, ctx]."""
    rng = random.Random(seed + 1)
    bos_id = tokenizer.token_to_id(BOS)
    vocab = tokenizer.get_vocab_size()
    ids = torch.full((rows_needed, ctx), bos_id, dtype=torch.long)
    labels = torch.full((rows_needed, ctx), -100, dtype=torch.long)
    row, used = 0, 0
    while row < rows_needed:
        texts = generator.documents(4096, mix)
        docs = [([bos_id] + e.ids, None) for e in tokenizer.encode_batch(texts)]
        for _ in range(int(len(docs) * random_share / (1 - random_share))):
            length = rng.randint(10, 60)
            copies = 3 if 1 + 3 * length <= ctx and rng.random() < 0.3 else 2
            part = [rng.randrange(1, vocab) for _ in range(length)]
            docs.append(([bos_id] + part * copies, 1 + length))
        rng.shuffle(docs)
        for doc, first_scored in docs:
            doc = doc[:ctx]
            if used + len(doc) > ctx:
                row, used = row + 1, 0
                if row == rows_needed:
                    break
            ids[row, used:used + len(doc)] = torch.tensor(doc)
            # labels[t] is the token at t (HF shifts): score every token after the BOS, or only the second copy.
            start = first_scored if first_scored is not None else 1
            labels[row, used + start:used + len(doc)] = torch.tensor(doc[start:])
            used += len(doc)
    return ids, labels


def learning_rate(step, args):
    """Linear warmup to `lr`, then cosine decay to lr / 20."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.time()

    tokenizer_texts = CorpusGenerator(args.seed + 100).documents(60000, TEXT_MIX)
    tokenizer = train_tokenizer(tokenizer_texts, args.vocab)
    check_answer_tokens(tokenizer)
    bos_id = tokenizer.token_to_id(BOS)
    print(f"tokenizer: {tokenizer.get_vocab_size()} tokens, BOS id {bos_id}", flush=True)

    generator = CorpusGenerator(args.seed)
    copy_steps = int(args.steps * args.copy_phase)
    args.random_shares = (COPY_PHASE_RANDOM_SHARE, RANDOM_SHARE)
    schedule = [(copy_steps, COPY_PHASE_MIX, COPY_PHASE_RANDOM_SHARE), (args.steps - copy_steps, TEXT_MIX, RANDOM_SHARE)]
    phases = [build_rows(tokenizer, generator, steps * args.batch, args.ctx, args.seed + i, mix, share)
              for i, (steps, mix, share) in enumerate(schedule)]
    ids = torch.cat([p[0] for p in phases])
    labels = torch.cat([p[1] for p in phases])
    print(f"data: {ids.shape[0]} rows x {args.ctx}, {(labels != -100).sum().item()} scored tokens "
          f"({time.time() - started:.0f}s)", flush=True)

    config = GPT2Config(vocab_size=tokenizer.get_vocab_size(), n_positions=args.ctx, n_embd=args.d_model,
                        n_layer=args.layers, n_head=args.heads, activation_function="gelu_new",
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=bos_id,
                        eos_token_id=bos_id, pad_token_id=bos_id, tie_word_embeddings=True)
    config._attn_implementation = "eager"
    model = GPT2LMHeadModel(config)
    with torch.no_grad():
        # Larger than GPT-2's 0.02: distinct token directions make copying (induction, IOI) learnable sooner.
        model.transformer.wte.weight.normal_(0.0, 0.1)
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters", flush=True)
    # Weight decay on the block matrices only: embeddings keep their distinct random directions.
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and ".h." in n]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 or ".h." not in n]
    groups = [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95))

    shuffle = torch.Generator().manual_seed(args.seed)
    split = copy_steps * args.batch
    order = torch.cat([torch.randperm(split, generator=shuffle),
                       split + torch.randperm(ids.shape[0] - split, generator=shuffle)])
    model.train()
    running = None
    for step in range(args.steps):
        batch = order[step * args.batch:(step + 1) * args.batch]
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args)
        loss = model(input_ids=ids[batch], labels=labels[batch]).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % 50 == 0:
            print(f"step {step} loss {running:.3f} lr {learning_rate(step, args):.2e} "
                  f"({time.time() - started:.0f}s)", flush=True)
        if args.eval_every and step > 0 and step % args.eval_every == 0:
            quick = evaluate_all(model, tokenizer, bos_id, quick=True)
            quick.pop("induction_scores")
            print("eval", json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in quick.items()}),
                  flush=True)

    training_seconds = time.time() - started
    with torch.no_grad():  # measure the weights as shipped (F16)
        for parameter in model.parameters():
            parameter.copy_(parameter.to(torch.float16).to(torch.float32))
    results = evaluate_all(model, tokenizer, bos_id)
    print("final", json.dumps(results, indent=1), flush=True)
    export_model(model, tokenizer, results, args, training_seconds)
    print(f"saved to {args.out} ({time.time() - started:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
