import CSQLite
import Foundation

/// A value bound to or read from a statement.
enum SQLValue {
    case int(Int64), double(Double), text(String), null
}

/// One SQLite connection (the system library), used from one thread at a time.
final class SQLiteConnection {
    let path: String
    private var handle: OpaquePointer?

    /// Opens (`create`: or creates) the database at `path`, in WAL mode with full synchronisation.
    init(path: String, create: Bool) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw StoreError.sqlite(path: path, message: "open: \(message)")
        }
        sqlite3_busy_timeout(handle, 10_000)
        try execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw StoreError.sqlite(path: path, message: "\(message) (in \(sql.prefix(60))…)")
        }
    }

    /// A prepared statement.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw StoreError.sqlite(path: path, message: "\(errorMessage) (preparing \(sql.prefix(60))…)")
        }
        return SQLiteStatement(statement, connection: self)
    }

    /// Runs `body` in one immediate transaction, committed when it returns and rolled back when it throws.
    func transaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows of a query, each as its columns.
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [[SQLValue]] = []
        while try statement.step() { rows.append(statement.columns) }
        return rows
    }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A prepared statement; `run` binds, steps to completion and resets.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private let connection: SQLiteConnection

    init(_ statement: OpaquePointer, connection: SQLiteConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds `values` to parameters 1, 2, … (after a reset).
    func bind(_ values: [SQLValue]) throws {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (k, value) in values.enumerated() {
            let index = Int32(k + 1)
            let code: Int32
            switch value {
            case let .int(v): code = sqlite3_bind_int64(statement, index, v)
            case let .double(v): code = sqlite3_bind_double(statement, index, v)
            case let .text(v): code = sqlite3_bind_text(statement, index, v, -1, Self.transient)
            case .null: code = sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else {
                throw StoreError.sqlite(path: connection.path, message: "bind: \(connection.errorMessage)")
            }
        }
    }

    /// Binds `values` and steps until done.
    func run(_ values: [SQLValue]) throws {
        try bind(values)
        while try step() {}
    }

    /// Advances; true while a row is available.
    func step() throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw StoreError.sqlite(path: connection.path, message: "step: \(connection.errorMessage)")
        }
    }

    /// The current row's columns.
    var columns: [SQLValue] {
        (0..<sqlite3_column_count(statement)).map { k in
            switch sqlite3_column_type(statement, k) {
            case SQLITE_INTEGER: return .int(sqlite3_column_int64(statement, k))
            case SQLITE_FLOAT: return .double(sqlite3_column_double(statement, k))
            case SQLITE_NULL: return .null
            default: return .text(String(cString: sqlite3_column_text(statement, k)))
            }
        }
    }

    /// SQLite copies bound text (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

extension SQLValue {
    /// The integer value (0 for null).
    var int: Int {
        switch self {
        case let .int(v): return Int(v)
        case let .double(v): return Int(v)
        case let .text(v): return Int(v) ?? 0
        case .null: return 0
        }
    }

    /// The real value (integers widened).
    var double: Double {
        switch self {
        case let .int(v): return Double(v)
        case let .double(v): return v
        case let .text(v): return Double(v) ?? .nan
        case .null: return .nan
        }
    }

    /// The text value.
    var text: String {
        switch self {
        case let .text(v): return v
        case let .int(v): return String(v)
        case let .double(v): return String(v)
        case .null: return ""
        }
    }
}
