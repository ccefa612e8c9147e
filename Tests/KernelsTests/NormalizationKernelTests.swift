import Testing
import CKernels
import Kernels

/// LayerNorm and RMSNorm, on every instruction set, against naive Double loops of TransformerLens's formula
/// (`c = x − mean`, `scale = √(mean(c²) + eps)`, `c / scale`), each result rounded once to Float.
@Suite struct NormalizationKernelTests {
    static func layerNorm(_ row: ArraySlice<Float>, eps: Float) -> (out: [Float], scale: Float) {
        let mean = row.reduce(0.0) { $0 + Double($1) } / Double(row.count)
        let centred = row.map { Double($0) - mean }
        let scale = (centred.reduce(0.0) { $0 + $1 * $1 } / Double(row.count) + Double(eps)).squareRoot()
        return (centred.map { Float($0 / scale) }, Float(scale))
    }

    static func rmsNorm(_ row: ArraySlice<Float>, eps: Float) -> (out: [Float], scale: Float) {
        let scale = (row.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(row.count) + Double(eps)).squareRoot()
        return (row.map { Float(Double($0) / scale) }, Float(scale))
    }

    /// Runs the kernel and the reference on `rows × cols` values; with `affine`, weight and bias are applied
    /// (`out · w + b`, bias only for LayerNorm, in Float). Outputs must agree to 2 ulp (`2.4e-7·|r|`), or with
    /// the affine step to 2 ulp of its terms (`2.4e-7·(|out·w| + |b|)`); scales to 1 ulp.
    /// `isa` nil runs the Swift entry points (rows split across cores on the active set).
    func check(rows: Int, cols: Int, scale: Float, shift: Float, eps: Float, rms: Bool, affine: Bool,
               isa: InstructionSet? = nil) {
        var rng = TestRandom(seed: UInt64(rows * 1000 + cols))
        let x = rng.normals(rows * cols, scale: scale, shift: shift)
        let w = rng.normals(cols), b = rng.normals(cols)
        var scales = [Float](repeating: 0, count: rows)
        let out = mapped(x) { x, o, _ in
            w.withUnsafeBufferPointer { w in
                b.withUnsafeBufferPointer { b in
                    let weight = affine ? w.baseAddress : nil, bias = affine ? b.baseAddress : nil
                    switch (isa, rms) {
                    case (let isa?, true): sl_rms_norm_rows(isa.rawValue, x, o, &scales, rows, cols, eps, weight)
                    case (let isa?, false): sl_layer_norm_rows(isa.rawValue, x, o, &scales, rows, cols, eps, weight, bias)
                    case (nil, true):
                        Normalization.rmsNorm(x, o, scales: &scales, rows: rows, cols: cols, eps: eps, weight: weight)
                    case (nil, false):
                        Normalization.layerNorm(x, o, scales: &scales, rows: rows, cols: cols, eps: eps,
                                                weight: weight, bias: bias)
                    }
                }
            }
        }
        var plain: [Float] = [], expectedScales: [Float] = []
        for r in 0..<rows {
            let (o, s) = rms ? Self.rmsNorm(x[r * cols..<(r + 1) * cols], eps: eps)
                             : Self.layerNorm(x[r * cols..<(r + 1) * cols], eps: eps)
            plain += o
            expectedScales.append(s)
        }
        let bias = rms ? [Float](repeating: 0, count: cols) : b
        let expected = affine ? plain.indices.map { plain[$0] * w[$0 % cols] + bias[$0 % cols] } : plain
        let context = "\(rms ? "rmsNorm" : "layerNorm") \(rows)×\(cols) shift \(shift) affine \(affine) on \(isa.map(\.description) ?? "split")"
        let a = firstMismatch(out, expected) { i in
            let terms = affine ? Swift.abs(plain[i] * w[i % cols]) + Swift.abs(bias[i % cols]) : Swift.abs(plain[i])
            return Swift.max(2.4e-7 * terms, 1e-30)
        }
        #expect(a == nil, "\(context): \(a ?? "")")
        let c = firstMismatch(scales, expectedScales) { 1.2e-7 * expectedScales[$0] }
        #expect(c == nil, "\(context) scale: \(c ?? "")")
    }

    static let widths = [1, 7, 15, 16, 17, 33, 768, 1023, 4099]

    @Test(arguments: testedSets)
    func layerNormMatchesReference(isa: InstructionSet) {
        for cols in Self.widths {
            check(rows: 3, cols: cols, scale: 2, shift: 0, eps: 1e-5, rms: false, affine: false, isa: isa)
            check(rows: 3, cols: cols, scale: 2, shift: 0, eps: 1e-5, rms: false, affine: true, isa: isa)
            check(rows: 2, cols: cols, scale: 0.5, shift: 300, eps: 1e-5, rms: false, affine: false, isa: isa)
        }
    }

    @Test(arguments: testedSets)
    func rmsNormMatchesReference(isa: InstructionSet) {
        for cols in Self.widths {
            check(rows: 3, cols: cols, scale: 0.3, shift: 0, eps: 1e-6, rms: true, affine: false, isa: isa)
            check(rows: 3, cols: cols, scale: 0.3, shift: 1, eps: 1e-6, rms: true, affine: true, isa: isa)
        }
    }

    /// 200 rows × 1003: rows are split across cores.
    @Test func largeInputIsSplitAcrossCores() {
        check(rows: 200, cols: 1003, scale: 1, shift: 5, eps: 1e-5, rms: false, affine: true)
        check(rows: 200, cols: 1003, scale: 1, shift: 0, eps: 1e-6, rms: true, affine: false)
    }

    /// A constant row has scale √eps and normalizes to zeros; NaN and inf spread through their row only.
    @Test func degenerateRows() {
        let x: [Float] = [3, 3, 3, 3, 1, .nan, 2, 0, 1, .infinity, 2, 0]
        var scales = [Float](repeating: 0, count: 3)
        let out = mapped(x) { x, o, _ in Normalization.layerNorm(x, o, scales: &scales, rows: 3, cols: 4, eps: 1e-4) }
        #expect(out[0..<4] == [0, 0, 0, 0] && scales[0] == Float(1e-4).squareRoot())
        #expect(out[4..<12].allSatisfy { $0.isNaN } && scales[1].isNaN && scales[2].isNaN)
    }

    @Test func inPlaceMatchesOutOfPlace() {
        var rng = TestRandom(seed: 11)
        let x = rng.normals(5 * 33, scale: 3, shift: 1)
        var s1 = [Float](repeating: 0, count: 5), s2 = s1
        let separate = mapped(x) { x, o, _ in Normalization.layerNorm(x, o, scales: &s1, rows: 5, cols: 33, eps: 1e-5) }
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer {
            Normalization.layerNorm($0.baseAddress!, $0.baseAddress!, scales: &s2, rows: 5, cols: 33, eps: 1e-5)
        }
        #expect(inPlace == separate && s1 == s2)
    }
}
