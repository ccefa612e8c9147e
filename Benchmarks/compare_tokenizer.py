"""Encode throughput of `lens tokenize` against Hugging Face `tokenizers`, single thread, same text.

Builds the release `lens`, writes ~1 MB of mixed text (Python source and docs from the reference
environment, plus English-like words mixed with accents, CJK, emoji, numbers and whitespace runs),
trains two 32k-vocabulary tokenizers (GPT-2 style and Llama-3 style byte-level BPE) on other text,
and adds two committed fixture tokenizers (Llama-2 SentencePiece style and Qwen2 style). For each one
it checks that both produce the same ids, then reports the best of several encodes and the ratio.

Run from the package root:
    python Benchmarks/compare_tokenizer.py
"""
import glob
import json
import os
import random
import subprocess
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
import tokenizers  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.dirname(os.path.dirname(os.path.abspath(tokenizers.__file__)))
LENS = os.path.join(ROOT, ".build-release", "release", "lens")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
REPEATS = 5
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def source_text(pattern, limit):
    """Concatenated files from the reference environment, in sorted order, up to `limit` bytes."""
    out = []
    size = 0
    for path in sorted(glob.glob(os.path.join(SITE, pattern), recursive=True)):
        with open(path, encoding="utf-8", errors="ignore") as f:
            chunk = f.read()
        out.append(chunk)
        size += len(chunk.encode())
        if size >= limit:
            break
    return "".join(out)


def mixed_text(size=1_000_000):
    rng = random.Random(7)
    words = ("the of and to in is that it for was on with as he be at by this had not are but from or have an "
             "they which one you were her all she there would their we him been has when who will more").split()
    extra = ["café", "naïve", "Zürich", "中文", "测试", "你好", "世界", "日本語", "テキスト", "한국어", "😀", "👍🏽",
             "👨‍👩‍👧‍👦", "Привет", "мир", "Καλημέρα", "42", "3.14159", "1,000,000", "2024", "it's", "we're",
             "\n\n", "\t", "   "]
    text = source_text("transformers/models/**/modeling_*.py", 600_000)
    assert text, f"no Python sources found under {SITE}"
    parts = []
    budget = size - len(text.encode())
    while budget > 0:
        part = rng.choice(words) if rng.random() < 0.7 else rng.choice(extra)
        parts.append(part)
        budget -= len(part.encode()) + 1
    text += " ".join(parts)
    return text.encode()[:size].decode("utf-8", "ignore")


def train(pre_tokenizer, ignore_merges, path):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=32000, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"])
    corpus = source_text("torch/**/*.py", 3_000_000) + mixed_text(300_000)
    tok.train_from_iterator(corpus.splitlines(keepends=True), trainer)
    tok.save(path)


def measure_hf(path, text):
    tok = Tokenizer.from_file(path)
    ids = tok.encode(text).ids
    best = min(timed(lambda: tok.encode(text)) for _ in range(REPEATS))
    return ids, best


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure_lens(path, text_path):
    ids = subprocess.run([LENS, "tokenize", "--tokenizer", path, "--text-file", text_path],
                         check=True, capture_output=True, text=True).stdout.split()
    report = subprocess.run([LENS, "tokenize", "--tokenizer", path, "--text-file", text_path,
                             "--benchmark-repeats", str(REPEATS)], check=True, capture_output=True, text=True)
    return [int(i) for i in ids], json.loads(report.stdout)["seconds"]


def main():
    subprocess.run(["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--product", "lens"],
                   cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as work:
        text = mixed_text()
        text_path = os.path.join(work, "mixed.txt")
        with open(text_path, "w", encoding="utf-8") as f:
            f.write(text)
        gpt2 = os.path.join(work, "gpt2_32k.json")
        llama3 = os.path.join(work, "llama3_32k.json")
        train(pre_tokenizers.ByteLevel(add_prefix_space=False), False, gpt2)
        train(pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3_PATTERN), "isolated"),
                                       pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]),
              True, llama3)
        cases = [("GPT-2 style, 32k vocab", gpt2), ("Llama-3 style, 32k vocab", llama3),
                 ("Llama-2 style (fixture)", os.path.join(FIXTURES, "llama2_legacy.tokenizer.json")),
                 ("Qwen2 style (fixture)", os.path.join(FIXTURES, "qwen2.tokenizer.json"))]
        megabytes = len(text.encode()) / 1e6
        print(f"text: {megabytes:.2f} MB, best of {REPEATS} encodes, one thread")
        print(f"{'tokenizer':28} {'tokens':>8} {'HF MB/s':>9} {'lens MB/s':>10} {'ratio':>7}  same ids")
        for name, path in cases:
            hf_ids, hf_seconds = measure_hf(path, text)
            lens_ids, lens_seconds = measure_lens(path, text_path)
            print(f"{name:28} {len(hf_ids):8d} {megabytes / hf_seconds:9.2f} {megabytes / lens_seconds:10.2f} "
                  f"{hf_seconds / lens_seconds:6.1f}x  {'yes' if hf_ids == lens_ids else 'NO'}")


if __name__ == "__main__":
    main()
