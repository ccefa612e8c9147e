import Foundation
import Testing
@testable import Lens

/// Hostile SAELens configs: an absurd `k` once trapped in `topk` at the first forward; it is now refused with the
/// field named when the config is read (the fuzz-sae seed `hostile-k-negative.json`).
@Suite struct SAEConfigHostileTests {
    static func message(_ json: String) -> String? {
        do { _ = try SAEConfig(json: Data(json.utf8), file: "cfg.json"); return nil } catch { return "\(error)" }
    }

    @Test("the SAE config on which the fuzzer's hostile seed trapped is a typed error")
    func fuzzRegression() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz/sae/k-negative.json")
        #expect(throws: SAEError.self) { try SAEConfig(json: Data(contentsOf: url), file: url.path) }
    }

    @Test func absurdFields() {
        #expect(Self.message(#"{"d_in": 16, "d_sae": 32, "activation_fn_str": "topk", "activation_fn_kwargs": {"k": -5}}"#)?
            .contains("activation_fn_kwargs.k") == true)
        #expect(Self.message(#"{"architecture": "topk", "d_in": 16, "d_sae": 32, "k": 1000000000000}"#)?.contains("\"k\"") == true)
        #expect(Self.message(#"{"architecture": "topk", "d_in": 16, "d_sae": 32, "k": 40}"#)?.contains("more than d_sae") == true)
        #expect(Self.message(#"{"d_in": 16, "d_sae": 4611686018427387904}"#)?.contains("d_sae") == true)
        #expect(Self.message(#"{"d_in": 16.5, "d_sae": 32}"#)?.contains("d_in") == true)
        #expect(Self.message(#"[1]"#)?.contains("not a JSON object") == true)
        #expect(Self.message(#"{"architecture": "topk", "d_in": 16, "d_sae": 32, "k": 4}"#) == nil)
    }
}
