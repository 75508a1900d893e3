import { freeze, nameTable, type NameTable } from './intrinsics.ts';

/**
 * An immutable set of names. A loaded policy is shared (cached, passed to many loaders), so its
 * lists must not be changeable by one caller for all: a plain Set could be `.add`ed to, this
 * cannot. Lookups read a null-prototype record, so they call no replaceable built-in.
 */
export class NameSet implements ReadonlySet<string> {
  readonly #table: NameTable;
  readonly #names: readonly string[];

  constructor(names: Iterable<string>) {
    const unique = [...new Set(names)];
    this.#names = freeze(unique);
    this.#table = freeze(nameTable(unique));
    freeze(this);
  }

  has(name: string): boolean {
    return this.#table[name] === true;
  }

  get size(): number {
    return this.#names.length;
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const name of this.#names) callback.call(thisArg, name, name, this);
  }

  entries(): SetIterator<[string, string]> {
    return new Set(this.#names).entries();
  }

  keys(): SetIterator<string> {
    return new Set(this.#names).keys();
  }

  values(): SetIterator<string> {
    return new Set(this.#names).values();
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  /** The names in the order the policy listed them. */
  toArray(): string[] {
    return [...this.#names];
  }

  toJSON(): readonly string[] {
    return this.#names;
  }
}
