import Foundation
import Testing
@testable import NN

/// Inputs on which a fuzz target once crashed (`Tests/Fixtures/fuzz/config/`, see docs/HARDENING.md): each must
/// now be a thrown error from both config readers, as the `config` harness calls them.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz/config")

    @Test("config crashes found by fuzzing are typed errors", arguments: ["head-dim-int-max.json"])
    func configCrashes(file: String) throws {
        let url = Self.folder.appendingPathComponent(file)
        #expect(throws: ModelConfigError.self) { try ModelConfig(huggingFace: url) }
        #expect(throws: ModelConfigError.self) { try ModelConfig(transformerLens: url) }
    }
}
