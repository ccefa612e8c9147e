"""Measures the shipped Othello-GPT (Models/othello) and writes its card.

Run from the repository root after train.py:
    HF_HUB_OFFLINE=1 nice -n 19 python Scripts/othello/evaluate.py

Loads the exported weights exactly as shipped (float16 state dict into a float32 HookedTransformer, as the
tutorial's `model.load_state_dict(sd)`), and on fresh random games measures:
- legal-move accuracy: the share of positions whose top-1 prediction is a legal move;
- per layer, linear probes of the board relative to the player to move (blank / theirs / mine), fitted by least
  squares on one-hot targets with an intercept (SwiftLens's `ProbeFitting.leastSquares`, the arg-max class
  predicted), on `resid_post` at every position of PROBE_TRAIN games, scored on PROBE_TEST other games: the
  share of cells of each true class predicted correctly, and overall.
Also records TransformerLens's log-probs of the last three positions of one game (`parity`), the legal-move
accuracy on the probe test games, and the example's neuron and patching steps computed with TransformerLens on
those games (`tutorial`: the middle layer's top neurons by standard deviation and kurtosis, the top neuron's
output weights against the unembedding, and patching at the final move of test game 1 cut after move 20). Writes Models/othello/{evaluation.json, probe_games.json, MODEL_CARD.md};
`swift test` runs the OthelloGPT example on the probe games and checks it against the card.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from transformer_lens import HookedTransformer, HookedTransformerConfig, patching

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import othello  # noqa: E402

PROBE_TRAIN, PROBE_TEST, LEGAL_GAMES = 200, 100, 2000
# The example's focus position (Examples/OthelloGPT): test game 1 cut after move 20.
FOCUS_GAME, FOCUS_MOVE = 1, 20
CLASSES = ["blank", "theirs", "mine"]


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        fields = json.load(f)
    fields = {k: v for k, v in fields.items() if k in ("n_layers", "d_model", "d_head", "n_heads", "d_mlp", "d_vocab",
                                                      "d_vocab_out", "n_ctx", "act_fn", "normalization_type")}
    model = HookedTransformer(HookedTransformerConfig(**fields))
    model.load_state_dict(torch.load(os.path.join(folder, "model.pth")))
    model.eval()
    return model


def legal_accuracy(model, games):
    ids = torch.from_numpy(othello.token_ids(games["squares"][:, :59]))
    legal = torch.from_numpy(othello.legal_token_mask(games["legal"][:, 1:]))
    hits = 0
    with torch.no_grad():
        for start in range(0, len(ids), 250):
            top = model(ids[start:start + 250]).argmax(-1)
            hits += legal[start:start + 250].gather(-1, top[..., None]).sum().item()
    return hits / legal[..., 0].numel()


def residuals(model, games):
    """`resid_post` of every layer at every position: [layers, games * 59, d_model] (float64)."""
    ids = torch.from_numpy(othello.token_ids(games["squares"][:, :59]))
    names = [f"blocks.{l}.hook_resid_post" for l in range(model.cfg.n_layers)]
    with torch.no_grad():
        _, cache = model.run_with_cache(ids, names_filter=lambda n: n in names)
    return np.stack([cache[n].reshape(-1, model.cfg.d_model).double().numpy() for n in names])


def board_classes(games):
    """Relative classes after each of moves 0..58: [games * 59, 64]."""
    return othello.relative_states(games["states"][:, :59], games["to_move"][:, :59]).reshape(-1, 64)


def colour_classes(games):
    """Absolute classes after each of moves 0..58 (0 blank, 1 white, 2 black): [games * 59, 64]."""
    states = games["states"][:, :59].reshape(-1, 64)
    return np.where(states == 0, 0, np.where(states > 0, 2, 1))


def probe_accuracy(x_train, y_train, x_test, y_test):
    """Least-squares probe on one-hot targets; per-class recall and overall accuracy on the test rows."""
    design = np.concatenate([x_train, np.ones((len(x_train), 1))], axis=1)
    targets = np.eye(3)[y_train].reshape(len(y_train), 64 * 3)
    solution = np.linalg.lstsq(design, targets, rcond=None)[0]
    scores = np.concatenate([x_test, np.ones((len(x_test), 1))], axis=1) @ solution
    predicted = scores.reshape(len(x_test), 64, 3).argmax(-1)
    result = {name: float((predicted[y_test == c] == c).mean()) for c, name in enumerate(CLASSES)}
    result["overall"] = float((predicted == y_test).mean())
    return result


def top(scores, k=10):
    order = scores.argsort(descending=True)[:k]
    return {"neurons": order.tolist(), "scores": scores[order].tolist()}


def tutorial_reference(model, test):
    """The example's neuron and patching steps (the tutorial's code) on the probe test games."""
    layer = model.cfg.n_layers // 2
    ids = torch.from_numpy(othello.token_ids(test["squares"][:, :59]))
    name = f"blocks.{layer}.mlp.hook_post"
    with torch.no_grad():
        _, cache = model.run_with_cache(ids, names_filter=lambda n: n == name)
    post = cache[name][:, 3:-3]
    std = post.std(dim=[0, 1])
    kurtosis = (((post - post.mean(dim=[0, 1], keepdim=True)) / post.std(dim=[0, 1], keepdim=True)) ** 4).mean(dim=[0, 1]) - 3
    neuron = int(std.argmax())
    w_out = model.W_out[layer, neuron].detach()
    cosines = (w_out @ model.W_U.detach()) / (w_out.norm() * model.W_U.detach().norm(dim=0))
    return {"neuron_layer": layer, "top_by_std": top(std), "top_by_kurtosis": top(kurtosis), "neuron": neuron,
            "unembed_cosines": cosines[1:].tolist(),
            "patching": final_move_patching(model, [int(s) for s in test["squares"][FOCUS_GAME]], FOCUS_MOVE)}


def replay(squares):
    """The player to move (+1 / -1) and their legal squares after `squares` from the start, with passes."""
    board, player = othello.start_boards(1), np.array([othello.BLACK], dtype=np.int8)
    for square in squares:
        _, player = othello._legal_after_pass(board, player)
        othello.play(board, player, np.array([square]))
        player = (-player).astype(np.int8)
    legal, player = othello._legal_after_pass(board, player)
    return int(player[0]), set(np.flatnonzero(legal.reshape(64)).tolist())


def final_move_patching(model, squares, move):
    """SwiftLens's `finalMovePatching` rule: of the other legal final moves and the squares each makes illegal
    for the next player, the pair whose log-probability drops most; then TransformerLens's attn_out / mlp_out
    patching of the final position with the normalised log-probability metric."""
    def log_probs(ids):
        with torch.no_grad():
            return model(torch.from_numpy(ids)[None]).log_softmax(-1)[0, -1]
    clean_player, clean_legal = replay(squares[:move + 1])
    _, before_legal = replay(squares[:move])
    clean_ids = othello.token_ids(np.array(squares[:move + 1]))
    clean = log_probs(clean_ids)
    best = None
    for alternative in sorted(before_legal - {squares[move]}):
        player, legal = replay(squares[:move] + [alternative])
        lost = sorted(clean_legal - legal - {alternative})
        if player != clean_player or not lost:
            continue
        ids = clean_ids.copy()
        ids[move] = othello.SQUARE_TO_ID[alternative]
        corrupted = log_probs(ids)
        for square in lost:
            t = othello.SQUARE_TO_ID[square]
            gap = float(clean[t] - corrupted[t])
            if best is None or gap > best[0]:
                best = (gap, alternative, square, ids, float(corrupted[t]))
    _, alternative, target, corrupted_ids, corrupted_value = best
    t = othello.SQUARE_TO_ID[target]
    clean_value = float(clean[t])

    def metric(logits):
        return (logits.log_softmax(-1)[0, -1, t] - corrupted_value) / (clean_value - corrupted_value)
    with torch.no_grad():
        _, cache = model.run_with_cache(torch.from_numpy(clean_ids)[None])
        corrupted_tokens = torch.from_numpy(corrupted_ids)[None]
        attn = patching.get_act_patch_attn_out(model, corrupted_tokens, cache, metric)[:, -1]
        mlp = patching.get_act_patch_mlp_out(model, corrupted_tokens, cache, metric)[:, -1]
    return {"game": FOCUS_GAME, "move": move, "clean_move": othello.label(squares[move]),
            "corrupted_move": othello.label(alternative), "target": othello.label(target),
            "clean_log_prob": clean_value, "corrupted_log_prob": corrupted_value,
            "attn_out": attn.tolist(), "mlp_out": mlp.tolist()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="Models/othello")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load(args.model)
    rng = np.random.default_rng(args.seed)
    legal = legal_accuracy(model, othello.random_games(LEGAL_GAMES, rng))
    train, test = othello.random_games(PROBE_TRAIN, rng), othello.random_games(PROBE_TEST, rng)
    x_train, x_test = residuals(model, train), residuals(model, test)
    y_train, y_test = board_classes(train), board_classes(test)
    probes = [{"layer": l, **probe_accuracy(x_train[l], y_train, x_test[l], y_test)} for l in range(model.cfg.n_layers)]
    # The same probe on black / white instead of mine / theirs: the stones it reads right (both colours).
    c_train, c_test = colour_classes(train), colour_classes(test)
    for p, l in zip(probes, range(model.cfg.n_layers)):
        colours = probe_accuracy(x_train[l], c_train, x_test[l], c_test)
        p["colour"] = float((colours["theirs"] * (c_test == 1).sum() + colours["mine"] * (c_test == 2).sum())
                            / (c_test > 0).sum())
    # The probe games, one per line, so that `swift test` can repeat the measurement on exactly these games.
    with open(os.path.join(args.model, "probe_games.json"), "w") as f:
        f.write("{\n" + ",\n".join(
            f' "{name}": [\n' + ",\n".join("  " + json.dumps(g) for g in games["squares"].tolist()) + "\n ]"
            for name, games in (("train", train), ("test", test))) + "\n}\n")
    parity_tokens = othello.token_ids(test["squares"][0, :59])
    with torch.no_grad():
        log_probs = model(torch.from_numpy(parity_tokens)[None]).log_softmax(-1)[0, -3:]
    parity = {"tokens": parity_tokens.tolist(), "logProbs": log_probs.tolist()}
    with open(os.path.join(args.model, "training.json")) as f:
        training = json.load(f)
    evaluation = {"legal_move_accuracy": legal, "legal_move_games": LEGAL_GAMES, "probe_train_games": PROBE_TRAIN,
                  "probe_test_games": PROBE_TEST, "probe_test_legal_move_accuracy": legal_accuracy(model, test),
                  "probe_activation": "resid_post", "probe_method": "least squares", "probes": probes,
                  "training": training, "parity": parity, "tutorial": tutorial_reference(model, test)}
    with open(os.path.join(args.model, "evaluation.json"), "w") as f:
        json.dump(evaluation, f, indent=1)
    write_card(args.model, model.cfg, evaluation)
    print(json.dumps(evaluation, indent=1))


def write_card(folder, cfg, ev):
    t = ev["training"]
    best = max(ev["probes"], key=lambda p: p["mine"])
    hold = "" if t.get("hold_from") is None else f", held at its step-{t['hold_from']} value from then on"
    flags = (f"--steps {t['planned_steps']}" + ("" if t.get("hold_from") is None else f" --hold-from {t['hold_from']}")
             + f" --anneal-from {t['anneal_from']} --anneal-steps {t['anneal_steps']}")
    schedule = "" if t.get("anneal_from") is None else (
        f" (planned for {t['planned_steps']} steps{hold}, decayed linearly to lr / 20 from step {t['anneal_from']} "
        f"over {t['anneal_steps']} steps: `{flags}`)")
    rows = "\n".join(f"| {p['layer']} | {p['blank']:.3f} | {p['theirs']:.3f} | {p['mine']:.3f} | {p['overall']:.3f} "
                     f"| {p['colour']:.3f} |" for p in ev["probes"])
    card = f"""# Othello-GPT (small), SwiftLens

A {cfg.n_layers}-layer Othello-GPT in TransformerLens's format, trained by `Scripts/othello/train.py` on
synthetic games: every move drawn uniformly among the legal moves (games that end before the board is full are
drawn again; a player with no legal move passes, and a pass is not a token). It has the real Othello-GPT's
format (`HookedTransformerConfig` with `normalization_type` `LNPre`, `d_vocab` 61, `n_ctx` 59, `act_fn` gelu;
token 0 is pass, tokens 1-60 the playable squares) but is smaller: d_model {cfg.d_model}, {cfg.n_heads} heads of
{cfg.d_head}, d_mlp {cfg.d_mlp}.

Files: `config.json` (`cfg.to_dict()` as JSON) and `model.pth` (the state dict as `torch.save` writes it,
float16 weights, TransformerLens names; `train.py` also writes the same tensors as `model.safetensors`, which
loads as well); `evaluation.json` holds the numbers below.

Training: {t['steps']} steps of {t['batch']} fresh games ({t['games']} games), AdamW, learning rate {t['lr']} with
warmup and cosine decay{schedule}, one CPU thread, {t['cpu_seconds'] // 60} CPU-minutes. The loss is the
cross-entropy against the uniform distribution over the legal next moves (the expected next-move loss of these
games).

## Measured (Scripts/othello/evaluate.py, on the shipped weights)

Legal-move accuracy (top-1 prediction is a legal move, every position of {ev['legal_move_games']} fresh games):
**{ev['legal_move_accuracy']:.4f}**.

Linear probes of the board relative to the player to move, per layer: least squares on one-hot targets with an
intercept, on `resid_post` at every position of {ev['probe_train_games']} games, scored on
{ev['probe_test_games']} other games. Each column is the share of cells of that true class predicted correctly.
The last column fits the same probe to black / white instead of mine / theirs and gives the share of stones it
reads right; a model that holds the board relative to the player to move, as the real Othello-GPT does, reads
colours near chance (0.5).

| layer | blank | theirs | mine | overall | stones by colour |
| --- | --- | --- | --- | --- | --- |
{rows}

## Limits

The real Othello-GPT (8 layers, d_model 512, trained on millions of games) predicts a legal move almost always
and its probes read mine / theirs almost perfectly in its middle layers. This one is far smaller and trained for
{t['cpu_seconds'] // 60} CPU-minutes: it reads blank squares almost perfectly from layer 1 on, but mine / theirs
only in part (best layer {best['layer']}: mine {best['mine']:.3f}, theirs {best['theirs']:.3f}). Its board state is
partial, so analyses that rest on the mine / theirs probe (contributions, neuron weights read through it) are
noisier than the tutorial's.

`swift test` (OthelloTests) runs the example (Examples/OthelloGPT) on the same {ev['probe_train_games']} +
{ev['probe_test_games']} probe games (`probe_games.json`) and checks that its probe accuracies are the ones in the
table above within 0.005, its legal-move accuracy on the {ev['probe_test_games']} test games
({ev['probe_test_legal_move_accuracy']:.4f} here) within 0.001, and its neuron ranking, neuron-unembedding
cosines and final-move patching against TransformerLens on the same games (`tutorial` in `evaluation.json`).
"""
    with open(os.path.join(folder, "MODEL_CARD.md"), "w") as f:
        f.write(card)


if __name__ == "__main__":
    main()
