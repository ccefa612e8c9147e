import Foundation
import Lens
import Testing

/// `FactoredMatrix`, weight views and composition scores against TransformerLens (`factored_<case>.npz`).
@Suite struct FactoredParityTests {
    /// OV and QK singular values, norms and eigenvalues (compared as sorted sets), head indexing shapes,
    /// a factored product, and Q/K/V composition scores match within 1e-4 (scaled).
    @Test(arguments: LensFixture.architectures, [true, false])
    func factoredMatrices(name: String, processed: Bool) throws {
        let suffix = LensFixture.suffix(processed)
        let info = try LensFixture.json("\(name)/factored_\(suffix)")["info"] as! [String: Any]
        let reference = try LensFixture.archive(name, "factored_\(suffix)")
        let model = try LensFixture.model(name, processed: processed)
        func check(_ value: Tensor, _ key: String) throws {
            let error = scaledError(value, try reference.tensor(key))
            #expect(error < 1e-4, "\(name) \(key): \(error)")
        }
        for (kind, matrix) in [("OV", model.OV), ("QK", model.QK)] {
            let expected = info[kind] as! [String: Any]
            #expect(matrix.shape == (expected["full_shape"] as! [Int]))
            #expect(matrix.mdim == (expected["mdim"] as! Int))
            try check(try matrix.S, "\(kind)_S")
            try check(try matrix.norm(), "\(kind)_norm")
            let (real, imaginary) = try Self.sortedEigenvalues(try matrix.eigenvalues)
            try check(real, "\(kind)_eig_real")
            try check(imaginary, "\(kind)_eig_imag")
            let head = matrix[1, 0], shapes = expected["head_1_0"] as! [String: [Int]]
            #expect(head.shape == shapes["shape"] && head.A.shape == shapes["A_shape"] && head.B.shape == shapes["B_shape"])
            #expect(head.AB.shape == shapes["AB_shape"] && head.BA.shape == shapes["BA_shape"])
            #expect(head.T.shape == shapes["T_shape"] && head.T.A.shape == shapes["T_A_shape"])
        }
        let product = model.OV[0, 0] • model.QK[1, 0]
        let productInfo = info["product"] as! [String: Any]
        #expect(product.A.shape == (productInfo["A_shape"] as! [Int]) && product.B.shape == (productInfo["B_shape"] as! [Int]))
        try check(try product.S, "OV_0_0_at_QK_1_0_S")
        // The fixture stores this scalar as shape [1] (np.ascontiguousarray of a 0-d array).
        try check(try product.norm().reshaped([1]), "OV_0_0_at_QK_1_0_norm")
        if processed {
            try check(model.OV[1, 0].AB, "OV_1_0_AB")
            try check(product.AB, "OV_0_0_at_QK_1_0_AB")
        }
        for mode in CompositionMode.allCases {
            try check(try model.allCompositionScores(mode: mode), "composition_\(mode.rawValue)")
        }
    }

    /// Eigenvalues sorted along the last axis by real part, then imaginary part.
    static func sortedEigenvalues(_ values: (real: Tensor, imaginary: Tensor)) throws -> (Tensor, Tensor) {
        let n = values.real.shape.last!
        let re = values.real.scalars, im = values.imaginary.scalars
        var sortedRe: [Float] = [], sortedIm: [Float] = []
        for start in stride(from: 0, to: re.count, by: n) {
            let order = (start..<(start + n)).sorted { (re[$0], im[$0]) < (re[$1], im[$1]) }
            sortedRe += order.map { re[$0] }
            sortedIm += order.map { im[$0] }
        }
        return (Tensor(sortedRe, shape: values.real.shape), Tensor(sortedIm, shape: values.imaginary.shape))
    }

    /// Weight views have TransformerLens's shapes (or are missing where it raises / returns None), and
    /// grouped-query keys and values are repeated to every head with TransformerLens's values.
    @Test(arguments: LensFixture.architectures)
    func weightViews(name: String) throws {
        let fixture = try LensFixture.json("\(name)/weights")
        let views = (fixture["views"] as! [String: [String: Any]])["processed"]!
        let model = try LensFixture.model(name, processed: true)
        let values: [String: () throws -> Tensor?] = [
            "W_E": { model.W_E }, "W_pos": { try model.W_pos }, "W_U": { model.W_U }, "b_U": { model.b_U },
            "W_Q": { model.W_Q }, "W_K": { model.W_K }, "W_V": { model.W_V }, "W_O": { model.W_O },
            "b_Q": { model.b_Q }, "b_K": { model.b_K }, "b_V": { model.b_V }, "b_O": { model.b_O },
            "W_in": { try model.W_in }, "W_gate": { model.W_gate }, "W_out": { try model.W_out },
            "b_in": { try model.b_in }, "b_out": { try model.b_out },
        ]
        #expect(Set(values.keys) == Set(views.keys))
        for (view, expected) in views {
            if let shape = expected as? [Int] {
                #expect(try values[view]!()?.shape == shape, "\(name) \(view)")
            } else if expected is NSNull {
                #expect(try values[view]!() == nil, "\(name) \(view)")
            } else {
                #expect(throws: LensError.self, "\(name) \(view)") { _ = try values[view]!() }
            }
        }
        guard fixture["gqa_arrays"] is String else { return }
        let arrays = try LensFixture.archive(name, "weights_gqa_processed")
        for view in ["W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"] {
            #expect(scaledError(try values[view]!()!, try arrays.tensor(view)) < 1e-5, "\(name) \(view)")
        }
    }

    /// Factored products agree with dense ones and keep the cheap factorisation; `makeEven` and the
    /// collapsed forms keep the matrix, its singular values and its norm (1e-4 scaled).
    @Test func factoredAlgebra() throws {
        let a = Tensor.randomNormal([3, 20, 4], seed: 1), b = Tensor.randomNormal([3, 4, 20], seed: 2)
        let m = FactoredMatrix(a, b)
        let dense = m.AB
        let x = Tensor.randomNormal([20, 5], seed: 3), y = Tensor.randomNormal([6, 20], seed: 4)
        #expect(scaledError((m • x).AB, dense.matmul(x)) < 1e-4)
        #expect((m • x).mdim == 4)
        #expect(scaledError((y • m).AB, y.matmul(dense)) < 1e-4)
        #expect(scaledError((m • m).AB, dense.matmul(dense)) < 1e-4)
        let v = Tensor.randomNormal([20], seed: 5)
        #expect(scaledError(m.matmul(vector: v), dense.matmul(v)) < 1e-4)
        #expect(scaledError(m.rmatmul(vector: v), v.matmul(dense)) < 1e-4)
        #expect(scaledError(m.T.AB, dense.transposed(-2, -1)) < 1e-4)
        #expect(scaledError((m * 2).AB, dense * 2) < 1e-4)
        let even = try m.makeEven()
        #expect(scaledError(even.AB, dense) < 1e-4)
        #expect(scaledError(try even.S, try m.S) < 1e-4)
        #expect(scaledError(try m.norm(), dense.square().sum(axes: [1, 2]).sqrt()) < 1e-4)
        let (u, s, vv) = try m.svd()
        #expect(scaledError((u * s.unsqueezed(-2)).matmul(vv.transposed(-2, -1)), dense) < 1e-4)
        #expect(scaledError(try dense.singularValues()[.all, 0..<4], s) < 1e-4)
        #expect(scaledError(try m.collapseR().matmul(vv.transposed(-2, -1)), dense) < 1e-4)
        #expect(scaledError(u.matmul(try m.collapseL()), dense) < 1e-4)
        #expect(m[1, 2].shape == [1, 20] && m[1, 2, 3].shape == [1, 1])
        #expect(scaledError(m[1, 2, 3].AB, dense[1, 2..<3, 3..<4]) < 1e-4)
        #expect(m.unsqueezed(0).shape == [1, 3, 20, 20])
    }
}
