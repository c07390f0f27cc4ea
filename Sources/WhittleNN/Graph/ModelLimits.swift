import WhittleSupport

/// The sizes a float model may have. Whittle's models are for microcontrollers: these limits are
/// far above any of them, and low enough that a typo (`out_channels: 1e9`) is an error naming
/// the limit rather than a 100 GB allocation or an overflow trap.
extension Graph {
    /// Elements of one sample's input or one layer's output (64 MB of float32).
    public static let activationLimit = SizeLimit("elements in one sample's activation", maximum: 1 << 24)
    /// Weights of one layer (256 MB of float32).
    public static let parameterLimit = SizeLimit("parameters in one layer", maximum: 1 << 26)
    /// Any one size in a spec: channels, features, kernel, stride, padding, input dimension.
    public static let dimensionLimit = SizeLimit("for one dimension", maximum: 1 << 20)
}
