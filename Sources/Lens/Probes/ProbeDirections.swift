/// Reading activations and weights in the basis of probe (or any) directions: the Othello-GPT workflow.
public enum ProbeDirections {
    /// `activations [..., d] · directions [d, k...]`: how far each activation points along each direction
    /// (`einsum("... d, d k -> ... k")`; the directions' trailing axes, e.g. `[d, rows, cols]`, are kept).
    public static func project(_ activations: Tensor, onto directions: Tensor) throws -> Tensor {
        guard directions.rank >= 2, activations.shape.last == directions.shape[0] else {
            throw LensError.invalidArgument("cannot project \(activations.shape) onto directions \(directions.shape) ([d, ...])")
        }
        let trailing = Array(directions.shape.dropFirst())
        let flat = activations.matmul(directions.reshaped([directions.shape[0], -1]))
        return flat.reshaped(Array(activations.shape.dropLast()) + trailing)
    }

    /// Directions `[d, ...]` scaled to unit length along `d` (zero directions stay zero).
    public static func normalized(_ directions: Tensor) -> Tensor {
        let lengths = directions.square().sum(axis: 0, keepDims: true).sqrt()
        return directions / Tensor.maximum(lengths, Tensor(scalar: 1e-30))
    }

    /// Cosine similarity of `vector [d]` with each direction of `directions [d, ...]`: `[...]`.
    public static func cosineSimilarities(_ vector: Tensor, _ directions: Tensor) throws -> Tensor {
        guard vector.rank == 1 else { throw LensError.invalidArgument("cosine similarities take one vector [d], got \(vector.shape)") }
        return try project(normalized(vector.unsqueezed(1)).squeezed([1]), onto: normalized(directions))
    }

    /// The share of `vector`'s squared length inside the span of the orthonormal columns of `basis [d, k]`:
    /// `Σ_k (v̂ · u_k)²` (1 when the vector lies in the subspace).
    public static func fractionInSubspace(_ vector: Tensor, basis: Tensor) throws -> Float {
        guard vector.rank == 1, basis.rank == 2 else {
            throw LensError.invalidArgument("fractionInSubspace takes a vector [d] and a basis [d, k], got \(vector.shape) and \(basis.shape)")
        }
        return try project(normalized(vector.unsqueezed(1)).squeezed([1]), onto: basis).square().sum().item()
    }
}

extension HookedTransformer {
    /// Cosine similarity of MLP neuron `neuron`'s input weights `W_in[layer][:, neuron]` with each
    /// direction of `directions [d_model, ...]`.
    public func neuronInputCosines(layer: Int, neuron: Int, directions: Tensor) throws -> Tensor {
        try ProbeDirections.cosineSimilarities(neuronWeights(layer, neuron).input, directions)
    }

    /// Cosine similarity of MLP neuron `neuron`'s output weights `W_out[layer][neuron]` with each direction
    /// of `directions [d_model, ...]`.
    public func neuronOutputCosines(layer: Int, neuron: Int, directions: Tensor) throws -> Tensor {
        try ProbeDirections.cosineSimilarities(neuronWeights(layer, neuron).output, directions)
    }

    /// Cosine similarity of MLP neuron `neuron`'s output weights with every unembedding direction
    /// `W_U[:, t]`: `[d_vocab_out]`.
    public func neuronUnembedCosines(layer: Int, neuron: Int) throws -> Tensor {
        try neuronOutputCosines(layer: layer, neuron: neuron, directions: unembed.W_U)
    }

    /// The input column and output row of one MLP neuron, `[d_model]` each.
    private func neuronWeights(_ layer: Int, _ neuron: Int) throws -> (input: Tensor, output: Tensor) {
        guard (0..<config.nLayers).contains(layer), let mlp = blocks[layer].mlp else {
            throw LensError.invalidArgument("layer \(layer) has no MLP")
        }
        guard (0..<mlp.W_in.shape[1]).contains(neuron) else {
            throw LensError.invalidArgument("neuron \(neuron) is outside d_mlp \(mlp.W_in.shape[1])")
        }
        return (mlp.W_in[.all, neuron].contiguous(), mlp.W_out[neuron].contiguous())
    }
}

/// Ranking neurons by the spread of their activations (Othello-GPT tutorial).
public enum NeuronRanking {
    /// Per-neuron standard deviation of `activations [..., n]` over every other axis (unbiased, as
    /// `torch.std`): `[n]`.
    public static func standardDeviation(_ activations: Tensor) throws -> Tensor {
        let rows = try flattenRows(activations)
        return rows.std(axes: [0], correction: 1)
    }

    /// Per-neuron kurtosis of `activations [..., n]` over every other axis:
    /// `mean(((x − μ) / σ)⁴) − 3·fisher` with the unbiased σ (the tutorial's `kurtosis`): `[n]`.
    public static func kurtosis(_ activations: Tensor, fisher: Bool = true) throws -> Tensor {
        let rows = try flattenRows(activations)
        let z = (rows - rows.mean(axis: 0, keepDims: true)) / rows.std(axes: [0], keepDims: true, correction: 1)
        return z.square().square().mean(axis: 0) - (fisher ? 3 : 0)
    }

    /// The `count` neurons with the largest `scores [n]`, largest first.
    public static func top(_ scores: Tensor, count: Int) throws -> [Int] {
        guard scores.rank == 1, count >= 0 else { throw LensError.invalidArgument("top neurons of scores \(scores.shape)") }
        return Array(scores.argsort(descending: true).intScalars.prefix(count))
    }

    private static func flattenRows(_ activations: Tensor) throws -> Tensor {
        guard activations.rank >= 2, activations.count / Swift.max(activations.shape.last!, 1) > 1 else {
            throw LensError.invalidArgument("neuron statistics need activations [..., n] with at least two rows, got \(activations.shape)")
        }
        return activations.reshaped([-1, activations.shape.last!])
    }
}
