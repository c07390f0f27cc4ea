import XCTest
import Foundation
import WhittleNN
import WhittleTensor

final class CheckpointTests: XCTestCase {
    func testRoundTripKeepsEveryTensorAndIsReproducible() throws {
        let spec = try Fixtures.spec(Fixtures.tinyConvSpec)
        let a = try spec.buildGraph(seed: 1)
        let bn = a.nodes[1].layer as! BatchNorm
        _ = a.forward(Tensor(shape: [2, 1, 28, 28], storage: (0..<1568).map { Float($0 % 7) }), mode: .train) // move running stats
        let dir = Fixtures.temporaryFolder()
        let path = dir.appendingPathComponent("m.safetensors").path
        try Checkpoint.save(a, to: path)
        let b = try spec.buildGraph(seed: 2)
        try Checkpoint.load(path, into: b)
        for (x, y) in zip(a.namedParameters, b.namedParameters) { XCTAssertEqual(x.parameter.value, y.parameter.value, x.name) }
        let bn2 = b.nodes[1].layer as! BatchNorm
        XCTAssertEqual(bn2.runningMean, bn.runningMean)
        XCTAssertEqual(bn2.runningVar, bn.runningVar)
        XCTAssertEqual(bn2.batchesTracked, 1)
        let names = try SafeTensors(contentsOf: path).entries.map(\.name)
        XCTAssertEqual(names, ["conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "fc.weight", "fc.bias",
                               "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"])
        XCTAssertEqual(try SafeTensors(contentsOf: path)["bn1.num_batches_tracked"]?.dtype, .i64)
        let path2 = dir.appendingPathComponent("m2.safetensors").path
        try Checkpoint.save(b, to: path2)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), try Data(contentsOf: URL(fileURLWithPath: path2)))
    }

    /// A file laid out as `safetensors.torch.save_file` writes it: header keys in its own order,
    /// data sorted by name, padding spaces, F32 little-endian.
    func testLoadsPyTorchStyleFile() throws {
        let spec = try Fixtures.spec("""
        {"name": "m", "input": [3], "layers": [{"name": "fc", "type": "linear", "out_features": 2}]}
        """)
        let g = try spec.buildGraph()
        let bias: [Float] = [0.5, -0.25], weight: [Float] = [1, 2, 3, 4, 5, 6]
        let data = bias.withUnsafeBufferPointer { Data(buffer: $0) } + weight.withUnsafeBufferPointer { Data(buffer: $0) }
        var header = #"{"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]},"__metadata__":{"format":"pt"},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        while (header.utf8.count % 8) != 0 { header += " " }
        var file = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { file.append(contentsOf: $0) }
        file.append(Data(header.utf8)); file.append(data)
        let path = Fixtures.temporaryFolder().appendingPathComponent("pt.safetensors").path
        try file.write(to: URL(fileURLWithPath: path))
        try Checkpoint.load(path, into: g)
        XCTAssertEqual(g.namedParameters[0].parameter.value.storage, weight)
        XCTAssertEqual(g.namedParameters[1].parameter.value.storage, bias)
    }

    func testRejectsBadCheckpointsNamingTheTensor() throws {
        let spec = try Fixtures.spec(Fixtures.tinyConvSpec)
        let g = try spec.buildGraph()
        let dir = Fixtures.temporaryFolder()
        let path = dir.appendingPathComponent("m.safetensors").path
        try Checkpoint.save(g, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = dir.appendingPathComponent("cut.safetensors").path
        try bytes.prefix(bytes.count - 40).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try Checkpoint.load(cut, into: g)) { XCTAssertTrue(String(describing: $0).contains("truncated")) }

        let other = try Fixtures.spec(Fixtures.tinyConvSpec.replacingOccurrences(of: "\"out_channels\": 4", with: "\"out_channels\": 5"))
        XCTAssertThrowsError(try Checkpoint.load(path, into: other.buildGraph())) {
            XCTAssertTrue(String(describing: $0).contains("tensor 'conv1.weight' has shape [4, 1, 5, 5], the model needs [5, 1, 5, 5]"), String(describing: $0))
        }
        let noBN = try Fixtures.spec(Fixtures.tinyConvSpec.replacingOccurrences(of: #"{"name": "bn1", "type": "batchnorm2d"},"#, with: ""))
        XCTAssertThrowsError(try Checkpoint.load(path, into: noBN.buildGraph())) {
            XCTAssertTrue(String(describing: $0).contains("'bn1.weight' does not belong"), String(describing: $0))
        }
        XCTAssertThrowsError(try SafeTensors(data: Data("garbage!garbage!".utf8)))
    }

    /// A [2, 3] pool with a [1, 2] stride keeps both numbers, so the linear after it has the
    /// shape PyTorch's MaxPool2d((2, 3), (1, 2)) gives it, and a softmax adds no tensor.
    func testNonSquarePoolAndSoftmaxRoundTripThroughTheNames() throws {
        let spec = try Fixtures.spec("""
        {"name": "m", "input": [2, 6, 9], "layers": [
          {"name": "conv", "type": "conv2d", "out_channels": 3, "kernel": [3, 1], "padding": "same"},
          {"name": "pool", "type": "maxpool2d", "kernel": [2, 3], "stride": [1, 2]},
          {"name": "flat", "type": "flatten"},
          {"name": "fc", "type": "linear", "out_features": 4},
          {"name": "prob", "type": "softmax"}]}
        """)
        let a = try spec.buildGraph(seed: 1)
        XCTAssertEqual(a.nodes[1].outputShape, [3, 5, 4])
        let path = Fixtures.temporaryFolder().appendingPathComponent("pool.safetensors").path
        try Checkpoint.save(a, to: path)
        let file = try SafeTensors(contentsOf: path)
        XCTAssertEqual(file.entries.map(\.name), ["conv.weight", "conv.bias", "fc.weight", "fc.bias"])
        XCTAssertEqual(file["fc.weight"]?.shape, [4, 3 * 5 * 4])
        let b = try spec.buildGraph(seed: 2)
        try Checkpoint.load(path, into: b)
        for (x, y) in zip(a.namedParameters, b.namedParameters) { XCTAssertEqual(x.parameter.value, y.parameter.value, x.name) }
    }
}
