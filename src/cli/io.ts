import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from '../errors.ts';

/** What a command produced: a value for `--json`, and the text a person reads. */
export interface CommandOutput {
  readonly result: unknown;
  readonly text: string;
}

export type Command = (argv: string[]) => Promise<CommandOutput>;

export const JSON_OPTION = { json: { type: 'boolean' } } as const;

/** parseArgs with strict checking; unknown options and missing values are usage errors. */
export function parseCommandArgs<const T extends ParseArgsOptionsConfig>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>({ args: argv, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new UsageError('USAGE_INVALID_ARGUMENT', `${(cause as Error).message}\nusage: ${usage}`, { cause });
  }
}

export function requireOption(value: string | undefined, name: string, usage: string): string {
  if (value === undefined || value === '') throw new UsageError('USAGE_INVALID_ARGUMENT', `--${name} is required\nusage: ${usage}`);
  return value;
}

export function requirePositional(positionals: string[], count: number, what: string, usage: string): string[] {
  if (positionals.length !== count) {
    throw new UsageError('USAGE_INVALID_ARGUMENT', `expected ${what} (got ${positionals.length} argument${positionals.length === 1 ? '' : 's'})\nusage: ${usage}`);
  }
  return positionals;
}

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? 'USAGE_FILE_NOT_FOUND' : 'USAGE_FILE_UNREADABLE', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

export function readBytesFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? 'USAGE_FILE_NOT_FOUND' : 'USAGE_FILE_UNREADABLE', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Writes via a temporary file and rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new UsageError('USAGE_FILE_UNREADABLE', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Creates a new file; refuses to replace one that exists (keys are never overwritten). */
export function writeNewFile(path: string, data: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError('USAGE_FILE_EXISTS', `${path} already exists; refusing to overwrite it`, { cause });
    throw new UsageError('USAGE_FILE_UNREADABLE', `cannot create ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}

/** Parses a JSON command-line value, naming the option when it is not JSON. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UsageError('USAGE_INVALID_ARGUMENT', `--${option} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

export function parsePositiveInteger(text: string | undefined, option: string): number | undefined {
  return text === undefined ? undefined : parseInteger(text, option, 1);
}

/** A whole number of at least `min` (0 or 1), written in decimal digits. */
export function parseInteger(text: string, option: string, min: 0 | 1): number {
  // decimal digits only: Number() would also take "1e3", "0x10" and " 5"
  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError('USAGE_INVALID_ARGUMENT', `--${option} must be a ${min === 1 ? 'positive' : 'non-negative'} integer, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Makes a result printable as JSON: bigint as string, Map/Set as arrays, bytes as arrays, undefined as null. */
export function toJsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v === undefined) return null;
      if (v instanceof Map) return [...v.entries()];
      if (v instanceof Set) return [...v.values()];
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, (n) => (typeof n === 'bigint' ? n.toString() : n));
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      return v;
    }) ?? 'null',
  );
}

/**
 * Text from a component, an envelope or a source file, made safe to print: terminal control
 * characters (ESC sequences that clear the screen, rewrite the title or fake earlier output; a
 * carriage return that overwrites a line) and bidirectional overrides (text that reads otherwise
 * than it is) are shown as escapes, so what is printed cannot pose as isoclass's own output.
 * Newlines and tabs stay.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
