import XCTest
import WhittleNN
import WhittleTensor

/// `padding: "same"` follows TensorFlow: ceil(in / stride) outputs, the smaller half of the
/// padding before (top, left), the rest after (bottom, right).
final class SamePaddingTests: XCTestCase {
    /// TensorFlow's published values, DS-CNN's first conv (49×10 input, 10×4 kernel, stride 2) among them.
    func testKnownValues() {
        let cases: [(input: Int, kernel: Int, stride: Int, before: Int, after: Int)] = [
            (5, 3, 1, 1, 1), (5, 2, 1, 0, 1), (4, 2, 1, 0, 1), (6, 3, 2, 0, 1), (5, 3, 2, 1, 1), (7, 3, 2, 1, 1),
            (7, 1, 2, 0, 0), (8, 2, 2, 0, 0), (28, 5, 1, 2, 2), (49, 10, 2, 4, 5), (10, 4, 2, 1, 1), (1, 3, 1, 1, 1),
        ]
        for c in cases {
            let p = Padding2D.same(height: c.input, width: c.input, kernel: (c.kernel, c.kernel), stride: (c.stride, c.stride))
            XCTAssertEqual([p.top, p.bottom, p.left, p.right], [c.before, c.after, c.before, c.after], "\(c)")
        }
    }

    /// Against the definition on many random sizes: the least total padding that gives
    /// ceil(in / stride) outputs, split with the odd pad after; odd and even sizes, strides 1 and 2.
    func testMatchesTheDefinitionOnRandomSizes() {
        var rng = RNG(seed: 14)
        for _ in 0..<2000 {
            let input = 1 + rng.int(below: 40), kernel = 1 + rng.int(below: 7), stride = 1 + rng.int(below: 2)
            let wanted = (input + stride - 1) / stride
            let total = (0...).first { (input + $0 - kernel) >= 0 && (input + $0 - kernel) / stride + 1 == wanted }!
            let p = Padding2D.same(height: input, width: 3, kernel: (kernel, 1), stride: (stride, 1))
            XCTAssertEqual([p.top, p.bottom], [total / 2, total - total / 2], "in \(input) k \(kernel) s \(stride)")
            XCTAssertEqual([p.left, p.right], [0, 0])
            let g = ConvGeometry(channels: 1, height: input, width: 3, kernelH: kernel, kernelW: 1, strideH: stride, padding: p)
            XCTAssertEqual(g.outHeight, wanted)
        }
    }

    func testSpecSpellingsGiveTheShapes() throws {
        let spec = try Fixtures.spec("""
        {"name": "m", "input": [2, 49, 10], "layers": [
          {"name": "c1", "type": "conv2d", "out_channels": 4, "kernel": [10, 4], "stride": 2, "padding": "same"},
          {"name": "dw", "type": "conv2d", "out_channels": 8, "kernel": 3, "groups": 4, "padding": "same"},
          {"name": "mp", "type": "maxpool2d", "kernel": [2, 3], "stride": [1, 2], "padding": "same"},
          {"name": "ap", "type": "avgpool2d", "kernel": 3, "stride": 2, "padding": "valid"},
          {"name": "c2", "type": "conv2d", "out_channels": 2, "kernel": 1, "padding": [1, 0]}]}
        """)
        let g = try spec.buildGraph()
        XCTAssertEqual(g.nodes.map(\.outputShape), [[4, 25, 5], [8, 25, 5], [8, 25, 3], [8, 12, 1], [2, 14, 1]])
        let c1 = g.nodes[0].layer as! Conv2d, mp = g.nodes[2].layer as! MaxPool2d
        XCTAssertEqual(c1.padding, Padding2D(top: 4, left: 1, bottom: 5, right: 1))
        XCTAssertEqual(mp.window, PoolWindow(kernel: (2, 3), stride: (1, 2), padding: Padding2D(top: 0, left: 1, bottom: 1, right: 1)))
        XCTAssertEqual((g.nodes[3].layer as! AvgPool2d).window.padding, .zero)
        XCTAssertEqual((g.nodes[4].layer as! Conv2d).padding, Padding2D(1, 0))
    }

    func testBadPaddingIsNamed() {
        XCTAssertThrowsError(try Fixtures.spec(#"{"name": "m", "input": [1, 4, 4], "layers": [{"type": "conv2d", "out_channels": 1, "kernel": 3, "padding": "full"}]}"#, file: "bad.json")) {
            let text = String(describing: $0)
            XCTAssertTrue(text.contains("bad.json: layers[0].padding: unknown padding 'full'"), text)
        }
    }
}
