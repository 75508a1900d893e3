import { inspect } from 'node:util';
import { UsageError } from '../../errors.ts';
import { loadComponent } from '../../loader.ts';
import { PolicyError } from '../../policy/errors.ts';
import type { PolicyFileProblem } from '../../policy/policy-file.ts';
import { loadPolicy, withRuntimeLimits, type Policy } from '../../policy/policy.ts';
import { JSON_OPTION, parseCommandArgs, parseJsonOption, parsePositiveInteger, readBytesFile, requireOption, requirePositional, terminalSafe, toJsonSafe, type CommandOutput } from '../io.ts';
import { readTrust, versionStoreFor } from './shared.ts';

const USAGE =
  'isoclass run <envelope.json> --trust <trust.json | key.pub> --call <method> [--args JSON-array] [--policy file] [--tenant T] [--state dir] [--blob-dir dir] [--timeout-ms N] [--memory-mb N] [--json]';

export async function run(argv: string[]): Promise<CommandOutput> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      trust: { type: 'string' },
      call: { type: 'string' },
      args: { type: 'string' },
      policy: { type: 'string' },
      tenant: { type: 'string' },
      state: { type: 'string' },
      'blob-dir': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
      ...JSON_OPTION,
    },
    USAGE,
  );
  const [file] = requirePositional(positionals, 1, 'one envelope file', USAGE) as [string];
  const trust = readTrust(requireOption(values.trust, 'trust', USAGE));
  const method = requireOption(values.call, 'call', USAGE);
  const args = values.args === undefined ? [] : parseJsonOption(values.args, 'args');
  if (!Array.isArray(args)) throw new UsageError('USAGE_INVALID_ARGUMENT', '--args must be a JSON array of arguments');
  const timeoutMs = parsePositiveInteger(values['timeout-ms'], 'timeout-ms');
  const memoryMb = parsePositiveInteger(values['memory-mb'], 'memory-mb');
  const base = loadPolicy(values.policy ?? 'default');
  const policy = withOptionLimits(base, timeoutMs, memoryMb);
  const component = await loadComponent(readBytesFile(file, 'envelope'), {
    trust,
    policy,
    ...(values.tenant !== undefined ? { tenant: values.tenant } : {}),
    ...(values.state !== undefined ? { versionStore: versionStoreFor(values.state) } : {}),
    ...(values['blob-dir'] !== undefined ? { blobDir: values['blob-dir'] } : {}),
    // a component's log line is its own text: printed terminal-safe, and on one line (a newline
    // in it would forge a second line, as if another component or isoclass had written it)
    onLog: (entry) => process.stderr.write(`${terminalSafe(`[${entry.tenant}/${entry.identifier}] ${entry.line}`).replace(/\n/g, '\\n')}\n`),
  });
  try {
    const result = await component.call(method, args);
    return {
      result: toJsonSafe(result),
      text: typeof result === 'string' ? result : inspect(result, { depth: 8, colors: false, maxArrayLength: 200 }),
    };
  } finally {
    component.dispose();
  }
}

/** The policy with --timeout-ms and --memory-mb applied; a value out of a policy's bounds is a usage error naming its option. */
function withOptionLimits(base: Policy, timeoutMs: number | undefined, memoryMb: number | undefined): Policy {
  try {
    return withRuntimeLimits(base, {
      // --timeout-ms bounds CPU per call; the wall-clock deadline is never shorter than it
      ...(timeoutMs !== undefined ? { cpuMsPerCall: timeoutMs, wallMsPerCall: Math.max(timeoutMs, base.runtime.wallMsPerCall) } : {}),
      ...(memoryMb !== undefined ? { memoryMb } : {}),
    });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const problems = (error.details['problems'] ?? []) as readonly PolicyFileProblem[];
    // one sentence per option (--timeout-ms sets both the CPU and the wall-clock limit)
    const byOption = new Map<string, string>();
    for (const p of problems) {
      const option = p.path.endsWith('memoryMb') ? `--memory-mb ${memoryMb}` : `--timeout-ms ${timeoutMs}`;
      if (!byOption.has(option)) byOption.set(option, `${option} is out of range: ${p.requirement === undefined ? p.message : `it ${p.requirement}`}`);
    }
    const said = [...byOption.values()].join('; ');
    throw new UsageError('USAGE_INVALID_ARGUMENT', said || error.message, { cause: error });
  }
}
