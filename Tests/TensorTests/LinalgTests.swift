import Testing
@testable import Tensor

private struct LinalgFixture: Decodable {
    struct SVDCase: Decodable { let input: LinalgArray; let singularValues: LinalgArray }
    struct Eigh: Decodable { let input: LinalgArray; let eigenvalues: LinalgArray }
    struct Eigvals: Decodable { let input: LinalgArray; let realSorted: LinalgArray; let imagSorted: LinalgArray }
    struct SolveCase: Decodable { let a: LinalgArray; let b: LinalgArray; let x: LinalgArray }
    struct InverseCase: Decodable { let a: LinalgArray; let inverse: LinalgArray }
    struct PinvCase: Decodable { let a: LinalgArray; let rcond: Float?; let pinv: LinalgArray }
    struct Norms: Decodable {
        let input: LinalgArray, frobenius: LinalgArray, nuclear: LinalgArray, spectral: LinalgArray
    }
    struct Cosine: Decodable { let a: LinalgArray, b: LinalgArray, axis: Int, eps: Float, result: LinalgArray }
    let svd: [SVDCase]
    let eigh: Eigh
    let eigvals: Eigvals
    let solve: [SolveCase]
    let inverse: [InverseCase]
    let lstsq: [SolveCase]
    let pinv: [PinvCase]
    let matrixNorm: Norms
    let cosineSimilarity: Cosine
}

/// `U · diag(S) · Vh` using the first k columns of U and rows of Vh.
private func reconstruct(_ u: Tensor, _ s: Tensor, _ vh: Tensor) -> Tensor {
    let k = s.shape.last!
    return (u[.ellipsis, 0..<k] * s.unsqueezed(-2)).matmul(vh[.ellipsis, 0..<k, .all])
}

/// Whether the columns of `q [..., m, k]` are orthonormal: `Qᵀ Q ≈ I` within `atol`.
private func orthonormalColumns(_ q: Tensor, atol: Float) -> Bool {
    let gram = q.transposed().matmul(q)
    return LinalgFixtures.close(gram, Tensor.eye(q.shape.last!).expanded(to: gram.shape), rtol: 0, atol: atol)
}

@Suite struct LinalgTests {
    fileprivate let fixture: LinalgFixture

    init() throws {
        fixture = try LinalgFixtures.load("linalg.json", as: LinalgFixture.self)
    }

    /// Singular values of float32 inputs vs float64 NumPy: rtol 1e-4, atol 1e-5.
    @Test func singularValuesMatchNumPy() throws {
        for c in fixture.svd {
            let a = c.input.tensor
            #expect(LinalgFixtures.close(try a.svd().S, c.singularValues.tensor, rtol: 1e-4, atol: 1e-5))
            #expect(LinalgFixtures.close(try a.singularValues(), c.singularValues.tensor, rtol: 1e-4, atol: 1e-5))
        }
    }

    /// `U·diag(S)·Vh ≈ A` (rtol 1e-4, atol 1e-4 for O(1) entries) and orthonormal U, V (atol 1e-4),
    /// reduced and full, on contiguous, transposed and batched inputs.
    @Test(arguments: [[5, 3], [3, 5], [4, 4], [2, 3, 6, 4], [1, 7]])
    func svdReconstructsAndIsOrthogonal(shape: [Int]) throws {
        let contiguous = Tensor.randomNormal(shape, seed: UInt64(shape.reduce(0, +)))
        let transposedView = Tensor.randomNormal(Array(shape.dropLast(2)) + shape.suffix(2).reversed(), seed: 5)
            .transposed()
        for a in [contiguous, transposedView] {
            for full in [false, true] {
                let (u, s, vh) = try a.svd(fullMatrices: full)
                let m = shape[shape.count - 2], n = shape[shape.count - 1]
                #expect(u.shape.suffix(2) == (full ? [m, m] : [m, min(m, n)]))
                #expect(vh.shape.suffix(2) == (full ? [n, n] : [min(m, n), n]))
                #expect(LinalgFixtures.close(reconstruct(u, s, vh), a, rtol: 1e-4, atol: 1e-4),
                        "\(shape) full=\(full): \(LinalgFixtures.maxError(reconstruct(u, s, vh), a))")
                #expect(orthonormalColumns(u, atol: 1e-4))
                #expect(orthonormalColumns(vh.transposed(), atol: 1e-4))
                let rows = s.reshaped([-1, s.shape.last!])
                for r in 0..<rows.shape[0] {
                    let values = rows[r].scalars
                    #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
                }
            }
        }
    }

    /// Eigenvalues rtol 1e-4, atol 1e-5; `A·v = λ·v` and `VᵀV = I` within 1e-4.
    @Test func eighMatchesNumPyAndSatisfiesDefinition() throws {
        let a = fixture.eigh.input.tensor
        let (values, vectors) = try a.eigh()
        #expect(LinalgFixtures.close(values, fixture.eigh.eigenvalues.tensor, rtol: 1e-4, atol: 1e-5))
        let av = a.matmul(vectors), vl = vectors * values.unsqueezed(-2)
        #expect(LinalgFixtures.close(av, vl, rtol: 1e-4, atol: 1e-4))
        #expect(orthonormalColumns(vectors, atol: 1e-4))
    }

    /// Like NumPy, only the lower triangle is read: tolerance 1e-5 on O(1) eigenvalues.
    @Test func eighReadsTheLowerTriangle() throws {
        let a = Tensor.randomNormal([4, 4], seed: 21)
        var symmetric = a
        for i in 0..<4 { for j in (i + 1)..<4 { symmetric[i, j] = a[j, i] } }
        let fromFull = try a.eigh().values, fromSymmetric = try symmetric.eigh().values
        #expect(LinalgFixtures.close(fromFull, fromSymmetric, rtol: 1e-5, atol: 1e-5))
    }

    /// General eigenvalues (complex pairs) sorted by (real, imaginary): rtol 1e-4, atol 1e-4.
    @Test func eigvalsMatchNumPy() throws {
        let (re, im) = try fixture.eigvals.input.tensor.eigvals()
        let sorted = zip(re.scalars, im.scalars).sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let expected = fixture.eigvals
        #expect(LinalgFixtures.close(Tensor(sorted.map(\.0)), expected.realSorted.tensor, rtol: 1e-4, atol: 1e-4))
        #expect(LinalgFixtures.close(Tensor(sorted.map(\.1)), expected.imagSorted.tensor, rtol: 1e-4, atol: 1e-4))
        #expect(im.scalars.contains { $0 != 0 })
    }

    /// `Q·R ≈ A` (atol 1e-4), orthonormal Q (atol 1e-4), R exactly zero below the diagonal.
    @Test(arguments: [[5, 3], [3, 5], [4, 4], [2, 3, 6, 4]])
    func qrReconstructsAndIsOrthogonal(shape: [Int]) throws {
        let a = Tensor.randomNormal(shape, seed: UInt64(shape.reduce(1, *)))
        let (q, r) = try a.qr()
        let k = min(shape[shape.count - 2], shape[shape.count - 1])
        #expect(q.shape == Array(shape.dropLast()) + [k])
        #expect(r.shape == Array(shape.dropLast(2)) + [k, shape.last!])
        #expect(LinalgFixtures.close(q.matmul(r), a, rtol: 1e-4, atol: 1e-4))
        #expect(orthonormalColumns(q, atol: 1e-4))
        let rows = r.reshaped([-1, k, shape.last!])
        for b in 0..<rows.shape[0] { for i in 0..<k { for j in 0..<i { #expect(rows.value(at: [b, i, j]) == 0) } } }
    }

    /// Well-conditioned systems: rtol 1e-4, atol 1e-5.
    @Test func solveAndInverseMatchNumPy() throws {
        for c in fixture.solve {
            let x = try c.a.tensor.solve(c.b.tensor)
            #expect(LinalgFixtures.close(x, c.x.tensor, rtol: 1e-4, atol: 1e-5), "solve \(c.a.shape) \(c.b.shape)")
        }
        for c in fixture.inverse {
            #expect(LinalgFixtures.close(try c.a.tensor.inverse(), c.inverse.tensor, rtol: 1e-4, atol: 1e-5))
        }
    }

    /// Over- and under-determined least squares and pseudo-inverses: rtol 1e-4, atol 1e-4.
    @Test func lstsqAndPinvMatchNumPy() throws {
        for c in fixture.lstsq {
            let x = try c.a.tensor.lstsq(c.b.tensor)
            #expect(LinalgFixtures.close(x, c.x.tensor, rtol: 1e-4, atol: 1e-4), "lstsq \(c.a.shape) \(c.b.shape)")
        }
        for c in fixture.pinv {
            let p = try c.a.tensor.pinv(rcond: c.rcond)
            #expect(LinalgFixtures.close(p, c.pinv.tensor, rtol: 1e-4, atol: 1e-4),
                    "pinv \(c.a.shape): \(LinalgFixtures.maxError(p, c.pinv.tensor))")
        }
    }

    /// Batched solve with broadcast batch axes agrees with per-matrix inverses (atol 1e-4).
    @Test func batchedSolveBroadcastsAgainstVectors() throws {
        let a = Tensor.randomNormal([3, 4, 4], seed: 31) + Tensor.eye(4) * 4
        let b = Tensor.randomNormal([4], seed: 32)
        let x = try a.solve(b)
        #expect(x.shape == [3, 4])
        #expect(LinalgFixtures.close(x, try a.inverse().matmul(b), rtol: 1e-4, atol: 1e-4))
    }

    /// Norms rtol 1e-4, atol 1e-5; cosine similarity (with a tiny vector hitting eps) rtol 1e-4, atol 1e-6.
    @Test func normsAndCosineSimilarityMatchReferences() throws {
        let n = fixture.matrixNorm
        let x = n.input.tensor
        #expect(LinalgFixtures.close(try x.matrixNorm(.frobenius), n.frobenius.tensor, rtol: 1e-4, atol: 1e-5))
        #expect(LinalgFixtures.close(try x.matrixNorm(.nuclear), n.nuclear.tensor, rtol: 1e-4, atol: 1e-5))
        #expect(LinalgFixtures.close(try x.matrixNorm(.spectral), n.spectral.tensor, rtol: 1e-4, atol: 1e-5))
        let c = fixture.cosineSimilarity
        let cos = try Tensor.cosineSimilarity(c.a.tensor, c.b.tensor, axis: c.axis, eps: c.eps)
        #expect(LinalgFixtures.close(cos, c.result.tensor, rtol: 1e-4, atol: 1e-6))
        let rows = Tensor.randomNormal([2, 5, 3], seed: 41)
        let defaultAxis = try Tensor.cosineSimilarity(rows, rows)
        #expect(defaultAxis.shape == [2, 3])
        #expect(LinalgFixtures.close(defaultAxis, Tensor.ones([2, 3]), rtol: 0, atol: 1e-5))
    }

    @Test func singularMatricesThrowNamingOpAndInfo() {
        let singular = Tensor([1, 2, 2, 4], shape: [2, 2])
        #expect(throws: TensorError.numerical(
            op: "inverse",
            reason: "matrix 0 of the batch: the matrix is singular: U[1, 1] is exactly zero (LAPACK sgetrf info 2)")) {
            try singular.inverse()
        }
        #expect(throws: TensorError.numerical(
            op: "solve",
            reason: "matrix 1 of the batch: the matrix is singular: U[0, 0] is exactly zero (LAPACK sgetrf info 1)")) {
            try Tensor.stack2(Tensor.eye(3), Tensor.zeros([3, 3])).solve(Tensor.ones([3]))
        }
    }

    @Test func nonFiniteInputThrowsNamingTheRoutine() {
        let a = Tensor([1, .nan, 3, 4], shape: [2, 2])
        let reason = "matrix 0 of the batch: argument 5 was rejected (NaN or infinite input?) (LAPACK sgesdd info -5)"
        #expect(throws: TensorError.numerical(op: "svd", reason: reason)) { try a.svd() }
        #expect(throws: TensorError.self) { try a.qr() }
        #expect(throws: TensorError.self) { try a.lstsq(Tensor([1, 2])) }
    }

    @Test func nonMatrixShapesThrowShapeMismatch() {
        let vector = Tensor([1, 2, 3])
        #expect(throws: TensorError.shapeMismatch(op: "svd", shapes: [[3]])) { try vector.svd() }
        #expect(throws: TensorError.shapeMismatch(op: "eigh", shapes: [[2, 3]])) { try Tensor.zeros([2, 3]).eigh() }
        #expect(throws: TensorError.shapeMismatch(op: "inverse", shapes: [[2, 3]])) {
            try Tensor.zeros([2, 3]).inverse()
        }
        #expect(throws: TensorError.shapeMismatch(op: "solve", shapes: [[3, 3], [4]])) {
            try Tensor.eye(3).solve(Tensor.ones([4]))
        }
        #expect(throws: TensorError.shapeMismatch(op: "lstsq", shapes: [[2, 3, 3], [4, 3, 1]])) {
            try Tensor.zeros([2, 3, 3]).lstsq(Tensor.ones([4, 3, 1]))
        }
        #expect(throws: TensorError.shapeMismatch(op: "cosineSimilarity", shapes: [[2, 3], [4]])) {
            try Tensor.cosineSimilarity(Tensor.zeros([2, 3]), Tensor.zeros([4]))
        }
        #expect(throws: TensorError.invalidAxis(op: "cosineSimilarity", axis: 1, rank: 1)) {
            try Tensor.cosineSimilarity(Tensor.ones([3]), Tensor.ones([3]))
        }
    }
}

private extension Tensor {
    /// Two `[n, n]` matrices stacked into `[2, n, n]` (the public `stack` belongs to another helper).
    static func stack2(_ a: Tensor, _ b: Tensor) -> Tensor {
        var out = Tensor(zeros: [2] + a.shape)
        out[0] = a
        out[1] = b
        return out
    }
}
