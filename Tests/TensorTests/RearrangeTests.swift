import Testing
@testable import Tensor

private struct RearrangeFixture: Decodable {
    struct Case: Decodable {
        let op: String
        let pattern: String
        let reduction: String?
        let sizes: [String: Int]
        let input: LinalgArray
        let result: LinalgArray
    }
    let cases: [Case]
}

@Suite struct RearrangeTests {
    /// Rearrange and repeat move values exactly; reductions of at most 48 float32 values use rtol 1e-5, atol 1e-5.
    @Test func matchesNumPyFixtures() throws {
        let fixture = try LinalgFixtures.load("rearrange.json", as: RearrangeFixture.self)
        #expect(fixture.cases.count >= 14)
        for c in fixture.cases {
            let x = c.input.tensor
            let result: Tensor
            switch c.op {
            case "rearrange": result = try x.rearrange(c.pattern, axes: c.sizes)
            case "repeat": result = try x.repeat(c.pattern, sizes: c.sizes)
            default: result = try x.reduce(c.pattern, try #require(EinopsReduction(rawValue: c.reduction ?? "")),
                                           sizes: c.sizes)
            }
            let expected = c.result.tensor
            if c.op == "reduce" {
                #expect(LinalgFixtures.close(result, expected, rtol: 1e-5, atol: 1e-5), "\(c.pattern)")
            } else {
                #expect(result.shape == expected.shape && result.scalars == expected.scalars, "\(c.pattern)")
            }
        }
    }

    @Test func transpositionAndSplitsAreViews() throws {
        let x = Tensor.randomNormal([2, 3, 4, 5], seed: 11)
        let t = try x.rearrange("b h w c -> b c h w")
        #expect(t.storage === x.storage)
        #expect(t.shape == [2, 5, 3, 4])
        let split = try x.rearrange("b h (w1 w2) c -> b h w1 w2 c", axes: ["w1": 2])
        #expect(split.storage === x.storage && split.shape == [2, 3, 2, 2, 5])
    }

    @Test func splitThenMergeRoundTrips() throws {
        let x = Tensor.randomNormal([3, 12, 2], seed: 12)
        let heads = try x.rearrange("b (h d) e -> e b h d", axes: ["d": 4])
        #expect(heads.shape == [2, 3, 3, 4])
        let back = try heads.rearrange("e b h d -> b (h d) e")
        #expect(back.scalars == x.scalars)
        let units = try x.rearrange("b n e -> 1 b () n e 1")
        #expect(units.shape == [1, 3, 1, 12, 2, 1] && units.scalars == x.scalars)
    }

    /// Tolerance 1e-5: means of 6 float32 values.
    @Test func repeatThenMeanReduceRestores() throws {
        let x = Tensor.randomNormal([4, 5], seed: 13)
        let tiled = try x.repeat("h w -> (r h) w k", sizes: ["r": 3, "k": 2])
        #expect(tiled.shape == [12, 5, 2])
        #expect(tiled.value(at: [9, 2, 1]) == x.value(at: [1, 2]))
        let restored = try tiled.reduce("(r h) w k -> h w", .mean, sizes: ["r": 3])
        #expect(LinalgFixtures.close(restored, x, rtol: 1e-5, atol: 1e-5))
        let maxima = try x.reduce("h w -> w", .max)
        #expect(maxima.scalars == (0..<5).map { j in (0..<4).map { x.value(at: [$0, j]) }.max()! })
    }

    @Test(arguments: [
        ("rearrange", "b h d", [:], "expected exactly one '->'"),
        ("rearrange", "b (h d) -> b h d", [:], "cannot infer sizes of 'h', 'd' in (h d)"),
        ("rearrange", "b (h d) -> b h d", ["h": 5], "cannot split an axis of size 12 into (h d): not a multiple of 5"),
        ("rearrange", "b (h d) -> b h d", ["h": 3, "d": 5], "axis (h d) has size 12 but its axes multiply to 15"),
        ("rearrange", "b h -> b", [:], "axis 'h' is on the left side but not the right"),
        ("rearrange", "b h -> b h c", [:], "axis 'c' is on the right side but not the left"),
        ("rearrange", "b h -> b (h 2)", [:], "axis '2' is on the right side but not the left"),
        ("rearrange", "b h w -> b h w", [:], "left side has 3 axis groups but the tensor has shape [3, 12]"),
        ("rearrange", "b h -> b h", ["q": 2], "size given for axis 'q' that the pattern does not use"),
        ("rearrange", "b (h d) -> b h d", ["h": 0], "size of axis 'h' must be positive, got 0"),
        ("rearrange", "b ((h) d) -> b h d", [:], "left side: nested parentheses"),
        ("rearrange", "b h) -> b h", [:], "left side: ')' without '('"),
        ("rearrange", "b (h -> b h", [:], "left side: '(' is never closed"),
        ("rearrange", "b h -> b h h", [:], "right side: axis 'h' appears twice"),
        ("rearrange", "b h -> b h*", [:], "right side: bad character '*'"),
        ("rearrange", "b 2h -> b h", [:], "left side: bad axis name '2h'"),
        ("rearrange", "b h -> ... b h", [:], "'...' is on the right side but not the left"),
        ("rearrange", "(b ...) -> b", [:], "'...' inside parentheses is not allowed on the left side"),
        ("rearrange", "b h () -> b h", [:], "left side has 3 axis groups"),
        ("repeat", "b h -> b h c", [:], "new axis 'c' needs a size"),
        ("repeat", "b h -> b", [:], "axis 'h' is on the left side but not the right"),
        ("reduce", "b h -> b c", [:], "axis 'c' is on the right side but not the left"),
    ] as [(String, String, [String: Int], String)])
    func invalidPatternsThrowNamingTheProblem(op: String, pattern: String, sizes: [String: Int], message: String) {
        let x = Tensor.zeros([3, 12])
        do {
            switch op {
            case "rearrange": _ = try x.rearrange(pattern, axes: sizes)
            case "repeat": _ = try x.repeat(pattern, sizes: sizes)
            default: _ = try x.reduce(pattern, .sum, sizes: sizes)
            }
            Issue.record("\(op) \"\(pattern)\" did not throw")
        } catch let error as TensorError {
            guard case .invalidSpec(op: op, spec: pattern, reason: _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(error.description.contains(message), "\(error.description)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
