import Foundation
@testable import Tensor

/// A JSON number that may be written as the string "nan", "inf" or "-inf".
struct FixtureNumber: Decodable {
    let value: Double

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let v = try? container.decode(Double.self) {
            value = v
            return
        }
        switch try container.decode(String.self) {
        case "nan": value = .nan
        case "inf": value = .infinity
        case "-inf": value = -.infinity
        case let other:
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(other)")
        }
    }

    var float: Float { Float(value) }
}

/// `Tests/Fixtures/tensor/reductions.json`, written by `Scripts/fixtures/tensor_reductions.py`.
struct ReductionFixture: Decodable {
    struct Input: Decodable {
        let name: String
        let shape: [Int]
        let permutation: [Int]?
        let data: [FixtureNumber]

        /// The float32 tensor, viewed through `permutation` when given (a non-contiguous view).
        var tensor: Tensor {
            let base = Tensor(data.map(\.float), shape: shape)
            return permutation.map { base.permuted($0) } ?? base
        }
    }

    struct Params: Decodable {
        let axes: [Int]?
        let axis: Int?
        let keepDims: Bool?
        let correction: Int?
        let p: FixtureNumber?
        let descending: Bool?
        let k: Int?
        let largest: Bool?
        let indices: [Int]?
        let indexShape: [Int]?
        let counts: [Int]?
    }

    struct Case: Decodable {
        let op: String
        let input: Int
        let params: Params
        let shape: [Int]
        let values: [FixtureNumber]?
        let indices: [Int]?
        let scale: FixtureNumber?
        let exact: Bool?
    }

    struct Format: Decodable {
        struct Arange: Decodable {
            let count: Int
            let step: Double
        }

        let name: String
        let shape: [Int]
        let dtype: String
        let permutation: [Int]?
        let data: [FixtureNumber]?
        let arange: Arange?
        let repr: String

        /// The tensor to print: listed data or `i * step`, with the named dtype.
        var tensor: Tensor {
            let count = shape.reduce(1, *)
            let base: Tensor
            if dtype.hasPrefix("int") {
                let values = arange.map { a in (0..<a.count).map { $0 * Int(a.step) } }
                    ?? data!.map { Int($0.value) }
                base = Tensor(ints: values, shape: shape, dtype: DType(rawValue: dtype)!)
            } else {
                let values = arange.map { a in (0..<count).map { Float($0) * Float(a.step) } }
                    ?? data!.map(\.float)
                base = Tensor(values, shape: shape)
            }
            return permutation.map { base.permuted($0) } ?? base
        }
    }

    let inputs: [Input]
    let cases: [Case]
    let formats: [Format]

    /// Decodes the committed fixture, located relative to this source file.
    static func load() throws -> ReductionFixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensor/reductions.json")
        return try JSONDecoder().decode(ReductionFixture.self, from: Data(contentsOf: url))
    }
}
