"""Writes Models/demo/pairs.jsonl: IOI prompt pairs for `lens sweep` on the demo model (seeded, deterministic).

Each line is {"clean", "corrupted", "answer", "wrong"}: the clean prompt repeats one name (the subject) so the
answer is the other name; the corrupted prompt repeats the other name instead, which flips the answer. Templates of
different lengths make the pairs uneven in tokens, as real datasets are. Usage: python3 Scripts/demo_model/pairs.py
"""
import json
import random
from pathlib import Path

from corpus import IOI_TEMPLATES, ioi_prompt, ioi_split

COUNT = 32


def main():
    rng = random.Random(2024)
    train, _ = ioi_split()
    lines = []
    for k in range(COUNT):
        template = IOI_TEMPLATES[k % len(IOI_TEMPLATES)]
        pair = rng.choice(train)
        order = "ABBA" if k % 2 == 0 else "BABA"
        state = rng.getstate()
        clean, io, subject = ioi_prompt(template, pair, order, rng)
        rng.setstate(state)  # the same place and object in both prompts
        corrupted, _, _ = ioi_prompt(template, pair, "BABA" if order == "ABBA" else "ABBA", rng)
        lines.append(json.dumps({"clean": clean, "corrupted": corrupted, "answer": " " + io, "wrong": " " + subject}))
    out = Path(__file__).resolve().parents[2] / "Models" / "demo" / "pairs.jsonl"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out} ({COUNT} pairs)")


if __name__ == "__main__":
    main()
