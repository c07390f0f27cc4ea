import Foundation
import WhittleIR
import WhittleSupport
import WhittleTFLite

/// `import`'s work, shared with `run MODEL.tflite`: read the flatbuffer, map it to a QGraph, and
/// attach the test inputs (`--vectors`) and another engine's outputs for them (`--expected`) as
/// the graph's validation set. Every error is one line starting with the file it is about.
struct TFLiteImportStage {
    var modelPath: String
    var vectorsPath: String?
    var expectedPath: String?

    func run() throws -> TFLiteImport {
        let model = try TFLiteReader.read(from: URL(fileURLWithPath: modelPath))
        var imported: TFLiteImport
        do {
            imported = try TFLiteImporter.importModel(model, modelName: URL(fileURLWithPath: modelPath).lastPathComponent)
        } catch let error as TFLiteImportError {
            throw TFLiteImportError("\(modelPath): \(error.description)")
        }
        guard let vectorsPath else { return imported }
        let graph = imported.graph
        let inputs = try Self.int8File(vectorsPath, elementsPerVector: graph.inputTensor.byteCount, what: "input")
        let count = inputs.count / graph.inputTensor.byteCount
        var expected: [Int8]?
        if let expectedPath {
            expected = try Self.int8File(expectedPath, elementsPerVector: graph.outputTensor.byteCount, what: "output")
            guard expected!.count / graph.outputTensor.byteCount == count else {
                throw TFLiteImportError("\(expectedPath): \(expected!.count / graph.outputTensor.byteCount) outputs for the \(count) inputs of \(vectorsPath)")
            }
        }
        imported.graph.validation = ValidationSet(count: count, inputs: inputs, expectedOutputs: expected)
        do {
            try GraphVerifier.verify(imported.graph)
        } catch {
            throw TFLiteImportError("\(vectorsPath): \(error)")
        }
        return imported
    }

    /// A raw int8 file of whole vectors (checked by size before it is read).
    static func int8File(_ path: String, elementsPerVector: Int, what: String) throws -> [Int8] {
        let url = URL(fileURLWithPath: path)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), attributes[.type] as? FileAttributeType == .typeRegular else {
            throw TFLiteImportError("\(path): no such file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        guard size > 0, size % elementsPerVector == 0 else {
            throw TFLiteImportError("\(path): \(size) bytes is not a whole number of \(elementsPerVector)-byte int8 \(what)s")
        }
        guard size / elementsPerVector <= QGraphLimits.maxVectors, size <= QGraphLimits.maxVectorBytes else {
            throw TFLiteImportError("\(path): \(size / elementsPerVector) \(what)s, over the limit of \(QGraphLimits.maxVectors) vectors or \(QGraphLimits.maxVectorBytes) bytes")
        }
        do {
            return [UInt8](try Data(contentsOf: url)).map { Int8(bitPattern: $0) }
        } catch {
            throw TFLiteImportError("\(path): \(fileErrorText(error))")
        }
    }
}

extension TFLiteImportStage {
    /// The stage for `model` with `--vectors FILE [--expected FILE]` read from `args` (import and run share them).
    init(model: String, command: String, _ args: inout Arguments) throws {
        modelPath = model
        vectorsPath = try args.option("--vectors")
        expectedPath = try args.option("--expected")
        if expectedPath != nil && vectorsPath == nil { throw UsageError(command, "--expected needs --vectors (the inputs it answers)") }
    }
}
