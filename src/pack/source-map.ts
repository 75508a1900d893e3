import { TraceMap, originalPositionFor, sourceContentFor } from '@jridgewell/trace-mapping';
import type { ComponentRecord } from '../envelope/record.ts';
import { LineIndex, codeFrame, type Violation } from '../policy/diagnostics.ts';
import { PolicyError } from '../policy/errors.ts';
import type { Policy } from '../policy/policy.ts';
import { validateSource } from '../policy/validate.ts';
import { ComponentError } from '../sandbox/errors.ts';

/** A position in an original file, through a record's source map. */
export interface OriginalPosition {
  /** The original file as the map names it (sanitized for printing). */
  readonly source: string;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
}

/** A policy violation placed in the original file it came from. */
export interface MappedViolation extends Violation {
  readonly file?: string;
}

const MAX_SOURCE_NAME = 200; // characters of a file name printed from a map
const MAX_STACK_LINES = 200; // frames mapped per stack

const maps = new WeakMap<object, TraceMap | null>();

/** Parses (once per record) the map the writer signed; a broken map means "no map", never a crash. */
function traceMapOf(key: object, sourceMap: string | undefined): TraceMap | undefined {
  if (sourceMap === undefined || sourceMap === '') return undefined;
  let map = maps.get(key);
  if (map === undefined) {
    try {
      map = new TraceMap(sourceMap);
    } catch {
      map = null;
    }
    maps.set(key, map);
  }
  return map ?? undefined;
}

/** The original position of a 1-based (line, column) of the module, if the map knows it. */
export function originalPosition(map: TraceMap, line: number, column: number): OriginalPosition | undefined {
  const found = rawPosition(map, line, column);
  return found === undefined ? undefined : { ...found, source: sanitizeSourceName(found.source) };
}

/** As originalPosition, with the map's source name as it is (callers clean it their way). */
function rawPosition(map: TraceMap, line: number, column: number): OriginalPosition | undefined {
  const found = originalPositionFor(map, { line, column: column - 1 });
  if (found.source === null || found.line === null || found.column === null) return undefined;
  return { source: found.source, line: found.line, column: found.column + 1 };
}

/** The lines of each original file a map carries, split once per map (many violations may fall in one file). */
const originalLines = new WeakMap<TraceMap, Map<string, readonly string[] | null>>();
function linesOf(map: TraceMap, source: string): readonly string[] | null {
  let files = originalLines.get(map);
  if (files === undefined) originalLines.set(map, (files = new Map()));
  let lines = files.get(source);
  if (lines === undefined) {
    const content = sourceContentFor(map, source);
    lines = content === null ? null : new LineIndex(content).lines();
    files.set(source, lines);
  }
  return lines;
}

/**
 * Rewrites the `component:<tenant>/<identifier>@<version>.js:line:col` frames of a component's
 * stack to the original files and lines, through the record's source map:
 * `component:acme/scorer@3/scorer.ts:10:12`. Frames the map does not cover stay as they were.
 */
export function mapComponentStack(stack: string, record: ComponentRecord): string {
  const map = traceMapOf(record, record.code.sourceMap);
  if (map === undefined || stack === '') return stack;
  // the sandbox names the module this way (src/sandbox/component.ts, componentFilename)
  const bundle = `component:${record.tenant}/${record.identifier}@${record.version}`;
  const frame = new RegExp(`${escapeRegExp(`${bundle}.js`)}:(\\d+):(\\d+)`, 'g');
  return stack
    .split('\n')
    .slice(0, MAX_STACK_LINES)
    .map((line) =>
      line.replace(frame, (whole, l: string, c: string) => {
        const original = originalPosition(map, Number(l), Number(c));
        return original === undefined ? whole : `${bundle}/${original.source.replace(/^\/+/, '')}:${original.line}:${original.column}`;
      }),
    )
    .join('\n');
}

/** A ComponentError with its stack mapped to original files; anything else unchanged. */
export function mapComponentError(error: unknown, record: ComponentRecord): unknown {
  if (!(error instanceof ComponentError) || record.code.sourceMap === undefined) return error;
  const mapped = mapComponentStack(error.componentStack, record);
  if (mapped === error.componentStack) return error;
  return new ComponentError(error.componentName, error.componentMessage, mapped, { cause: error, details: { bundleStack: error.componentStack } });
}

/** Where a violation is when no file of the writer's (nor a package's) has it: code the bundler wrote. */
export const GENERATED = '(bundler-generated code)';
const GENERATED_HINT = (n: number): string =>
  `. ${n} of them ${n === 1 ? 'is' : 'are'} in code the bundler generated, not in any file: esbuild's helpers for a CommonJS package (__commonJS, __toESM) use Object.getPrototypeOf, Object.getOwnPropertyDescriptor and Object.prototype, which the default policy denies. Bundle a package that ships an ES-module build, or pack under a policy written for it (policies/README.md, "Bundling packages")`;

/**
 * A PolicyError about a generated or bundled module, re-reported at the original files and
 * lines (with their code frames when the map carries the sources), so a writer sees
 * `scorer.ts:12:5` rather than a line of a bundle they never wrote.
 */
export function remapPolicyError(error: PolicyError, sourceMap: string | undefined, side: 'pack' | 'load' = 'pack'): PolicyError {
  const map = traceMapOf(error, sourceMap);
  if (map === undefined) return error;
  let generated = 0;
  const violations: MappedViolation[] = error.violations.map((v) => {
    const mapped = mapViolation(map, v);
    if (mapped === undefined) generated++;
    return mapped ?? { ...v, file: GENERATED };
  });
  const listed = violations
    .slice(0, 3)
    .map((v) => `${v.file === undefined ? '' : `${v.file}:`}${v.line}:${v.column} ${v.rule}: ${v.message}`)
    .join('; ');
  const count = violations.length;
  return new PolicyError(
    error.code,
    `${error.message.slice(0, error.message.indexOf(' (') >= 0 ? error.message.indexOf(' (') : error.message.length)} (${count} violation${count === 1 ? '' : 's'}): ${listed}${count > 3 ? '; …' : ''}. ${side === 'pack' ? `Run "isoclass lint" on the file for the full list${generated > 0 ? GENERATED_HINT(generated) : ''}` : 'Places are in the writer\'s files, through the signed source map'}`,
    violations,
    { cause: error, details: error.details },
  );
}

/**
 * A violation in a bundle at its original file, line and column, with a frame of the original
 * source when the map carries it; undefined where the bundler wrote the code itself.
 * `nameOf` turns the map's source name into the file shown (cleaned by default: see below).
 */
export function mapViolation(map: TraceMap, v: Violation, nameOf: (source: string) => string = sanitizeSourceName): MappedViolation | undefined {
  const found = rawPosition(map, v.line, v.column);
  if (found === undefined) return undefined;
  const lines = linesOf(map, found.source);
  const frame = lines === null ? v.frame : codeFrame(lines, found.line, found.column);
  return { ...v, file: nameOf(found.source), line: found.line, column: found.column, frame };
}

/**
 * A file name from a signed map is still text from outside: forged diagnostics (control
 * characters, line breaks, spaces that fake a frame's layout) are replaced.
 */
function sanitizeSourceName(name: string): string {
  const cleaned = name.replace(/[^\w.\-/@+~]/g, '_');
  return cleaned.length > MAX_SOURCE_NAME ? `…${cleaned.slice(-MAX_SOURCE_NAME)}` : cleaned;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The policy check of a module, with a refusal reported at the original files and lines when the
 * module carries a source map (`side`: whose advice the message ends with, the writer's or the loader's).
 */
export function validateMapped(source: string, sourceMap: string | undefined, policy: Policy, side: 'pack' | 'load'): ReturnType<typeof validateSource> {
  try {
    return validateSource(source, policy);
  } catch (error) {
    throw error instanceof PolicyError ? remapPolicyError(error, sourceMap, side) : error;
  }
}
