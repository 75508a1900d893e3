import { inspect } from 'node:util';
import { EXIT_CODES, IsoclassError, UsageError, exitCodeFor } from '../errors.ts';
import { terminalSafe, type Command } from './io.ts';

const USAGE = `isoclass — ship classes between services as signed envelopes, run them in isolates

usage:
  isoclass keygen --out <prefix>
  isoclass pack <file.js|.ts> --key <prefix>.key --out <envelope.json> [--export Name] [--name id]
                [--version N | --previous <envelope.json>] [--tenant T] [--params JSON] [--policy file]
                [--bundle <package>]... [--artifact name=path]... [--blob-dir dir] [--max-inline-bytes N]
  isoclass verify <envelope.json> --trust <trust.json | key.pub> [--state dir]
  isoclass inspect <envelope.json>
  isoclass inspect --diff <old.json> <new.json>
  isoclass lint <file> [--policy file] [--bundle <package>]... [--json]
  isoclass run <envelope.json> --trust <trust.json | key.pub> --call <method> [--args JSON-array]
               [--policy file] [--tenant T] [--state dir] [--blob-dir dir] [--timeout-ms N] [--memory-mb N]
  isoclass trust add <key.pub> --trust <file> [--tenant T]... [--identifier GLOB]...
                     [--not-before ISO] [--not-after ISO]
  isoclass trust revoke <key.pub | keyid> --trust <file>
  isoclass trust list --trust <file>
  isoclass policy infer <file> [--base policy] [--name N] [--out file] [--force]

Every command takes --json: it then prints {"ok": true, "result": ...} or {"ok": false, "error": {...}}.
Exit codes: 0 ok, 1 internal error, 2 usage, 10 envelope, 11 verification, 12 policy, 13 sandbox limit, 14 component threw.`;

/** Command modules are imported on demand, so `isoclass verify` never loads esbuild. */
const COMMANDS: Readonly<Record<string, () => Promise<{ run: Command }>>> = {
  keygen: () => import('./commands/keygen.ts'),
  pack: () => import('./commands/pack.ts'),
  verify: () => import('./commands/verify.ts'),
  inspect: () => import('./commands/inspect.ts'),
  lint: () => import('./commands/lint.ts'),
  run: () => import('./commands/run.ts'),
  policy: () => import('./commands/policy.ts'),
  trust: () => import('./commands/trust.ts'),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  try {
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (load === undefined) throw new UsageError('USAGE_INVALID_ARGUMENT', `unknown command "${name}"\n\n${USAGE}`);
    const { run } = await load();
    const output = await run(rest);
    // (output may carry what a component returned or an envelope claims: printed terminal-safe;
    // JSON.stringify leaves DEL, C1 and the bidi characters raw, and their \u escapes parse back
    // to the same value)
    if (json) process.stdout.write(`${terminalSafe(JSON.stringify({ ok: true, result: output.result }))}\n`);
    else {
      const text = terminalSafe(output.text);
      process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
    }
    return EXIT_CODES.ok;
  } catch (error) {
    const code = exitCodeFor(error);
    if (json) {
      const described = error instanceof IsoclassError ? error.toJSON() : { code: 'INTERNAL', message: String((error as Error)?.message ?? error) };
      process.stdout.write(`${terminalSafe(JSON.stringify({ ok: false, error: described }))}\n`);
    } else if (error instanceof IsoclassError) {
      // messages, frames and stacks quote component code and what it threw: printed terminal-safe
      process.stderr.write(terminalSafe(`isoclass: ${error.code}: ${error.message}\n`));
      const violations = (error as { violations?: readonly { file?: string; line: number; column: number; rule: string; message: string; frame: string }[] }).violations;
      for (const v of violations ?? []) {
        // lint's frames begin with the place already; pack's name the file (a bundled package's, say) here
        const file = v.file !== undefined && !v.frame.startsWith(`${v.file}:`) ? `${v.file}:` : '';
        process.stderr.write(terminalSafe(`  ${file}${v.line}:${v.column}  ${v.rule}  ${v.message}\n${v.frame.replace(/^/gm, '    ')}\n`));
      }
      const componentStack = (error as { componentStack?: string }).componentStack;
      if (componentStack) process.stderr.write(terminalSafe(`${componentStack}\n`));
    } else {
      process.stderr.write(terminalSafe(`isoclass: internal error (please report): ${inspect(error)}\n`));
    }
    return code;
  }
}

// Run when executed directly (bin/isoclass.js imports this module and calls main itself).
if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
