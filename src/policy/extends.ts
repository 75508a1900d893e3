import { PolicyError } from './errors.ts';
import { freeze } from './intrinsics.ts';
import { NameSet } from './name-set.ts';
import type { PolicyFile } from './policy-file.ts';
import type { CapabilityName, ComputedMemberRule, Policy, RuntimeLimits, SourceLimits } from './policy.ts';

const COMPUTED_ORDER: Readonly<Record<ComputedMemberRule, number>> = { none: 0, literal: 1, any: 2 };

/**
 * Applies a policy file on top of what it extends. A child may only remove permissions:
 * loosening anything is an error naming the key, so an operator reviewing `"extends": "strict"`
 * knows the result is at least as strict without re-reading the parent. `parent` undefined
 * means the file extends nothing: what it leaves out is denied (`root`).
 */
export function applyPolicyFile(root: Policy, parent: Policy | undefined, child: PolicyFile, source: string): Policy {
  const base = parent ?? root;
  // widening by extension: a file that says `"extends": "strict"` must never allow more than strict
  const loosens = (path: string, what: string): PolicyError =>
    new PolicyError(
      'POLICY_EXTENDS_LOOSENS',
      `policy ${source}: ${path} ${what}, which "${base.name}" (extended) does not allow; a policy may only tighten what it extends — remove it, or extend a looser policy`,
      [],
      { details: { path, parent: base.name } },
    );

  const allowList = (key: 'syntax' | 'globals', value: PolicyFile['syntax']): 'any' | ReadonlySet<string> => {
    if (value === undefined) return base[key];
    const inherited = base[key];
    if (value === 'any') {
      if (parent !== undefined && inherited !== 'any') throw loosens(`policy.${key}`, 'is "any"');
      return 'any';
    }
    if (parent !== undefined && inherited !== 'any') {
      value.allow.forEach((name, i) => {
        if (!inherited.has(name)) throw loosens(`policy.${key}.allow[${i}]`, `allows "${name}"`);
      });
    }
    return new NameSet(value.allow);
  };

  const computedMembers = child.computedMembers ?? base.computedMembers;
  if (parent !== undefined && COMPUTED_ORDER[computedMembers] > COMPUTED_ORDER[parent.computedMembers]) {
    throw loosens('policy.computedMembers', `is "${computedMembers}"`);
  }

  let imports = base.imports;
  if (child.imports !== undefined) {
    child.imports.allow.forEach((specifier, i) => {
      if (parent !== undefined && !parent.imports.has(specifier)) throw loosens(`policy.imports.allow[${i}]`, `allows "${specifier}"`);
    });
    imports = new NameSet(child.imports.allow);
  }

  const capabilities = { ...base.capabilities };
  for (const [name, granted] of Object.entries(child.capabilities ?? {}) as [CapabilityName, boolean][]) {
    if (parent !== undefined && granted && !parent.capabilities[name]) throw loosens(`policy.capabilities.${name}`, 'is granted');
    capabilities[name] = granted;
  }

  const limits = <T extends SourceLimits | RuntimeLimits>(section: 'source' | 'runtime', inherited: T, given: Partial<T> | undefined): T => {
    const out: Record<string, number> = { ...(inherited as unknown as Record<string, number>) };
    for (const [key, value] of Object.entries(given ?? {}) as [string, number][]) {
      const before = out[key] ?? 0;
      if (parent !== undefined && value > before) throw loosens(`policy.${section}.${key}`, `is ${value}, above ${before}`);
      out[key] = value;
    }
    return freeze(out) as unknown as T;
  };

  return freeze({
    name: child.name,
    chain: freeze([...base.chain, child.name]),
    syntax: allowList('syntax', child.syntax),
    globals: allowList('globals', child.globals),
    // denied names accumulate: a child can add to the list, never take away
    deniedMembers: new NameSet([...base.deniedMembers, ...(child.members?.deny ?? [])]),
    computedMembers,
    imports,
    capabilities: freeze(capabilities),
    source: limits('source', base.source, child.source),
    runtime: limits('runtime', base.runtime, child.runtime),
  });
}
