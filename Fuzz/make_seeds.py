"""Writes the committed seed corpora of Fuzz/Corpus/<target>/: small valid inputs of each format and the hand-made
hostile cases of issue 11 beside them (hostile-*). The fuzzers also read the test fixtures (see run.sh).
Run with the reference stack: HF_HUB_OFFLINE=1 python Fuzz/make_seeds.py"""
import io, json, os, struct, zipfile, zlib
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")


def put(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def npy_header(descr, shape, fortran=False, data=b""):
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    text += " " * ((64 - (10 + len(text) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode() + data


def safetensors(header, data=b""):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def zip_bytes(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


# npy
put("npy", "f4.npy", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
put("npy", "be_i2_fortran.npy", npy(np.asfortranarray(np.arange(6, dtype=">i2").reshape(3, 2))))
put("npy", "scalar_f8.npy", npy(np.float64(2.5)))
put("npy", "hostile-zero-extent-next-to-huge.npy", npy_header("<f4", (0, 2**62, 4)))
put("npy", "hostile-overflowing-shape.npy", npy_header("<f4", (2**40, 2**40)))
put("npy", "hostile-negative-shape.npy", npy_header("<f4", (-1, 4), data=b"\0" * 16))
put("npy", "hostile-declares-4GB.npy", npy_header("<f4", (2**30,)))

# safetensors
put("safetensors", "two.safetensors", safetensors(
    {"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
     "b": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [8, 12]}}, bytes(12)))
put("safetensors", "ints.safetensors", safetensors(
    {"i": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}, "u": {"dtype": "U8", "shape": [3], "data_offsets": [8, 11]}},
    bytes(11)))
put("safetensors", "hostile-zero-extent-next-to-huge.safetensors", safetensors(
    {"w": {"dtype": "F32", "shape": [0, 2**62, 8], "data_offsets": [0, 0]}}))
put("safetensors", "hostile-overlap.safetensors", safetensors(
    {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}},
    bytes(12)))
put("safetensors", "hostile-negative-shape.safetensors", safetensors(
    {"w": {"dtype": "F32", "shape": [-2, -4], "data_offsets": [0, 32]}}, bytes(32)))

# sharded index (the harness provides shard-1.safetensors with a, b and shard-2.safetensors with c)
put("index", "index.json", json.dumps({"metadata": {"total_size": 20},
                                        "weight_map": {"a": "shard-1.safetensors", "b": "shard-1.safetensors",
                                                       "c": "shard-2.safetensors"}}))
put("index", "hostile-dotdot.json", json.dumps({"weight_map": {"secret": "../outside.safetensors"}}))
put("index", "hostile-etc-passwd.json", json.dumps({"weight_map": {"a": "../../../../../../etc/passwd"}}))
put("index", "hostile-absolute.json", json.dumps({"weight_map": {"a": "/etc/passwd"}}))
put("index", "hostile-symlink.json", json.dumps({"weight_map": {"secret": "link.safetensors"}}))

# npz / zip / inflate
arrays = {"x": np.arange(12, dtype=np.float32).reshape(3, 4), "y": np.array([1, 2], dtype=np.int64)}
buf = io.BytesIO(); np.savez(buf, **arrays); put("npz", "stored.npz", buf.getvalue())
buf = io.BytesIO(); np.savez_compressed(buf, **arrays); put("npz", "deflated.npz", buf.getvalue())
zeros = npy(np.zeros(1 << 22, dtype=np.uint8))  # 4 MiB of zeros, about 4 KiB deflated: a small bomb
put("npz", "hostile-bomb.npz", zip_bytes([("z.npy", zeros)], zipfile.ZIP_DEFLATED))
good = zip_bytes([("x.npy", npy(np.arange(4, dtype=np.float32)))], zipfile.ZIP_DEFLATED)
lie = bytearray(good)
for sig, at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # uncompressed size of the member: 4 GB - 1
    i = lie.find(sig)
    lie[i + at:i + at + 4] = struct.pack("<I", 0xFFFFFFFE)
put("npz", "hostile-declares-4GB.npz", bytes(lie))

# configs: every architecture from the model fixtures, plus hostile fields
fixtures = os.path.join(os.path.dirname(ROOT), "..", "Tests", "Fixtures", "models")
gpt2 = json.load(open(os.path.join(fixtures, "gpt2", "config.json")))
for field, value in [("n_embd", 10**7), ("n_layer", -3), ("n_head", 0), ("n_embd", 2**62), ("layer_norm_epsilon", 1e300),
                     ("bos_token_id", 10**6)]:
    put("config", "hostile-gpt2-%s.json" % field, json.dumps({**gpt2, field: value}))
mistral = json.load(open(os.path.join(fixtures, "mistral", "config.json")))
for field, value in [("sliding_window", -4), ("rope_theta", -10000.0), ("num_hidden_layers", 10**12),
                     ("rope_scaling", {"rope_type": "linear", "factor": 0.0}),
                     ("rope_scaling", {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 4.0})]:
    put("config", "hostile-mistral-%s.json" % field, json.dumps({**mistral, field: value}))
tl = {"d_model": 64, "d_head": 16, "n_heads": 4, "n_layers": 2, "n_ctx": 59, "d_vocab": 61, "d_mlp": 256,
      "act_fn": "gelu", "normalization_type": "LNPre"}
put("config", "transformerlens-lnpre.json", json.dumps(tl))
put("config", "hostile-transformerlens-eps.json", json.dumps({**tl, "eps": 1e300, "window_size": -1}))

# tokenizers: a minimal one and hostile vocabularies
minimal = {"version": "1.0", "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]},
           "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False}, "decoder": {"type": "ByteLevel"},
           "added_tokens": [{"id": 3, "content": "<s>", "special": True}],
           "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}],
                              "special_tokens": {"<s>": {"id": "<s>", "ids": [3], "tokens": ["<s>"]}}}}
put("tokenizer", "minimal.json", json.dumps(minimal))
put("tokenizer", "hostile-duplicate-ids.json", json.dumps({**minimal, "model": {**minimal["model"], "vocab": {"a": 0, "b": 0, "ab": 2}}}))
put("tokenizer", "hostile-special-outside.json", json.dumps({**minimal, "added_tokens": [{"id": 10**9, "content": "<s>", "special": True}]}))

# SAE configs
sae = {"architecture": "topk", "d_in": 16, "d_sae": 32, "k": 4, "apply_b_dec_to_input": True,
       "normalize_activations": "none", "hook_name": "blocks.0.hook_resid_pre"}
put("sae", "topk.json", json.dumps(sae))
put("sae", "jumprelu-flat.json", json.dumps({"d_in": 8, "d_sae": 16, "activation_fn_str": "relu", "architecture": "jumprelu",
                                            "hook_point": "blocks.0.hook_z", "reshape_activations": "hook_z"}))
put("sae", "hostile-k-negative.json", json.dumps({"d_in": 16, "d_sae": 32, "activation_fn_str": "topk",
                                                  "activation_fn_kwargs": {"k": -5}}))
put("sae", "hostile-k-huge.json", json.dumps({**sae, "k": 10**12}))
put("sae", "hostile-d-sae-huge.json", json.dumps({**sae, "d_sae": 2**62}))

# .pth: a small state dict saved by torch, and hostile pickles in the same zip layout
import pickle
import torch
buf = io.BytesIO()
torch.save({"w": torch.arange(6, dtype=torch.float32).view(2, 3), "b": torch.ones(3, dtype=torch.bfloat16)}, buf)
put("pth", "small.pth", buf.getvalue())


def pth(pickle_bytes, storages=()):
    return zip_bytes([("archive/data.pkl", pickle_bytes), ("archive/byteorder", b"little")] +
                     [("archive/data/%s" % k, v) for k, v in storages])


put("pth", "hostile-reduce-os-system.pth", pth(b"cos\nsystem\n(S'echo pwned'\ntR."))
put("pth", "hostile-global-builtins-eval.pth", pth(b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R."))
put("pth", "hostile-stack-global-posix.pth", pth(b"\x80\x04\x8c\x05posix\x8c\x06system\x93\x8c\x02id\x85R."))
rebuild = b"ctorch._utils\n_rebuild_tensor_v2\n"
pid = b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
put("pth", "hostile-offset-past-storage.pth",
    pth(b"\x80\x02}X\x01\x00\x00\x00w" + rebuild + b"(" + pid + b"K\x03K\x04\x85K\x01\x85\x89)tRs.", [("0", bytes(16))]))
put("pth", "hostile-huge-string.pth", pth(b"\x80\x02X\xff\xff\xff\xff"))
put("pth", "hostile-deep-tuples.pth", pth(b"\x80\x02)" + b"\x85" * 5000 + b"."))
put("pth", "hostile-memo-get-unset.pth", pth(b"\x80\x02j\xff\xff\xff\x7f."))
put("pth", "hostile-legacy.pth", pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2))
