/**
 * Host side of the value wire: turns the JSON text the isolate's encoder produced (prelude.ts)
 * into fresh host values. The text is untrusted: it is parsed, never evaluated, and objects are
 * rebuilt with defineProperty so a key named "__proto__" stays an own property instead of
 * replacing a prototype (prototype pollution of the host).
 */
const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;

const MAX_DEPTH = 256; // levels; the encoder stops at 200

export class WireFormatError extends Error {}

export function decodeWireValue(text: string): unknown {
  return revive(JSON.parse(text) as unknown, 0);
}

function revive(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new WireFormatError('value nested too deeply');
  if (Array.isArray(value)) return value.map((item) => revive(item, depth + 1));
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, '$')) return reviveTagged(String(record['$']), record['v'], depth);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const name = key.startsWith('$') ? key.slice(1) : key;
    Object.defineProperty(out, name, { value: revive(record[key], depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function reviveTagged(tag: string, v: unknown, depth: number): unknown {
  switch (tag) {
    case 'undefined':
      return undefined;
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case '-0':
      return -0;
    case 'bigint':
      return BigInt(String(v));
    case 'Date':
      return new Date(typeof v === 'number' ? v : Number.NaN);
    case 'RegExp': {
      const [source, flags] = v as [string, string];
      return new RegExp(source, flags);
    }
    case 'Map':
      return new Map((v as [unknown, unknown][]).map(([k, val]) => [revive(k, depth + 1), revive(val, depth + 1)]));
    case 'Set':
      return new Set((v as unknown[]).map((item) => revive(item, depth + 1)));
    case 'ArrayBuffer': {
      const bytes = Buffer.from(String(v), 'base64');
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }
    case 'DataView': {
      const bytes = Buffer.from(String(v), 'base64');
      return new DataView(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    default: {
      if (!Object.hasOwn(TYPED_ARRAYS, tag)) throw new WireFormatError(`unknown value tag ${tag.slice(0, 40)}`);
      const Ctor = TYPED_ARRAYS[tag as keyof typeof TYPED_ARRAYS];
      const bytes = Buffer.from(String(v), 'base64');
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) throw new WireFormatError(`${tag} byte length is not a multiple of its element size`);
      return new Ctor(buffer);
    }
  }
}
