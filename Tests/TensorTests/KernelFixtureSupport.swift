import Foundation
@testable import Tensor

/// A tensor in `Tests/Fixtures/tensor/kernels.json` (made by `Scripts/fixtures/tensor_kernels.py`):
/// shape and row-major values, with non-finite values written as "nan", "inf", "-inf".
struct KernelArray: Decodable {
    let shape: [Int]
    let data: [Float]

    private enum Keys: String, CodingKey { case shape, data }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        shape = try container.decode([Int].self, forKey: .shape)
        var values = try container.nestedUnkeyedContainer(forKey: .data)
        var data: [Float] = []
        while !values.isAtEnd {
            if let number = try? values.decode(Double.self) {
                data.append(Float(number))
            } else {
                let text = try values.decode(String.self)
                guard let special = ["nan": Float.nan, "inf": .infinity, "-inf": -.infinity][text] else {
                    throw DecodingError.dataCorruptedError(in: values, debugDescription: "bad value \(text)")
                }
                data.append(special)
            }
        }
        self.data = data
    }

    /// The values as a Float32 tensor.
    var tensor: Tensor { Tensor(data, shape: shape) }
}

/// The kernels fixture file.
struct KernelFixture: Decodable {
    struct SoftmaxCase: Decodable {
        let name: String, axis: Int, x: KernelArray
        let softmax: KernelArray, logSoftmax: KernelArray, logsumexp: KernelArray
    }
    struct LayerNormCase: Decodable {
        let name: String, eps: Float, x: KernelArray, weight: KernelArray, bias: KernelArray
        let normalized: KernelArray, affine: KernelArray, transformerLens: KernelArray, exact: KernelArray
        let scale: KernelArray
    }
    struct RMSNormCase: Decodable {
        let name: String, eps: Float, x: KernelArray, weight: KernelArray
        let normalized: KernelArray, weighted: KernelArray, scale: KernelArray
    }
    struct RotaryCase: Decodable {
        let name: String, rotaryDim: Int, adjacentPairs: Bool
        let x: KernelArray, cos: KernelArray, sin: KernelArray, expected: KernelArray
    }
    struct RotaryTableCase: Decodable {
        let name: String, rotaryDim: Int, base: Float, positions: [Int]
        let invFreq: KernelArray, cos: KernelArray, sin: KernelArray
        let transformerLensCos: KernelArray, transformerLensSin: KernelArray
    }

    let softmax: [SoftmaxCase]
    let layerNorm: [LayerNormCase]
    let rmsNorm: [RMSNormCase]
    let rotary: [RotaryCase]
    let rotaryTables: [RotaryTableCase]

    /// Decodes the fixture, located relative to this source file.
    static func load() throws -> KernelFixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensor/kernels.json")
        return try JSONDecoder().decode(KernelFixture.self, from: Data(contentsOf: url))
    }
}

/// The first element where `actual` and `expected` differ by more than `atol + rtol·|expected|`
/// (NaN must meet NaN, infinities must be equal), described for a failure message; nil when all match.
func kernelMismatch(_ actual: Tensor, _ expected: Tensor, rtol: Float, atol: Float) -> String? {
    guard actual.shape == expected.shape else { return "shape \(actual.shape) != \(expected.shape)" }
    let a = actual.scalars, e = expected.scalars
    for i in a.indices {
        let ok: Bool
        if a[i] == e[i] {
            ok = true
        } else if a[i].isNaN || e[i].isNaN || a[i].isInfinite || e[i].isInfinite {
            ok = a[i].isNaN && e[i].isNaN
        } else {
            ok = Swift.abs(a[i] - e[i]) <= atol + rtol * Swift.abs(e[i])
        }
        if !ok { return "index \(i): got \(a[i]), expected \(e[i])" }
    }
    return nil
}
