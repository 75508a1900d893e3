import type { JsonObject } from '../envelope/record.ts';
import { PackError } from './errors.ts';

const MAX_PARAMS_DEPTH = 64; // levels
const MAX_PARAMS_BYTES = 1024 * 1024; // bytes of JSON

/**
 * Params travel as JSON inside the signed record and are copied into the isolate, so they must
 * be plain JSON that survives both unchanged. Checked at pack time, with the path of the first
 * value that would not.
 */
export function checkParams(alleged: unknown): JsonObject {
  if (alleged === null || typeof alleged !== 'object' || Array.isArray(alleged)) {
    throw invalid('params', 'must be a JSON object');
  }
  checkJsonValue(alleged, 'params', invalid);
  const size = Buffer.byteLength(JSON.stringify(alleged), 'utf8');
  if (size > MAX_PARAMS_BYTES) throw invalid('params', `is ${size} bytes as JSON, over the limit of ${MAX_PARAMS_BYTES}; ship large data as an artifact`);
  return alleged as JsonObject;
}

/**
 * Checks that `value` is plain JSON that survives JSON.stringify and a structured clone
 * unchanged; the first value that would not is reported through `fail(path, what)`.
 */
export function checkJsonValue(value: unknown, path: string, fail: (path: string, what: string) => Error): void {
  walk(value, path, 0, fail);
}

function walk(value: unknown, path: string, depth: number, invalid: (path: string, what: string) => Error): void {
  if (depth > MAX_PARAMS_DEPTH) throw invalid(path, `is nested deeper than ${MAX_PARAMS_DEPTH} levels`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, `is ${value}, which JSON cannot carry`);
      if (Object.is(value, -0)) throw invalid(path, 'is -0, which JSON turns into 0');
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw invalid(`${path}[${i}]`, 'is a hole in the array');
          walk(value[i], `${path}[${i}]`, depth + 1, invalid);
        }
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        throw invalid(path, `is a ${(value as object).constructor?.name ?? 'non-plain'} object; only plain objects, arrays, strings, finite numbers, booleans and null travel`);
      }
      for (const key of Reflect.ownKeys(value)) {
        if (typeof key === 'symbol') throw invalid(path, 'has a symbol key');
        const desc = Object.getOwnPropertyDescriptor(value, key);
        if (desc?.get !== undefined || desc?.set !== undefined) throw invalid(`${path}.${key}`, 'is a getter/setter');
        walk(desc?.value, `${path}.${key}`, depth + 1, invalid);
      }
      return;
    default:
      throw invalid(path, `is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot carry`);
  }
}

function invalid(path: string, what: string): PackError {
  return new PackError('PACK_PARAMS_INVALID', `${path} ${what}`, { details: { path } });
}
