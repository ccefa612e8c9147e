import CSQLite
import Foundation

/// Compares the contents that matter of two SQLite results databases, byte for byte in what they say rather than in
/// how SQLite laid them out. The contents that matter are:
///
/// - the schema: the SQL of every table, index and view, by name;
/// - every table's rows, all columns, each value with its storage class (integer, real, text, blob, null; reals by
///   their bits, so `-0.0` differs from `0.0`; text by its bytes), ordered by all columns;
/// - except SQLite's own tables (`sqlite_…`) and the `meta` rows of `provenanceKeys` (which program wrote the
///   file: a merged scan says `lens merge`, a scan run in one process `lens scan`).
///
/// Page layout, free pages, the WAL, row insertion order and file names are not contents: a scan merged from shards
/// and the same scan run in one process compare equal. Rows are streamed, two at a time, so memory stays small.
public struct DatabaseComparison: Sendable {
    /// One stored value.
    public enum Value: Hashable, Sendable, CustomStringConvertible {
        case null
        case integer(Int64)
        /// A real, by its IEEE bits.
        case real(UInt64)
        /// Text, by its bytes (as stored, whether or not valid UTF-8).
        case text([UInt8])
        case blob([UInt8])

        public var description: String {
            switch self {
            case .null: return "NULL"
            case let .integer(v): return String(v)
            case let .real(bits): return "\(Double(bitPattern: bits))"
            case let .text(bytes):
                let v = String(decoding: bytes, as: UTF8.self)
                return v.count > 80 ? "'\(v.prefix(77))...'" : "'\(v)'"
            case let .blob(v): return "blob(\(v.count) bytes)"
            }
        }
    }

    /// `meta` keys that record who wrote the file, not what it holds.
    public static let provenanceKeys: Set<String> = ["created_by"]

    /// Tables compared.
    public let tables: Int
    /// Rows compared (of the first database).
    public let rows: Int
    /// What differs, one line per schema entry or table (its first differing row), at most `limit`; empty when equal.
    public let differences: [String]

    /// Whether the contents are equal.
    public var equal: Bool { differences.isEmpty }

    /// Compares the databases at `first` and `second` (read, never written); throws `StoreError` for a file SQLite
    /// cannot open.
    public init(_ first: String, _ second: String, limit: Int = 20) throws {
        let a = try Reader(path: first), b = try Reader(path: second)
        let schemaA = try a.schema(), schemaB = try b.schema()
        var lines: [String] = [], rows = 0
        for name in Set(schemaA.keys).union(schemaB.keys).sorted() where schemaA[name]?.sql != schemaB[name]?.sql {
            lines.append("schema of \(name): \(schemaA[name]?.sql ?? "absent") vs \(schemaB[name]?.sql ?? "absent")")
        }
        let tables = schemaA.filter { $0.value.type == "table" && schemaB[$0.key]?.sql == $0.value.sql }.keys.sorted()
        for name in tables {
            let (x, y) = (try a.orderedRows(name), try b.orderedRows(name))
            var k = 0
            while true {
                let (r, s) = (try x.next(), try y.next())
                if r == nil, s == nil { break }
                if r != nil { rows += 1 }
                guard r == s else {
                    func show(_ row: [Value]?) -> String { row.map { "(" + $0.map(\.description).joined(separator: ", ") + ")" } ?? "no row" }
                    lines.append("\(name): row \(k) differs: \(show(r)) vs \(show(s))")
                    break
                }
                k += 1
            }
        }
        (self.tables, self.rows, self.differences) = (tables.count, rows, Array(lines.prefix(limit)))
    }

    /// A read-only connection that reads every storage class, blobs included.
    private final class Reader {
        let path: String
        private var handle: OpaquePointer?

        var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

        init(path: String) throws {
            self.path = path
            // Read-write (never creating) so that closing removes the WAL files a read-only connection would leave.
            guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
                let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
                sqlite3_close(handle)
                throw StoreError.sqlite(path: path, message: "open: \(message)")
            }
            sqlite3_busy_timeout(handle, 10_000)
        }

        deinit { sqlite3_close_v2(handle) }

        /// Type and SQL of every table, index and view, by name.
        func schema() throws -> [String: (type: String, sql: String)] {
            var result: [String: (type: String, sql: String)] = [:]
            let rows = try statement("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL")
            while let row = try rows.next() {
                guard case let .text(type) = row[0], case let .text(name) = row[1], case let .text(sql) = row[2] else { continue }
                result[String(decoding: name, as: UTF8.self)] = (String(decoding: type, as: UTF8.self), String(decoding: sql, as: UTF8.self))
            }
            return result
        }

        /// The rows of table `name` ordered by all columns, without the provenance rows of `meta`.
        func orderedRows(_ name: String) throws -> Rows {
            let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            let info = try statement("SELECT count(*) FROM pragma_table_info(?)", bind: name)
            guard case let .integer(width)? = try info.next()?.first, width > 0 else { return try statement("SELECT 1 WHERE 0") }
            let order = (1...width).map(String.init).joined(separator: ", ")
            let provenance = DatabaseComparison.provenanceKeys.map { "'\($0)'" }.joined(separator: ", ")
            let filter = name == "meta" ? " WHERE key NOT IN (\(provenance))" : ""
            return try statement("SELECT * FROM \(quoted)\(filter) ORDER BY \(order)")
        }

        /// A prepared query, stepped row by row.
        func statement(_ sql: String, bind text: String? = nil) throws -> Rows {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw StoreError.sqlite(path: path, message: "\(String(cString: sqlite3_errmsg(handle))) (in \(sql.prefix(60)))")
            }
            if let text { sqlite3_bind_text(statement, 1, text, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self)) }
            return Rows(statement: statement, reader: self, sql: sql)
        }
    }

    /// Rows of one query; finalized when released.
    private final class Rows {
        let statement: OpaquePointer
        let reader: Reader
        let sql: String

        init(statement: OpaquePointer, reader: Reader, sql: String) {
            (self.statement, self.reader, self.sql) = (statement, reader, sql)
        }

        deinit { sqlite3_finalize(statement) }

        /// The next row, nil after the last.
        func next() throws -> [Value]? {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return nil }
            guard code == SQLITE_ROW else { throw StoreError.sqlite(path: reader.path, message: "\(reader.errorMessage) (in \(sql.prefix(60)))") }
            return (0..<sqlite3_column_count(statement)).map { Self.value(statement, $0) }
        }

        private static func value(_ statement: OpaquePointer, _ k: Int32) -> Value {
            switch sqlite3_column_type(statement, k) {
            case SQLITE_NULL: return .null
            case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, k))
            case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, k).bitPattern)
            case SQLITE_TEXT:
                let count = Int(sqlite3_column_bytes(statement, k))
                guard let bytes = sqlite3_column_text(statement, k) else { return .text([]) }
                return .text(Array(UnsafeBufferPointer(start: bytes, count: count)))
            default:
                let count = Int(sqlite3_column_bytes(statement, k))
                guard let bytes = sqlite3_column_blob(statement, k), count > 0 else { return .blob([]) }
                return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
            }
        }
    }
}
