import Foundation

/// The operating system's words for a failed file operation ("No such file or directory",
/// "Permission denied"), rather than Foundation's generic "The operation could not be completed".
public func fileErrorText(_ error: Error) -> String {
    var ns = error as NSError
    // On Linux the underlying POSIX error arrives as a Swift `Error`, not as an `NSError`.
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error { ns = underlying as NSError }
    if ns.domain == NSPOSIXErrorDomain, let text = strerror(Int32(ns.code)) { return String(cString: text) }
    return ns.localizedDescription
}
