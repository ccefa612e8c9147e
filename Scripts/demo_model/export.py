"""Writes the trained demo model folder: weights, config, tokenizer, demo prompts and model card."""

import json
import os

import torch

from corpus import FACTS

# Clean prompts shown by `lens demo`, each with the corrupted prompts it may be patched from (the first
# with the same token count is used).
FACT_DEMOS = [("The Eiffel Tower", ["The Colosseum", "The Leaning Tower", "The Space Needle", "The Red Fort"]),
              ("The Colosseum", ["The Kremlin", "The Parthenon", "The Alhambra", "The Bund"]),
              ("Big Ben", ["The Kremlin", "Willis Tower", "Fenway Park", "Wawel Castle"])]
SENTIMENT_DEMOS = [("I love this movie because it is", "I hate this movie because it is", " great", " terrible"),
                   ("I hate this movie because it is", "I love this movie because it is", " terrible", " great"),
                   ("We enjoy the book because it is really", "We despise the book because it is really",
                    " wonderful", " awful")]
IOI_DEMOS = [("Mary", "John", "store", "a drink"), ("Tom", "James", "park", "a ball"),
             ("Alice", "Bob", "school", "a book")]
INDUCTION = {"seq_len": 50, "batch": 20, "seed": 0, "tokens": "uniform random ids in [1, vocab), BOS first"}


def token_count(tokenizer, text):
    return len(tokenizer.encode(text).ids)


def fact_pairs(tokenizer):
    """Clean/corrupted fact prompts of equal token length; answer is the clean city, wrong the corrupted one."""
    city = dict(FACTS)
    pairs = []
    for clean, candidates in FACT_DEMOS:
        for corrupted in candidates:
            a, b = clean + " is located in", corrupted + " is located in"
            if token_count(tokenizer, a) == token_count(tokenizer, b):
                pairs.append({"task": "facts", "clean": a, "corrupted": b,
                              "answer": " " + city[clean], "wrong": " " + city[corrupted]})
                break
    return pairs


def ioi_pairs():
    """ABBA prompts; the corrupted prompt repeats the other name (the IO), which swaps the answers."""
    pairs = []
    for io, subject, place, obj in IOI_DEMOS:
        template = "When {A} and {B} went to the {place}, {S} gave {obj} to"
        clean = template.format(A=io, B=subject, S=subject, place=place, obj=obj)
        corrupted = template.format(A=io, B=subject, S=io, place=place, obj=obj)
        pairs.append({"task": "ioi", "clean": clean, "corrupted": corrupted,
                      "answer": " " + io, "wrong": " " + subject})
    return pairs


def prompts_document(tokenizer):
    """The demo prompts for `lens demo`: clean/corrupted pairs of equal token length per task."""
    sentiment = [{"task": "sentiment", "clean": c, "corrupted": x, "answer": a, "wrong": w}
                 for c, x, a, w in SENTIMENT_DEMOS]
    pairs = fact_pairs(tokenizer) + sentiment + ioi_pairs()
    for pair in pairs:
        if token_count(tokenizer, pair["clean"]) != token_count(tokenizer, pair["corrupted"]):
            raise ValueError(f"demo pair has different token counts: {pair}")
    return {"prepend_bos": True, "bos": "<|endoftext|>", "pairs": pairs, "induction": INDUCTION}


def limits(results):
    """Plain statements for the behaviours the training did not reach (empty when all were learned)."""
    notes = []
    if results["ioi_accuracy"] < 0.6:
        notes.append(f"- IOI is not learned: the top-1 prediction is the indirect object in {results['ioi_top1']:.0%} "
                     "of the prompts (the model copies one of the two names), but it does not prefer the indirect "
                     f"object over the subject (accuracy {results['ioi_accuracy']:.2f}, chance 0.5).")
    if results["facts_heldout_template"] < 0.9:
        notes.append(f"- Factual recall is tied to the training templates: with the held-out template \"X can be found "
                     f"in\" the city is the top-1 prediction in {results['facts_heldout_template']:.0%} of the facts.")
    if results["sentiment_heldout_template"] < 0.9:
        notes.append("- Sentiment transfers only partly to the held-out template \"Everyone says they ... because it "
                     f"is\": the right class wins in {results['sentiment_heldout_template']:.0%} of the prompts.")
    if results["induction_score"] < 0.3:
        if results["induction_accuracy"] > 0.5:
            notes.append(f"- The model predicts the repeat of random tokens (top-1 accuracy {results['induction_accuracy']:.2f}) "
                         f"without one head that attends to the token after the earlier occurrence: the best induction "
                         f"score is {results['induction_score']:.3f}, the attention is spread over several heads.")
        else:
            notes.append(f"- No induction head formed (best score {results['induction_score']:.3f}; uniform attention "
                         "over the prefix gives about 0.02): on repeated random tokens the loss stays near log(vocab).")
    return "\n## Limits\n" + "\n".join(notes) + "\n" if notes else ""


def model_card(results, args, config, training_seconds, size_bytes, vocab_size):
    """The short MODEL_CARD.md text with the measured metrics."""
    r = results
    ioi_heldout = f"{r['ioi_heldout_template_logit_diff']:.2f} / {r['ioi_heldout_template_accuracy']:.3f}"
    return f"""# SwiftLens demo model

A small GPT-2 trained from scratch on a synthetic corpus so that `lens demo` can show the behaviours of the
classic TransformerLens tutorials on a model that ships with the repository. Not a language model of English.

## Architecture
GPT-2 (`GPT2LMHeadModel`): {config.n_layer} layers, d_model {config.n_embd}, {config.n_head} heads
(d_head {config.n_embd // config.n_head}), d_mlp {4 * config.n_embd}, n_ctx {config.n_positions}, GELU (`gelu_new`),
tied embedding/unembedding; a byte-level BPE tokenizer of {vocab_size} tokens (GPT-2 pre-tokenizer and
decoder; `<|endoftext|>` = id 0 is BOS/EOS/pad). Weights stored as F16 safetensors ({size_bytes / 1e6:.1f} MB).
Prompts are run with `<|endoftext|>` prepended, as TransformerLens does.

## Data
Generated by `Scripts/demo_model/corpus.py` (seeded, deterministic), packed into rows of {args.ctx} tokens:
- factual recall: {len(FACTS)} landmark -> city facts in six templates ("The Eiffel Tower is located in Paris.");
- sentiment: "I love this movie because it is great." with 5 positive and 5 negative verbs, 16 nouns,
  8 positive and 8 negative adjectives; about a fifth of the verb/noun pairs are held out;
- indirect-object identification: 50 single-token names, six templates with random places and objects,
  ABBA and BABA orders ("When Mary and John went to the store, John gave a drink to Mary."); about 15% of the
  name pairs are held out; plus one-name sentences ("Mary went to the park. The teacher gave a ball to Mary.")
  that teach copying a name from the context;
- induction: documents of 10-60 random token ids (uniform over the vocabulary) written two or three times
  (only the repeats are scored; {args.random_shares[0]:.0%} of the documents in the first phase, {args.random_shares[1]:.0%} after it),
  random words written two or three times; filler sentences.

## Training
AdamW (betas 0.9/0.95, weight decay 0.05 on the block matrices, none on embeddings; embeddings initialised
with std 0.1), peak learning rate {args.lr}, {args.warmup} warmup steps, cosine decay. The first
{args.copy_phase:.0%} of the steps use no IOI documents (copying is learned first from one-name sentences and
repeats). In all {args.steps} steps of {args.batch} x {args.ctx} tokens, seed {args.seed}, CPU with
{args.threads} thread(s): {training_seconds / 60:.0f} minutes on a shared 2-core machine.

## Measured behaviour (`Scripts/demo_model/evaluate.py`)
| behaviour | metric | value |
|---|---|---|
| factual recall | top-1 accuracy, all facts x 6 training templates | {r['facts']:.3f} |
| factual recall | top-1 accuracy, held-out template "X can be found in" | {r['facts_heldout_template']:.3f} |
| sentiment | right class among the 16 adjectives, held-out verb/noun pairs | {r['sentiment_heldout_pairs']:.3f} |
| sentiment | same, held-out template | {r['sentiment_heldout_template']:.3f} |
| IOI | mean logit difference IO - S, held-out name pairs | {r['ioi_logit_diff']:.2f} |
| IOI | accuracy (IO logit > S logit), held-out name pairs | {r['ioi_accuracy']:.3f} |
| IOI | top-1 accuracy of IO, held-out name pairs | {r['ioi_top1']:.3f} |
| IOI | logit difference / accuracy, held-out template | {ioi_heldout} |
| induction | loss on the second copy of 20 x 50 repeated random tokens | {r['induction_loss']:.3f} |
| induction | top-1 accuracy on the second copy | {r['induction_accuracy']:.3f} |
| induction | best induction-head score (head {r['induction_head']}) | {r['induction_score']:.3f} |

Induction scores per layer (rows) and head (columns): `{r['induction_scores']}`.
{limits(r)}
## Files
`config.json` (Hugging Face GPT-2 config), `model.safetensors` (F16), `tokenizer.json` (Hugging Face
tokenizers), `prompts.json` (the demo prompts: clean/corrupted pairs of equal token length with answer and
wrong answer, and the induction setup).

## Retrain
From the repository root (about {training_seconds / 60:.0f} minutes on one CPU thread):

    HF_HUB_OFFLINE=1 python Scripts/demo_model/train.py --out Models/demo

(`python`: any Python with torch, transformers and tokenizers, such as the reference stack named in README.md).
"""


def export_model(model, tokenizer, results, args, training_seconds):
    """Writes the model folder `args.out`."""
    os.makedirs(args.out, exist_ok=True)
    model = model.to(torch.float16)
    model.save_pretrained(args.out)
    generation = os.path.join(args.out, "generation_config.json")
    if os.path.exists(generation):
        os.remove(generation)
    tokenizer.save(os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "prompts.json"), "w") as f:
        json.dump(prompts_document(tokenizer), f, indent=1)
        f.write("\n")
    size = os.path.getsize(os.path.join(args.out, "model.safetensors"))
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as f:
        f.write(model_card(results, args, model.config, training_seconds, size, tokenizer.get_vocab_size()))
