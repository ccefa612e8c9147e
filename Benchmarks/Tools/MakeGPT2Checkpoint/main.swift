import Foundation
import Tensor

/// Writes a GPT-2-small-shaped checkpoint (124M parameters, Hugging Face names, random weights
/// with std 0.02 and unit norms) to the folder given as the first argument, for the forward and
/// load-time comparisons: no download needed.
let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: make-gpt2-checkpoint OUTPUT_DIR\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1])
let (layers, d, vocab, context) = (12, 768, 50257, 1024)
var seed: UInt64 = 0
/// A fresh `N(0, 0.02²)` tensor; each call uses the next seed.
@MainActor func normal(_ shape: [Int]) -> Tensor {
    seed += 1
    return Tensor.randomNormal(shape, std: 0.02, seed: seed)
}
var tensors: [(String, Tensor)] = [
    ("transformer.wte.weight", normal([vocab, d])), ("transformer.wpe.weight", normal([context, d])),
    ("transformer.ln_f.weight", .ones([d])), ("transformer.ln_f.bias", .zeros([d])),
]
for layer in 0..<layers {
    let p = "transformer.h.\(layer)."
    tensors += [
        (p + "ln_1.weight", .ones([d])), (p + "ln_1.bias", .zeros([d])),
        (p + "attn.c_attn.weight", normal([d, 3 * d])), (p + "attn.c_attn.bias", .zeros([3 * d])),
        (p + "attn.c_proj.weight", normal([d, d])), (p + "attn.c_proj.bias", .zeros([d])),
        (p + "ln_2.weight", .ones([d])), (p + "ln_2.bias", .zeros([d])),
        (p + "mlp.c_fc.weight", normal([d, 4 * d])), (p + "mlp.c_fc.bias", .zeros([4 * d])),
        (p + "mlp.c_proj.weight", normal([4 * d, d])), (p + "mlp.c_proj.bias", .zeros([d])),
    ]
}
let config = """
{"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
 "n_layer": \(layers), "n_embd": \(d), "n_head": 12, "n_positions": \(context), "n_ctx": \(context),
 "vocab_size": \(vocab), "layer_norm_epsilon": 1e-05, "tie_word_embeddings": true,
 "bos_token_id": 50256, "eos_token_id": 50256}
"""
do {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
    try SafetensorsFile.write(tensors, metadata: ["format": "pt"],
                              to: folder.appendingPathComponent("model.safetensors").path)
    print(folder.path)
} catch {
    FileHandle.standardError.write(Data("make-gpt2-checkpoint: \(error)\n".utf8))
    exit(1)
}
