import Testing
@testable import Tensor

/// Softmax, normalization and rotary against PyTorch / Hugging Face (`Scripts/fixtures/tensor_kernels.py`).
@Suite struct KernelFixtureTests {
    let fixture: KernelFixture

    init() throws { fixture = try KernelFixture.load() }

    /// Against `torch.softmax`, `torch.log_softmax`, `torch.logsumexp` on every axis, special-value rows and a
    /// 1003-wide row: softmax within `1e-6·|r|`, the logs within `1e-6·(1 + |r|)`; NaN exactly where PyTorch has it.
    @Test func softmaxFamilyMatchesPyTorch() {
        for c in fixture.softmax {
            let x = c.x.tensor
            let a = kernelMismatch(x.softmax(axis: c.axis), c.softmax.tensor, rtol: 1e-6, atol: 0)
            #expect(a == nil, "softmax \(c.name): \(a ?? "")")
            let b = kernelMismatch(x.logSoftmax(axis: c.axis), c.logSoftmax.tensor, rtol: 1e-6, atol: 1e-6)
            #expect(b == nil, "logSoftmax \(c.name): \(b ?? "")")
            let d = kernelMismatch(x.logsumexp(axis: c.axis), c.logsumexp.tensor, rtol: 1e-6, atol: 1e-6)
            #expect(d == nil, "logsumexp \(c.name): \(d ?? "")")
        }
    }

    /// Against the float64 evaluation of TransformerLens's formula within 2.4e-7 (2 ulp) and its float32 scale
    /// within 2.4e-7 relative; against `F.layer_norm` (float32) within 1e-6 — except the "offset" case
    /// (mean 50, σ 2), where float32 PyTorch itself is 2.2e-6 from the float64 result (TransformerLens's float32
    /// formula 3.5e-6) and 3e-6 is allowed.
    @Test func layerNormMatchesPyTorch() {
        for c in fixture.layerNorm {
            let x = c.x.tensor
            let (normalized, scale) = x.layerNormalized(eps: c.eps)
            let affine = x.layerNormalized(eps: c.eps, weight: c.weight.tensor, bias: c.bias.tensor).normalized
            let torchTolerance: Float = c.name == "offset" ? 3e-6 : 1e-6
            let exact = kernelMismatch(normalized, c.exact.tensor, rtol: 2.4e-7, atol: 2.4e-7)
            #expect(exact == nil, "\(c.name) vs float64: \(exact ?? "")")
            let torch = kernelMismatch(normalized, c.normalized.tensor, rtol: 1e-6, atol: torchTolerance)
            #expect(torch == nil, "\(c.name) vs F.layer_norm: \(torch ?? "")")
            let withAffine = kernelMismatch(affine, c.affine.tensor, rtol: 1e-6, atol: torchTolerance)
            #expect(withAffine == nil, "\(c.name) affine vs F.layer_norm: \(withAffine ?? "")")
            let s = kernelMismatch(scale, c.scale.tensor, rtol: 2.4e-7, atol: 0)
            #expect(s == nil, "\(c.name) scale: \(s ?? "")")
        }
    }

    /// Against `F.rms_norm` (with and without weight) within `1e-6·(1 + |r|)`; scale within 2.4e-7 relative.
    @Test func rmsNormMatchesPyTorch() {
        for c in fixture.rmsNorm {
            let x = c.x.tensor
            let (normalized, scale) = x.rmsNormalized(eps: c.eps)
            let weighted = x.rmsNormalized(eps: c.eps, weight: c.weight.tensor).normalized
            let a = kernelMismatch(normalized, c.normalized.tensor, rtol: 1e-6, atol: 1e-6)
            #expect(a == nil, "\(c.name): \(a ?? "")")
            let b = kernelMismatch(weighted, c.weighted.tensor, rtol: 1e-6, atol: 1e-6)
            #expect(b == nil, "\(c.name) weighted: \(b ?? "")")
            let s = kernelMismatch(scale, c.scale.tensor, rtol: 2.4e-7, atol: 0)
            #expect(s == nil, "\(c.name) scale: \(s ?? "")")
        }
    }

    /// Against HF's GPT-NeoX (partial rotary), Llama and GPT-J `apply_rotary_pos_emb`: the same products and
    /// sums, so within 1e-7 (bit-identical on the reference machine).
    @Test func rotaryMatchesHuggingFace() {
        for c in fixture.rotary {
            let y = c.x.tensor.applyingRotary(cos: c.cos.tensor, sin: c.sin.tensor, rotaryDim: c.rotaryDim,
                                              adjacentPairs: c.adjacentPairs)
            let m = kernelMismatch(y, c.expected.tensor, rtol: 0, atol: 1e-7)
            #expect(m == nil, "\(c.name): \(m ?? "")")
        }
    }

    /// Against HF's default RoPE tables and TransformerLens's own (`calculate_sin_cos_rotary`): `inv_freq`
    /// within 1 ulp of HF (PyTorch's vectorised float pow is not always correctly rounded), cos/sin within
    /// `1e-7 + 2.4e-7·angle` (what a 1–2 ulp error in the frequency does to the angle; observed here: ≤ 6e-8).
    @Test func rotaryTablesMatchHuggingFaceAndTransformerLens() {
        for c in fixture.rotaryTables {
            let inverse = Tensor.rotaryInverseFrequencies(rotaryDim: c.rotaryDim, base: c.base)
            let worst = zip(inverse, c.invFreq.data).map { Swift.abs($0 - $1) / $1.ulp }.max() ?? 0
            #expect(worst <= 1, "\(c.name): inv_freq off by \(worst) ulp")
            let half = c.rotaryDim / 2
            let hf = Tensor.rotaryTables(positions: c.positions, rotaryDim: c.rotaryDim, base: c.base)
            let tl = Tensor.rotaryTables(positions: c.positions, rotaryDim: c.rotaryDim, base: c.base,
                                         angles: .transformerLens)
            let checks = [(hf.cos, c.cos, "HF cos"), (hf.sin, c.sin, "HF sin"),
                          (tl.cos, c.transformerLensCos, "TL cos"), (tl.sin, c.transformerLensSin, "TL sin")]
            for (table, expected, label) in checks {
                #expect(table.shape == expected.shape, "\(c.name) \(label) shape")
                let got = table.scalars
                let bad = got.indices.first { i in
                    let angle = Float(c.positions[i / half]) * c.invFreq.data[i % half]
                    return Swift.abs(got[i] - expected.data[i]) > 1e-7 + 2.4e-7 * angle
                }
                #expect(bad == nil, "\(c.name) \(label)[\(bad ?? 0)]: \(got[bad ?? 0]) vs \(expected.data[bad ?? 0])")
            }
            let spread = zip(hf.cos.scalars, tl.cos.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
            #expect(c.positions.max()! < 1000 || spread > 1e-6, "\(c.name): the two conventions should differ")
        }
    }
}
