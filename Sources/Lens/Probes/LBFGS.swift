/// Limited-memory BFGS in double precision for smooth unconstrained minimisation (the solver behind the
/// logistic probes): two-loop recursion over the last `memory` steps, backtracking (Armijo) line search.
struct LBFGS {
    /// Pairs of steps kept.
    var memory = 10
    /// Iteration limit.
    var maxIterations = 10_000
    /// Stop when `max |∇f| ≤ gradientTolerance`.
    var gradientTolerance = 1e-10
    /// Stop when `(f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ functionTolerance` (SciPy's `ftol`).
    var functionTolerance = 1e-15

    /// The result of a minimisation.
    struct Result {
        var x: [Double]
        var value: Double
        var gradient: [Double]
        var iterations: Int
        var converged: Bool
    }

    /// Minimises `f` (value and gradient) from `start`.
    func minimize(from start: [Double], _ f: ([Double]) -> (Double, [Double])) -> Result {
        var x = start
        var (value, gradient) = f(x)
        var steps: [[Double]] = [], changes: [[Double]] = [], curvatures: [Double] = []
        for iteration in 0..<maxIterations {
            if maxAbs(gradient) <= gradientTolerance {
                return Result(x: x, value: value, gradient: gradient, iterations: iteration, converged: true)
            }
            var direction = descentDirection(gradient, steps, changes, curvatures)
            var slope = dot(direction, gradient)
            if slope >= 0 {
                // Not a descent direction (lost curvature information): restart from steepest descent.
                (steps, changes, curvatures) = ([], [], [])
                direction = gradient.map { -$0 }
                slope = dot(direction, gradient)
            }
            // The first step of steepest descent is scaled to unit length.
            var alpha = steps.isEmpty ? Swift.min(1, 1 / Swift.max(norm(gradient), 1e-300)) : 1
            var candidate = x, next = (value, gradient)
            var accepted = false
            for _ in 0..<60 {
                candidate = zip(x, direction).map { $0 + alpha * $1 }
                next = f(candidate)
                // Armijo: f(x + αd) ≤ f(x) + 1e-4 α ∇f·d
                if next.0 <= value + 1e-4 * alpha * slope { accepted = true; break }
                alpha *= 0.5
            }
            guard accepted else {
                return Result(x: x, value: value, gradient: gradient, iterations: iteration, converged: maxAbs(gradient) <= 1e-6)
            }
            let s = zip(candidate, x).map { $0 - $1 }, y = zip(next.1, gradient).map { $0 - $1 }
            let sy = dot(s, y)
            if sy > 1e-12 * norm(s) * norm(y) {
                steps.append(s)
                changes.append(y)
                curvatures.append(1 / sy)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
            }
            let reduction = (value - next.0) / Swift.max(Swift.abs(value), Swift.abs(next.0), 1)
            (x, value, gradient) = (candidate, next.0, next.1)
            if reduction <= functionTolerance {
                return Result(x: x, value: value, gradient: gradient, iterations: iteration + 1,
                              converged: maxAbs(gradient) <= 1e-6)
            }
        }
        return Result(x: x, value: value, gradient: gradient, iterations: maxIterations, converged: maxAbs(gradient) <= gradientTolerance)
    }

    /// `−H ∇f` with H the L-BFGS inverse-Hessian estimate (two-loop recursion, initial scale sᵀy / yᵀy).
    private func descentDirection(_ gradient: [Double], _ steps: [[Double]], _ changes: [[Double]],
                                  _ curvatures: [Double]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for i in steps.indices.reversed() {
            alphas[i] = curvatures[i] * dot(steps[i], q)
            for j in q.indices { q[j] -= alphas[i] * changes[i][j] }
        }
        if let s = steps.last, let y = changes.last {
            let scale = dot(s, y) / dot(y, y)
            for j in q.indices { q[j] *= scale }
        }
        for i in steps.indices {
            let beta = curvatures[i] * dot(changes[i], q)
            for j in q.indices { q[j] += (alphas[i] - beta) * steps[i][j] }
        }
        return q.map { -$0 }
    }
}

/// `Σ aᵢ bᵢ`.
private func dot(_ a: [Double], _ b: [Double]) -> Double {
    var total = 0.0
    for i in a.indices { total += a[i] * b[i] }
    return total
}

/// `‖a‖₂`.
private func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

/// `max |aᵢ|`.
private func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { Swift.max($0, Swift.abs($1)) } }
