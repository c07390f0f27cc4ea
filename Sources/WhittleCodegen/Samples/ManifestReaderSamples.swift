import Foundation
import WhittleIR

/// Valid `whittle.json` manifests (the manifest fuzzer's seed corpus: emissions of small sample
/// graphs, made fresh each time fuzzing starts) and the reader the fuzzer drives.
public enum ManifestReaderSamples {
    public static func files(target: TargetDescriptor?, resources: WhittleResources?) -> [(name: String, bytes: Data)] {
        guard let target, let resources else { return [] }
        let graphs = [SampleGraphs.leNet(seed: 1, validationCount: 3)] + (1...6).map { SampleGraphs.random(seed: UInt64($0)) }
        return graphs.enumerated().compactMap { i, graph in
            let options = EmitOptions(target: target, modelName: "sample\(i).q", vectorCount: i == 0 ? nil : 2)
            guard let emission = try? Emitter.emission(of: graph, options: options, resources: resources),
                  let bytes = try? emission.manifest.encoded() else { return nil }
            return ("whittle\(i).json", Data(bytes))
        }
    }

    public static func read(_ bytes: Data) {
        _ = try? EmitManifest.decode(bytes, path: "whittle.json")
    }
}
