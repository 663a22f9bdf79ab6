// A small builder for ONNX graphs over onnx-proto, so that graph code reads like the model
// it implements: `const y = g.op('MatMul', [x, w])` instead of hand-built protobuf messages.
import { onnx } from 'onnx-proto';

/** Element types the engine's graphs use. */
export type ElemType = 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';

/** A dimension: a fixed size or a symbolic name such as "T". */
export type Dim = number | string;

/** Marks a float attribute whose value happens to be a whole number (e.g. alpha = 1.0). */
export class FloatAttr {
  constructor(readonly value: number) {}
}
export const float = (value: number): FloatAttr => new FloatAttr(value);

/** Attribute values: whole numbers are INT, others FLOAT; arrays of whole numbers are INTS. */
export type AttrValue = number | FloatAttr | number[] | string | onnx.ITensorProto;

export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

const ONNX_TYPE: Record<ElemType, onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

const OPSET = 17;
/** onnxruntime's own operators; version 1 is the only one. */
const CONTRIB_DOMAIN = 'com.microsoft';

/**
 * A graph ready for the runtime: the protobuf holds the nodes and small constants; large
 * initializers travel beside it as onnxruntime's external data (one "file" each, the caller's
 * Float32Array bytes as they are). onnxruntime-web copies each into its heap once, where a weight
 * inside the protobuf was copied three times (the message, the parsed message, the tensor).
 */
export interface GraphModel {
  bytes: Uint8Array;
  externalData: { path: string; data: Uint8Array }[];
}

/** Initializers at least this large go to external data. */
const EXTERNAL_MIN_BYTES = 16 * 1024;

/** An ONNX TensorProto holding `data` (little-endian raw bytes, no copy until encoding). */
export function tensorProto(name: string, type: ElemType, dims: number[], data: TensorData): onnx.ITensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`tensor ${name}: ${data.length} values for shape [${dims.join(', ')}] (expected ${expected})`);
  }
  return {
    name,
    dims,
    dataType: ONNX_TYPE[type],
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (value instanceof FloatAttr) return { name, type: T.FLOAT, f: value.value };
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  }
  if (Array.isArray(value)) {
    if (!value.every(Number.isInteger)) throw new Error(`attribute ${name}: only integer lists are supported`);
    return { name, type: T.INTS, ints: value };
  }
  return { name, type: T.TENSOR, t: value };
}

function valueInfo(name: string, type: ElemType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/**
 * Collects nodes, initializers, inputs and outputs of one graph. Node output names are
 * generated from a scope prefix ("h3.attn/MatMul_12") so that profiles stay readable.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  /** Large initializers by name, kept out of the protobuf by toModel(). */
  private readonly large = new Map<string, { type: ElemType; dims: number[]; data: TensorData }>();
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;
  private prefix = '';
  /** Whether a node of onnxruntime's own operator set (com.microsoft) is in the graph. */
  private usesContribOps = false;

  constructor(private readonly graphName: string) {}

  /** Runs `build` with node and constant names prefixed by `scope` (e.g. "h0.attn"). */
  scoped<R>(scope: string, build: () => R): R {
    const outer = this.prefix;
    this.prefix = outer ? `${outer}.${scope}` : scope;
    try {
      return build();
    } finally {
      this.prefix = outer;
    }
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Declares `value` as a graph output called `name`. A node output is renamed in place
   * (an Identity would copy it, which matters for [H, T, T] attention maps).
   */
  output(value: string, name: string, type: ElemType, dims: Dim[]): void {
    let exposed = value;
    if (value !== name) {
      const producer = this.nodes.find((n) => n.output?.includes(value));
      if (producer) {
        this.claim(name);
        const rename = (names: string[] | null | undefined) => names?.map((n) => (n === value ? name : n));
        producer.output = rename(producer.output);
        for (const node of this.nodes) node.input = rename(node.input);
        exposed = name;
      } else {
        exposed = this.op('Identity', [value], {}, name);
      }
    }
    this.outputs.push(valueInfo(exposed, type, dims));
  }

  initializer(name: string, type: ElemType, dims: number[], data: TensorData): string {
    const full = this.qualified(name);
    this.claim(full);
    const proto = tensorProto(full, type, dims, data);
    if (data.byteLength >= EXTERNAL_MIN_BYTES) this.large.set(full, { type, dims, data });
    this.initializers.push(proto);
    return full;
  }

  /** A small int64 constant (shapes, axes, indices); asking again for the same one reuses it. */
  int64s(name: string, values: number[]): string {
    return this.constant(name, `int64:${values.join(',')}`, () =>
      this.initializer(name, 'int64', [values.length], BigInt64Array.from(values.map(BigInt))),
    );
  }

  /** A float32 scalar constant of shape [] (broadcasts against anything); reused like int64s. */
  scalar(name: string, value: number): string {
    return this.constant(name, `float32:${value}`, () => this.initializer(name, 'float32', [], Float32Array.of(value)));
  }

  private readonly constants = new Map<string, string>();

  private constant(name: string, value: string, create: () => string): string {
    const full = this.qualified(name);
    const known = this.constants.get(full);
    if (known === undefined) {
      this.constants.set(full, value);
      return create();
    }
    if (known !== value) throw new Error(`graph ${this.graphName}: constant ${full} is defined twice with different values`);
    return full;
  }

  /** Adds one node and returns its (first) output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    return this.opMulti(opType, inputs, 1, attrs, outputName ? [outputName] : undefined)[0];
  }

  /** One node of onnxruntime's own operators (domain com.microsoft, e.g. MatMulNBits); returns its output. */
  contribOp(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    this.usesContribOps = true;
    return this.opMulti(opType, inputs, 1, attrs, undefined, CONTRIB_DOMAIN)[0];
  }

  /** Adds one node with `outputCount` outputs and returns their names. */
  opMulti(
    opType: string,
    inputs: string[],
    outputCount: number,
    attrs: Record<string, AttrValue> = {},
    outputNames?: string[],
    domain?: string,
  ): string[] {
    const id = this.counter++;
    const base = this.qualified(`${opType}_${id}`);
    const outputs = outputNames ?? Array.from({ length: outputCount }, (_, i) => (outputCount === 1 ? base : `${base}:${i}`));
    outputs.forEach((n) => this.claim(n));
    this.nodes.push({
      name: base,
      opType,
      ...(domain ? { domain } : {}),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** Serialises the model (opset 17, IR version 8) with every initializer inside the protobuf. */
  toBytes(): Uint8Array {
    return this.encode(this.initializers);
  }

  /** The model with its large initializers as external data (see GraphModel). */
  toModel(): GraphModel {
    const externalData: GraphModel['externalData'] = [];
    const initializers = this.initializers.map((proto) => {
      const large = this.large.get(proto.name!);
      if (!large) return proto;
      const path = `w${externalData.length}`;
      const data = new Uint8Array(large.data.buffer, large.data.byteOffset, large.data.byteLength);
      externalData.push({ path, data });
      return {
        name: proto.name,
        dims: proto.dims,
        dataType: proto.dataType,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: path },
          { key: 'offset', value: '0' },
          { key: 'length', value: String(data.byteLength) },
        ],
      };
    });
    return { bytes: this.encode(initializers), externalData };
  }

  private encode(initializers: onnx.ITensorProto[]): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'llm-lens',
      opsetImport: [{ domain: '', version: OPSET }, ...(this.usesContribOps ? [{ domain: CONTRIB_DOMAIN, version: 1 }] : [])],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private qualified(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private claim(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`graph ${this.graphName}: name ${name} is used twice`);
    this.usedNames.add(name);
  }
}
