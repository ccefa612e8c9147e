/// A sparse autoencoder folder that cannot be loaded or used; each case names the file and the field or
/// tensor at fault.
public enum SAEError: Error, Equatable, CustomStringConvertible {
    /// A file that is missing or unreadable.
    case unreadable(file: String, reason: String)
    /// A config field that is missing, of the wrong type or out of range.
    case invalidField(String, file: String, reason: String)
    /// A config value SwiftLens does not implement (e.g. an architecture or normalisation).
    case unsupported(String, value: String, file: String)
    /// A weight the architecture needs that the weights file lacks.
    case missingTensor(String, file: String)
    /// A weight of the wrong shape.
    case tensorShape(String, file: String, expected: [Int], found: [Int])
    /// Input of a shape the SAE cannot take.
    case invalidInput(String)

    /// The message, naming the file and the field or tensor.
    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): \(reason)"
        case let .invalidField(field, file, reason): return "\(file): field \"\(field)\" \(reason)"
        case let .unsupported(field, value, file): return "\(file): \(field) \"\(value)\" is not supported"
        case let .missingTensor(name, file): return "\(file): missing tensor \"\(name)\""
        case let .tensorShape(name, file, expected, found):
            return "\(file): tensor \"\(name)\" has shape \(found), expected \(expected)"
        case let .invalidInput(reason): return "SAE input: \(reason)"
        }
    }
}
