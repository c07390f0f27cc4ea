import WhittleTFLite
import XCTest

/// The flatbuffer writer against the reader: tables with scalars left at their defaults,
/// strings, vectors of scalars and of tables, nested tables, alignment and the file identifier;
/// and `TFLiteWriter` writing MLPerf Tiny's four models so that they read back identical.
final class FlatBufferBuilderTests: XCTestCase {
    func testTablesVectorsAndStringsReadBack() throws {
        var b = FlatBufferBuilder()
        let name = b.string("conv1")
        let empty = b.string("")
        let values = b.vector([Int32(-1), 7, Int32.max])
        let wide = b.vector([Int64.min, 3])
        let data = b.vector([UInt8](1...5), alignment: 16)
        let floats = b.vector([Float(0.5), -2])
        b.startTable()
        b.add(0, Int8(9), default: 0)
        let child = b.endTable()
        let children = b.vector([child, child])
        b.startTable()
        b.add(1, name)
        b.add(2, Int32(0), default: 0)        // the default: left out
        b.add(3, Int16(-300), default: 0)
        b.add(4, values)
        b.add(5, wide)
        b.add(6, data)
        b.add(7, floats)
        b.add(8, children)
        b.add(9, empty)
        b.add(10, true, default: false)
        let bytes = b.finish(root: b.endTable(), identifier: "TFL3")

        XCTAssertEqual(Array(bytes[4..<8]), Array("TFL3".utf8))
        XCTAssertEqual(bytes.count % 16, 0, "the buffer's size is a multiple of its largest alignment")
        let r = FlatBufferReader(bytes: bytes)
        let root = try r.root("root")
        XCTAssertEqual(try r.string(root, 1, "name"), "conv1")
        XCTAssertNil(try r.field(root, 2, "default"))
        XCTAssertEqual(try r.scalarField(root, 2, "default", default: Int32(5)), 5)
        XCTAssertEqual(try r.scalarField(root, 3, "short", default: Int16(0)), -300)
        XCTAssertEqual(try r.scalars(root, 4, Int32.self, "values"), [-1, 7, Int32.max])
        XCTAssertEqual(try r.scalars(root, 5, Int64.self, "wide"), [Int64.min, 3])
        XCTAssertEqual(Array(try r.bytes(root, 6, "data")), [1, 2, 3, 4, 5])
        XCTAssertEqual(try r.vectorField(root, 6, "data", elementSize: 1)!.start % 16, 0, "16-byte aligned data")
        XCTAssertEqual(try r.vectorField(root, 5, "wide", elementSize: 8)!.start % 8, 0)
        XCTAssertEqual(try r.floats(root, 7, "floats"), [0.5, -2])
        let tables = try r.tables(root, 8, "children")
        XCTAssertEqual(try tables.map { try r.scalarField($0, 0, "child", default: Int8(0)) }, [9, 9])
        XCTAssertEqual(try r.string(root, 9, "empty"), "")
        XCTAssertEqual(try r.scalarField(root, 10, "flag", default: UInt8(0)), 1)
        XCTAssertNil(try r.field(root, 11, "past the vtable"))
    }

    /// Every MLPerf Tiny model, read, written and read again, is the model it was: tensors,
    /// constants, quantization, operators with their options, metadata.
    func testWriterRoundTripsTheMLPerfTinyModels() throws {
        for name in ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"] {
            let model = try TFLiteImportTests.model(name)
            let bytes = TFLiteWriter.encode(model)
            XCTAssertEqual(try TFLiteReader.decode(bytes), model, name)
        }
    }

    /// Operator codes: one per kind and version, both code fields, custom operators by name.
    func testOperatorCodes() throws {
        let tensor = TFLiteTensor(name: "x", shape: [1, 4], type: .int8)
        let ops = [TFLiteOperator(kind: .fullyConnected, inputs: [0], outputs: [0], options: .fullyConnected(activation: .relu, keepDims: false)),
                   TFLiteOperator(kind: .fullyConnected, inputs: [0], outputs: [0], options: .fullyConnected(activation: .none, keepDims: true)),
                   TFLiteOperator(kind: .other(code: 150, custom: nil), inputs: [0], outputs: [0]),
                   TFLiteOperator(kind: .other(code: 32, custom: "MyOp"), inputs: [0], outputs: [0]),
                   TFLiteOperator(kind: .fullyConnected, inputs: [0], outputs: [0], options: .fullyConnected(activation: .none, keepDims: false))]
        let model = TFLiteModel(tensors: [tensor], inputs: [0], outputs: [0], operators: ops)
        let bytes = TFLiteWriter.encode(model)
        XCTAssertEqual(try TFLiteReader.decode(bytes), model)
        let r = FlatBufferReader(bytes: bytes)
        let codes = try r.tables(try r.root("model"), 1, "codes")
        func fields(_ t: FlatBufferReader.Table) throws -> [Int32] {
            [Int32(try r.scalarField(t, 0, "deprecated", default: Int8(0))), try r.scalarField(t, 3, "builtin", default: Int32(0)),
             try r.scalarField(t, 2, "version", default: Int32(1))]
        }
        XCTAssertEqual(try codes.map(fields), [[9, 9, 4], [9, 9, 5], [127, 150, 1], [32, 32, 1]])
        XCTAssertEqual(try r.string(codes[3], 1, "custom"), "MyOp")
    }
}
