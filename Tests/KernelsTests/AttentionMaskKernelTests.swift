import Testing
import CKernels
import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// The attention-score mask (`sl_mask_scores_row`, `Softmax.maskScores`) against the scalar loop it replaced:
/// key `j` of query `i` is visible when `first ≤ j ≤ last` and its key-mask entry is nonzero; visible scores
/// become `softcap(s / divisor)`, hidden ones −inf.
@Suite struct AttentionMaskKernelTests {
    /// One row by the definition.
    static func maskRow(_ s: [Float], first: Int, last: Int, mask: [UInt8]?, divisor: Float, softCap: Float?) -> [Float] {
        s.indices.map { j in
            guard j >= first && j <= last && (mask?[j] ?? 1) != 0 else { return -.infinity }
            let v = s[j] / divisor
            return softCap.map { $0 * tanhf(v / $0) } ?? v
        }
    }

    /// Without a soft cap only a division happens: bit-identical. With one, the vector tanh is within
    /// 3e-7 relative of tanhf, scaled by the cap.
    static func tolerance(_ expected: Float, softCap: Float?) -> Float {
        softCap.map { 3e-7 * $0 + Swift.abs(expected).ulp } ?? 0
    }

    @Test(arguments: testedSets)
    func rowsMatchDefinition(isa: InstructionSet) {
        var rng = TestRandom(seed: 5)
        for n in [1, 7, 16, 33, 1023] {
            let mask = (0..<n).map { _ in UInt8.random(in: 0...3, using: &rng) == 0 ? 0 : 1 } as [UInt8]
            for (first, last) in [(0, n - 1), (0, n / 2), (n / 3, n - 1), (n / 2, n / 2), (n, n - 1), (-2, n + 5)] {
                for softCap: Float? in [nil, 30] {
                    for keyMask in [nil, mask] {
                        let s = rng.normals(n, scale: 40)
                        let expected = Self.maskRow(s, first: first, last: last, mask: keyMask, divisor: 8, softCap: softCap)
                        var got = s
                        got.withUnsafeMutableBufferPointer { row in
                            if let keyMask {
                                keyMask.withUnsafeBufferPointer {
                                    sl_mask_scores_row(isa.rawValue, row.baseAddress!, n, first, last, $0.baseAddress, 8, softCap ?? 0)
                                }
                            } else {
                                sl_mask_scores_row(isa.rawValue, row.baseAddress!, n, first, last, nil, 8, softCap ?? 0)
                            }
                        }
                        let mismatch = firstMismatch(got, expected) { Self.tolerance(expected[$0], softCap: softCap) }
                        #expect(mismatch == nil, "n \(n), keys \(first)...\(last), cap \(softCap ?? 0), mask \(keyMask != nil) on \(isa): \(mismatch ?? "")")
                    }
                }
            }
        }
    }

    /// The `[batch, heads, query, key]` geometry: causal with a cached prefix, a sliding window, and padding.
    @Test func scoresTensorFollowsCausalWindowAndPadding() {
        let (batch, heads, queries, past) = (2, 3, 37, 5)
        let keys = past + queries
        var rng = TestRandom(seed: 8)
        let mask: [UInt8] = (0..<(batch * keys)).map { $0 % keys < 3 && $0 >= keys ? 0 : 1 }
        for window: Int? in [nil, 9] {
            let s = rng.normals(batch * heads * queries * keys, scale: 10)
            var expected: [Float] = []
            for row in 0..<(batch * heads * queries) {
                let b = row / (heads * queries), i = row % queries, last = past + i
                let first = window.map { max(0, last - $0 + 1) } ?? 0
                expected += Self.maskRow(Array(s[row * keys..<(row + 1) * keys]), first: first, last: last,
                                         mask: Array(mask[b * keys..<(b + 1) * keys]), divisor: 4, softCap: nil)
            }
            var got = s
            got.withUnsafeMutableBufferPointer { out in
                mask.withUnsafeBufferPointer {
                    Softmax.maskScores(out.baseAddress!, batch: batch, heads: heads, queries: queries, keys: keys,
                                       past: past, window: window, keyMask: $0.baseAddress, divisor: 4, softCap: nil)
                }
            }
            #expect(got == expected, "window \(window ?? 0)")
        }
    }
}
