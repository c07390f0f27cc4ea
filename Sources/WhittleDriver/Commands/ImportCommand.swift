import Foundation
import WhittleIR
import WhittleTFLite

enum ImportCommand: Command {
    static let name = "import"
    static let summary = "an int8 TFLite model (.tflite) as a Whittle integer graph (.q)"
    static let help = Help(
        usage: ["whittle import MODEL.tflite -o MODEL.q [--vectors FILE [--expected FILE]] [--json]"],
        description: """
        Reads the flatbuffer (one subgraph, int8 activations per tensor, int8 weights per channel or
        per tensor, int32 biases) and maps each operator to the node computing what TFLite's reference
        kernel computes, with every quantization parameter taken from the file. A QUANTIZE after a
        float input and a DEQUANTIZE before a float output are removed (the C stays integer only) and
        reported. Any other operator is refused, naming it and its index. Then every command that
        takes a .q works on MODEL.q: inspect, emit, verify, bench.
        """,
        options: [
            ("-o, --output FILE", "the .q file to write (written atomically)"),
            ("--vectors FILE", """
                raw int8 inputs back to back (NHWC): the test inputs emit and verify use
                (without it, emit draws seeded random inputs)
                """),
            ("--expected FILE", """
                raw int8 outputs another engine gave for those inputs; verify then requires the
                C to give them too, byte for byte
                """),
            ("--json", "print one JSON object with the figures"),
        ],
        exitCodes: Help.workOrBadInput)

    struct Output: Encodable {
        var model: String
        var output: String
        var nodes: Int
        var vectors: Int
        var expectedOutputs: Bool
        var notes: [String]
    }

    static func run(_ args: inout Arguments) throws -> Int32 {
        let model = try args.positional("MODEL.tflite")
        guard let output = try args.output("-o", "--output", as: .file) else { throw UsageError(name, "-o MODEL.q is required") }
        let stage = try TFLiteImportStage(model: model, command: name, &args)
        let json = args.flag("--json")
        try args.finish()
        let imported = try stage.run()
        try QGraphFile.write(imported.graph, to: URL(fileURLWithPath: output))
        let set = imported.graph.validation
        if json {
            try Console.json(Output(model: model, output: output, nodes: imported.graph.nodes.count, vectors: set?.count ?? 0,
                                    expectedOutputs: set?.expectedOutputs != nil, notes: imported.notes))
            return 0
        }
        let g = imported.graph
        print("\(model) → \(output): \(g.nodes.count) nodes, input \(g.inputTensor.shape), output \(g.outputTensor.shape)"
              + (set.map { ", \($0.count) test vectors" + ($0.expectedOutputs != nil ? " with expected outputs" : "") } ?? ""))
        for note in imported.notes { print("  \(note)") }
        return 0
    }
}
