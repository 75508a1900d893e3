import { append, create, type NameTable } from './intrinsics.ts';

/** An identifier the program reads or writes, with where it is. */
export interface Reference {
  readonly name: string;
  /** UTF-16 offset into the source. */
  readonly start: number;
}

/**
 * One lexical scope, for finding the program's free variables (the globals it reaches).
 *
 * A reference is kept in the innermost scope where it occurs; when a scope closes, its
 * declarations are complete (hoisting included), so the references it does not declare move
 * to its parent. What is left when the module scope closes is free: those names resolve in
 * the global object. This is the resolution eslint-scope does (`globalScope.through`), in the
 * same walk as the policy checks.
 *
 * Only which names are bound matters here, not to what, so scopes that cannot change the
 * answer are merged: a function's name, its parameters and its `arguments` share one scope.
 * Scopes that can change it are kept apart: block scopes (let, const, class and, in strict
 * code, function declarations), catch parameters, loop heads, class names, and — separately
 * from the parameters — a function body, whose declarations parameter defaults cannot see.
 */
export class Scope {
  readonly parent: Scope | undefined;
  /** Where `var` declarations made in this scope go: the nearest function body, static block or module. */
  readonly varScope: Scope;
  readonly #declared: NameTable = create(null) as NameTable;
  #references: Reference[] = [];

  constructor(parent: Scope | undefined, isVarScope: boolean) {
    this.parent = parent;
    this.varScope = isVarScope || parent === undefined ? this : parent.varScope;
  }

  declare(name: string): void {
    this.#declared[name] = true;
  }

  reference(reference: Reference): void {
    append(this.#references, reference);
  }

  /** Closes the scope: its unresolved references move to the parent; at the top they are returned as free. */
  close(): Reference[] {
    const unresolved: Reference[] = [];
    for (const reference of this.#references) {
      // the declaration may come after the use (hoisting, functions calling later functions)
      if (this.#declared[reference.name] !== true) append(unresolved, reference);
    }
    this.#references = [];
    if (this.parent === undefined) return unresolved;
    for (const reference of unresolved) this.parent.reference(reference);
    return [];
  }
}
