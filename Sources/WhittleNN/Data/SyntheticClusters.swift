import WhittleTensor

/// Vectors around one centre per class, for inputs that are not images or spectrograms
/// ([F], or small or many-axis samples, flattened). A centre is a fixed draw from its class
/// index alone, so every seed and split shares them; a sample is its centre plus noise.
struct SyntheticClusters {
    let size: Int
    /// Spread of the centres and of the samples around them, in standard deviations.
    static let centreSpread = 1.0, noise = 0.7

    func render(_ label: Int, rng r: inout RNG, into out: UnsafeMutablePointer<UInt8>) {
        var centre = RNG(seed: 0xC1A5 &+ UInt64(label) &* 0x9E37_79B9_7F4A_7C15)
        for j in 0..<size {
            let x = Double(centre.normal()) * Self.centreSpread + Double(r.normal()) * Self.noise
            out[j] = SyntheticData.byte(0.5 + 0.16 * x) // ±3σ of the centres within the byte range
        }
    }
}
