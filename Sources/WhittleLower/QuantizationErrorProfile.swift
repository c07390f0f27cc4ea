import WhittleIR
import WhittleNN
import WhittleTensor

/// Where quantization error enters: for every op of a lowered graph, the signal-to-quantization-
/// noise ratio of its int8 output (run end to end by the reference interpreter, dequantized)
/// against the float model's output at the same point, over a few samples.
public enum QuantizationErrorProfile {
    public struct Layer: Sendable {
        public var name: String
        /// 10·log10(Σ float² / Σ (float − dequantized)²); higher is better.
        public var sqnrDecibels: Double
        /// Mean |float − dequantized| in units of the tensor's quantization step.
        public var meanErrorSteps: Double
    }

    public static func measure(_ graph: Graph, _ q: QGraph, validation: ValidationSet, data: Dataset, samples: Int = 64) throws -> [Layer] {
        let fused = try Fusion.fuse(graph)
        let interpreter = try ReferenceInterpreter(graph: q)
        let n = min(samples, data.count, validation.count)
        let inSize = q.inputTensor.byteCount
        var signal = [String: Double](), noise = [String: Double](), absError = [String: Double](), count = [String: Int]()
        let (x, _) = data.batch(0..<n)
        graph.forward(x, mode: .eval)
        for i in 0..<n {
            let tensors = interpreter.runAll(Array(validation.inputs[(i * inSize)..<((i + 1) * inSize)]))
            for step in fused.steps {
                if case .reshape = step.op { continue } // an alias of the tensor before it
                guard let node = q.nodes.first(where: { $0.name == step.name }), let fi = graph.index(of: step.outputNode) else { continue }
                let out = q.tensors[node.output]
                let act = graph.activations[fi]
                let per = act.count / n
                let chw = Array(act.storage[(i * per)..<((i + 1) * per)])
                let reference = step.outputShape.count == 3 ? out.shape.channelsLast(fromChannelsFirst: chw) : chw
                for (f, code) in zip(reference, tensors[node.output]) {
                    let d = out.quant.dequantize(code), e = Double(f) - d
                    signal[step.name, default: 0] += Double(f) * Double(f)
                    noise[step.name, default: 0] += e * e
                    absError[step.name, default: 0] += abs(e) / out.quant.scale
                    count[step.name, default: 0] += 1
                }
            }
        }
        return fused.steps.compactMap { step in
            guard let c = count[step.name], c > 0 else { return nil }
            let sqnr = 10 * log10(max(signal[step.name]!, 1e-30) / max(noise[step.name]!, 1e-30))
            return Layer(name: step.name, sqnrDecibels: sqnr, meanErrorSteps: absError[step.name]! / Double(c))
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
