/**
 * Runs the same calls on a class in the host and on its packed copy in an isolate, and
 * reports each outcome (a value, or what was thrown) so tests compare them one to one.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as acorn from 'acorn';
import { sha256Hex } from '../../src/envelope/record.ts';
import type { LoadedComponent } from '../../src/loader.ts';
import { ComponentError } from '../../src/sandbox/errors.ts';
import { ROOT } from '../helpers.ts';

export type Call = readonly [method: string, args: readonly unknown[]];

export type Outcome = { readonly value: unknown } | { readonly threw: string };

async function hostOutcome(instance: Record<string, unknown>, [method, args]: Call): Promise<Outcome> {
  try {
    const fn = instance[method];
    assert.equal(typeof fn, 'function', `the host class has a method ${method}`);
    // values leave an isolate by copy, as structured clone copies them (a null-prototype or
    // class-instance object arrives as a plain object): compare with the host value copied alike
    return { value: structuredClone(await (fn as (...a: unknown[]) => unknown).apply(instance, [...args])) };
  } catch (error) {
    return { threw: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

async function isolateOutcome(component: LoadedComponent, [method, args]: Call): Promise<Outcome> {
  try {
    return { value: await component.call(method, args) };
  } catch (error) {
    if (error instanceof ComponentError) return { threw: `${error.componentName}: ${error.componentMessage}` };
    throw error;
  }
}

/** Calls each method in order on both; asserts every outcome is the same and returns them. */
export async function assertSameInHostAndIsolate(host: object, component: LoadedComponent, calls: readonly Call[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const call of calls) {
    const inHost = await hostOutcome(host as Record<string, unknown>, call);
    const inIsolate = await isolateOutcome(component, call);
    assert.deepEqual(inIsolate, inHost, `${call[0]}(${JSON.stringify(call[1])}) gives the same outcome in the isolate as in the host`);
    outcomes.push(inIsolate);
  }
  return outcomes;
}

/**
 * Imports a packed module in the host realm, with `isoclass` resolved to the host twin of the
 * runtime (src/component.ts): the very code that was signed, run outside the isolate.
 */
export async function importInHost(source: string, dir: string): Promise<Record<string, unknown>> {
  const program = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  const runtimeUrl = pathToFileURL(join(ROOT, 'src', 'component.ts')).href;
  let rewritten = source;
  const imports = program.body.filter((s): s is acorn.ImportDeclaration => s.type === 'ImportDeclaration' && s.source.value === 'isoclass');
  for (const statement of imports.reverse()) {
    rewritten = `${rewritten.slice(0, statement.source.start)}${JSON.stringify(runtimeUrl)}${rewritten.slice(statement.source.end)}`;
  }
  const file = join(dir, `module-${sha256Hex(rewritten).slice(0, 16)}.mjs`);
  writeFileSync(file, rewritten);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
