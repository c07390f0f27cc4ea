import XCTest
import WhittleNN
import WhittleTensor

final class LossTests: XCTestCase {
    func testCrossEntropyHandValueAndStability() {
        // log-sum-exp of [1, 2, 3] = 3.40760596; loss for label 0 = 2.40760596.
        let v = Loss.softmaxCrossEntropy(logits: Tensor(shape: [1, 3], storage: [1, 2, 3]), labels: [0])
        XCTAssertEqual(v.loss, 2.4076059, accuracy: 1e-5)
        XCTAssertEqual(v.gradient.storage[0], 0.09003057 - 1, accuracy: 1e-6)
        // Huge logits must not overflow.
        let big = Loss.softmaxCrossEntropy(logits: Tensor(shape: [1, 2], storage: [1000, 0]), labels: [1])
        XCTAssertEqual(big.loss, 1000, accuracy: 1e-3)
        XCTAssertTrue(big.gradient.isFinite)
    }

    func testMeanSquaredError() {
        let v = Loss.meanSquaredError(output: Tensor(shape: [1, 2], storage: [1, 3]), target: Tensor(shape: [1, 2], storage: [0, 1]))
        XCTAssertEqual(v.loss, 2.5) // (1 + 4) / 2
        XCTAssertEqual(v.gradient.storage, [1, 2])
    }

    func testSGDMomentumNesterovAndWeightDecayMatchPyTorch() {
        // PyTorch: w=1, g=0.5 constant, lr=0.1, momentum=0.9, weight_decay=0.1.
        let p = Parameter(Tensor(shape: [1], storage: [1]))
        let sgd = SGD(parameters: [p], momentum: 0.9, weightDecay: 0.1)
        p.grad.storage[0] = 0.5; sgd.step(learningRate: 0.1)   // d=0.6, buf=0.6, w=0.94
        XCTAssertEqual(p.value.storage[0], 0.94, accuracy: 1e-6)
        p.grad.storage[0] = 0.5; sgd.step(learningRate: 0.1)   // d=0.594, buf=1.134, w=0.8266
        XCTAssertEqual(p.value.storage[0], 0.8266, accuracy: 1e-6)
        let q = Parameter(Tensor(shape: [1], storage: [1]))
        let nesterov = SGD(parameters: [q], momentum: 0.9, nesterov: true)
        q.grad.storage[0] = 1; nesterov.step(learningRate: 0.1) // buf=1, d=1+0.9=1.9
        XCTAssertEqual(q.value.storage[0], 0.81, accuracy: 1e-6)
    }

    func testAdamFirstStepIsLearningRate() {
        let p = Parameter(Tensor(shape: [2], storage: [1, 1]))
        let adam = Adam(parameters: [p])
        p.grad.storage = [3, -0.01]
        adam.step(learningRate: 0.01)
        XCTAssertEqual(p.value.storage[0], 0.99, accuracy: 1e-5)
        XCTAssertEqual(p.value.storage[1], 1.01, accuracy: 1e-5)
    }

    func testSchedules() {
        XCTAssertEqual(Schedule.step(stepSize: 2, gamma: 0.5).rate(base: 1, epoch: 3, epochs: 5), 0.5)
        XCTAssertEqual(Schedule.cosine(minimum: 0).rate(base: 1, epoch: 0, epochs: 4), 1, accuracy: 1e-12)
        XCTAssertEqual(Schedule.cosine(minimum: 0).rate(base: 1, epoch: 2, epochs: 4), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Schedule.constant.rate(base: 0.3, epoch: 9, epochs: 10), 0.3)
    }
}
