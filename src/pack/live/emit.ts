import * as acorn from 'acorn';
import { ECMA_VERSION, RUNTIME_MODULE } from '../../policy/validate.ts';
import { writeSourceMap, type Mapping } from '../source-map-writer.ts';
import type { FunctionSource } from './function-source.ts';

/** Where a captured function's text came from: a file, or (unknown) only its own text. */
export type PieceOrigin = { readonly file: string; readonly line: number; readonly column: number } | undefined;

export interface EmittedFunction {
  /** The module binding the code refers to it by. */
  readonly name: string;
  readonly source: FunctionSource;
  readonly origin: PieceOrigin;
}

export interface EmittedValue {
  readonly name: string;
  readonly expression: string;
}

export interface ModuleParts {
  /** Runtime exports the code uses, imported from `isoclass`. */
  readonly runtime: readonly string[];
  readonly values: readonly EmittedValue[];
  /** In dependency order: what a function needs when it is defined (its base class) comes first. */
  readonly functions: readonly EmittedFunction[];
  /** The binding of the exported class, or undefined when it has no name (exported directly). */
  readonly root: EmittedFunction;
}

export interface EmittedModule {
  readonly source: string;
  readonly sourceMap: string;
}

const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g;

/** Line breaks as JavaScript engines count them (CRLF once; CR, LS and PS too). */
function countLineBreaks(text: string): number {
  return text.match(LINE_BREAK)?.length ?? 0;
}

/**
 * Writes the captured pieces as one ES module: the runtime import, inlined values, each
 * function's exact toString text (as a declaration when its name allows, else bound with
 * const), and the class as the default export. Every function keeps its text byte for byte,
 * so a source map can point each token back at the file it came from.
 */
export function emitModule(parts: ModuleParts): EmittedModule {
  const out = new ModuleWriter();
  if (parts.runtime.length > 0) out.line(`import { ${[...parts.runtime].sort().join(', ')} } from ${JSON.stringify(RUNTIME_MODULE)};`);
  for (const value of parts.values) out.line(`const ${value.name} = ${value.expression};`);
  for (const piece of parts.functions) {
    out.blank();
    const { source } = piece;
    if (piece.name === '') {
      // only the class being packed can be anonymous: it is exported as it is
      out.piece('export default (', piece, ');');
      continue;
    }
    if ((source.kind === 'class' || source.kind === 'function') && source.declaredName === piece.name) {
      out.piece('', piece, ''); // `class Foo {…}` / `function foo() {…}` read as declarations
    } else if (source.kind === 'method') {
      out.piece(`const ${piece.name} = ({`, piece, `\n})${memberAccess(source.declaredName ?? '')};`);
    } else {
      out.piece(`const ${piece.name} = (`, piece, ');');
    }
  }
  if (parts.root.name !== '') {
    out.blank();
    out.line(`export default ${parts.root.name};`);
  }
  return { source: out.text(), sourceMap: out.map() };
}

function memberAccess(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

class ModuleWriter {
  /** Whole lines of output; a piece's text is kept intact, line breaks and all (a string may hold U+2028). */
  readonly #chunks: string[] = [];
  #lineCount = 0;
  readonly #mappings: Mapping[] = [];
  readonly #sources: string[] = [];
  readonly #contents: (string | null)[] = [];

  line(text: string): void {
    this.#chunks.push(text);
    this.#lineCount += 1 + countLineBreaks(text);
  }

  blank(): void {
    if (this.#chunks.length > 0) this.line('');
  }

  piece(prefix: string, piece: EmittedFunction, suffix: string): void {
    const generatedLine = this.#lineCount;
    this.line(`${prefix}${piece.source.text}${suffix}`);
    this.#map(piece, generatedLine, prefix.length);
  }

  /** One mapping per token: maps do not interpolate columns, and stack frames point at tokens. */
  #map(piece: EmittedFunction, generatedLine: number, generatedColumn: number): void {
    const source = this.#sourceIndex(piece);
    const base = piece.origin ?? { line: 0, column: 0 };
    const add = (line: number, column: number): void => {
      this.#mappings.push({
        generatedLine: generatedLine + line,
        generatedColumn: line === 0 ? generatedColumn + column : column,
        source,
        originalLine: base.line + line,
        originalColumn: line === 0 ? base.column + column : column,
      });
    };
    try {
      for (const token of acorn.tokenizer(piece.source.text, { ecmaVersion: ECMA_VERSION, sourceType: 'module', locations: true })) {
        const start = token.loc?.start;
        if (start !== undefined) add(start.line - 1, start.column);
      }
    } catch {
      // cannot happen for text that parsed; fall back to one mapping per line
      for (let i = 0; i <= countLineBreaks(piece.source.text); i++) add(i, 0);
    }
  }

  #sourceIndex(piece: EmittedFunction): number {
    // A file-backed piece names its file but does not ship its content: the file may hold code
    // that was not captured. A piece without a known file is its own source.
    const name = piece.origin?.file ?? `live:${piece.name || 'default'}`;
    const content = piece.origin === undefined ? piece.source.text : null;
    const existing = this.#sources.indexOf(name);
    if (existing >= 0) return existing;
    this.#sources.push(name);
    this.#contents.push(content);
    return this.#sources.length - 1;
  }

  text(): string {
    return `${this.#chunks.join('\n')}\n`;
  }

  map(): string {
    return writeSourceMap({ file: 'component.js', sources: this.#sources, sourcesContent: this.#contents, mappings: this.#mappings });
  }
}
