"""Behaviour metrics for the demo model, on prompts held out from training where possible.

Every prompt is run with the `<|endoftext|>` token prepended (TransformerLens' default `prepend_bos`).
"""

import random

import torch

from corpus import (FACTS, FACT_TEMPLATES, FACT_HELDOUT_TEMPLATES, IOI_TEMPLATES, IOI_HELDOUT_TEMPLATES,
                    NEGATIVE_ADJECTIVES, POSITIVE_ADJECTIVES, SENTIMENT_TEMPLATES, SENTIMENT_HELDOUT_TEMPLATES,
                    fact_prompt, ioi_prompt, ioi_split, sentiment_split)


def single_token(tokenizer, word):
    """The id of `word` (with its leading space); raises if it is not exactly one token."""
    ids = tokenizer.encode(word).ids
    if len(ids) != 1:
        raise ValueError(f"answer {word!r} is {len(ids)} tokens: {tokenizer.encode(word).tokens}")
    return ids[0]


@torch.no_grad()
def last_logits(model, tokenizer, prompts, bos_id, batch=64):
    """Next-token logits [len(prompts), vocab] after each prompt (BOS prepended, right padding)."""
    rows = []
    for start in range(0, len(prompts), batch):
        encoded = [[bos_id] + tokenizer.encode(p).ids for p in prompts[start:start + batch]]
        width = max(len(e) for e in encoded)
        ids = torch.full((len(encoded), width), bos_id, dtype=torch.long)
        for i, e in enumerate(encoded):
            ids[i, :len(e)] = torch.tensor(e)
        logits = model(input_ids=ids).logits
        last = torch.tensor([len(e) - 1 for e in encoded])
        rows.append(logits[torch.arange(len(encoded)), last])
    return torch.cat(rows)


def fact_accuracy(model, tokenizer, bos_id, templates):
    """Top-1 accuracy of the city over every fact in every template."""
    prompts, answers = [], []
    for template in templates:
        for landmark, city in FACTS:
            prompts.append(fact_prompt(template, landmark))
            answers.append(single_token(tokenizer, " " + city))
    predicted = last_logits(model, tokenizer, prompts, bos_id).argmax(-1)
    return (predicted == torch.tensor(answers)).float().mean().item()


def sentiment_accuracy(model, tokenizer, bos_id, pairs, templates):
    """Share of prompts whose best adjective (among both sets) has the right sentiment."""
    positive = [single_token(tokenizer, " " + a) for a in POSITIVE_ADJECTIVES]
    negative = [single_token(tokenizer, " " + a) for a in NEGATIVE_ADJECTIVES]
    prompts = [t.format(v=verb, n=noun) for t in templates for verb, noun, _ in pairs]
    labels = torch.tensor([is_pos for _ in templates for _, _, is_pos in pairs])
    logits = last_logits(model, tokenizer, prompts, bos_id)
    best_positive = logits[:, positive].max(-1).values
    best_negative = logits[:, negative].max(-1).values
    return ((best_positive > best_negative) == labels).float().mean().item()


def ioi_metrics(model, tokenizer, bos_id, pairs, templates, seed=7):
    """(mean logit difference IO - S, share with IO > S, top-1 accuracy of IO), both name orders."""
    rng = random.Random(seed)
    prompts, io_ids, s_ids = [], [], []
    for template in templates:
        for first, second in pairs:
            for order in ("ABBA", "BABA"):
                text, io, subject = ioi_prompt(template, (first, second), order, rng)
                prompts.append(text)
                io_ids.append(single_token(tokenizer, " " + io))
                s_ids.append(single_token(tokenizer, " " + subject))
    logits = last_logits(model, tokenizer, prompts, bos_id)
    rows = torch.arange(len(prompts))
    diff = logits[rows, io_ids] - logits[rows, s_ids]
    top1 = (logits.argmax(-1) == torch.tensor(io_ids)).float().mean().item()
    return diff.mean().item(), (diff > 0).float().mean().item(), top1


def repeated_random_tokens(vocab_size, seq_len, batch, seed, bos_id):
    """[batch, 1 + 2 * seq_len]: BOS then a uniform random sequence (never BOS) written twice."""
    generator = torch.Generator().manual_seed(seed)
    half = torch.randint(1, vocab_size, (batch, seq_len), generator=generator)
    bos = torch.full((batch, 1), bos_id, dtype=torch.long)
    return torch.cat([bos, half, half], dim=1)


@torch.no_grad()
def induction_metrics(model, vocab_size, bos_id, seq_len=50, batch=20, seed=0):
    """Loss and top-1 accuracy on the second copy of repeated random tokens, and the induction score
    per head: mean attention from each token of the second copy to the token after its previous
    occurrence (the diagonal at offset 1 - seq_len from the second copy on, as `lens heads` computes it;
    TransformerLens's Main Demo also averages in two first-copy entries of that diagonal, x 50/52).
    Returns (loss, accuracy, scores [layers, heads])."""
    tokens = repeated_random_tokens(vocab_size, seq_len, batch, seed, bos_id)
    out = model(input_ids=tokens, output_attentions=True)
    logits = out.logits[:, seq_len:-1]
    targets = tokens[:, seq_len + 1:]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)).item()
    accuracy = (logits.argmax(-1) == targets).float().mean().item()
    scores = torch.stack([a.diagonal(offset=1 - seq_len, dim1=-2, dim2=-1)[..., 2:].mean(dim=(0, 2))
                          for a in out.attentions])
    return loss, accuracy, scores


def evaluate_all(model, tokenizer, bos_id, quick=False):
    """All behaviour metrics as a flat dict; `quick` skips the held-out templates."""
    model.eval()
    _, sentiment_held = sentiment_split()
    _, ioi_held = ioi_split()
    ioi_pairs = ioi_held[:40] if quick else ioi_held
    results = {"facts": fact_accuracy(model, tokenizer, bos_id, FACT_TEMPLATES),
               "sentiment_heldout_pairs": sentiment_accuracy(model, tokenizer, bos_id, sentiment_held,
                                                             SENTIMENT_TEMPLATES)}
    diff, accuracy, top1 = ioi_metrics(model, tokenizer, bos_id, ioi_pairs, IOI_TEMPLATES)
    results.update({"ioi_logit_diff": diff, "ioi_accuracy": accuracy, "ioi_top1": top1})
    loss, accuracy, scores = induction_metrics(model, tokenizer.get_vocab_size(), bos_id)
    best = int(scores.argmax())
    layer, head = divmod(best, scores.shape[1])
    results.update({"induction_loss": loss, "induction_accuracy": accuracy,
                    "induction_score": scores.max().item(), "induction_head": f"{layer}.{head}",
                    "induction_scores": [[round(v, 4) for v in row] for row in scores.tolist()]})
    if not quick:
        sentiment_train, _ = sentiment_split()
        results["facts_heldout_template"] = fact_accuracy(model, tokenizer, bos_id, FACT_HELDOUT_TEMPLATES)
        results["sentiment_heldout_template"] = sentiment_accuracy(
            model, tokenizer, bos_id, sentiment_train + sentiment_held, SENTIMENT_HELDOUT_TEMPLATES)
        diff, accuracy, top1 = ioi_metrics(model, tokenizer, bos_id, ioi_held, IOI_HELDOUT_TEMPLATES)
        results.update({"ioi_heldout_template_logit_diff": diff, "ioi_heldout_template_accuracy": accuracy})
    model.train()
    return results
