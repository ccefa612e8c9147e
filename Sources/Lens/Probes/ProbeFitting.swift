import Foundation

/// Fitting linear probes on cached activations: least squares and L2-regularised logistic regression
/// (hand-written gradient, L-BFGS), no autograd.
public enum ProbeFitting {
    /// The least-squares probe `min_{w,b} Σᵢ ‖xᵢ w + b − tᵢ‖²` (LAPACK `gelsd` on `[x, 1]`, the minimum-norm
    /// solution when rank-deficient, like `numpy.linalg.lstsq`). `x` is `[N, d]`, `targets` `[N]` or `[N, k]`.
    public static func leastSquares(_ x: Tensor, targets: Tensor, fitIntercept: Bool = true) throws -> LinearProbe {
        guard x.rank == 2, targets.rank == 1 || targets.rank == 2, targets.shape[0] == x.shape[0], x.shape[0] > 0 else {
            throw LensError.invalidArgument("leastSquares takes x [N, d] and targets [N] or [N, k], got \(x.shape) and \(targets.shape)")
        }
        let design = fitIntercept ? Tensor.concat([x.converted(to: .float32), Tensor.ones([x.shape[0], 1])], axis: 1) : x
        let rhs = targets.rank == 1 ? targets.unsqueezed(1) : targets
        let solution = try design.lstsq(rhs.converted(to: .float32))
        let d = x.shape[1]
        let weights = solution[0..<d].contiguous()
        let bias = fitIntercept ? solution[d].contiguous() : Tensor(zeros: [rhs.shape[1]])
        return try LinearProbe(weights: weights, bias: bias, kind: .regression)
    }

    /// How a logistic fit ended.
    public struct Report: Sendable {
        /// The objective at the solution.
        public let loss: Double
        /// `max |∇|` at the solution.
        public let gradientMaxAbs: Double
        /// L-BFGS iterations.
        public let iterations: Int
        /// Whether the gradient tolerance (or a stall with a gradient below 1e-6) was reached.
        public let converged: Bool
    }

    /// L2-regularised logistic regression on `x` (`[N, d]`) and integer `labels` (`0..<classes`):
    ///
    /// two classes: `min_{w,b} meanᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ] + (l2/2)‖w‖²`, `z = x w + b`;
    /// more: `min_{W,b} meanᵢ [logsumexp(zᵢ) − zᵢ,yᵢ] + (l2/2)‖W‖²_F`, `z = x W + b`.
    /// The bias is not penalised. Solved in double precision by L-BFGS from zero until `max |∇| ≤
    /// gradientTolerance` (or the objective stops decreasing).
    public static func logistic(_ x: Tensor, labels: [Int], classes: Int = 2, l2: Double = 0,
                                gradientTolerance: Double = 1e-10, maxIterations: Int = 10_000) throws
        -> (probe: LinearProbe, report: Report) {
        guard x.rank == 2, x.shape[0] == labels.count, !labels.isEmpty, classes >= 2, l2 >= 0 else {
            throw LensError.invalidArgument("logistic takes x [N, d] with one label per row and ≥ 2 classes, got \(x.shape) and \(labels.count) labels")
        }
        if let bad = labels.first(where: { !(0..<classes).contains($0) }) {
            throw LensError.invalidArgument("label \(bad) is outside 0..<\(classes)")
        }
        let objective = LogisticObjective(x: x, labels: labels, outputs: classes == 2 ? 1 : classes, l2: l2)
        let solver = LBFGS(maxIterations: maxIterations, gradientTolerance: gradientTolerance)
        let result = solver.minimize(from: [Double](repeating: 0, count: objective.parameterCount), objective.evaluate)
        let (weights, bias) = objective.unpack(result.x)
        let probe = try LinearProbe(weights: weights, bias: bias, kind: classes == 2 ? .binary : .multiclass(classes: classes))
        let gradient = result.gradient.reduce(0) { Swift.max($0, Swift.abs($1)) }
        return (probe, Report(loss: result.value, gradientMaxAbs: gradient, iterations: result.iterations,
                              converged: result.converged))
    }
}

/// The logistic objective and its gradient over rows held in double precision. Parameters are laid out
/// output-major: `θ = [w_0 (d), …, w_{k−1} (d), b_0 … b_{k−1}]`.
struct LogisticObjective {
    let rows: Int
    let d: Int
    let outputs: Int
    let l2: Double
    private let x: [Double]
    private let labels: [Int]

    init(x: Tensor, labels: [Int], outputs: Int, l2: Double) {
        (rows, d, self.outputs, self.l2, self.labels) = (x.shape[0], x.shape[1], outputs, l2, labels)
        self.x = x.contiguous().scalars.map(Double.init)
    }

    var parameterCount: Int { outputs * (d + 1) }

    /// Loss and gradient at `theta`.
    func evaluate(_ theta: [Double]) -> (Double, [Double]) {
        var gradient = [Double](repeating: 0, count: theta.count)
        var loss = 0.0
        var z = [Double](repeating: 0, count: outputs)
        theta.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { rowsBuffer in
                for i in 0..<rows {
                    let row = rowsBuffer.baseAddress! + i * d
                    // z_c = x_i · w_c + b_c
                    for c in 0..<outputs { z[c] = dotProduct(row, w.baseAddress! + c * d, d) + w[outputs * d + c] }
                    let (rowLoss, residual) = outputs == 1 ? binary(z[0], labels[i]) : softmax(z, labels[i])
                    loss += rowLoss
                    // ∂/∂w_c += r_c x_i, ∂/∂b_c += r_c
                    for c in 0..<outputs where residual[c] != 0 {
                        let r = residual[c]
                        gradient.withUnsafeMutableBufferPointer { g in
                            let target = g.baseAddress! + c * d
                            for j in 0..<d { target[j] += r * row[j] }
                            g[outputs * d + c] += r
                        }
                    }
                }
            }
        }
        let n = Double(rows)
        loss /= n
        for j in gradient.indices { gradient[j] /= n }
        // + (l2/2)‖W‖², gradient + l2 W (the bias is not penalised)
        for j in 0..<(outputs * d) {
            loss += 0.5 * l2 * theta[j] * theta[j]
            gradient[j] += l2 * theta[j]
        }
        return (loss, gradient)
    }

    /// `softplus(z) − y z` and its derivative `σ(z) − y`, computed stably.
    private func binary(_ z: Double, _ label: Int) -> (Double, [Double]) {
        let y = Double(label)
        let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
        let sigmoid = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
        return (softplus - y * z, [sigmoid - y])
    }

    /// `logsumexp(z) − z_y` and its gradient `softmax(z) − onehot(y)`.
    private func softmax(_ z: [Double], _ label: Int) -> (Double, [Double]) {
        let top = z.max()!
        let exps = z.map { exp($0 - top) }
        let total = exps.reduce(0, +)
        var residual = exps.map { $0 / total }
        residual[label] -= 1
        return (top + log(total) - z[label], residual)
    }

    /// Weights `[d, outputs]` and bias `[outputs]` of a parameter vector.
    func unpack(_ theta: [Double]) -> (Tensor, Tensor) {
        var weights = [Float](repeating: 0, count: d * outputs)
        for c in 0..<outputs { for j in 0..<d { weights[j * outputs + c] = Float(theta[c * d + j]) } }
        return (Tensor(weights, shape: [d, outputs]), Tensor(theta[(outputs * d)...].map(Float.init), shape: [outputs]))
    }
}

/// `Σ_{j<n} a[j] b[j]` with four independent accumulators.
private func dotProduct(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var acc = SIMD4<Double>(repeating: 0)
    var j = 0
    while j + 4 <= n {
        acc = acc + SIMD4(a[j], a[j + 1], a[j + 2], a[j + 3]) * SIMD4(b[j], b[j + 1], b[j + 2], b[j + 3])
        j += 4
    }
    var total = acc.sum()
    while j < n { total += a[j] * b[j]; j += 1 }
    return total
}
