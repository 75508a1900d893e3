import * as acorn from 'acorn';
import { ECMA_VERSION } from '../policy/validate.ts';

type Node = acorn.Node & Record<string, unknown>;

/**
 * A one-line human description of the exported class, `class Scorer extends Component`, found
 * in the bundled module's syntax tree. `undefined` when the export is not a class declaration
 * the tree shows directly.
 */
export function describeExport(source: string, exportName: string): string | undefined {
  let ast: acorn.Program;
  try {
    ast = acorn.parse(source, { ecmaVersion: ECMA_VERSION, sourceType: 'module' });
  } catch {
    return undefined;
  }
  const body = ast.body as unknown as Node[];
  const classes = new Map<string, Node>();
  for (const statement of body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? (statement['declaration'] as Node | null) : statement;
    if (declaration?.type === 'ClassDeclaration') classes.set(String((declaration['id'] as Node)['name']), declaration);
    if (declaration?.type === 'VariableDeclaration') {
      for (const d of declaration['declarations'] as Node[]) {
        const init = d['init'] as Node | null;
        if (init?.type === 'ClassExpression' && (d['id'] as Node).type === 'Identifier') classes.set(String((d['id'] as Node)['name']), { ...init, id: init['id'] ?? d['id'] } as Node);
      }
    }
  }
  let target: Node | undefined;
  for (const statement of body) {
    if (exportName === 'default' && statement.type === 'ExportDefaultDeclaration') {
      const d = statement['declaration'] as Node;
      target = d.type === 'ClassDeclaration' || d.type === 'ClassExpression' ? d : d.type === 'Identifier' ? classes.get(String(d['name'])) : undefined;
    }
    if (statement.type === 'ExportNamedDeclaration') {
      const d = statement['declaration'] as Node | null;
      if (d?.type === 'ClassDeclaration' && (d['id'] as Node)['name'] === exportName) target = d;
      for (const s of (statement['specifiers'] as Node[] | undefined) ?? []) {
        const exported = s['exported'] as Node;
        const name = exported.type === 'Identifier' ? exported['name'] : exported['value'];
        if (name === exportName) target = classes.get(String((s['local'] as Node)['name']));
      }
    }
  }
  if (target === undefined) return undefined;
  const id = target['id'] as Node | null;
  const superClass = target['superClass'] as Node | null;
  const name = id === null ? '(anonymous)' : String(id['name']);
  const base = superClass === null ? '' : ` extends ${superClass.type === 'Identifier' ? String(superClass['name']) : source.slice(superClass.start, superClass.end).slice(0, 80)}`;
  return `class ${name}${base}`;
}
