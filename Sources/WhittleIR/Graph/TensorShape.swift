import WhittleSupport

/// The shape of one activation tensor (batch 1), stored channels-last: element `(y, x, c)` is
/// at `(y · width + x) · channels + c`. A flattened vector is `1 × 1 × n`.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// A flat vector of `count` elements.
    public init(vector count: Int) {
        self.init(height: 1, width: 1, channels: count)
    }

    /// Saturates at `Int.max` (and reads a negative dimension as overflow), so a crafted shape
    /// fails a check against `QGraphLimits` instead of trapping.
    public var elementCount: Int { checkedProduct(height, width, channels) ?? .max }

    public var description: String { "\(height)x\(width)x\(channels)" }

    /// Reorders values stored channels-first (`C, H, W`, as PyTorch keeps images) into this
    /// channels-last layout. Front ends use it for model inputs and validation images.
    public func channelsLast<T>(fromChannelsFirst values: [T]) -> [T] {
        precondition(values.count == elementCount, "expected \(elementCount) values, got \(values.count)")
        var result = values
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    result[(y * width + x) * channels + c] = values[(c * height + y) * width + x]
                }
            }
        }
        return result
    }
}
