// Reads every array of an .npz (deflated members go through SwiftLens's own inflate) and prints the best of 3
// wall times as JSON: `inflate-npz FILE.npz`. Benchmarks/compare_inflate.py runs it against zlib.
import Foundation
import Tensor

let path = CommandLine.arguments.dropFirst().first ?? "arrays.npz"
var best = Double.infinity
var bytes = 0
for _ in 0..<3 {
    let start = DispatchTime.now().uptimeNanoseconds
    let archive = try NpzArchive(contentsOf: path)
    bytes = try archive.names.reduce(0) { $0 + (try archive.tensor($1)).count * 4 }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
print("{\"seconds\": \(best), \"bytes\": \(bytes)}")
