import Foundation
import Lens
import Testing

/// `MemoryPlan` against what loading and caching really hold, on the stored-type and fp32 fixtures.
@Suite struct MemoryPlanTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models")

    /// Unprocessed stored weights are the checkpoint's data section exactly (the tied embedding counted once) plus
    /// the Float32 zero biases the converter adds (`b_O`, `b_in`, `b_out` of 2 layers, `b_U`: 2·(64+96+64)+233
    /// floats), and `.float32` doubles the BF16 part.
    @Test func weightBytesAreTheCheckpointsData() throws {
        let folder = Self.models.appendingPathComponent("stored/qwen2_bf16")
        let file = try Data(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let headerLength = file.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let stored = try MemoryPlan(folder: folder, processing: .none, precision: .stored, context: 7)
        let data = file.count - 8 - headerLength, zeroBiases = 4 * (2 * (64 + 96 + 64) + 233)
        #expect(stored.storedBytes == data + zeroBiases)
        #expect(stored.weightBytes == stored.storedBytes && stored.loadPeakBytes == stored.storedBytes)
        let wide = try MemoryPlan(folder: folder, processing: .none, precision: .float32, context: 7)
        #expect(wide.weightBytes == 2 * data + zeroBiases)
    }

    /// A full cache's estimate is the bytes `runWithCache` holds, for a rotary GQA model and a LayerNorm model.
    @Test(arguments: ["qwen2", "gpt2"])
    func cacheEstimateEqualsTheCache(name: String) throws {
        let folder = Self.models.appendingPathComponent(name)
        let model = try LensModel(pretrained: folder, processing: .none)
        let tokens = Tensor(ints: Array(repeating: 1, count: 2 * 7), shape: [2, 7])
        let (_, cache) = try model.runWithCache(tokens)
        let held = cache.makeIterator().reduce(0) { $0 + 4 * $1.activation.count }
        let plan = try MemoryPlan(folder: folder, processing: .none, batch: 2, context: 7, cache: .all)
        #expect(plan.cacheBytes == held)
        let selected = try MemoryPlan(folder: folder, processing: .none, batch: 2, context: 7,
                                      cache: .hooks(["hook_resid_post"]))
        #expect(selected.cacheBytes == 4 * 2 * 7 * model.config.dModel * model.config.nLayers)
    }

    /// A plan over budget throws needed vs available and names the cheaper variants, before anything is loaded.
    @Test func refusalSaysWhatFits() throws {
        let folder = Self.models.appendingPathComponent("stored/qwen2_bf16")
        let plan = try MemoryPlan(folder: folder, processing: .default, precision: .float32, batch: 4, context: 64,
                                  cache: .all)
        let budget = MemoryBudget(availableBytes: plan.peakBytes - 1)
        #expect(throws: MemoryPlanError.self) { try plan.check(budget: budget) }
        do { try plan.check(budget: budget) } catch let error as MemoryPlanError {
            let message = error.description
            #expect(message.contains("--weights stored") && message.contains("no cache") && message.contains("context of about"))
        }
        #expect(throws: Never.self) { try plan.check(budget: MemoryBudget(availableBytes: plan.peakBytes)) }
    }
}
