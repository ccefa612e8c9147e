import Foundation
import Testing
@testable import Tensor

/// A tensor stored in a fixture made by `Scripts/fixtures/tensor_linalg.py`: shape and row-major data.
struct LinalgArray: Decodable {
    let shape: [Int]
    let data: [Double]

    /// The values as a Float32 tensor.
    var tensor: Tensor { Tensor(data.map { Float($0) }, shape: shape) }
}

/// Loading of the einsum / rearrange / linalg fixtures and closeness checks.
enum LinalgFixtures {
    /// Decodes `Tests/Fixtures/tensor/<name>`, located relative to this source file.
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensor/\(name)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: Data(contentsOf: url))
    }

    /// Whether `|a - b| <= atol + rtol·|b|` elementwise with equal shapes (NumPy `allclose`).
    static func close(_ a: Tensor, _ b: Tensor, rtol: Float, atol: Float) -> Bool {
        guard a.shape == b.shape else { return false }
        return zip(a.scalars, b.scalars).allSatisfy { x, y in Swift.abs(x - y) <= atol + rtol * Swift.abs(y) }
    }

    /// The largest `|a - b|` (infinity when shapes differ), for failure messages.
    static func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }
}
