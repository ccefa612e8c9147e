/// Evaluation of a bound einsum: sum labels private to one operand, contract pairs greedily
/// (smallest intermediate first), each pair as one batched GEMM, then lay out the output.
extension EinsumBinding {
    /// The einsum result with axes in `output` order.
    func evaluate() -> Tensor {
        var terms = self.terms
        while terms.count > 1 {
            let (i, j) = cheapestPair(terms)
            let keep = labelsNeeded(terms, excluding: [i, j])
            let merged = contract(terms[i], terms[j], keep: keep)
            terms.remove(at: j)
            terms[i] = merged
        }
        let last = sumPrivate(terms[0], keep: Set(output))
        return layout(last)
    }

    /// Output labels plus every label of the terms not listed in `excluding`.
    private func labelsNeeded(_ terms: [EinsumTerm], excluding: Set<Int>) -> Set<Int> {
        var needed = Set(output)
        for (k, t) in terms.enumerated() where !excluding.contains(k) { needed.formUnion(t.labels) }
        return needed
    }

    /// The pair `i < j` whose contraction leaves the smallest tensor (ties: fewest multiply-adds).
    private func cheapestPair(_ terms: [EinsumTerm]) -> (Int, Int) {
        var best = (0, 1), bestCost = (Int.max, Int.max)
        for i in 0..<terms.count {
            for j in (i + 1)..<terms.count {
                let keep = labelsNeeded(terms, excluding: [i, j])
                let union = Set(terms[i].labels).union(terms[j].labels)
                let result = saturatingProduct(union.filter(keep.contains))
                let work = saturatingProduct(union)
                if (result, work) < bestCost {
                    bestCost = (result, work)
                    best = (i, j)
                }
            }
        }
        return best
    }

    /// Product of the label sizes, clamped to `Int.max` (a cost estimate only).
    private func saturatingProduct(_ labels: some Sequence<Int>) -> Int {
        labels.reduce(1) { acc, id in
            let (p, overflow) = acc.multipliedReportingOverflow(by: sizes[id])
            return overflow ? Int.max : p
        }
    }

    /// The term summed over its labels that are not in `keep`.
    private func sumPrivate(_ t: EinsumTerm, keep: Set<Int>) -> EinsumTerm {
        let axes = Set(t.labels.indices.filter { !keep.contains(t.labels[$0]) })
        if axes.isEmpty { return t }
        return EinsumTerm(tensor: t.tensor.sum(axes: Array(axes)),
                          labels: t.labels.filter(keep.contains))
    }

    /// `C[batch, m, n] = Σ_k A[batch, m, k] · B[batch, k, n]` where batch labels are shared and kept,
    /// k labels shared and not kept, m (n) labels only in A (B). Groups are ordered by stride so
    /// that the reshapes stay views whenever the layout allows.
    private func contract(_ a: EinsumTerm, _ b: EinsumTerm, keep: Set<Int>) -> EinsumTerm {
        let a = sumPrivate(a, keep: keep.union(b.labels))
        let b = sumPrivate(b, keep: keep.union(a.labels))
        let inA = Set(a.labels), inB = Set(b.labels)
        let batch = a.labels.filter { inB.contains($0) && keep.contains($0) }
        let k = byStride(a, a.labels.filter { inB.contains($0) && !keep.contains($0) })
        let m = byStride(a, a.labels.filter { !inB.contains($0) })
        let n = byStride(b, b.labels.filter { !inA.contains($0) })
        let batchSizes = batch.map { sizes[$0] }
        let mSize = m.reduce(1) { $0 * sizes[$1] }
        let nSize = n.reduce(1) { $0 * sizes[$1] }
        let kSize = k.reduce(1) { $0 * sizes[$1] }
        let lhs = grouped(a, batch + m + k, shape: batchSizes + [mSize, kSize])
        let rhs = grouped(b, batch + k + n, shape: batchSizes + [kSize, nSize])
        let product = lhs.matmul(rhs).reshaped(batchSizes + m.map { sizes[$0] } + n.map { sizes[$0] })
        return EinsumTerm(tensor: product, labels: batch + m + n)
    }

    /// `labels` sorted by decreasing stride in `t` (outermost in memory first).
    private func byStride(_ t: EinsumTerm, _ labels: [Int]) -> [Int] {
        let stride = Dictionary(uniqueKeysWithValues: zip(t.labels, t.tensor.strides.map(Swift.abs)))
        return labels.sorted { stride[$0]! > stride[$1]! }
    }

    /// The term permuted to `order` and reshaped to `shape` (a view when strides allow).
    private func grouped(_ t: EinsumTerm, _ order: [Int], shape: [Int]) -> Tensor {
        let axes = order.map { t.labels.firstIndex(of: $0)! }
        return t.tensor.permuted(axes).reshaped(shape)
    }

    /// The final term permuted into output order; output labels it lacks are broadcast.
    private func layout(_ t: EinsumTerm) -> Tensor {
        let present = output.filter(t.labels.contains)
        var result = t.tensor.permuted(present.map { t.labels.firstIndex(of: $0)! })
        for (axis, id) in output.enumerated() where !t.labels.contains(id) {
            result = result.unsqueezed(axis)
        }
        return result.expanded(to: output.map { sizes[$0] })
    }
}
