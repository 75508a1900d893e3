import * as acorn from 'acorn';
import type { JsonObject } from '../envelope/record.ts';
import { ECMA_VERSION, RUNTIME_MODULE, type SourceUsage } from '../policy/validate.ts';

/**
 * What a packed module reaches outside itself, for `record.capture`: the runtime exports it
 * imports and the globals it names (from the policy's scope analysis). A reviewer reads these
 * two lists to know what the component can touch.
 */
export function summarizeModule(source: string, usage: SourceUsage): JsonObject {
  return { runtime: runtimeImports(source), globals: [...usage.globals].sort() };
}

function runtimeImports(source: string): string[] {
  let program: acorn.Program;
  try {
    program = acorn.parse(source, { ecmaVersion: ECMA_VERSION, sourceType: 'module' });
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const statement of program.body) {
    if (statement.type !== 'ImportDeclaration' || statement.source.value !== RUNTIME_MODULE) continue;
    for (const specifier of statement.specifiers) {
      if (specifier.type === 'ImportSpecifier') names.add(specifier.imported.type === 'Identifier' ? specifier.imported.name : String(specifier.imported.value));
    }
  }
  return [...names].sort();
}
