import ArgumentParser
import Foundation
import Hummingbird
import Lens
import LensStore

/// `lens-serve`: the dashboard of a scan database, page by page, on a local port.
@main
struct LensServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lens-serve",
        abstract: "Serve a scan database's feature / neuron browser on localhost.",
        discussion: """
            Pages: / (the index, ?set=S&order=frequency|max|unit&page=N, 200 units a page) and /unit/S/U (one \
            unit's card). The database is opened read-only per request, so a scan may still be writing it.
            """)

    @Option(name: .long, help: "The scan database.")
    var db: String

    @Option(name: .long, help: "Host to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port (0 picks a free one).")
    var port = 8080

    func run() async throws {
        _ = try ScanDatabase(readingAt: db)
        let pages = DashboardPages(path: db)
        let router = Router()
        router.get("/") { request, _ -> Response in
            let query = request.uri.queryParameters
            return try pages.respond {
                try pages.index(set: query.get("set").flatMap(Int.init), order: query.get("order").flatMap(UnitOrder.init) ?? .frequency,
                                page: query.get("page").flatMap(Int.init) ?? 0)
            }
        }
        router.get("/unit/:set/:unit") { _, context -> Response in
            let set = try context.parameters.require("set", as: Int.self), unit = try context.parameters.require("unit", as: Int.self)
            return try pages.respond { try pages.card(set: set, unit: unit) }
        }
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                              onServerRunning: { channel in
                                  let line = "Serving \(db) on http://\(host):\(channel.localAddress?.port ?? port)/\n"
                                  FileHandle.standardOutput.write(Data(line.utf8))
                              })
        try await app.runService()
    }
}

/// Renders dashboard pages from the database at `path`.
struct DashboardPages: Sendable {
    let path: String
    static let pageSize = 200

    /// An HTML response, or a plain-text 404 for a unit or set the database lacks.
    func respond(_ html: () throws -> String) throws -> Response {
        do {
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: try html())))
        } catch let error as StoreError {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "\(error)\n")))
        }
    }

    func index(set: Int?, order: UnitOrder, page: Int) throws -> String {
        let database = try ScanDatabase(readingAt: path)
        let header = try database.header(), progress = try database.progress()
        let summaries = try database.summaries(set: set, order: order, limit: Self.pageSize, offset: max(0, page) * Self.pageSize)
        func link(_ order: UnitOrder, _ page: Int) -> String {
            "/?order=\(order.rawValue)&page=\(page)" + (set.map { "&set=\($0)" } ?? "")
        }
        var nav = "<p>Order by: " + UnitOrder.allCases.map { "<a href=\"\(Markup.attribute(link($0, 0)))\">\($0.rawValue)</a>" }
            .joined(separator: " · ") + " · sets: <a href=\"/\">all</a>"
        for (s, info) in header.unitSets.enumerated() {
            nav += " · <a href=\"/?set=\(s)&amp;order=\(order.rawValue)\">\(Markup.escape(info.name))</a>"
        }
        nav += "</p><p>Units \(page * Self.pageSize + 1) to \(page * Self.pageSize + summaries.count)"
        if page > 0 { nav += " · <a href=\"\(Markup.attribute(link(order, page - 1)))\">previous</a>" }
        if summaries.count == Self.pageSize { nav += " · <a href=\"\(Markup.attribute(link(order, page + 1)))\">next</a>" }
        nav += "</p>"
        let table = ScanDashboard.index(summaries, setNames: header.unitSets.map(\.name)) { "/unit/\($0.set)/\($0.unit)" }
        return ScanDashboard.page(title: "Scan of \(header.modelName)", subtitle: "\(progress.contexts) contexts · "
                                  + "\(progress.tokens) tokens" + (progress.finished ? "" : " (scan running or stopped)"),
                                  body: nav + table)
    }

    func card(set: Int, unit: Int) throws -> String {
        let database = try ScanDatabase(readingAt: path)
        let header = try database.header()
        let card = try database.card(set: set, unit: unit)
        return ScanDashboard.page(title: "\(card.summary.label) · \(header.modelName)", subtitle: nil,
                                  body: "<p><a href=\"/\">← index</a></p>" + ScanDashboard.card(card, vocabulary: try database.vocabulary()))
    }
}
