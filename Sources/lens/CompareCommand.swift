import ArgumentParser
import Foundation
import LensStore

/// `lens compare-db`: whether two results databases hold the same contents (`DatabaseComparison`).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-db",
        abstract: "Compare two results databases (scans, sweeps) row by row; exit 1 when their contents differ.",
        discussion: """
            Compares the contents that matter: the schema, and every table's rows ordered by all columns, each value \
            with its type (reals by their bits, text by its bytes), leaving out SQLite's own tables and the meta rows \
            that say which program wrote the file (created_by). A merged scan and the same scan run in one process \
            compare equal; page layout, row order and the write-ahead log do not count.

            Example:
              lens compare-db merged.sqlite single.sqlite
            """)

    @Argument(help: "The first database.")
    var first: String

    @Argument(help: "The second database.")
    var second: String

    func run() throws {
        let comparison = try DatabaseComparison(first, second)
        guard comparison.equal else {
            print("\(first) and \(second) differ:")
            comparison.differences.forEach { print("  " + $0) }
            throw ExitCode(1)
        }
        print("\(first) and \(second) hold the same contents: \(comparison.tables) tables, \(comparison.rows) rows")
    }
}
