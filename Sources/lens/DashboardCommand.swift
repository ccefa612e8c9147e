import ArgumentParser
import Foundation
import Lens
import LensStore

/// `lens dashboard`: a self-contained HTML browser of a scan database.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Write a self-contained HTML feature / neuron browser from a scan database.",
        discussion: """
            One HTML file (no network needed): an index of units sortable by frequency, max and mean activation, \
            and a card per unit with its histogram, logit effects, top contexts and examples from each activation \
            band, tokens shaded by activation. With many units only the first --limit in --order are included; \
            `lens serve` browses all of them.

            Examples:
              lens dashboard --db demo-scan.sqlite --out dashboard.html
              lens dashboard --db scan.sqlite --set 1 --order max --limit 200
            """)

    @Option(name: .long, help: "The scan database (written by lens scan).")
    var db: String

    @Option(name: .long, help: "The HTML file to write.")
    var out = "lens-dashboard.html"

    @Option(name: .long, help: "Only this unit set (its index in the scan, from 0).")
    var set: Int?

    @Option(name: .long, help: "Which units come first: frequency, max or unit.")
    var order: UnitOrder = .frequency

    @Option(name: .long, help: "At most this many units.")
    var limit = 200

    func run() throws {
        let database = try ScanDatabase(readingAt: db)
        let header = try database.header()
        if let set, !header.unitSets.indices.contains(set) {
            throw CommandError("--set \(set): the scan has \(header.unitSets.count) unit sets (0 to \(header.unitSets.count - 1))")
        }
        let summaries = try database.summaries(set: set, order: order, limit: limit)
        let cards = try summaries.map { try database.card(set: $0.set, unit: $0.unit) }
        let html = ScanDashboard.document(title: "Scan of \(header.modelName)", subtitle: subtitle(header, try database.progress()),
                                          summaries: summaries, setNames: header.unitSets.map(\.name), cards: cards,
                                          vocabulary: try database.vocabulary())
        do { try Data(html.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
            throw CommandError("cannot write \(out): \(error.localizedDescription)")
        }
        print("Wrote \(URL(fileURLWithPath: out).standardizedFileURL.path): \(summaries.count) units")
    }
}

/// `corpus.txt · 334 contexts of 64 tokens · 21376 tokens (finished)`.
func subtitle(_ header: ScanHeader, _ progress: (contexts: Int, tokens: Int, finished: Bool)) -> String {
    "\(header.corpusFiles.prefix(3).joined(separator: ", "))\(header.corpusFiles.count > 3 ? ", …" : "") · "
        + "\(progress.contexts) contexts of \(header.packing.contextLength) tokens · \(progress.tokens) tokens"
        + (progress.finished ? "" : " (scan not finished)")
}

extension UnitOrder: ExpressibleByArgument {}
