import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';
import { RUNTIME_MODULE } from '../policy/validate.ts';
import { PackError } from './errors.ts';

export interface BundleOptions {
  /**
   * Packages whose published files are bundled into the component (e.g. `['quick-lru']`),
   * resolved from node_modules as Node would. Any other package import is refused: a
   * component carries its code, it never reaches into the loader's node_modules.
   */
  readonly bundle?: readonly string[];
  /**
   * Leaves the imports `bundle` does not cover in the output instead of refusing them, for the
   * policy to report where they are (`isoclass lint`). Never for code that is packed.
   */
  readonly keepForeignImports?: boolean;
}

export interface BundledPackage {
  readonly name: string;
  readonly version: string;
}

export interface BundleResult {
  /** One ES module: the component file, its relative imports and listed packages; only `isoclass` stays imported. */
  readonly source: string;
  /** The bundler's source map (JSON), with paths relative to the component file's folder. */
  readonly sourceMap: string;
  /** The writer's own files in the bundle, relative to the component file's folder. */
  readonly files: readonly string[];
  /** The packages bundled, with the versions found in node_modules. */
  readonly packages: readonly BundledPackage[];
}

const NODE_BUILTINS: ReadonlySet<string> = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/**
 * Bundles a component file (JavaScript or TypeScript) and everything it imports by relative
 * path — plus the packages listed in `bundle` — into one ES module with esbuild.
 */
export async function bundleFile(path: string, options: BundleOptions = {}): Promise<BundleResult> {
  const entry = resolve(path);
  if (!existsSync(entry)) throw new PackError('PACK_FILE_NOT_FOUND', `component file ${path} does not exist`);
  const allowed = checkPackageList(options.bundle ?? []);
  const { build } = await import('esbuild');
  const entryDir = dirname(entry);
  const importsPlugin: Plugin = {
    name: 'isoclass-imports',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path === RUNTIME_MODULE) return { path: RUNTIME_MODULE, external: true };
        // lint only, never packed code: the import stays for the policy's import rule to refuse in place
        if (options.keepForeignImports === true && !allowed.has(packageNameOf(args.path))) return { path: args.path, external: true };
        const from = args.importer ? ` (imported by ${relative(entryDir, args.importer) || args.importer})` : '';
        // host access: Node's built-ins do not exist in the isolate, and bundling cannot make them
        if (NODE_BUILTINS.has(args.path) || NODE_BUILTINS.has(args.path.split('/')[0] ?? '')) {
          return refuse(`import of the Node built-in "${args.path}"${from} is not allowed: a component runs in an isolate without Node's APIs; use the capabilities "${RUNTIME_MODULE}" exports`);
        }
        // supply chain: only packages the writer named are bundled, each one reviewed by choice
        if (allowed.has(packageNameOf(args.path))) return undefined;
        return refuse(
          `import of package "${args.path}"${from} is not allowed: a component may import only "${RUNTIME_MODULE}" and files by relative path. To bundle the package's published files into the component, list it: bundle: ['${packageNameOf(args.path)}'] (isoclass pack --bundle ${packageNameOf(args.path)})`,
        );
      });
    },
  };
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      // npm packages name their entry points in these fields; no Node- or browser-only conditions
      mainFields: ['module', 'main'],
      conditions: ['module'],
      // libraries branch on this; the isolate has no `process` to read it from
      define: { 'process.env.NODE_ENV': '"production"' },
      // keep the syntax the isolate's V8 runs natively: nothing is down-levelled behind the policy's back
      target: 'es2024',
      // sources in the map are relative to the output file: next to the entry, so the map names
      // `scorer.ts` and `../node_modules/x/index.js`, not the writer's absolute paths
      outfile: join(entryDir, 'component.js'),
      sourcemap: 'external',
      sourcesContent: true,
      metafile: true,
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'silent',
      plugins: [importsPlugin],
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (code === undefined) throw new PackError('PACK_BUNDLE_FAILED', `bundling ${path} produced no output`);
    // esbuild appends a sourceMappingURL comment naming a file that will not exist: drop it
    const source = code.text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    return { source, sourceMap: map?.text ?? '', ...describeInputs(result.metafile, entryDir) };
  } catch (error) {
    if (error instanceof PackError) throw error;
    const failures = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    const detail = failures?.length
      ? failures.map((f) => (f.location ? `${f.location.file}:${f.location.line}:${f.location.column + 1}: ${f.text}` : f.text)).join('; ')
      : (error as Error).message;
    const code = failures?.some((f) => f.text.includes('is not allowed')) ? 'PACK_IMPORT_NOT_ALLOWED' : 'PACK_BUNDLE_FAILED';
    throw new PackError(code, `cannot bundle ${path}: ${detail}`, { cause: error });
  }
}

function refuse(text: string): { errors: { text: string }[] } {
  return { errors: [{ text }] };
}

function checkPackageList(alleged: readonly string[]): ReadonlySet<string> {
  if (!Array.isArray(alleged)) throw new PackError('PACK_OPTIONS_INVALID', 'bundle must be an array of package names');
  alleged.forEach((name, i) => {
    if (typeof name !== 'string' || !PACKAGE_NAME.test(name)) {
      throw new PackError('PACK_OPTIONS_INVALID', `bundle[${i}] is ${JSON.stringify(name)}, not an npm package name (name or @scope/name, no subpath)`, { details: { path: `bundle[${i}]` } });
    }
    if (name === RUNTIME_MODULE || NODE_BUILTINS.has(name)) {
      throw new PackError('PACK_OPTIONS_INVALID', `bundle[${i}] is "${name}", which cannot be bundled: ${name === RUNTIME_MODULE ? 'the runtime module is provided by the loader' : "it is one of Node's built-in modules"}`, {
        details: { path: `bundle[${i}]` },
      });
    }
  });
  return new Set(alleged);
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function describeInputs(metafile: Metafile | undefined, entryDir: string): { files: string[]; packages: BundledPackage[] } {
  const files: string[] = [];
  const packages = new Map<string, string>();
  for (const input of Object.keys(metafile?.inputs ?? {})) {
    const absolute = resolve(input);
    const marker = `${sep}node_modules${sep}`;
    const at = absolute.lastIndexOf(marker);
    if (at < 0) {
      files.push(relative(entryDir, absolute).split(sep).join('/'));
      continue;
    }
    const rest = absolute.slice(at + marker.length).split(sep);
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '');
    if (!packages.has(name)) packages.set(name, packageVersion(join(absolute.slice(0, at + marker.length), ...name.split('/'))));
  }
  return {
    files: files.sort(),
    packages: [...packages].map(([name, version]) => ({ name, version })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function packageVersion(dir: string): string {
  try {
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
