import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { RUNTIME_MODULE } from '../policy/validate.ts';
import { PackError } from './errors.ts';

export interface BundleResult {
  /** One ES module: the component file and its relative imports; only `isoclass` stays imported. */
  readonly source: string;
  /** The bundler's source map (JSON), mapping back to the original files. */
  readonly sourceMap: string;
}

/**
 * Bundles a component file (JavaScript or TypeScript) and everything it imports by relative
 * path into one ES module with esbuild. Package imports are refused: a component carries its
 * code, it does not reach into the loader's node_modules.
 */
export async function bundleFile(path: string): Promise<BundleResult> {
  const entry = resolve(path);
  if (!existsSync(entry)) throw new PackError('PACK_FILE_NOT_FOUND', `component file ${path} does not exist`);
  const { build } = await import('esbuild');
  const refusePackages: Plugin = {
    name: 'isoclass-imports',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path === RUNTIME_MODULE) return { path: RUNTIME_MODULE, external: true };
        return {
          errors: [
            {
              text: `import of package "${args.path}" is not allowed: a component may import only "${RUNTIME_MODULE}" and files by relative path`,
            },
          ],
        };
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
      // keep the syntax the isolate's V8 runs natively: nothing is down-levelled behind the policy's back
      target: 'es2024',
      outfile: 'component.js',
      sourcemap: 'external',
      sourcesContent: true,
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'silent',
      plugins: [refusePackages],
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (code === undefined) throw new PackError('PACK_BUNDLE_FAILED', `bundling ${path} produced no output`);
    // esbuild appends a sourceMappingURL comment naming a file that will not exist: drop it
    const source = code.text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    return { source, sourceMap: map?.text ?? '' };
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
