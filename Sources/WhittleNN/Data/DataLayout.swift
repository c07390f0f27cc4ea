/// How a data file orders one sample's axes. Models are channels-first ([C, H, W], PyTorch's
/// order), so a channels-last file (NumPy/TensorFlow images, [N, H, W, C]) is transposed at load.
public enum DataLayout: String, Codable, Equatable, Sendable {
    case nchw, nhwc

    /// The model's per-sample shape for a file of dimensions [N, …]:
    /// [N] → [1], [N, F] → [F], [N, H, W] → [1, H, W], and with three or more sample axes the
    /// file's own order (nchw) or the last axis moved to the front (nhwc).
    public func sampleShape(fileDimensions dims: [Int]) -> [Int] {
        let axes = Array(dims.dropFirst())
        switch axes.count {
        case 0: return [1]
        case 1: return axes
        case 2: return [1] + axes
        default: return self == .nchw ? axes : [axes[axes.count - 1]] + axes.dropLast()
        }
    }

    /// `count` samples of the file's per-sample `axes` in the model's order (a copy only when
    /// the layout is channels-last with three or more axes).
    public func channelsFirst<T>(_ values: [T], count: Int, axes: [Int]) -> [T] {
        guard self == .nhwc, axes.count >= 3, let channels = axes.last, channels > 1 else { return values }
        let pixels = axes.dropLast().reduce(1, *), size = pixels * channels
        var out = values
        values.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            for n in 0..<count {
                let base = n * size
                for p in 0..<pixels {
                    for c in 0..<channels { dst[base + c * pixels + p] = src[base + p * channels + c] }
                }
            }
        }}
        return out
    }
}

/// The rule that ties data to a spec: a sample's shape must be the spec's `input`. Two views are
/// allowed because they leave every value in place: axes of size 1 may be added or dropped
/// ([1, 49, 10] is [49, 10]), and a one-dimensional input flattens any sample of its size
/// ([784] views [1, 28, 28], as an MLP spec asks).
public enum SampleShape {
    public static func view(_ sample: [Int], as input: [Int], data name: String) throws -> [Int] {
        let sameSize = sample.reduce(1, *) == input.reduce(1, *)
        if sample == input || (sameSize && input.count == 1)
            || sample.filter({ $0 != 1 }) == input.filter({ $0 != 1 }) { return input }
        // Channels-last data read as channels-first shows up as the spec's channels at the end.
        let hint = sample.count == input.count && sameSize && sample.last == input.first && sample.count >= 3
            ? " (for channels-last files set data.layout to \"nhwc\")" : ""
        throw DataError("\(name): samples are \(sample), but the spec's input is \(input)\(hint)")
    }
}
