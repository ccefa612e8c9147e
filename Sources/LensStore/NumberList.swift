/// JSON arrays of numbers as text, as the sweep database stores them: `[12,7,3]`, `[0.5,-1.25e-05]`. Floats print in
/// their shortest round-trip form and are parsed back as Float directly, so a value survives storage bit for bit.
enum NumberList {
    static func encode(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }
    static func encode(_ values: [Float]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }

    static func ints(_ text: String, path: String) throws -> [Int] {
        try items(text).map { item in
            guard let v = Int(item) else { throw StoreError.notAScanDatabase(path: path, reason: "bad integer list \(text.prefix(40))") }
            return v
        }
    }

    static func floats(_ text: String, path: String) throws -> [Float] {
        try items(text).map { item in
            guard let v = Float(item) else { throw StoreError.notAScanDatabase(path: path, reason: "bad number list \(text.prefix(40))") }
            return v
        }
    }

    private static func items(_ text: String) -> [Substring] {
        let inner = text.dropFirst().dropLast()
        return inner.isEmpty ? [] : inner.split(separator: ",")
    }
}
