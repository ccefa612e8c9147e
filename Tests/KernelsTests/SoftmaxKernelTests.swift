import Testing
import CKernels
import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// The row softmax family and the attention-score mask, on every instruction set, against naive
/// Double-precision loops.
@Suite struct SoftmaxKernelTests {
    /// Row maximum with PyTorch's propagation: NaN wins, else the largest value (−inf when empty).
    static func rowMax(_ row: ArraySlice<Float>) -> Float {
        if row.contains(where: { $0.isNaN }) { return .nan }
        return row.max() ?? -.infinity
    }

    /// `e^{x − m}` in Double of the Float difference `x − m`, as the formula (and PyTorch) forms it.
    static func shiftedExp(_ row: ArraySlice<Float>, _ m: Float) -> [Double] {
        row.map { Glibc.exp(Double($0 - m)) }
    }

    static func softmax(_ row: ArraySlice<Float>) -> [Float] {
        let e = shiftedExp(row, rowMax(row))
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    static func logSoftmax(_ row: ArraySlice<Float>) -> [Float] {
        let m = rowMax(row)
        let logSum = Glibc.log(shiftedExp(row, m).reduce(0, +))
        return row.map { Float(Double($0 - m) - logSum) }
    }

    static func logsumexp(_ row: ArraySlice<Float>) -> Float {
        let m = rowMax(row)
        let shift = m.isInfinite ? 0 : m
        return Float(Double(shift) + Glibc.log(shiftedExp(row, shift).reduce(0, +)))
    }

    /// `rows × cols` normals (σ = 5) with some −inf entries, as masked attention scores have.
    static func scores(rows: Int, cols: Int, seed: UInt64) -> [Float] {
        var rng = TestRandom(seed: seed)
        return (0..<rows * cols).map { i in i % 7 == 3 ? -.infinity : rng.normal() * 5 }
    }

    /// Rows with special values; PyTorch gives NaN rows for the first three, and logsumexp −inf, +inf, NaN.
    static let edgeRows: [[Float]] = [
        [-.infinity, -.infinity, -.infinity, -.infinity, -.infinity],
        [.infinity, 0, 1, -.infinity, 2],
        [.nan, 0, 1, 2, 3],
        [0, -.infinity, 2, -.infinity, 1],
        [1e30, -1e30, 0, 3e29, 1e30],
        [-50, -49, -48.5, -200, -47],
    ]

    /// Applies the three kernels of `isa` to `x` and checks each against the Double reference.
    /// Tolerances: softmax `3e-7·|r|` (about 2.5 ulp); logSoftmax and logsumexp `2e-7·(1 + |r|)`.
    func check(_ x: [Float], rows: Int, cols: Int, isa: InstructionSet) {
        let sm = mapped(x) { x, o, _ in sl_softmax_rows(isa.rawValue, x, o, rows, cols, 0) }
        let lsm = mapped(x) { x, o, _ in sl_log_softmax_rows(isa.rawValue, x, o, rows, cols) }
        var lse = [Float](repeating: 0, count: rows)
        x.withUnsafeBufferPointer { sl_logsumexp_rows(isa.rawValue, $0.baseAddress!, &lse, rows, cols) }
        var expectedSoftmax: [Float] = [], expectedLog: [Float] = [], expectedLse: [Float] = []
        for r in 0..<rows {
            let row = x[r * cols..<(r + 1) * cols]
            expectedSoftmax += Self.softmax(row)
            expectedLog += Self.logSoftmax(row)
            expectedLse.append(Self.logsumexp(row))
        }
        let context = "rows \(rows), cols \(cols) on \(isa)"
        let a = firstMismatch(sm, expectedSoftmax) { 3e-7 * Swift.abs(expectedSoftmax[$0]) }
        #expect(a == nil, "softmax \(context): \(a ?? "")")
        let b = firstMismatch(lsm, expectedLog) { 2e-7 * (1 + Swift.abs(expectedLog[$0])) }
        #expect(b == nil, "logSoftmax \(context): \(b ?? "")")
        let c = firstMismatch(lse, expectedLse) { 2e-7 * (1 + Swift.abs(expectedLse[$0])) }
        #expect(c == nil, "logsumexp \(context): \(c ?? "")")
    }

    @Test(arguments: testedSets)
    func randomRowsMatchReference(isa: InstructionSet) {
        for cols in [1, 7, 15, 16, 17, 33, 100, 1023] {
            check(Self.scores(rows: 3, cols: cols, seed: UInt64(cols)), rows: 3, cols: cols, isa: isa)
        }
    }

    /// 300 × 3001 ≈ 900k elements: the Swift entry points split rows across cores.
    @Test func largeInputIsSplitAcrossCores() {
        let (rows, cols) = (300, 3001)
        let x = Self.scores(rows: rows, cols: cols, seed: 9)
        let isa = InstructionSet.active.rawValue
        let split = mapped(x) { x, o, _ in Softmax.softmax(x, o, rows: rows, cols: cols) }
        #expect(split == mapped(x) { x, o, _ in sl_softmax_rows(isa, x, o, rows, cols, 0) })
        let splitLog = mapped(x) { x, o, _ in Softmax.logSoftmax(x, o, rows: rows, cols: cols) }
        #expect(splitLog == mapped(x) { x, o, _ in sl_log_softmax_rows(isa, x, o, rows, cols) })
        var lse = [Float](repeating: 0, count: rows), alone = lse
        x.withUnsafeBufferPointer {
            Softmax.logsumexp($0.baseAddress!, &lse, rows: rows, cols: cols)
            sl_logsumexp_rows(isa, $0.baseAddress!, &alone, rows, cols)
        }
        #expect(lse == alone)
        check(Array(x[..<(20 * cols)]), rows: 20, cols: cols, isa: .active)
    }

    @Test(arguments: testedSets)
    func specialValuesFollowPyTorch(isa: InstructionSet) {
        let x = Self.edgeRows.flatMap { $0 }
        check(x, rows: Self.edgeRows.count, cols: 5, isa: isa)
        let sm = mapped(x) { x, o, _ in sl_softmax_rows(isa.rawValue, x, o, 6, 5, 0) }
        #expect(sm[0..<15].allSatisfy { $0.isNaN })
        #expect(sm[16] == 0 && sm[18] == 0, "−inf entries get probability 0")
        let zeroed = mapped(x) { x, o, _ in sl_softmax_rows(isa.rawValue, x, o, 6, 5, 1) }
        #expect(zeroed[0..<15].allSatisfy { $0 == 0 } && zeroed[15...] == sm[15...], "NaN rows become zeros")
        var lse = [Float](repeating: 0, count: 6)
        x.withUnsafeBufferPointer { sl_logsumexp_rows(isa.rawValue, $0.baseAddress!, &lse, 6, 5) }
        #expect(lse[0] == -.infinity && lse[1] == .infinity && lse[2].isNaN)
        #expect(lse[4] == 1e30 + Float(log(2.0)))
    }

    @Test func inPlaceMatchesOutOfPlace() {
        let x = Self.scores(rows: 4, cols: 37, seed: 3)
        let kernels: [(UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void] = [
            { Softmax.softmax($0, $1, rows: 4, cols: 37) }, { Softmax.logSoftmax($0, $1, rows: 4, cols: 37) },
        ]
        for kernel in kernels {
            let separate = mapped(x) { x, o, _ in kernel(x, o) }
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { kernel($0.baseAddress!, $0.baseAddress!) }
            #expect(inPlace.elementsEqual(separate) { $0.bitPattern == $1.bitPattern })
        }
    }

    @Test func emptyRowsGiveMinusInfinityLogsumexp() {
        var lse: [Float] = [1, 1]
        [Float]().withUnsafeBufferPointer { Softmax.logsumexp($0.baseAddress ?? UnsafePointer(bitPattern: 64)!, &lse, rows: 2, cols: 0) }
        #expect(lse == [-.infinity, -.infinity])
    }
}
