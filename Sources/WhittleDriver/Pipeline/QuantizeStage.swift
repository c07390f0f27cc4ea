import Foundation
import WhittleCompress
import WhittleIR
import WhittleLower
import WhittleNN
import WhittleTensor

/// Float graph → QGraph with a validation set: calibrate on the start of the training split,
/// lower, and attach the test split (quantized inputs, labels, float logits). The logits are
/// always the given float model's, the one the user saved, so `verify`'s agreement means the same
/// for every method.
struct QuantizeStage {
    var settings: QuantizeSpec
    /// Test samples carried as validation vectors (nil: the whole test split).
    var vectors: Int?

    init(_ spec: QuantizeSpec) { settings = spec }

    struct Result {
        var graph: QGraph
        var calibrationSamples: Int
        /// Accuracy of the float model given (before any QAT).
        var floatTestAccuracy: Double
        /// With QAT: accuracy of the fake-quantized forward pass.
        var fakeQuantTestAccuracy: Double?
        /// With QAT: the given graph, its weights now the quantization-aware trained ones (QAT
        /// trains in place); saved as a checkpoint so the model behind the C can be evaluated again.
        var qatModel: Graph?
        /// Quantization that runs but loses accuracy (`QuantizationWarnings`), one line each.
        var warnings: [String] = []
    }

    /// Calibrates (and with `qat` in the settings, trains quantization-aware, changing `graph`'s
    /// weights in place), then lowers.
    func run(_ graph: Graph, source: DataSource, spec: Spec, masks: [String: Tensor] = [:],
             progress: ProgressLine? = nil) throws -> Result {
        guard settings.calibration > 0 else { throw CalibrationError("calibration set is empty (give --calibration N with N ≥ 1)") }
        let train = try source.load(.train, spec: spec)
        var test = try source.load(.test, spec: spec)
        if let v = vectors { test = test.prefix(v) }
        let calibration: CalibrationResult
        let (float, floatLogits) = Evaluator.evaluateKeepingLogits(graph, on: test, progress: progress) // before QAT changes the weights
        var fakeQuantAccuracy: Double?
        if let qat = settings.qat {
            let model = try QuantizationAwareTraining.run(graph, settings: settings, qat: qat, train: train,
                                                                 masks: masks, progress: progress)
            calibration = model.ranges
            fakeQuantAccuracy = Evaluator.evaluate(model.graph, on: test, progress: progress).accuracy
        } else {
            progress?.update("quantize: calibrating on \(min(settings.calibration, train.count)) images", force: true)
            calibration = try Calibration.run(graph, on: settings.calibrationSet(from: train), makeObserver: settings.makeObserver)
        }
        let inputQuant = ActivationQuantization.params(for: calibration.input, float32Scale: settings.float32Scales)
        var validation = ValidationSetBuilder.make(graph, data: test, inputQuant: inputQuant, floatLogits: floatLogits)
        if spec.train.target == .input {
            // The int8 input is channels-last; a flat output would pair its values in another order.
            guard spec.input.count == 1 || spec.input[0] == 1 || graph.outputShape.count == spec.input.count else {
                throw LoweringError("\(spec.path): a reconstruction of a \(spec.input[0])-channel image needs an output of the input's shape, not \(graph.outputShape)")
            }
            validation.reconstruction = ReconstructionTask(normalClasses: spec.data.normalClasses?.map(Int32.init))
        }
        var q = try PostTrainingQuantization.lower(graph, calibration: calibration,
                                                   scheme: QuantizationScheme(perChannelWeights: settings.perChannel, float32Scales: settings.float32Scales),
                                                   inputDescription: Self.describeInput(test), validation: validation)
        if test.values.isBytes {
            q.rawInputTable = RawInputTable.make(normalization: test.normalization, inputQuant: inputQuant)
        }
        let warnings = try QuantizationWarnings.check(graph, calibration: calibration, test: test, perChannelWeights: settings.perChannel)
        return Result(graph: q, calibrationSamples: min(settings.calibration, train.count), floatTestAccuracy: float.accuracy,
                      fakeQuantTestAccuracy: fakeQuantAccuracy, qatModel: settings.qat == nil ? nil : graph, warnings: warnings)
    }

    /// What firmware needs to turn a sensor reading into the model's int8 input.
    static func describeInput(_ data: Dataset) -> String {
        let s = data.sampleShape
        let layout = s.count == 3 ? "\(s[1])x\(s[2]) pixels x \(s[0]) channel(s), stored channels-last: element (y, x, c) at (y*W + x)*C + c"
                                  : "\(s.reduce(1, *)) features"
        let n = data.normalization
        return "\(layout). Real input x = (raw * \(n.scale) - \(n.mean)) / \(n.std), raw being the sensor value (for 8-bit images, the pixel 0..255). "
            + (data.values.isBytes ? "For 8-bit data use model_quantize_input(raw, input): its table is the exact quantization the verified vectors used. "
                                   : "Quantize: q = clamp(round(x / MODEL_INPUT_SCALE) + MODEL_INPUT_ZERO_POINT, -128, 127).")
    }
}
