import Foundation
import WhittleIR
import WhittleSupport
import WhittleTFLite

/// `whittle export MODEL.q -o MODEL.tflite`: the reverse of `import`.
enum ExportCommand: Command {
    static let name = "export"
    static let summary = "an int8 Whittle integer graph (.q) as a TFLite model (.tflite)"
    static let help = Help(
        usage: ["whittle export MODEL.q -o MODEL.tflite [--json]"],
        description: """
        Writes the graph as an int8 TFLite flatbuffer (schema version 3, one subgraph) whose operators
        TFLite's reference kernels compute exactly as Whittle's reference interpreter and the emitted C
        do: conv2d as CONV_2D (DEPTHWISE_CONV_2D when each group is one channel), a max pool folded into
        a conv as CONV_2D + MAX_POOL_2D, fully_connected, the pools, reshape, add, softmax, mean and pad
        as themselves, fused ReLU / ReLU6 as the fused activation that clamps the same. Weights keep
        their per-channel scales, biases are int32. A conv padding that is neither SAME nor VALID
        becomes a PAD before it. Node names, weight formats, the input description and the raw-input
        table go into the metadata entry "whittle", so `whittle import` gives back the same graph.

        TFLite keeps scales as float32 and derives the multipliers from them when it loads a model, so
        the export is imported again and compared: a graph whose multipliers would change (its scales
        are not float32 numbers: quantize with --float32-scales) is refused, naming the layer, as is a
        pool whose padding is neither SAME nor VALID and a clamp no fused activation gives.
        """,
        options: [
            ("-o, --output FILE", "the .tflite file to write (written atomically)"),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: [(0, "written"), (2, "bad input: an unreadable model, a graph TFLite cannot hold, an unwritable file")])

    struct Output: Encodable {
        var model: String
        var output: String
        var operators: [String]
        var tensors: Int
        var bytes: Int
    }

    static func run(_ args: inout Arguments) throws -> Int32 {
        guard let output = try args.output("-o", "--output", as: .file) else { throw UsageError(name, "-o MODEL.tflite is required") }
        let json = args.flag("--json")
        let modelPath = try args.positional("MODEL.q")
        try args.finish()
        let graph = try QGraphFile.read(from: URL(fileURLWithPath: modelPath))
        let model: TFLiteModel
        do {
            model = try TFLiteExporter.export(graph)
        } catch let error as TFLiteExportError {
            throw TFLiteExportError("\(modelPath): \(error.description)")
        }
        let bytes = TFLiteWriter.encode(model)
        try AtomicOutput.write(Data(bytes), to: URL(fileURLWithPath: output))
        let operators = model.operators.map(\.kind.description)
        if json {
            try Console.json(Output(model: modelPath, output: output, operators: operators, tensors: model.tensors.count, bytes: bytes.count))
        } else {
            print("\(modelPath) → \(output): \(operators.count) operators, \(model.tensors.count) tensors, \(bytes.count.grouped) bytes")
            print("  " + operators.joined(separator: ", "))
        }
        return 0
    }
}
