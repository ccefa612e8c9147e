// make-random-checkpoint: writes a random Hugging Face checkpoint of a real model's shape (config.json, sharded
// BF16 safetensors and model.safetensors.index.json), streaming each tensor to disk in chunks so that an
// 8B-parameter checkpoint never sits in memory. Values are uniform with std 0.02 for matrices, 1 ± 0.1 for norm
// gains and ± 0.02 for biases (deterministic: xorshift from a fixed seed).
//
//     make-random-checkpoint SHAPE OUTPUT_DIR [--shard-gib 4]
//
// SHAPE: qwen2.5-0.5b, llama-3.2-1b, llama-3.1-8b.
import Foundation

/// The sizes of one Llama-family model and its config.json fields.
struct Shape {
    let modelType: String, vocab: Int, hidden: Int, intermediate: Int, layers: Int, heads: Int, kvHeads: Int
    let tied: Bool, qkvBias: Bool, ropeTheta: Double, rmsEps: Double, maxPositions: Int
    let ropeScaling: String?

    var headDim: Int { hidden / heads }

    static let all: [String: Shape] = [
        "qwen2.5-0.5b": Shape(modelType: "qwen2", vocab: 151_936, hidden: 896, intermediate: 4864, layers: 24, heads: 14,
                              kvHeads: 2, tied: true, qkvBias: true, ropeTheta: 1_000_000, rmsEps: 1e-6,
                              maxPositions: 32768, ropeScaling: nil),
        "llama-3.2-1b": Shape(modelType: "llama", vocab: 128_256, hidden: 2048, intermediate: 8192, layers: 16, heads: 32,
                              kvHeads: 8, tied: true, qkvBias: false, ropeTheta: 500_000, rmsEps: 1e-5,
                              maxPositions: 131_072, ropeScaling: Shape.llama3Scaling(factor: 32)),
        "llama-3.1-8b": Shape(modelType: "llama", vocab: 128_256, hidden: 4096, intermediate: 14336, layers: 32, heads: 32,
                              kvHeads: 8, tied: false, qkvBias: false, ropeTheta: 500_000, rmsEps: 1e-5,
                              maxPositions: 131_072, ropeScaling: Shape.llama3Scaling(factor: 8)),
    ]

    static func llama3Scaling(factor: Int) -> String {
        "{\"factor\": \(factor).0, \"high_freq_factor\": 4.0, \"low_freq_factor\": 1.0, "
            + "\"original_max_position_embeddings\": 8192, \"rope_type\": \"llama3\"}"
    }

    /// Every tensor in Hugging Face order: name, shape and how to fill it.
    var tensors: [(name: String, shape: [Int], fill: Fill)] {
        let d = hidden, m = intermediate, q = heads * headDim, kv = kvHeads * headDim
        var out: [(String, [Int], Fill)] = [("model.embed_tokens.weight", [vocab, d], .matrix)]
        for l in 0..<layers {
            let p = "model.layers.\(l)."
            out.append((p + "input_layernorm.weight", [d], .gain))
            for (proj, rows) in [("q_proj", q), ("k_proj", kv), ("v_proj", kv)] {
                out.append((p + "self_attn.\(proj).weight", [rows, d], .matrix))
                if qkvBias { out.append((p + "self_attn.\(proj).bias", [rows], .bias)) }
            }
            out.append((p + "self_attn.o_proj.weight", [d, q], .matrix))
            out.append((p + "post_attention_layernorm.weight", [d], .gain))
            out += [(p + "mlp.gate_proj.weight", [m, d], .matrix), (p + "mlp.up_proj.weight", [m, d], .matrix),
                    (p + "mlp.down_proj.weight", [d, m], .matrix)]
        }
        out.append(("model.norm.weight", [d], .gain))
        if !tied { out.append(("lm_head.weight", [vocab, d], .matrix)) }
        return out
    }

    var configJSON: String {
        let architecture = modelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"
        var fields = [
            "\"architectures\": [\"\(architecture)\"]", "\"model_type\": \"\(modelType)\"",
            "\"vocab_size\": \(vocab)", "\"hidden_size\": \(hidden)", "\"intermediate_size\": \(intermediate)",
            "\"num_hidden_layers\": \(layers)", "\"num_attention_heads\": \(heads)",
            "\"num_key_value_heads\": \(kvHeads)", "\"head_dim\": \(headDim)", "\"hidden_act\": \"silu\"",
            "\"max_position_embeddings\": \(maxPositions)", "\"rms_norm_eps\": \(rmsEps)",
            "\"rope_theta\": \(ropeTheta)", "\"tie_word_embeddings\": \(tied)", "\"torch_dtype\": \"bfloat16\"",
            "\"attention_bias\": false", "\"mlp_bias\": false", "\"bos_token_id\": 1", "\"eos_token_id\": 2",
            "\"use_cache\": true",
        ]
        if let ropeScaling { fields.append("\"rope_scaling\": \(ropeScaling)") }
        return "{\n  " + fields.joined(separator: ",\n  ") + "\n}\n"
    }
}

enum Fill { case matrix, gain, bias }

/// xorshift64*: four BF16 values per draw.
struct Random {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// Fills `out` with BF16 bit patterns for `fill`.
func generate(_ out: UnsafeMutableBufferPointer<UInt16>, _ fill: Fill, _ rng: inout Random) {
    // uniform in ±a has std a/√3: a = 0.02·√3 for matrices.
    let (centre, halfWidth): (Float, Float) = switch fill {
    case .matrix: (0, 0.0346)
    case .gain: (1, 0.1)
    case .bias: (0, 0.02)
    }
    var i = 0
    while i < out.count {
        let bits = rng.next()
        for lane in 0..<4 where i + lane < out.count {
            let unit = Float((bits >> (16 * UInt64(lane))) & 0xFFFF) / 32767.5 - 1
            out[i + lane] = UInt16(truncatingIfNeeded: (centre + halfWidth * unit).bitPattern >> 16)
        }
        i += 4
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("make-random-checkpoint: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, let shape = Shape.all[arguments[0]] else {
    fail("usage: make-random-checkpoint \(Shape.all.keys.sorted().joined(separator: "|")) OUTPUT_DIR [--shard-gib N]")
}
let output = URL(fileURLWithPath: arguments[1])
let shardBytes = (arguments.count >= 4 && arguments[2] == "--shard-gib" ? Int(arguments[3]) ?? 4 : 4) << 30
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
try shape.configJSON.write(to: output.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)

// Group tensors into shards of at most `shardBytes`.
var shards: [[(name: String, shape: [Int], fill: Fill)]] = [[]]
var size = 0
for t in shape.tensors {
    let bytes = t.shape.reduce(2, *)
    if size + bytes > shardBytes, !shards[shards.count - 1].isEmpty { shards.append([]); size = 0 }
    shards[shards.count - 1].append(t)
    size += bytes
}

var rng = Random()
var weightMap: [String] = []
var total = 0
let chunk = 1 << 22
let buffer = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: chunk)
defer { buffer.deallocate() }
for (index, shard) in shards.enumerated() {
    let fileName = String(format: "model-%05d-of-%05d.safetensors", index + 1, shards.count)
    var entries: [String] = [], offset = 0
    for t in shard {
        let bytes = t.shape.reduce(2, *)
        entries.append("\"\(t.name)\":{\"dtype\":\"BF16\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                       + "\"data_offsets\":[\(offset),\(offset + bytes)]}")
        offset += bytes
        weightMap.append("    \"\(t.name)\": \"\(fileName)\"")
    }
    var header = Array(("{\"__metadata__\":{\"format\":\"pt\"}," + entries.joined(separator: ",") + "}").utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    let path = output.appendingPathComponent(fileName).path
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
        fail("cannot create \(path)")
    }
    var length = UInt64(header.count).littleEndian
    handle.write(Data(bytes: &length, count: 8))
    handle.write(Data(header))
    for t in shard {
        var left = t.shape.reduce(1, *)
        while left > 0 {
            let n = min(left, chunk)
            generate(UnsafeMutableBufferPointer(rebasing: buffer[0..<n]), t.fill, &rng)
            handle.write(Data(bytesNoCopy: buffer.baseAddress!, count: 2 * n, deallocator: .none))
            left -= n
        }
    }
    try handle.close()
    total += offset
    FileHandle.standardError.write(Data("wrote \(fileName) (\(offset >> 20) MiB)\n".utf8))
}
let index = "{\n  \"metadata\": {\"total_size\": \(total)},\n  \"weight_map\": {\n" + weightMap.joined(separator: ",\n")
    + "\n  }\n}\n"
try index.write(to: output.appendingPathComponent("model.safetensors.index.json"), atomically: true, encoding: .utf8)
print("\(arguments[0]): \(total) bytes in \(shards.count) shards at \(output.path)")
