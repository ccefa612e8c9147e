/// A scan database that cannot be used; each case names the file.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// SQLite reported an error (`message` includes the statement's purpose).
    case sqlite(path: String, message: String)
    /// The file is not a SwiftLens scan database (or one of another schema version).
    case notAScanDatabase(path: String, reason: String)
    /// The database holds another scan: `field` (model, corpus, packing, options, units) differs.
    case otherScan(path: String, field: String, stored: String, requested: String)
    /// A unit set or unit that the database does not hold.
    case noSuchUnit(path: String, set: Int, unit: Int?)

    /// The message, naming the file.
    public var description: String {
        switch self {
        case let .sqlite(path, message): return "scan database \(path): \(message)"
        case let .notAScanDatabase(path, reason): return "\(path) is not a SwiftLens scan database: \(reason)"
        case let .otherScan(path, field, stored, requested):
            return "scan database \(path) holds another scan (its \(field) differs): stored \(stored); requested \(requested). "
                + "Use another database file, or delete this one to start over."
        case let .noSuchUnit(path, set, unit):
            return "scan database \(path) has no unit set \(set)" + (unit.map { " unit \($0)" } ?? "")
        }
    }
}
