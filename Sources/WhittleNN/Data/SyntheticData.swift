import WhittleSupport
import WhittleTensor

/// The built-in data for a spec without files: generated from a seed for any input shape and
/// class count, so every spec can train out of the box. The kind follows the shape:
///
/// | input | kind | class |
/// |---|---|---|
/// | [1, 28, 28] (or [784]), 10 classes | `SyntheticDigits`, unchanged | the digit |
/// | [C, H, W], H and W ≥ 8, C = 1 and one side twice the other | `SyntheticTones` (rows are time) | the frequency pattern over time |
/// | [T, F], both ≥ 4 | `SyntheticTones` | the same |
/// | other [C, H, W], H and W ≥ 8 | `SyntheticShapes` | shape kind × colour (× size) |
/// | anything else | `SyntheticClusters` on the flattened sample | the cluster |
///
/// What a class looks like is fixed; only the nuisance (position, noise, …) comes from the
/// seed, so the train and test splits (different seeds) share their classes. Samples are bytes.
public enum SyntheticData {
    /// At most this many elements in one split (one byte each).
    public static let elementLimit = SizeLimit("synthetic elements", maximum: 1 << 30)
    /// Classes drawn for a model whose outputs are not classes (an autoencoder).
    public static let defaultClasses = 10

    public enum Kind: Equatable { case digits, tones, shapes, clusters }

    public static func kind(shape: [Int], classes: Int) -> Kind {
        if classes == 10, [[1, 28, 28], [28, 28], [784]].contains(shape) { return .digits }
        if shape.count == 2, shape.allSatisfy({ $0 >= 4 }) { return .tones }
        guard shape.count == 3, shape[1] >= 8, shape[2] >= 8 else { return .clusters }
        return shape[0] == 1 && max(shape[1], shape[2]) >= 2 * min(shape[1], shape[2]) ? .tones : .shapes
    }

    /// `count` samples of `shape` in `classes` classes; sample i depends only on (seed, i).
    public static func generate(shape: [Int], classes: Int, count: Int, seed: UInt64, name: String = "synthetic") throws -> Dataset {
        _ = try elementLimit.product([count] + shape, of: "data.synthetic: \(count) samples of \(shape)")
        let classes = max(classes, 1)
        switch kind(shape: shape, classes: classes) {
        case .digits:
            var d = SyntheticDigits.generate(count: count, seed: seed, name: name)
            d.sampleShape = shape
            return d
        case .tones:
            let tones = SyntheticTones(time: shape[shape.count - 2], bins: shape[shape.count - 1])
            return draw(shape: shape, classes: classes, count: count, seed: seed, name: name) {
                tones.render($0, classes: classes, rng: &$1, into: $2)
            }
        case .shapes:
            let shapes = SyntheticShapes(channels: shape[0], height: shape[1], width: shape[2])
            return draw(shape: shape, classes: classes, count: count, seed: seed, name: name) {
                shapes.render($0, classes: classes, rng: &$1, into: $2)
            }
        case .clusters:
            let clusters = SyntheticClusters(size: shape.reduce(1, *))
            return draw(shape: shape, classes: classes, count: count, seed: seed, name: name) {
                clusters.render($0, rng: &$1, into: $2)
            }
        }
    }

    /// Draws each sample's class, then lets `render` fill its bytes from the same stream.
    static func draw(shape: [Int], classes: Int, count: Int, seed: UInt64, name: String,
                     render: (_ label: Int, _ rng: inout RNG, _ out: UnsafeMutablePointer<UInt8>) -> Void) -> Dataset {
        let size = shape.reduce(1, *)
        var values = [UInt8](repeating: 0, count: count * size)
        var labels = [Int32](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { vb in labels.withUnsafeMutableBufferPointer { lb in
            let vp = vb.baseAddress!, lp = lb.baseAddress!
            Parallel.forEachChunk(count) { range in
                for i in range {
                    var rng = RNG(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i))
                    let label = rng.int(below: classes)
                    lp[i] = Int32(label)
                    render(label, &rng, vp + i * size)
                }
            }
        }}
        return Dataset(name: name, sampleShape: shape, values: .bytes(values), labels: labels, classes: classes)
    }

    /// A value in [0, 1] as a byte.
    @inline(__always) static func byte(_ v: Double) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
}
