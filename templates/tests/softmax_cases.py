"""Writes the softmax sections of fixed_point_cases.json, and LiteRT's outputs for MEAN and PAD
(developer tool, not run by the tests).

The rows of the fixed-point helpers (saturating left shift, exp on [-1/4, 0), exp of Q5.26
values, 1/(1+x), the reciprocal, the multiply above one) are computed by a transcription of
gemmlowp's fixedpoint.h and TFLite's GetReciprocal in Python integers below. The "softmaxRows"
outputs are LiteRT 2.3's own: each row runs through a one-op SOFTMAX model under the
BUILTIN_REF op resolver (the reference kernels). The transcription reproduces every one of
them, which `main` checks before writing.

    python3 -m venv v && v/bin/pip install ai-edge-litert==2.3.0 flatbuffers numpy
    v/bin/python templates/tests/softmax_cases.py templates/tests/fixed_point_cases.json \
        Tests/WhittleIRTests/Fixtures/tflite_mean_pad_cases.json

The second file holds one-op MEAN (axes 1 and 2) and PAD models run the same way: shapes,
quantizations, options, inputs and LiteRT's outputs, for the reference interpreter's tests.
"""
import json
import math
import random
import sys

INT32_MAX = 2**31 - 1
INT32_MIN = -2**31


def srdhm(a, b):
    if a == b == INT32_MIN:
        return INT32_MAX
    return (a * b + 2**30) >> 31  # the nudged truncation equals this floor


def shift_right_away(x, e):
    if e == 0:
        return x
    half = 1 << (e - 1)
    return (abs(x) + half) >> e if x >= 0 else -((abs(x) + half) >> e)


def shift_left_saturating(x, e):
    threshold = (1 << (31 - e)) - 1
    return INT32_MAX if x > threshold else INT32_MIN if x < -threshold else x << e


def exp_interval(a):
    x = a + (1 << 28)
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    polynomial = shift_right_away(srdhm(shift_right_away(x4, 2) + x3, 715827883) + x2, 1)
    return 1895147668 + srdhm(1895147668, x + polynomial)


EXP_MULTIPLIERS = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242]


def exp_q5(a):
    quarter = 1 << 24
    rest = (a & (quarter - 1)) - quarter
    result = exp_interval(shift_left_saturating(rest, 5))
    remainder = rest - a
    for k, m in enumerate(EXP_MULTIPLIERS):
        if remainder & (quarter << k):
            result = srdhm(result, m)
    return INT32_MAX if a == 0 else result


def one_over_one_plus_x(a):
    s = a + INT32_MAX
    half_denominator = abs(s + (1 if s >= 0 else -1)) // 2 * (1 if s >= 0 else -1)  # truncated, as C++ divides
    x = 1515870810 + srdhm(half_denominator, -1010580540)
    for _ in range(3):
        x = x + shift_left_saturating(srdhm(x, (1 << 29) - srdhm(half_denominator, x)), 2)
    return shift_left_saturating(x, 1)


def reciprocal(x, integer_bits):
    headroom_plus_one = 32 - x.bit_length()
    shifted = ((x << headroom_plus_one) & 0xFFFFFFFF) - 2**31
    return one_over_one_plus_x(shifted), integer_bits - headroom_plus_one


def quantize_multiplier(real):
    q, shift = math.frexp(real)
    m = int(math.floor(q * 2**31 + 0.5))
    if m == 2**31:
        m, shift = m // 2, shift + 1
    return (0, 0) if shift < -31 else (m, shift)


def softmax_parameters(beta, scale):
    m, left = quantize_multiplier(min(beta * scale * float(1 << 26), float(INT32_MAX)))
    return m, left, -math.floor(31.0 * (1 << 26) / (1 << left))


def softmax_row(row, beta, scale):
    m, left, diff_min = softmax_parameters(beta, scale)
    top = max(row + [-128])
    exps = [exp_q5(srdhm((v - top) << left, m)) if v - top >= diff_min else None for v in row]
    total = sum(shift_right_away(e, 12) for e in exps if e is not None)
    r, k = reciprocal(total, 12)
    return [-128 if e is None else max(-128, min(127, shift_right_away(srdhm(r, e), k + 23) - 128)) for e in exps]


def litert_run(opcode, options_type, options, in_shape, in_q, out_shape, out_q, constants, inputs):
    """One-op int8 model under LiteRT's reference kernels; constants: int32 inputs (shape, values)."""
    import flatbuffers
    import numpy as np
    from ai_edge_litert import schema_py_generated as s
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    def tensor(name, shape, buf, q=None, kind=s.TensorType.INT8):
        t = s.TensorT()
        t.shape, t.type, t.buffer, t.name = list(shape), kind, buf, name.encode()
        if q is not None:
            t.quantization = s.QuantizationParametersT()
            t.quantization.scale, t.quantization.zeroPoint = [q[0]], [q[1]]
        return t
    model = s.ModelT()
    model.version = 3
    code = s.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = opcode
    code.version = 1
    op = s.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [0] + [2 + i for i in range(len(constants))], [1]
    op.builtinOptionsType, op.builtinOptions = options_type, options
    buffers = [s.BufferT(), s.BufferT(), s.BufferT()]
    tensors = [tensor("in", in_shape, 1, in_q), tensor("out", out_shape, 2, out_q)]
    for i, (shape, values) in enumerate(constants):
        b = s.BufferT()
        b.data = list(np.array(values, dtype=np.int32).tobytes())
        buffers.append(b)
        tensors.append(tensor("c%d" % i, shape, len(buffers) - 1, kind=s.TensorType.INT32))
    graph = s.SubGraphT()
    graph.tensors, graph.inputs, graph.outputs, graph.operators = tensors, [0], [1], [op]
    model.operatorCodes, model.subgraphs, model.buffers = [code], [graph], buffers
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    interpreter = Interpreter(model_content=bytes(builder.Output()), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    result = []
    for x in inputs:
        interpreter.set_tensor(0, np.array(x, dtype=np.int8).reshape(in_shape))
        interpreter.invoke()
        result.append([int(v) for v in interpreter.get_tensor(1).flatten()])
    return result


def litert_softmax(rows, beta, scale):
    from ai_edge_litert import schema_py_generated as s
    options = s.SoftmaxOptionsT()
    options.beta = beta
    shape = [1, 1, 1, len(rows[0])]
    return litert_run(s.BuiltinOperator.SOFTMAX, s.BuiltinOptions.SoftmaxOptions, options, shape, (scale, 0), shape,
                      (1 / 256, -128), [], rows)


def mean_pad_cases(path):
    """MEAN over axes 1, 2 (equal and different quantization, keep_dims either way, large and
    extreme scale ratios) and PAD (height, width, channels), each with LiteRT's outputs."""
    from ai_edge_litert import schema_py_generated as s
    rng = random.Random(7)
    cases = []

    def inputs(count):
        return [[-128] * count, [127] * count] + [[rng.randrange(-128, 128) for _ in range(count)] for _ in range(3)]
    for i in range(24):
        h, w, c = rng.choice([1, 2, 3, 7, 12, 40]), rng.choice([1, 2, 5, 9, 50]), rng.randrange(1, 5)
        in_q = (f32(10 ** rng.uniform(-2.5, 0)), rng.randrange(-128, 128))
        ratio = 1.0 if i % 4 == 0 else 10 ** rng.uniform(-3 if i % 5 else -9, 1.5)
        out_q = in_q if i % 4 == 0 else (f32(in_q[0] / ratio), rng.randrange(-128, 128))
        keep = i % 3 != 0
        options = s.ReducerOptionsT()
        options.keepDims = keep
        xs = inputs(h * w * c)
        ys = litert_run(s.BuiltinOperator.MEAN, s.BuiltinOptions.ReducerOptions, options, [1, h, w, c], in_q,
                        [1, 1, 1, c] if keep else [1, c], out_q, [([2], [1, 2])], xs)
        cases.append({"op": "mean", "shape": [h, w, c], "inputScale": in_q[0], "inputZero": in_q[1], "outputScale": out_q[0],
                      "outputZero": out_q[1], "keepDims": keep, "inputs": xs, "expected": ys})
    for i in range(12):
        h, w, c = rng.randrange(1, 6), rng.randrange(1, 6), rng.randrange(1, 4)
        q = (f32(10 ** rng.uniform(-2, 0)), rng.randrange(-128, 128))
        pads = [[0, 0], [rng.randrange(0, 3), rng.randrange(0, 3)], [rng.randrange(0, 3), rng.randrange(0, 3)],
                [rng.randrange(0, 3), rng.randrange(0, 3)] if i % 2 else [0, 0]]
        out_shape = [1] + [[h, w, c][k] + pads[k + 1][0] + pads[k + 1][1] for k in range(3)]
        xs = inputs(h * w * c)
        ys = litert_run(s.BuiltinOperator.PAD, s.BuiltinOptions.PadOptions, s.PadOptionsT(), [1, h, w, c], q, out_shape, q,
                        [([4, 2], [v for pair in pads for v in pair])], xs)
        cases.append({"op": "pad", "shape": [h, w, c], "inputScale": q[0], "inputZero": q[1], "paddings": pads[1:],
                      "inputs": xs, "expected": ys})
    with open(path, "w") as out:
        out.write('{\n "about": "One-op int8 MEAN (axes 1 and 2) and PAD models through LiteRT 2.3\'s reference kernels '
                  '(BUILTIN_REF), written by templates/tests/softmax_cases.py: shapes are height, width, channels; paddings '
                  'top/bottom, left/right, channels before/after; inputs and expected are channels-last.",\n "cases": [\n')
        out.write(",\n".join("  " + json.dumps(case) for case in cases))
        out.write("\n ]\n}\n")


def f32(x):
    import struct
    return struct.unpack("f", struct.pack("f", x))[0]


def main(path):
    rng = random.Random(2026)
    table = json.load(open(path))
    table["about"] = (table["about"].split(" The softmax sections")[0] + " The softmax sections (from shiftedLeftWithSaturation on) "
                      "come from templates/tests/softmax_cases.py: a transcription of gemmlowp's fixedpoint.h for the helpers, and LiteRT 2.3's "
                      "reference SOFTMAX (BUILTIN_REF) for softmaxRows, which the transcription reproduces; their C twins are in "
                      "templates/kernels/whittle_softmax.h and softmax_s8.c.")
    shifts = []
    for e in [1, 2, 5, 12, 30, 31]:
        t = (1 << (31 - e)) - 1
        for x in [0, 1, -1, t, t + 1, -t, -t - 1, INT32_MAX, INT32_MIN, 3]:
            shifts.append({"x": x, "exponent": e, "expected": shift_left_saturating(x, e)})
    table["shiftedLeftWithSaturation"] = shifts
    interval = [-2**29, -2**29 + 1, -2**28 - 1, -2**28, -2**28 + 1, -2**27, -3, -2, -1] + [rng.randrange(-2**29, 0) for _ in range(12)]
    table["expOnIntervalBetweenNegativeOneQuarterAnd0Excl"] = [{"a": a, "expected": exp_interval(a)} for a in interval]
    q5 = [0, -1, -2, -2**24 + 1, -2**24, -2**24 - 1, -2**25, -2**26, -2**27, -2**28, -2**29, -2**30, -2**30 - 1,
          -31 * 2**26, -31 * 2**26 - 1, -(2**31 - 1), INT32_MIN, -16 * 2**26, -8 * 2**26 - 12345] + [rng.randrange(INT32_MIN, 0) for _ in range(16)]
    table["expOnNegativeValuesQ5"] = [{"a": a, "expected": exp_q5(a)} for a in q5]
    over = [0, 1, 2, 2**29, 2**30, 2**30 + 1, 3 * 2**29, INT32_MAX - 1, INT32_MAX] + [rng.randrange(0, 2**31) for _ in range(12)]
    table["oneOverOnePlusX"] = [{"a": a, "expected": one_over_one_plus_x(a)} for a in over]
    rec = [2**19, 2**19 + 1, 3 * 2**19, 2**20 - 1, 2**20, 10 * 2**19, 511 * 2**19, 2**28 - 1, 1, INT32_MAX] + [rng.randrange(2**19, 2**28) for _ in range(10)]
    table["reciprocal"] = [dict(zip(["x", "integerBits", "expected", "bitsOverUnit"], [x, 12, *reciprocal(x, 12)])) for x in rec]
    greater = []
    for m, left in [(2**30, 0), (2**30, 4), (INT32_MAX, 31), (1717986918, 27), (1503238554, 28), (1073741825, 1)]:
        radius = math.floor(31.0 * (1 << 26) / (1 << left))
        for x in sorted({0, -1, -radius, -min(radius, 255), -(radius // 2)}):
            greater.append({"x": x, "multiplier": m, "leftShift": left, "expected": srdhm(x << left, m)})
    table["multiplyByQuantizedMultiplierGreaterThanOne"] = greater

    rows = []

    def add(note, beta, scale, row_list):
        beta, scale = f32(beta), f32(scale)
        for row in row_list:
            out = litert_softmax([row], beta, scale)[0]
            assert softmax_row(row, beta, scale) == out, (note, row, out)
            rows.append({"note": note, "beta": beta, "inputScale": scale, "inputs": row, "expected": out})
    for depth in [1, 2, 3, 4, 10, 255, 511]:
        add("all equal over %d channels (256/C - 128)" % depth, 1.0, 0.1, [[rng.randrange(-128, 128)] * depth])
    add("one dominant input", 1.0, 0.05, [[127] + [-128] * 9, [-128] * 7 + [127], [0, -100, -100, -100]])
    add("the full int8 range in one row", 1.0, 0.02, [list(range(-128, 128))])
    add("the full int8 range, a sharper beta", 3.0, 0.07, [list(range(127, -129, -2))])
    # beta * s_in = 2.5: left shift 28, diff_min = -7.
    add("differences at diff_min (-7) and diff_min - 1", 25.0, 0.1, [[100, 93, 92, 99, 95], [-121, -128, -128, -125]])
    add("beta * s_in * 2^26 capped at 2^31 - 1 (left shift 31, diff_min 0)", 1.0, 100.0, [[5, 5, 4, -128], [127, 126, 127]])
    add("beta * s_in * 2^26 just above 1 (every difference counts)", 1.0, 2.0**-25.5, [[127, -128, 0, 60], [-128, -127]])
    add("exp's quarter boundaries: beta * s_in = 1/4", 0.25, 1.0, [[0, -1, -2, -3, -4, -5, -8, -16, -31, -32, -33, -64, -128]])
    for _ in range(6):
        depth = rng.choice([2, 5, 16, 37, 100])
        beta, scale = rng.choice([1.0, 0.5, 2.0]), 10 ** rng.uniform(-2.5, 0.5)
        add("random", beta, scale, [[rng.randrange(-128, 128) for _ in range(depth)] for _ in range(2)])
    table["softmaxRows"] = rows

    with open(path, "w") as out:
        out.write("{\n")
        keys = list(table.keys())
        for i, key in enumerate(keys):
            value = table[key]
            if isinstance(value, str):
                out.write(" %s: %s" % (json.dumps(key), json.dumps(value, ensure_ascii=False)))
            else:
                out.write(" %s: [\n" % json.dumps(key))
                out.write(",\n".join("  " + json.dumps(row) for row in value))
                out.write("\n ]")
            out.write(",\n" if i + 1 < len(keys) else "\n")
        out.write("}\n")


if __name__ == "__main__":
    main(sys.argv[1])
    if len(sys.argv) > 2:
        mean_pad_cases(sys.argv[2])
