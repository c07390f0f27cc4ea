import Foundation
import WhittleSupport

/// Bad or missing data: one line naming the file and the problem.
public struct DataError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// Reads `url` and parses its bytes; every error (missing, unreadable, malformed) names the
    /// file, as the parsers themselves do not know it.
    static func parsing<T>(_ url: URL, _ parse: (Data) throws -> T) throws -> T {
        let name = url.path
        guard FileManager.default.fileExists(atPath: name) else { throw DataError("\(name): file not found") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DataError("\(name): cannot read (\(fileErrorText(error)))") }
        do { return try parse(data) } catch { throw DataError("\(name): \(error)") }
    }
}
