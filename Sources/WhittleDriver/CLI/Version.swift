import WhittleIR

/// What `whittle --version` prints: the release and the versions of the files it writes.
enum Version {
    /// Raised with each resolved milestone (the minor number is the last issue resolved).
    static let release = "0.14.0"

    static var description: String { "whittle \(release) (.q format \(QGraphFile.version))" }
}
