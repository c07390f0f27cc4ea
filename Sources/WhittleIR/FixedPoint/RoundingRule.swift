/// How a fixed-point operation rounds a result that falls between two integers.
///
/// The case names are swift-numerics' (`RoundingRule` in IntegerUtilities), so a reader can tell
/// from a call site which way a tie goes. Only the two rules TFLite/gemmlowp use are listed:
///
/// | exact value | `.toNearestOrUp` | `.toNearestOrAway` |
/// |-------------|------------------|--------------------|
/// |  2.5        |  3               |  3                 |
/// | -2.5        | -2               | -3                 |
/// | -2.4        | -2               | -2                 |
/// | -2.6        | -3               | -3                 |
public enum RoundingRule: Sendable {
    /// Nearest integer; a tie goes toward +∞ (gemmlowp's SaturatingRoundingDoublingHighMul).
    case toNearestOrUp
    /// Nearest integer; a tie goes away from zero (gemmlowp's RoundingDivideByPOT,
    /// `std::round`, and average pooling).
    case toNearestOrAway
}
