import Foundation
import Testing
import Lens
import LensStore

/// The `LensStore` article's sample, compiled (it writes `scan.sqlite` in the current directory, so it does not
/// run here; `ScanDatabaseTests` runs the same calls on a temporary file). `DocumentationSampleTests` in
/// LensTests checks that every article line is in one of the two files.
@Suite struct LensStoreDocumentationSample {
    func storeSample(scan: CorpusScan, model: LensModel, corpus: Corpus) throws -> (ScanResult, ScanDatabase) {
        let result = try scan.run(model: model, corpus: corpus, modelName: "demo", store: ScanDatabase(path: "scan.sqlite"))
        let database = try ScanDatabase(path: "scan.sqlite")
        return (result, database)
    }
}
