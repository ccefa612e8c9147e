import Foundation
import Lens
import Testing

/// Probe fits against NumPy / SciPy (`Tests/Fixtures/lens/probes`, `Scripts/fixtures/lens_probes.py`), and the
/// direction and neuron-ranking helpers.
@Suite struct ProbeTests {
    let x: Tensor, t: Tensor, labels: [Int]
    let archive: NpzArchive
    let info: [String: Any]

    init() throws {
        archive = try NpzArchive(contentsOf: LensFixture.fixtures.appendingPathComponent("lens/probes/probes.npz").path)
        info = try LensFixture.json("probes/probes")
        x = try archive.tensor("X")
        t = try archive.tensor("t")
        labels = try archive.tensor("y").scalars.map { Int($0) }
    }

    /// Least squares on the 150 training rows matches `numpy.linalg.lstsq` within 1e-4; train and test MSE
    /// match too.
    @Test func leastSquaresMatchesNumPy() throws {
        let probe = try ProbeFitting.leastSquares(x[0..<150], targets: t[0..<150])
        #expect(scaledError(probe.weights.squeezed([1]), try archive.tensor("lstsq_w")) < 1e-4)
        let summary = info["least_squares"] as! [String: Any]
        #expect(abs(probe.bias.item() - (summary["b"] as! NSNumber).floatValue) < 1e-4)
        let trainMSE = try probe.meanSquaredError(x[0..<150], targets: t[0..<150])
        let testMSE = try probe.meanSquaredError(x[150..<200], targets: t[150..<200])
        #expect(abs(trainMSE - (summary["train_mse"] as! NSNumber).floatValue) < 1e-4)
        #expect(abs(testMSE - (summary["test_mse"] as! NSNumber).floatValue) < 1e-4)
        #expect(throws: LensError.self) { _ = try probe.accuracy(x, labels: labels) }
    }

    /// L2 logistic regression by L-BFGS matches SciPy's L-BFGS-B solution within 1e-4 (weights, bias,
    /// loss), with held-out accuracy equal to SciPy's.
    @Test func logisticMatchesSciPy() throws {
        let summary = info["logistic_regression"] as! [String: Any]
        let (probe, report) = try ProbeFitting.logistic(x[0..<150], labels: Array(labels[0..<150]), l2: 0.1)
        #expect(report.converged && report.gradientMaxAbs < 1e-8)
        #expect(scaledError(probe.weights.squeezed([1]), try archive.tensor("logreg_w")) < 1e-4)
        #expect(abs(probe.bias.item() - (summary["b"] as! NSNumber).floatValue) < 1e-4)
        #expect(abs(report.loss - (summary["loss"] as! NSNumber).doubleValue) < 1e-6)
        #expect(try probe.accuracy(x[0..<150], labels: Array(labels[0..<150])) == (summary["train_accuracy"] as! NSNumber).floatValue)
        #expect(try probe.accuracy(x[150..<200], labels: Array(labels[150..<200])) == (summary["test_accuracy"] as! NSNumber).floatValue)
    }

    /// Three classes (softmax): the fit is a minimum of the objective recomputed here (no coordinate step
    /// lowers it) and separates the classes.
    @Test func multinomialFitIsOptimal() throws {
        let scores = x.matmul(Tensor.randomNormal([16, 3], seed: 5)).contiguous().scalars
        let classes = (0..<200).map { i in (0..<3).max { scores[i * 3 + $0] < scores[i * 3 + $1] }! }
        let l2 = 0.05
        let (probe, report) = try ProbeFitting.logistic(x, labels: classes, classes: 3, l2: l2)
        #expect(probe.kind == .multiclass(classes: 3) && report.converged)
        let rows = x.scalars.map(Double.init)
        func loss(_ w: [Double], _ b: [Double]) -> Double {
            var total = 0.0
            for i in 0..<200 {
                let z = (0..<3).map { c in (0..<16).reduce(b[c]) { $0 + rows[i * 16 + $1] * w[$1 * 3 + c] } }
                let top = z.max()!
                total += top + log(z.map { exp($0 - top) }.reduce(0, +)) - z[classes[i]]
            }
            return total / 200 + 0.5 * l2 * w.reduce(0) { $0 + $1 * $1 }
        }
        let w = probe.weights.scalars.map(Double.init), b = probe.bias.scalars.map(Double.init)
        let best = loss(w, b)
        #expect(abs(best - report.loss) < 1e-6)
        for j in stride(from: 0, to: 48, by: 7) {
            for step in [-1e-3, 1e-3] {
                var moved = w
                moved[j] += step
                #expect(loss(moved, b) > best - 1e-9)
            }
        }
        #expect(try probe.accuracy(x, labels: classes) > 0.9)
        #expect(throws: LensError.self) { _ = try ProbeFitting.logistic(x, labels: classes, classes: 2) }
        #expect(throws: LensError.self) { _ = try ProbeFitting.logistic(x, labels: Array(classes.prefix(5))) }
    }

    /// Projections, cosine similarities, subspace fractions; neuron weight cosines equal the cosine of
    /// the weight vectors; kurtosis and std of a known sample.
    @Test func directionsAndNeuronRankings() throws {
        let directions = Tensor.randomNormal([16, 2, 3], seed: 9)
        let projected = try ProbeDirections.project(x[0..<4], onto: directions)
        #expect(projected.shape == [4, 2, 3])
        #expect(abs(projected.value(at: [1, 1, 2]) - (x[1] * directions[.all, 1, 2]).sum().item()) < 1e-4)
        let v = x[7].contiguous()
        let cosines = try ProbeDirections.cosineSimilarities(v, directions)
        let d = directions[.all, 0, 1]
        let expected = (v * d).sum().item() / ((v * v).sum().sqrt().item() * (d * d).sum().sqrt().item())
        #expect(abs(cosines.value(at: [0, 1]) - expected) < 1e-5)
        let basis = Tensor.eye(16)[.all, 0..<4]
        let fraction = try ProbeDirections.fractionInSubspace(v, basis: basis)
        let head = v[0..<4].square().sum().item() / v.square().sum().item()
        #expect(abs(fraction - head) < 1e-5)

        let model = try LensFixture.model("gpt2", processed: true)
        let inputCos = try model.neuronInputCosines(layer: 1, neuron: 3, directions: model.W_U[.all, 0..<5])
        let win = try model.W_in[1, .all, 3], wu = model.W_U[.all, 2]
        let direct = (win * wu).sum().item() / ((win * win).sum().sqrt().item() * (wu * wu).sum().sqrt().item())
        #expect(abs(inputCos.value(at: [2]) - direct) < 1e-5)
        let unembed = try model.neuronUnembedCosines(layer: 0, neuron: 1)
        let viaOutput = try model.neuronOutputCosines(layer: 0, neuron: 1, directions: model.W_U)
        #expect(unembed.shape == [model.config.dVocabOut] && scaledError(unembed, viaOutput) == 0)
        #expect(throws: LensError.self) { _ = try model.neuronInputCosines(layer: 0, neuron: 999, directions: model.W_U) }

        // Column 0: ±1 (kurtosis (3/4)² − 3 = −2.4375, std √(4/3)); column 1: one outlier among zeros.
        let sample = Tensor([1, 0, -1, 0, 1, 0, -1, 8], shape: [2, 2, 2])
        let k = try NeuronRanking.kurtosis(sample)
        #expect(abs(k.value(at: [0]) + 2.4375) < 1e-5)
        #expect(abs(try NeuronRanking.standardDeviation(sample).value(at: [0]) - (4.0 / 3.0).squareRoot()) < 1e-5)
        #expect(try NeuronRanking.top(k, count: 1) == [1])
        #expect(throws: LensError.self) { _ = try NeuronRanking.kurtosis(Tensor([1, 2], shape: [1, 2])) }
    }
}
