import Foundation
import WhittleTFLite

/// `inspect MODEL.tflite`: the operators of a TFLite model in order, with their shapes and options.
enum TFLiteInspection {
    struct Output: Encodable {
        var model: String
        var tensors: Int
        var operators: [Operator]

        struct Operator: Encodable {
            var index: Int
            var op: String
            var inputShapes: [[Int]]
            var outputShape: [Int]
            var options: String
        }
    }

    /// A `.tflite` file by its identifier ("TFL3" at byte 4), whatever its name.
    static func isTFLiteFile(_ path: String) -> Bool {
        InspectCommand.fileHas(Array("TFL3".utf8), at: 4, path) ?? path.hasSuffix(".tflite")
    }

    static func run(_ path: String, json: Bool) throws -> Int32 {
        let model = try TFLiteReader.read(from: URL(fileURLWithPath: path))
        let rows = model.operators.enumerated().map { i, op in
            Output.Operator(index: i, op: op.kind.description,
                            inputShapes: op.inputs.map { $0 < 0 ? [] : model.tensors[$0].shape },
                            outputShape: op.outputs.first.map { model.tensors[$0].shape } ?? [],
                            options: optionsText(op.options))
        }
        if json {
            try Console.json(Output(model: path, tensors: model.tensors.count, operators: rows))
            return 0
        }
        let input = model.inputs.first.map { model.tensors[$0] }
        print("\(path): \(model.operators.count) operators, \(model.tensors.count) tensors, input "
              + (input.map { "\(shape($0.shape)) \($0.type?.description ?? "type \($0.rawType)")" } ?? "none"))
        var table = TextTable("#", "operator", "inputs", "output", "options")
        for r in rows {
            table.add([String(r.index), r.op, r.inputShapes.map(shape).joined(separator: ", "), shape(r.outputShape), r.options])
        }
        print(table.rendered)
        return 0
    }

    private static func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }

    private static func optionsText(_ options: TFLiteOptions) -> String {
        switch options {
        case .none, .pad: return ""
        case .conv(let p, let sh, let sw, let dh, let dw, let a):
            return "\(p), stride \(sh)x\(sw)" + (dh == 1 && dw == 1 ? "" : ", dilation \(dh)x\(dw)") + ", \(a)"
        case .depthwiseConv(let p, let sh, let sw, let m, let dh, let dw, let a):
            return "\(p), stride \(sh)x\(sw), multiplier \(m)" + (dh == 1 && dw == 1 ? "" : ", dilation \(dh)x\(dw)") + ", \(a)"
        case .pool(let p, let sh, let sw, let fh, let fw, let a):
            return "\(p), filter \(fh)x\(fw), stride \(sh)x\(sw), \(a)"
        case .fullyConnected(let a, let keep):
            return "\(a)" + (keep ? ", keep dims" : "")
        case .add(let a):
            return "\(a)"
        case .softmax(let beta):
            return "beta \(beta)"
        case .reducer(let keepDims):
            return keepDims ? "keep dims" : ""
        case .reshape(let newShape):
            return "new shape " + shape(newShape)
        }
    }
}
