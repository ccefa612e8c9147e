// Times the package's JSON reader against Foundation's on one file (a large tokenizer.json):
// `swift run -c release compare-json FILE`. Prints the best of 5 runs of each, and the ratios.
import Foundation
import NN

/// The part of tokenizer.json a typed decoder needs for a BPE model.
struct TokenizerFile: Decodable {
    struct Model: Decodable {
        let vocab: [String: Int]
        let merges: [[String]]
    }
    let model: Model
}

func best(_ label: String, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<5 {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    let t = times.min()!
    print(String(format: "%-44@ %8.1f ms", label as NSString, t))
    return t
}

let path = CommandLine.arguments.dropFirst().first ?? "tokenizer.json"
let data = try Data(contentsOf: URL(fileURLWithPath: path))
let bytes = Array(data)
print("\(path): \(bytes.count) bytes")
let ours = try best("JSONValue.parse (ours)") { _ = try JSONValue.parse(bytes) }
let serialization = try best("JSONSerialization.jsonObject") { _ = try JSONSerialization.jsonObject(with: data) }
let decoder = try best("JSONDecoder (vocab + merges only)") { _ = try JSONDecoder().decode(TokenizerFile.self, from: data) }
let load = try best("Tokenizer(json:) (parse + build the BPE model)") { _ = try Tokenizer(json: bytes) }
print(String(format: "JSONSerialization / ours: %.2f, JSONDecoder / ours: %.2f, parse share of the tokenizer load: %.2f",
             serialization / ours, decoder / ours, ours / load))
