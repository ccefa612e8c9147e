import Testing
@testable import NN

/// A vocabulary that gives one id to two tokens, or one token twice, is ambiguous: a typed error naming the field.
@Suite struct TokenizerVocabularyTests {
    static func json(_ vocab: String, added: String = "[]") -> [UInt8] {
        Array(#"{"model": {"type": "BPE", "vocab": \#(vocab), "merges": []}, "added_tokens": \#(added)}"#.utf8)
    }

    @Test func duplicateIdsAndTokens() throws {
        _ = try Tokenizer(json: Self.json(#"{"a": 0, "b": 1}"#))
        #expect(throws: TokenizerError.invalidField("model.vocab.b", reason: #"id 0 is already the id of "a""#)) {
            try Tokenizer(json: Self.json(#"{"a": 0, "b": 0}"#))
        }
        #expect(throws: TokenizerError.invalidField("model.vocab.a", reason: "the token appears twice")) {
            try Tokenizer(json: Self.json(#"{"a": 0, "a": 1}"#))
        }
        #expect(throws: TokenizerError.idOutOfRange(field: "added_tokens[0].id", id: 1_000_000_000, limit: 3)) {
            try Tokenizer(json: Self.json(#"{"a": 0, "b": 1}"#, added: #"[{"id": 1000000000, "content": "<s>", "special": true}]"#))
        }
        #expect(throws: TokenizerError.invalidField("tokenizer_config.bos_token", reason: #"names "<s>", which is not a token of tokenizer.json"#)) {
            try Tokenizer(json: Self.json(#"{"a": 0, "b": 1}"#), config: Array(#"{"bos_token": "<s>"}"#.utf8))
        }
    }
}
