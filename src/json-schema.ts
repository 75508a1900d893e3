import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * JSON Schema validation for the formats isoclass reads (record, policy, trust file). Schemas
 * are files in the package (schemas/, policies/) so that editors and other tools can use them
 * too; each is compiled once per process.
 */
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const compiled = new Map<string, ValidateFunction>();

export interface SchemaViolation {
  /** Where, as a JS-like path from the document root, e.g. `policy.globals.allow[3]`. */
  readonly path: string;
  readonly message: string;
}

/** Loads and compiles the schema file at `url` once; returns a checker for documents. */
export function schemaChecker(url: URL): (alleged: unknown, root: string) => SchemaViolation[] {
  return (alleged, root) => {
    let validate = compiled.get(url.href);
    if (validate === undefined) {
      validate = ajv.compile(JSON.parse(readFileSync(url, 'utf8')) as object);
      compiled.set(url.href, validate);
    }
    if (validate(alleged)) return [];
    return (validate.errors ?? []).map((e) => describe(e, root));
  };
}

function describe(error: ErrorObject, root: string): SchemaViolation {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = root;
  for (const segment of segments) path += /^\d+$/.test(segment) ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: `${path}.${String(params['additionalProperty'])}`, message: 'is not a known key' };
    case 'required':
      return { path: `${path}.${String(params['missingProperty'])}`, message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${JSON.stringify(params['allowedValues'])}` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** `a.b must be x; c is not a known key` — the first few violations, for an error message. */
export function formatViolations(violations: readonly SchemaViolation[], max = 5): string {
  const shown = violations.slice(0, max).map((v) => `${v.path} ${v.message}`);
  const more = violations.length > max ? ` (and ${violations.length - max} more)` : '';
  return shown.join('; ') + more;
}
