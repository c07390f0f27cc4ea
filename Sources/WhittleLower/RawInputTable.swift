import WhittleIR
import WhittleNN

/// The int8 model input for each raw byte 0…255: the spec's normalisation, then the input's
/// quantization, computed once here and stored in the QGraph (`QGraph.rawInputTable`). Firmware
/// quantizes a sensor byte with exactly this table (`model_quantize_input`), and the validation
/// inputs are made with it — so the bytes firmware feeds are the bytes `verify` checked, even
/// where a pixel lands on a rounding tie (LeNet's input scale 2/255 puts every pixel on one).
public enum RawInputTable {
    public static func make(normalization: Normalization, inputQuant: QuantParams) -> [Int8] {
        (0...255).map { inputQuant.quantize(Double(normalization.apply(Float($0)))) }
    }
}
