// libFuzzer target: SAELens cfg.json (6.x and flat layouts, every architecture); a config that parses gets
// weights of its shapes (when small) and runs encode, decode and forward.
import Foundation
import FuzzSupport
import JSONMutator
import Lens

let scratch = Scratch("sae")
JSONMutator.fieldNames = [
    "architecture", "d_in", "d_sae", "d_out", "k", "activation_fn", "activation_fn_str", "activation_fn_kwargs",
    "apply_b_dec_to_input", "normalize_activations", "hook_name", "hook_point", "hook_name_out",
    "reshape_activations", "rescale_acts_by_decoder_norm", "metadata", "model_name", "dtype", "device",
]

runFuzzer { bytes in
    guard let config = try? SAEConfig(json: Data(bytes), file: "cfg.json"),
          config.dIn * config.dSAE <= 4096, config.dOut * config.dSAE <= 4096, config.dIn * config.dOut <= 4096 else { return }
    let (i, s, o) = (config.dIn, config.dSAE, config.dOut)
    let weights: [(String, Tensor)] = [
        ("W_enc", .randomNormal([i, s], seed: 1)), ("W_dec", .randomNormal([s, o], seed: 2)), ("b_enc", .zeros([s])),
        ("b_dec", .zeros([o])), ("threshold", .zeros([s])), ("b_gate", .zeros([s])), ("b_mag", .zeros([s])),
        ("r_mag", .zeros([s])), ("W_skip", .randomNormal([o, i], seed: 3)),
    ]
    let path = scratch.folder + "sae_weights.safetensors"
    guard (try? SafetensorsFile.write(weights, to: path)) != nil, let file = try? SafetensorsFile(path: path),
          let sae = try? SparseAutoencoder(config: config, weights: file) else { return }
    let x = Tensor.randomNormal([2, i], seed: 4)
    _ = try? sae.forward(x)
    if let acts = try? sae.encode(x) { _ = try? sae.decode(acts, input: x) }
}
