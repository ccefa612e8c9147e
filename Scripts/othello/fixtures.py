"""Writes Tests/Fixtures/othello/games.json: a few random games played by othello.py (the rules the model was
trained on), with the legal squares before each move, the board after it and the player to move then, for
SwiftLens's OthelloBoard to match. Includes games with a forced pass.

    python Scripts/othello/fixtures.py
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import othello  # noqa: E402


def main():
    games = othello.random_games(400, np.random.default_rng(11))
    passes = [(games["to_move"][g, 1:59] == games["to_move"][g, :58]).any() for g in range(400)]
    chosen = [g for g in range(400) if passes[g]][:3] + [g for g in range(400) if not passes[g]][:3]
    out = [{"squares": games["squares"][g].tolist(),
            "legal": [np.flatnonzero(games["legal"][g, i]).tolist() for i in range(60)],
            "states": games["states"][g].reshape(60, 64).astype(int).tolist(),
            "toMove": games["to_move"][g].astype(int).tolist()} for g in chosen]
    path = "Tests/Fixtures/othello/games.json"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path}: {len(out)} games, {sum(passes[g] for g in chosen)} with a pass")


if __name__ == "__main__":
    main()
