extension Rotary {
    /// The gradient before rotation from the gradient after it: each pair turned by `−p·f_i`, since the rotation
    /// `R(θ)` is orthogonal and `R(θ)ᵀ = R(−θ)`; features past `rotaryDim` pass through. Same tables and shapes as
    /// `apply`.
    func backward(_ g: Tensor, cos: Tensor, sin: Tensor) -> Tensor {
        apply(g, cos: cos, sin: sin * -1)
    }
}
