import Foundation

/// The Hugging Face architectures a `config.json` can describe, by `model_type`.
public enum HuggingFaceArchitecture: String, Sendable, CaseIterable {
    /// GPT-2 (`GPT2LMHeadModel`).
    case gpt2
    /// GPT-NeoX and Pythia (`GPTNeoXForCausalLM`).
    case gptNeoX = "gpt_neox"
    /// Llama 1, 2 and 3 (`LlamaForCausalLM`).
    case llama
    /// Mistral (`MistralForCausalLM`).
    case mistral
    /// Qwen2 and Qwen2.5 (`Qwen2ForCausalLM`).
    case qwen2
    /// Qwen3 (`Qwen3ForCausalLM`).
    case qwen3
    /// Gemma (`GemmaForCausalLM`).
    case gemma
    /// Gemma 2 (`Gemma2ForCausalLM`).
    case gemma2
    /// Phi-1, Phi-1.5 and Phi-2 (`PhiForCausalLM`).
    case phi
    /// GPT-J (`GPTJForCausalLM`).
    case gptj
    /// OPT, pre-norm variants (`OPTForCausalLM`).
    case opt

    /// Every supported `model_type`, in declaration order.
    public static var supportedModelTypes: [String] { allCases.map(\.rawValue) }
}

/// What a Hugging Face `config.json` says about a checkpoint: the TransformerLens-style configuration
/// plus the facts the weight converter needs.
struct HuggingFaceDescription {
    /// The architecture family.
    let architecture: HuggingFaceArchitecture
    /// The model configuration.
    let config: ModelConfig
    /// The output embedding is the input embedding (`tie_word_embeddings`).
    let tieWordEmbeddings: Bool
    /// The attention projections carry biases (`attention_bias`; OPT's `enable_bias` covers every linear layer).
    let attentionBias: Bool

    /// Parses `config.json` at `url` (a file, or a folder holding `config.json`).
    init(contentsOf url: URL) throws {
        let file = try Self.configFile(url)
        let json = try JSONFields(JSONValue.read(file), file: file.path)
        let type = try json.string("model_type")
        guard let architecture = HuggingFaceArchitecture(rawValue: type) else {
            throw ModelConfigError.unsupportedModelType(type, supported: HuggingFaceArchitecture.supportedModelTypes,
                                                        file: file.path)
        }
        self.architecture = architecture
        var config: ModelConfig
        do {
            switch architecture {
            case .gpt2: config = try Self.gpt2(json)
            case .gptNeoX: config = try Self.gptNeoX(json)
            case .gptj: config = try Self.gptj(json)
            case .opt: config = try Self.opt(json)
            case .phi: config = try Self.phi(json)
            case .llama, .mistral, .qwen2, .qwen3: config = try Self.llamaFamily(json, architecture)
            case .gemma, .gemma2: config = try Self.gemma(json, architecture)
            }
            config.originalArchitecture = try json.optionalStrings("architectures")?.first
            config.bosTokenID = try json.optionalInt("bos_token_id")
            config.eosTokenIDs = try json.ints("eos_token_id")
            config.padTokenID = try json.optionalInt("pad_token_id")
            config.modelName = try json.optionalString("_name_or_path").flatMap { $0.isEmpty ? nil : $0 }
            try config.validate()
        } catch ModelConfigError.invalidField(let field, "ModelConfig", let reason) {
            throw ModelConfigError.invalidField(field, file: file.path, reason: reason)
        }
        self.config = config
        let tiedByDefault = [.gpt2, .gemma, .gemma2, .opt].contains(architecture)
        tieWordEmbeddings = try json.bool("tie_word_embeddings", default: tiedByDefault)
        switch architecture {
        case .qwen2, .gpt2, .phi: attentionBias = true
        case .gptj, .mistral: attentionBias = false
        case .gptNeoX: attentionBias = try json.bool("attention_bias", default: true)
        case .opt: attentionBias = try json.bool("enable_bias", default: true)
        case .llama, .qwen3, .gemma, .gemma2: attentionBias = try json.bool("attention_bias", default: false)
        }
    }

    /// `url` itself when it names a file, else `url/config.json` (which must stay inside the folder).
    static func configFile(_ url: URL) throws -> URL {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: try FolderContainment(folder: url.path).path(of: "config.json", what: "the model folder"))
        }
        return url
    }

    /// `a / b` when `b` divides `a`, else an error naming both fields.
    static func quotient(_ json: JSONFields, _ a: String, _ b: String) throws -> Int {
        let x = try json.int(a), y = try json.int(b)
        guard y > 0, x % y == 0 else {
            throw ModelConfigError.invalidField(b, file: json.file, reason: "\(y) does not divide \(a) = \(x)")
        }
        return x / y
    }

    /// `4 * json[key]`, the default MLP width of GPT-2 and GPT-J, or an error when it overflows.
    static func fourTimes(_ json: JSONFields, _ key: String) throws -> Int {
        let d = try json.int(key)
        guard let m = CheckedSize.product([4, d]) else {
            throw ModelConfigError.invalidField(key, file: json.file, reason: "\(d) is not a width (4 * \(key) overflows)")
        }
        return m
    }

    /// The activation named by `key`, or an error listing the supported ones.
    static func activation(_ json: JSONFields, _ key: String) throws -> ActivationFunction {
        let name = try json.string(key)
        guard let act = ActivationFunction(huggingFace: name) else {
            let names = ActivationFunction.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelConfigError.unsupportedSetting(key, file: json.file, reason: "\"\(name)\" (supported: \(names))")
        }
        return act
    }

    /// Throws when a boolean flag has a value this library does not implement.
    static func require(_ json: JSONFields, _ key: String, is expected: Bool, default value: Bool) throws {
        let actual = try json.bool(key, default: value)
        if actual != expected {
            throw ModelConfigError.unsupportedSetting(key, file: json.file, reason: "only \(expected) is supported")
        }
    }
}

extension ModelConfig {
    /// Reads a Hugging Face `config.json` (`url` is the file or its folder) for GPT-2, GPT-NeoX/Pythia,
    /// Llama 1/2/3, Mistral, Qwen2/2.5, Qwen3, Gemma, Gemma 2, Phi (`phi`), GPT-J or OPT, with the
    /// conventions TransformerLens uses for each. Throws `ModelConfigError` naming the file and field
    /// for an unknown `model_type` (listing the supported ones) or a missing or ill-typed field.
    public init(huggingFace url: URL) throws {
        self = try HuggingFaceDescription(contentsOf: url).config
    }
}
