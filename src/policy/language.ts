/**
 * The language the policy reasons about: one pinned ECMAScript version, parsed as an ES module.
 *
 * Node 24's V8 (13.6) implements all of ES2025 (import attributes, RegExp modifiers, duplicate
 * named groups), so everything acorn accepts at this version the isolate compiles. A newer
 * version would let acorn accept syntax (`using` declarations at 2026) that the allowlist's
 * authors never reviewed against this engine.
 */
export const ECMA_VERSION = 2025;

/**
 * Every ESTree node type acorn 8 produces for an ES2025 module (with `preserveParens` off).
 * `WithStatement` is absent: `with` is a syntax error in module code, so it can never be
 * allowed. A policy may list only these names (an impossible name is a typo, and an error);
 * the walker refuses any node whose type is not here, so a type a future parser adds is
 * refused until someone reviews it.
 */
export const NODE_TYPES = [
  'Program',
  // modules
  'ImportDeclaration', 'ImportSpecifier', 'ImportDefaultSpecifier', 'ImportNamespaceSpecifier', 'ImportAttribute',
  'ExportNamedDeclaration', 'ExportSpecifier', 'ExportDefaultDeclaration', 'ExportAllDeclaration',
  // classes
  'ClassDeclaration', 'ClassExpression', 'ClassBody', 'MethodDefinition', 'PropertyDefinition', 'StaticBlock', 'PrivateIdentifier', 'Super',
  // functions and declarations
  'FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'VariableDeclaration', 'VariableDeclarator',
  // statements
  'BlockStatement', 'ExpressionStatement', 'EmptyStatement', 'DebuggerStatement', 'ReturnStatement', 'IfStatement', 'LabeledStatement',
  'BreakStatement', 'ContinueStatement', 'SwitchStatement', 'SwitchCase', 'ThrowStatement', 'TryStatement', 'CatchClause',
  'WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement',
  // expressions
  'Identifier', 'Literal', 'ThisExpression', 'ArrayExpression', 'ObjectExpression', 'Property', 'SpreadElement',
  'TemplateLiteral', 'TemplateElement', 'TaggedTemplateExpression', 'UnaryExpression', 'UpdateExpression', 'BinaryExpression',
  'LogicalExpression', 'AssignmentExpression', 'ConditionalExpression', 'CallExpression', 'NewExpression', 'MemberExpression',
  'ChainExpression', 'SequenceExpression', 'YieldExpression', 'AwaitExpression', 'MetaProperty', 'ImportExpression',
  // patterns
  'ObjectPattern', 'ArrayPattern', 'RestElement', 'AssignmentPattern',
] as const;

export type NodeType = (typeof NODE_TYPES)[number];
