import Foundation

extension JSONValue {
    /// Reads and parses a JSON file; throws `ModelConfigError.unreadable` naming the file.
    static func read(_ url: URL) throws -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelConfigError.unreadable(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        do { return try JSONValue.parse(Array(data)) } catch {
            throw ModelConfigError.unreadable(file: url.path, reason: "is not valid JSON (\(error))")
        }
    }
}

/// Typed access to the fields of one JSON object, with errors that name the field and the file.
struct JSONFields {
    /// The object's members.
    let members: [String: JSONValue]
    /// The file (and, for nested objects, the key path) used in error messages.
    let file: String

    /// Wraps a top-level object; throws if `value` is not an object.
    init(_ value: JSONValue, file: String) throws {
        guard case .object(let m) = value else {
            throw ModelConfigError.unreadable(file: file, reason: "top level is not a JSON object")
        }
        members = Dictionary(m, uniquingKeysWith: { _, last in last })
        self.file = file
    }

    /// Whether `key` is present and not null.
    func has(_ key: String) -> Bool {
        guard let v = members[key] else { return false }
        return !v.isNull
    }

    private func invalid(_ key: String, _ reason: String) -> ModelConfigError {
        .invalidField(key, file: file, reason: reason)
    }

    /// A required integer field.
    func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw ModelConfigError.missingField(key, file: file) }
        return v
    }

    /// An integer field; nil when absent or null.
    func optionalInt(_ key: String) throws -> Int? {
        guard let v = members[key], !v.isNull else { return nil }
        if case .integer(let i) = v { return i }
        guard let n = v.numberValue, n == n.rounded(), Swift.abs(n) < 9e15 else {
            throw invalid(key, "must be an integer")
        }
        return Int(n)
    }

    /// A required number field.
    func double(_ key: String) throws -> Double {
        guard let v = try optionalDouble(key) else { throw ModelConfigError.missingField(key, file: file) }
        return v
    }

    /// A number field; nil when absent or null.
    func optionalDouble(_ key: String) throws -> Double? {
        guard let v = members[key], !v.isNull else { return nil }
        guard let n = v.numberValue, n.isFinite else { throw invalid(key, "must be a number") }
        return n
    }

    /// A boolean field with a default when absent or null.
    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let v = members[key], !v.isNull else { return value }
        guard case .bool(let b) = v else { throw invalid(key, "must be true or false") }
        return b
    }

    /// A required string field.
    func string(_ key: String) throws -> String {
        guard let v = try optionalString(key) else { throw ModelConfigError.missingField(key, file: file) }
        return v
    }

    /// A string field; nil when absent or null.
    func optionalString(_ key: String) throws -> String? {
        guard let v = members[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw invalid(key, "must be a string") }
        return s
    }

    /// A nested object field; nil when absent or null.
    func optionalObject(_ key: String) throws -> JSONFields? {
        guard let v = members[key], !v.isNull else { return nil }
        guard case .object(let m) = v else { throw invalid(key, "must be an object") }
        return JSONFields(members: Dictionary(m, uniquingKeysWith: { _, last in last }), file: "\(file) [\(key)]")
    }

    /// A list of strings; nil when absent or null.
    func optionalStrings(_ key: String) throws -> [String]? {
        guard let v = members[key], !v.isNull else { return nil }
        guard case .array(let items) = v else { throw invalid(key, "must be a list of strings") }
        return try items.map {
            guard case .string(let s) = $0 else { throw invalid(key, "must be a list of strings") }
            return s
        }
    }

    /// An integer or a list of integers (as in `eos_token_id`); empty when absent or null.
    func ints(_ key: String) throws -> [Int] {
        guard let v = members[key], !v.isNull else { return [] }
        if case .array(let items) = v {
            return try items.map {
                guard case .integer(let i) = $0 else { throw invalid(key, "must be integers") }
                return i
            }
        }
        return [try int(key)]
    }

    private init(members: [String: JSONValue], file: String) {
        self.members = members
        self.file = file
    }
}
