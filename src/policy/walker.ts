import type * as ESTree from 'acorn';
import { NON_ASCII, checkClassName, checkHtmlOpenComment, checkIdentifierCharacters } from './engine-parity.ts';
import { create, isArray, keys, nameTable, type NameTable } from './intrinsics.ts';
import { checkDeniedString, checkDynamicImport, checkMemberKey, checkModuleRequest, type RuleContext } from './rules.ts';
import { Scope, type Reference } from './scope.ts';

type Node = ESTree.AnyNode;
/** Where a pattern's names go: declared in a scope, or (null) written as references, `[a, b] = c`. */
type BindingTarget = Scope | null;

const EQUALITY = nameTable(['===', '!==', '==', '!=']);
const NAMED_EVALUATION = nameTable(['=', '&&=', '||=', '??=']);

/** Thrown to stop the walk early (the node limit, or the violation cap). */
export class StopWalk extends Error {}

/**
 * The one walk over the syntax tree. It visits every node once, in source order, and at each:
 * counts it (node limit), measures its depth (depth limit), checks its type against the syntax
 * allowlist, applies the member, string and import rules, and builds the scopes that decide
 * which identifiers are free (the globals the program reaches).
 *
 * It knows, for each node type, which child identifiers are references, which are bindings and
 * which are only names (property keys, labels, export names) — the knowledge a generic walker
 * plus a separate scope analyser would split between them, at twice the cost.
 */
export class PolicyWalker {
  readonly #context: RuleContext;
  readonly #syntaxAllowed: ReadonlySet<string> | 'any';
  readonly #maxNodes: number;
  readonly #maxDepth: number;
  readonly #seenTypes: NameTable = create(null) as NameTable;
  #scope: Scope = new Scope(undefined, true);
  #nodes = 0;
  #depth = 0;
  #depthReported = false;
  /** Whether a name can hold a non-ASCII character: the source has one, or a `\u` escape (only then are identifiers' characters checked). */
  readonly #nonAscii: boolean;

  constructor(context: RuleContext) {
    this.#context = context;
    // differential parsing through an escape: `\u0558x` is an all-ASCII source with a non-ASCII name
    this.#nonAscii = NON_ASCII.test(context.source) || context.source.includes('\\u');
    this.#syntaxAllowed = context.policy.syntax;
    this.#maxNodes = context.policy.source.maxNodes;
    this.#maxDepth = context.policy.source.maxDepth;
  }

  /** Walks a module; returns its free references (identifiers no enclosing scope declares). */
  walkProgram(program: ESTree.Program): Reference[] {
    try {
      if (this.#enter(program, 1)) this.#statements(program.body, 2);
    } finally {
      this.#context.usage.nodes = this.#nodes;
      this.#context.usage.depth = this.#depth;
      for (const type in this.#seenTypes) this.#context.usage.syntax.add(type);
    }
    return this.#scope.close();
  }

  // ---- every node passes here exactly once ---------------------------------------------------

  /** Counts, measures and syntax-checks a node; false when its children must not be visited. */
  #enter(node: Node, depth: number): boolean {
    // resource exhaustion: huge trees cost analysis time here and compile time in the isolate
    if (++this.#nodes > this.#maxNodes) {
      this.#context.report('source-nodes', `source has more than ${this.#maxNodes} syntax nodes, the limit of policy "${this.#context.policy.name}"`, node.start);
      throw new StopWalk();
    }
    if (depth > this.#depth) this.#depth = depth;
    // resource exhaustion: deep nesting overflows recursive tools (and this walk) — stop descending
    if (depth > this.#maxDepth) {
      if (!this.#depthReported) {
        this.#depthReported = true;
        this.#context.report('source-depth', `source nests deeper than ${this.#maxDepth} levels, the limit of policy "${this.#context.policy.name}"`, node.start);
      }
      return false;
    }
    const type = node.type;
    this.#seenTypes[type] = true;
    if (this.#nonAscii && (type === 'Identifier' || type === 'PrivateIdentifier') && NON_ASCII.test(node.name)) {
      checkIdentifierCharacters(this.#context, node, node.name);
    }
    // allowlist: a construct nobody reviewed is refused — including node types a newer parser adds
    if (this.#syntaxAllowed !== 'any' && !this.#syntaxAllowed.has(type)) {
      this.#context.report('syntax', `${describeNode(node)} is not allowed by policy "${this.#context.policy.name}"`, node.start);
    }
    return true;
  }

  // ---- statements and expressions ------------------------------------------------------------

  #statements(list: readonly Node[], depth: number): void {
    for (const statement of list) this.#visit(statement, depth);
  }

  #visit(node: Node, depth: number): void {
    if (!this.#enter(node, depth)) return;
    const d = depth + 1;
    switch (node.type) {
      case 'Identifier':
        this.#scope.reference(node);
        return;
      case 'Literal':
        this.#checkLiteral(node, true);
        return;
      case 'ThisExpression':
      case 'Super':
      case 'EmptyStatement':
      case 'DebuggerStatement':
      case 'PrivateIdentifier':
        return;
      case 'ExpressionStatement':
        this.#visit(node.expression, d);
        return;
      case 'BlockStatement': {
        // inline, not a helper: one stack frame per nesting level keeps deep (allowed) nesting off the stack limit
        const scoped = declaresLexically(node.body);
        if (scoped) this.#push(false);
        for (const statement of node.body) this.#visit(statement, d);
        if (scoped) this.#pop();
        return;
      }
      case 'ReturnStatement':
        if (node.argument) this.#visit(node.argument, d);
        return;
      case 'ThrowStatement':
        this.#visit(node.argument, d);
        return;
      case 'IfStatement':
        this.#visit(node.test, d);
        this.#visit(node.consequent, d);
        if (node.alternate) this.#visit(node.alternate, d);
        return;
      case 'LabeledStatement':
        this.#name(node.label, d);
        this.#visit(node.body, d);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        if (node.label) this.#name(node.label, d);
        return;
      case 'WithStatement':
        this.#visit(node.object, d);
        this.#visit(node.body, d);
        return;
      case 'SwitchStatement':
        this.#switch(node, d);
        return;
      case 'TryStatement':
        this.#visit(node.block, d);
        if (node.handler) this.#catch(node.handler, d);
        if (node.finalizer) this.#visit(node.finalizer, d);
        return;
      case 'WhileStatement':
        this.#visit(node.test, d);
        this.#visit(node.body, d);
        return;
      case 'DoWhileStatement':
        this.#visit(node.body, d);
        this.#visit(node.test, d);
        return;
      case 'ForStatement': {
        const scoped = isLexical(node.init);
        if (scoped) this.#push(false);
        if (node.init) this.#visit(node.init, d);
        if (node.test) this.#visit(node.test, d);
        if (node.update) this.#visit(node.update, d);
        this.#visit(node.body, d);
        if (scoped) this.#pop();
        return;
      }
      case 'ForInStatement':
      case 'ForOfStatement': {
        // the head's let/const names are in scope (in their dead zone) for the right-hand side too
        const scoped = isLexical(node.left);
        if (scoped) this.#push(false);
        if (node.left.type === 'VariableDeclaration') this.#visit(node.left, d);
        else this.#pattern(node.left, d, null);
        this.#visit(node.right, d);
        this.#visit(node.body, d);
        if (scoped) this.#pop();
        return;
      }
      case 'VariableDeclaration': {
        const target = node.kind === 'var' ? this.#scope.varScope : this.#scope;
        for (const declarator of node.declarations) {
          if (!this.#enter(declarator, d)) continue;
          this.#pattern(declarator.id, d + 1, target);
          if (declarator.init) {
            this.#namedEvaluation(declarator.id, declarator.init);
            this.#visit(declarator.init, d + 1);
          }
        }
        return;
      }
      case 'FunctionDeclaration':
        // in module (strict) code a function declaration is scoped to its block
        if (node.id) this.#scope.declare(node.id.name);
        this.#function(node, d);
        return;
      case 'ClassDeclaration':
        if (node.id) this.#scope.declare(node.id.name);
        this.#class(node, d);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.#function(node, d);
        return;
      case 'ClassExpression':
        this.#class(node, d);
        return;
      case 'ArrayExpression':
        for (const element of node.elements) if (element) this.#visit(element, d);
        return;
      case 'ObjectExpression':
        for (const property of node.properties) {
          if (property.type === 'Property') this.#property(property, d, undefined);
          else this.#visit(property, d);
        }
        return;
      case 'SpreadElement':
        this.#visit(node.argument, d);
        return;
      case 'UnaryExpression':
      case 'UpdateExpression':
        this.#visit(node.argument, d);
        return;
      case 'BinaryExpression':
        if (node.operator === '<') checkHtmlOpenComment(this.#context, node.right);
        if (EQUALITY[node.operator] === true) {
          // `key === 'constructor'` only compares: the string's value goes nowhere (prototype-pollution guards)
          this.#value(node.left, d, false);
          this.#value(node.right, d, false);
        } else {
          this.#visit(node.left, d); // `#x in o` puts a PrivateIdentifier here
          this.#visit(node.right, d);
        }
        return;
      case 'LogicalExpression':
        this.#visit(node.left, d);
        this.#visit(node.right, d);
        return;
      case 'AssignmentExpression':
        this.#pattern(node.left, d, null);
        if (NAMED_EVALUATION[node.operator] === true) this.#namedEvaluation(node.left, node.right);
        this.#visit(node.right, d);
        return;
      case 'ConditionalExpression':
        this.#visit(node.test, d);
        this.#visit(node.consequent, d);
        this.#visit(node.alternate, d);
        return;
      case 'CallExpression':
      case 'NewExpression':
        this.#visit(node.callee, d);
        for (const argument of node.arguments) this.#visit(argument, d);
        return;
      case 'SequenceExpression':
        for (const expression of node.expressions) this.#visit(expression, d);
        return;
      case 'YieldExpression':
        if (node.argument) this.#visit(node.argument, d);
        return;
      case 'AwaitExpression':
        this.#visit(node.argument, d);
        return;
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        this.#visit(node.expression, d);
        return;
      case 'MemberExpression':
        this.#visit(node.object, d);
        checkMemberKey(this.#context, node.property, node.computed, 'property');
        this.#key(node.property, node.computed, d);
        return;
      case 'TemplateLiteral':
        this.#template(node, d, false, true);
        return;
      case 'TaggedTemplateExpression':
        this.#visit(node.tag, d);
        if (this.#enter(node.quasi, d)) this.#template(node.quasi, d + 1, true, true);
        return;
      case 'MetaProperty':
        this.#name(node.meta, d);
        this.#name(node.property, d);
        return;
      case 'ImportExpression':
        checkDynamicImport(this.#context, node);
        this.#value(node.source, d, false); // a module specifier, not a member name
        if (node.options) this.#visit(node.options, d);
        return;
      case 'ImportDeclaration':
        checkModuleRequest(this.#context, node);
        for (const specifier of node.specifiers) {
          if (!this.#enter(specifier, d)) continue;
          if (specifier.type === 'ImportSpecifier') this.#name(specifier.imported, d + 1);
          this.#scope.declare(specifier.local.name);
          this.#name(specifier.local, d + 1);
        }
        this.#name(node.source, d);
        this.#attributes(node.attributes, d);
        return;
      case 'ExportNamedDeclaration':
        checkModuleRequest(this.#context, node);
        if (node.declaration) this.#visit(node.declaration, d);
        for (const specifier of node.specifiers) {
          if (!this.#enter(specifier, d)) continue;
          // `export { x }` reads the local x; `export { x } from 'm'` reads nothing here
          if (!node.source && specifier.local.type === 'Identifier') {
            if (this.#enter(specifier.local, d + 1)) this.#scope.reference(specifier.local);
          } else {
            this.#name(specifier.local, d + 1);
          }
          this.#name(specifier.exported, d + 1);
        }
        if (node.source) this.#name(node.source, d);
        this.#attributes(node.attributes, d);
        return;
      case 'ExportDefaultDeclaration':
        this.#visit(node.declaration, d);
        return;
      case 'ExportAllDeclaration':
        checkModuleRequest(this.#context, node);
        if (node.exported) this.#name(node.exported, d);
        this.#name(node.source, d);
        this.#attributes(node.attributes, d);
        return;
      default:
        this.#unknown(node, d);
        return;
    }
  }

  #switch(node: ESTree.SwitchStatement, depth: number): void {
    this.#visit(node.discriminant, depth);
    let scoped = false;
    for (const switchCase of node.cases) scoped ||= declaresLexically(switchCase.consequent);
    if (scoped) this.#push(false);
    for (const switchCase of node.cases) {
      if (!this.#enter(switchCase, depth)) continue;
      // `case 'constructor':` only compares, like ===
      if (switchCase.test) this.#value(switchCase.test, depth + 1, false);
      this.#statements(switchCase.consequent, depth + 1);
    }
    if (scoped) this.#pop();
  }

  #catch(handler: ESTree.CatchClause, depth: number): void {
    if (!this.#enter(handler, depth)) return;
    this.#push(false);
    if (handler.param) this.#pattern(handler.param, depth + 1, this.#scope);
    this.#visit(handler.body, depth + 1);
    this.#pop();
  }

  /** A function of any kind; the caller has entered the node. */
  #function(node: ESTree.Function & (ESTree.FunctionDeclaration | ESTree.AnonymousFunctionDeclaration | ESTree.FunctionExpression | ESTree.ArrowFunctionExpression), depth: number): void {
    const isDeclaration = node.type === 'FunctionDeclaration';
    if (node.id) {
      // a function's .name is a string the code can read: `function constructor() {}` spells a denied member
      checkDeniedString(this.#context, node.id.name, 'function name', node.id.start);
      this.#name(node.id, depth);
    }
    // parameters, the function's own name (for expressions) and `arguments` share one scope
    this.#push(false);
    if (node.id && !isDeclaration) this.#scope.declare(node.id.name);
    if (node.type !== 'ArrowFunctionExpression') this.#scope.declare('arguments');
    for (const param of node.params) this.#pattern(param, depth, this.#scope);
    const body = node.body;
    if (body.type === 'BlockStatement') {
      // the body's declarations get a scope of their own: parameter defaults cannot see them,
      // so `function f(a = Function) { var Function }` still reads the global Function
      if (this.#enter(body, depth)) {
        this.#push(true);
        for (const statement of body.body) this.#visit(statement, depth + 1);
        this.#pop();
      }
    } else {
      this.#visit(body, depth);
    }
    this.#pop();
  }

  /** A class; the caller has entered the node (and declared a declaration's name outside). */
  #class(node: ESTree.ClassDeclaration | ESTree.ClassExpression | ESTree.AnonymousClassDeclaration, depth: number): void {
    this.#push(false);
    if (node.id) {
      checkClassName(this.#context, node.id);
      checkDeniedString(this.#context, node.id.name, 'class name', node.id.start);
      this.#scope.declare(node.id.name); // the class's own inner binding
      this.#name(node.id, depth);
    }
    if (node.superClass) this.#visit(node.superClass, depth);
    if (this.#enter(node.body, depth)) {
      const d = depth + 1;
      for (const element of node.body.body) {
        if (!this.#enter(element, d)) continue;
        if (element.type === 'StaticBlock') {
          this.#push(true); // a static block is a function body of its own for `var`
          this.#statements(element.body, d + 1);
          this.#pop();
          continue;
        }
        // a class's own `constructor` method is how classes are written; every other member name is checked
        if (!(element.type === 'MethodDefinition' && element.kind === 'constructor')) {
          checkMemberKey(this.#context, element.key, element.computed, 'class member');
        }
        this.#key(element.key, element.computed, d + 1);
        if (element.value) {
          if (element.type === 'MethodDefinition') {
            if (this.#enter(element.value, d + 1)) this.#function(element.value, d + 2);
          } else {
            this.#visit(element.value, d + 1);
          }
        }
      }
    }
    this.#pop();
  }

  /** A property of an object literal (`target` undefined) or of an object pattern. */
  #property(property: ESTree.Property | ESTree.AssignmentProperty, depth: number, target: BindingTarget | undefined): void {
    if (!this.#enter(property, depth)) return;
    // object literal keys and destructuring: `{__proto__: x}` sets a prototype, `{constructor: c} = f` reads one
    checkMemberKey(this.#context, property.key, property.computed, 'key');
    this.#key(property.key, property.computed, depth + 1);
    if (target === undefined) this.#visit(property.value, depth + 1);
    else this.#pattern(property.value, depth + 1, target);
  }

  /** A member or property key: an expression when computed, a bare name otherwise. */
  #key(key: ESTree.Expression | ESTree.PrivateIdentifier, computed: boolean, depth: number): void {
    if (!computed) this.#name(key, depth);
    else this.#value(key, depth, false); // a literal key's spelling is checked by the member rule
  }

  /** An expression whose literal string value, if any, is checked for denied names when it `escapes`. */
  #value(node: Node, depth: number, escapes: boolean): void {
    if (node.type === 'Literal') {
      if (this.#enter(node, depth)) this.#checkLiteral(node, escapes);
    } else if (node.type === 'TemplateLiteral' && node.expressions.length === 0) {
      if (this.#enter(node, depth)) this.#template(node, depth + 1, false, escapes);
    } else {
      this.#visit(node, depth);
    }
  }

  /** A node that is only a name here (label, non-computed key, export name, module source). */
  #name(node: Node, depth: number): void {
    this.#enter(node, depth);
  }

  #checkLiteral(node: ESTree.Literal, escapes: boolean): void {
    if (!escapes) return;
    if (typeof node.value === 'string') checkDeniedString(this.#context, node.value, 'the string', node.start);
    // /constructor/.source is the string too
    else if (node.regex) checkDeniedString(this.#context, node.regex.pattern, 'the regular expression source', node.start);
  }

  /** A template's pieces; a tag receives each piece (cooked and raw) as a string of its own. */
  #template(node: ESTree.TemplateLiteral, depth: number, tagged: boolean, escapes: boolean): void {
    const quasis = node.quasis;
    const expressions = node.expressions;
    for (let i = 0; i < quasis.length; i++) {
      const quasi = quasis[i] as ESTree.TemplateElement;
      if (this.#enter(quasi, depth) && escapes) {
        // the cooked text: a raw text differing from it holds a backslash, which no denied member
        // name may have (policy.schema.json refuses one), so a tag cannot rebuild a denied name from raw
        const cooked = quasi.value.cooked;
        if (typeof cooked === 'string') checkDeniedString(this.#context, cooked, tagged ? 'the tagged template text' : 'the template text', quasi.start);
      }
      const expression = expressions[i];
      if (expression) this.#visit(expression, depth);
    }
  }

  #attributes(attributes: readonly ESTree.ImportAttribute[] | undefined, depth: number): void {
    for (const attribute of attributes ?? []) {
      if (!this.#enter(attribute, depth)) continue;
      this.#name(attribute.key, depth + 1);
      this.#name(attribute.value, depth + 1);
    }
  }

  // ---- patterns ------------------------------------------------------------------------------

  /** A binding or assignment pattern: names are declared in `target`, or referenced when it is null. */
  #pattern(node: Node, depth: number, target: BindingTarget): void {
    switch (node.type) {
      case 'Identifier':
        if (!this.#enter(node, depth)) return;
        if (target) target.declare(node.name);
        else this.#scope.reference(node);
        return;
      case 'ObjectPattern':
        if (!this.#enter(node, depth)) return;
        for (const property of node.properties) {
          if (property.type === 'Property') this.#property(property, depth + 1, target);
          else this.#pattern(property, depth + 1, target);
        }
        return;
      case 'ArrayPattern':
        if (!this.#enter(node, depth)) return;
        for (const element of node.elements) if (element) this.#pattern(element, depth + 1, target);
        return;
      case 'RestElement':
        if (!this.#enter(node, depth)) return;
        this.#pattern(node.argument, depth + 1, target);
        return;
      case 'AssignmentPattern':
        if (!this.#enter(node, depth)) return;
        this.#pattern(node.left, depth + 1, target);
        this.#namedEvaluation(node.left, node.right);
        this.#visit(node.right, depth + 1);
        return;
      default:
        // an assignment target such as `obj.x` in `[obj.x] = list`
        this.#visit(node, depth);
        return;
    }
  }

  /** `let constructor = () => {}` names the function "constructor": a string route like a literal. */
  #namedEvaluation(target: Node, value: Node): void {
    if (target.type !== 'Identifier') return;
    const anonymous =
      value.type === 'ArrowFunctionExpression' || ((value.type === 'FunctionExpression' || value.type === 'ClassExpression') && !value.id);
    if (anonymous) checkDeniedString(this.#context, target.name, 'the function name', target.start);
  }

  /**
   * A node type this walker does not know (a newer parser's). The syntax allowlist has refused
   * it already unless the policy allows any syntax; its children are still walked, every
   * identifier in them counted as a reference — more globals reported, never fewer.
   */
  #unknown(node: Node, depth: number): void {
    const record = node as unknown as Record<string, unknown>;
    for (const key of keys(record)) {
      const child = record[key];
      if (isArray(child)) {
        for (const item of child) if (isNode(item)) this.#visit(item, depth);
      } else if (isNode(child)) {
        this.#visit(child, depth);
      }
    }
  }

  // ---- scopes --------------------------------------------------------------------------------

  #push(isVarScope: boolean): void {
    this.#scope = new Scope(this.#scope, isVarScope);
  }

  #pop(): void {
    const scope = this.#scope;
    scope.close();
    this.#scope = scope.parent ?? scope;
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function isLexical(node: Node | null | undefined): boolean {
  return node?.type === 'VariableDeclaration' && node.kind !== 'var';
}

/** Does a statement list declare anything block-scoped (let, const, class, function)? */
function declaresLexically(statements: readonly Node[]): boolean {
  for (const statement of statements) {
    const type = statement.type;
    if (type === 'ClassDeclaration' || type === 'FunctionDeclaration' || (type === 'VariableDeclaration' && statement.kind !== 'var')) return true;
  }
  return false;
}

function describeNode(node: Node): string {
  switch (node.type) {
    case 'ImportExpression':
      return 'dynamic import()';
    case 'WithStatement':
      return '`with`';
    case 'MetaProperty':
      return `\`${node.meta.name}.${node.property.name}\``;
    case 'DebuggerStatement':
      return '`debugger`';
    case 'StaticBlock':
      return 'a class static block';
    case 'TaggedTemplateExpression':
      return 'a tagged template';
    case 'ImportAttribute':
      return 'an import attribute (with { … })';
    default:
      return `syntax ${node.type}`;
  }
}
