import WhittleIR
import XCTest

/// Issue 12's measurement, pinned so that a regression of the schedule or of the placement fails:
/// on 1,000 random branching DAGs, the peak of live arena bytes in the order listed and in the
/// scheduled order, the arena planned for each, and the scheduled arena against its lower bound
/// at alignments 1 and 4 (the bare-metal targets').
final class MemoryPlanMeasurementTests: XCTestCase {
    func testArenaAgainstLowerBoundOnRandomDAGs() {
        var peak = (listed: 0, scheduled: 0), arena = (listed: 0, scheduled: 0), lowered = 0, atBound = 0
        var ratios: [Int: [Double]] = [1: [], 4: []]
        for seed in 0..<1000 {
            let graph = SampleGraphs.randomBranching(seed: UInt64(seed))
            let scheduled = MemorySchedule.reordered(graph)
            let (listed, leaner) = (BufferLifetimes(graph).peakLiveBytes(), BufferLifetimes(scheduled).peakLiveBytes())
            XCTAssertLessThanOrEqual(leaner, listed, "graph \(seed)")
            peak = (peak.listed + listed, peak.scheduled + leaner)
            lowered += leaner < listed ? 1 : 0
            for alignment in [1, 4] {
                let plan = MemoryPlanner.plan(scheduled, alignment: alignment)
                guard plan.lowerBoundBytes > 0 else { continue } // no arena at all
                ratios[alignment]!.append(Double(plan.arenaBytes) / Double(plan.lowerBoundBytes))
                if alignment == 1 {
                    arena = (arena.listed + MemoryPlanner.plan(graph, alignment: 1).arenaBytes, arena.scheduled + plan.arenaBytes)
                    atBound += plan.arenaBytes == plan.lowerBoundBytes ? 1 : 0
                }
            }
        }
        let mean = ratios.mapValues { $0.reduce(0, +) / Double($0.count) }, worst = ratios.mapValues { $0.max()! }
        let cut = 1 - Double(peak.scheduled) / Double(peak.listed)
        print("memory plan, 1,000 random DAGs: arena / lower bound mean \(mean[1]!.rounded3) worst \(worst[1]!.rounded3), at the bound in "
              + "\(atBound) of \(ratios[1]!.count) (alignment 4: mean \(mean[4]!.rounded3) worst \(worst[4]!.rounded3)); summed peak live bytes "
              + "\(peak.listed) as listed, \(peak.scheduled) scheduled (\((100 * cut).rounded3) % lower, lower in \(lowered) graphs); "
              + "summed arena \(arena.listed) as listed, \(arena.scheduled) scheduled")
        XCTAssertLessThanOrEqual(mean[1]!, 1.005)
        XCTAssertLessThanOrEqual(worst[1]!, 1.2)
        XCTAssertLessThanOrEqual(mean[4]!, 1.005)
        XCTAssertLessThanOrEqual(worst[4]!, 1.25)
        XCTAssertGreaterThanOrEqual(cut, 0.28)
        XCTAssertLessThan(arena.scheduled, arena.listed * 3 / 4)
    }
}

private extension Double {
    var rounded3: String { String(format: "%.3f", self) }
}
