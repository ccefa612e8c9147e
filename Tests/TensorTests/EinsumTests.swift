import Testing
@testable import Tensor

private struct EinsumFixture: Decodable {
    struct Case: Decodable {
        let spec: String
        let operands: [LinalgArray]
        let result: LinalgArray
    }
    let cases: [Case]
}

/// Naive einsum over letter terms: loops over every assignment of every label,
/// `out[o] += Π_i operand_i[labels_i]`, accumulating in Double.
private func naiveEinsum(_ inputs: [[Character]], _ output: [Character], _ operands: [Tensor],
                         sizes: [Character: Int]) -> Tensor {
    let used = Array(Set(inputs.flatMap { $0 } + output)).sorted()
    let outShape = output.map { sizes[$0]! }
    var out = [Double](repeating: 0, count: outShape.reduce(1, *))
    let outStrides = Shape.contiguousStrides(outShape)
    let total = used.map { sizes[$0]! }.reduce(1, *)
    for flat in 0..<total {
        var value: [Character: Int] = [:]
        var rem = flat
        for label in used.reversed() {
            value[label] = rem % sizes[label]!
            rem /= sizes[label]!
        }
        var product = 1.0
        for (term, x) in zip(inputs, operands) {
            product *= Double(x.value(at: term.map { value[$0]! }))
        }
        out[zip(output, outStrides).map { value[$0]! * $1 }.reduce(0, +)] += product
    }
    return Tensor(out.map { Float($0) }, shape: outShape)
}

/// The named-axis form of a letter spec: letter `c` becomes the name `ax_c`.
private func namedForm(_ inputs: [[Character]], _ output: [Character]?) -> String {
    let terms = inputs.map { $0.map { "ax_\($0)" }.joined(separator: " ") }.joined(separator: ", ")
    guard let output else { return terms }
    return terms + " -> " + output.map { "ax_\($0)" }.joined(separator: " ")
}

@Suite struct EinsumTests {
    /// Tolerance: float32 sums of at most ~100 products of N(0,1) values vs a float64 NumPy reference.
    @Test func matchesNumPyFixtures() throws {
        let fixture = try LinalgFixtures.load("einsum.json", as: EinsumFixture.self)
        #expect(fixture.cases.count >= 30)
        for c in fixture.cases {
            let result = try Tensor.einsum(c.spec, c.operands.map(\.tensor))
            let expected = c.result.tensor
            let error = LinalgFixtures.maxError(result, expected)
            #expect(LinalgFixtures.close(result, expected, rtol: 1e-4, atol: 1e-4),
                    "\(c.spec): shape \(result.shape) vs \(expected.shape), max error \(error)")
        }
    }

    /// Random letter specs (1-4 operands, diagonals, transposed operands, implicit and explicit outputs)
    /// against naive nested loops; tolerance rtol 1e-4, atol 1e-4.
    @Test func randomSpecsMatchNaiveLoops() throws {
        var rng = SeededGenerator(seed: 7)
        let letters = Array("abcdef")
        for trial in 0..<60 {
            var sizes: [Character: Int] = [:]
            for c in letters { sizes[c] = Int.random(in: 1...3, using: &rng) }
            let count = Int.random(in: 1...4, using: &rng)
            let inputs = (0..<count).map { _ in
                (0..<Int.random(in: 0...3, using: &rng)).map { _ in letters.randomElement(using: &rng)! }
            }
            var operands: [Tensor] = []
            for (i, term) in inputs.enumerated() {
                let shape = term.map { sizes[$0]! }
                let seed = UInt64(trial * 10 + i)
                operands.append(Bool.random(using: &rng)
                                ? Tensor.randomNormal(shape.reversed(), seed: seed).T
                                : Tensor.randomNormal(shape, seed: seed))
            }
            let used = Array(Set(inputs.flatMap { $0 })).sorted()
            let explicit = Bool.random(using: &rng)
            let output = explicit
                ? Array(used.shuffled(using: &rng).prefix(Int.random(in: 0...min(3, used.count), using: &rng)))
                : used.filter { c in inputs.flatMap { $0 }.filter { $0 == c }.count == 1 }
            let spec = inputs.map { String($0) }.joined(separator: ",") + (explicit ? "->" + String(output) : "")
            let result = try Tensor.einsum(spec, operands)
            let expected = naiveEinsum(inputs, output, operands, sizes: sizes)
            #expect(LinalgFixtures.close(result, expected, rtol: 1e-4, atol: 1e-4),
                    "\(spec) on \(operands.map(\.shape)): max error \(LinalgFixtures.maxError(result, expected))")
            let named = try Tensor.einsum(namedForm(inputs, explicit ? output : nil), operands)
            #expect(named.shape == result.shape && named.scalars == result.scalars, "named form of \(spec)")
        }
    }

    @Test func namedFormEqualsLetterForm() throws {
        let x = Tensor.randomNormal([2, 3, 4], seed: 1), w = Tensor.randomNormal([4, 5], seed: 2)
        let named = try Tensor.einsum("batch pos d_model, d_model vocab -> batch pos vocab", x, w)
        let letters = try Tensor.einsum("bpd,dv->bpv", x, w)
        #expect(named.shape == [2, 3, 5])
        #expect(named.scalars == letters.scalars)
        let implicitNamed = try Tensor.einsum("pos d_model, d_model vocab", x[0], w)
        #expect(implicitNamed.scalars == (try Tensor.einsum("pd,dv", x[0], w)).scalars)
    }

    @Test func diagonalAndTransposeAreViews() throws {
        let x = Tensor.randomNormal([4, 4], seed: 3)
        let diagonal = try Tensor.einsum("ii->i", x)
        #expect(diagonal.storage === x.storage)
        #expect(diagonal.scalars == (0..<4).map { x.value(at: [$0, $0]) })
        let transposed = try Tensor.einsum("ij->ji", x)
        #expect(transposed.storage === x.storage)
        #expect(transposed.scalars == x.T.contiguous().scalars)
    }

    @Test func acceptsNonFloatOperands() throws {
        let ids = Tensor(ints: [1, 2, 3, 4], shape: [2, 2])
        let result = try Tensor.einsum("ij,jk->ik", ids, Tensor.eye(2))
        #expect(result.dtype == .float32)
        #expect(result.scalars == [1, 2, 3, 4])
    }

    @Test(arguments: [
        ("ij,jk->ik", [[2, 3]], "2 operand terms but 1 tensors"),
        ("ij,jk->ik", [[2, 3], [4, 5]], "axis 'j' has size 3 in operand 0 but 4 in operand 1"),
        ("ij->ik", [[2, 3]], "output ('ik') names axis 'k' that no operand has"),
        ("i#->i", [[2, 3]], "operand 0 ('i#') has bad character '#'"),
        ("i.j->ij", [[2, 3]], "has bad character '.'"),
        ("ijk->i", [[2, 3]], "operand 0 has shape [2, 3] (rank 2) but its term names 3 axes"),
        ("...ijk->i", [[2, 3]], "(rank 2) but its term names 3 axes plus '...'"),
        ("ii->i", [[2, 3]], "operand 0 repeats axis 'i' with sizes 2 and 3"),
        ("ij->ii", [[2, 3]], "output ('ii') repeats axis 'i'"),
        ("i->i->i", [[2]], "more than one '->'"),
        ("ij->i,j", [[2, 3]], "cannot contain ','"),
        ("...i->i", [[2, 3, 4]], "the output has no '...'"),
        ("...i...->i", [[2, 3]], "operand 0 ('...i...') has more than one '...'"),
        ("batch pos, pos 2x -> batch", [[2, 3], [3, 4]], "operand 1 ('pos 2x') has bad axis name '2x'"),
        ("batch d_model -> batch vocab", [[2, 3]], "names axis 'vocab' that no operand has"),
        ("i,ij", [[2], [3, 4]], "axis 'i' has size 2 in operand 0 but 3 in operand 1"),
    ] as [(String, [[Int]], String)])
    func invalidSpecsThrowNamingTheProblem(spec: String, shapes: [[Int]], message: String) {
        let operands = shapes.map { Tensor.zeros($0) }
        do {
            _ = try Tensor.einsum(spec, operands)
            Issue.record("einsum \"\(spec)\" on \(shapes) did not throw")
        } catch let error as TensorError {
            guard case .invalidSpec(op: "einsum", spec: spec, reason: _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(error.description.contains(message), "\(error.description)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func noOperandsThrows() {
        #expect(throws: TensorError.invalidSpec(op: "einsum", spec: "->", reason: "no operands given")) {
            try Tensor.einsum("->", [Tensor]())
        }
    }
}
