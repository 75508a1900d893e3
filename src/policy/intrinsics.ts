/**
 * The built-ins the policy checker's decisions rest on, captured once when this module loads,
 * so that a later change to a global or a prototype by other code in the host process (a
 * polyfill, a compromised dependency) cannot change what the checker allows.
 *
 * Lookups that decide a verdict use null-prototype records (`NameTable`) rather than Set or Map
 * methods: reading an own property calls no built-in that could have been replaced.
 */
export const freeze = Object.freeze;
export const create = Object.create;
export const hasOwn = Object.hasOwn;
export const keys = Object.keys;
export const isArray = Array.isArray;
export const byteLength = Buffer.byteLength;
export const stringify = JSON.stringify;

/** A set of names as a null-prototype record: `__proto__` and `constructor` are ordinary keys. */
export type NameTable = Record<string, true | undefined>;

export function nameTable(names: Iterable<string> = []): NameTable {
  const table = create(null) as NameTable;
  for (const name of names) table[name] = true;
  return table;
}

/** Appends without calling Array.prototype.push (which other code could replace). */
export function append<T>(list: T[], item: T): void {
  list[list.length] = item;
}
