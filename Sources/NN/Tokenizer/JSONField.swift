/// A JSON value together with its dotted path in the file, so every error names the offending field.
struct JSONField {
    let value: JSONValue
    let path: String

    /// Parses a JSON text; malformed text is `TokenizerError.malformedJSON` with the byte offset.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do { return try JSONValue.parse(bytes) } catch {
            throw TokenizerError.malformedJSON(offset: error.offset, reason: error.reason)
        }
    }

    /// The member `key`; missing or null is an error naming `path.key`.
    func member(_ key: String) throws -> JSONField {
        guard let field = optionalMember(key) else { throw TokenizerError.missingField(childPath(key)) }
        return field
    }

    /// The member `key`, or nil when it is absent or null.
    func optionalMember(_ key: String) -> JSONField? {
        guard let child = value[key], !child.isNull else { return nil }
        return JSONField(value: child, path: childPath(key))
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func invalid(_ reason: String) -> TokenizerError { .invalidField(path, reason: reason) }

    func string() throws -> String {
        guard case let .string(text) = value else { throw invalid("expected a string, found \(value.kind)") }
        return text
    }

    func int() throws -> Int {
        guard case let .integer(number) = value else { throw invalid("expected an integer, found \(value.kind)") }
        return number
    }

    func bool() throws -> Bool {
        guard case let .bool(flag) = value else { throw invalid("expected a boolean, found \(value.kind)") }
        return flag
    }

    func array() throws -> [JSONField] {
        guard case let .array(elements) = value else { throw invalid("expected an array, found \(value.kind)") }
        return elements.enumerated().map { JSONField(value: $1, path: "\(path)[\($0)]") }
    }

    func members() throws -> [(String, JSONField)] {
        guard case let .object(members) = value else { throw invalid("expected an object, found \(value.kind)") }
        return members.map { ($0, JSONField(value: $1, path: childPath($0))) }
    }

    /// The optional boolean member `key`, `defaultValue` when absent or null.
    func flag(_ key: String, default defaultValue: Bool) throws -> Bool {
        try optionalMember(key)?.bool() ?? defaultValue
    }

    /// The `type` member naming a component.
    func componentType() throws -> String { try member("type").string() }
}
