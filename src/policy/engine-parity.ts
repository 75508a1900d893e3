import type * as ESTree from 'acorn';
import type { RuleContext } from './rules.ts';

/**
 * Where acorn accepts what V8 refuses. The checker must read the bytes exactly as the isolate
 * will: these are the differences the test262 corpus showed (robustness.test.ts compiles every
 * file the checker accepts), each refused as a parse error so the verdict matches the engine's
 * instead of surfacing later as a compile failure — or, had the engine been the laxer one, as
 * code the checker never saw.
 */

export const NON_ASCII = /[^\0-\x7f]/;
// ECMAScript IdentifierName, judged by the host V8's Unicode data: the same V8 and ICU the isolate runs
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/**
 * `a <!--b`: acorn reads `a < !--b` in a module; V8 refuses `<!--` in any module ("HTML comments
 * are not allowed in modules"), and a script-goal reader would see a comment. `right` is the
 * right operand of a `<`.
 */
export function checkHtmlOpenComment(context: RuleContext, right: ESTree.Node): void {
  const source = context.source;
  // differential parsing: the same text as code here and as a comment elsewhere
  if (source.charCodeAt(right.start - 1) === 0x3c /* < */ && source.startsWith('!--', right.start)) {
    context.report('parse', '`<!--` opens an HTML-like comment, which module code may not contain; put a space after `<`', right.start - 1);
  }
}

/** acorn's Unicode tables can be newer than V8's: a name acorn accepts may not compile. */
export function checkIdentifierCharacters(context: RuleContext, node: ESTree.Node, name: string): void {
  // differential parsing: an identifier the engine would read differently (or not at all)
  if (!IDENTIFIER.test(name)) {
    context.report('parse', `identifier ${JSON.stringify(name)} uses characters that this JavaScript engine's Unicode version does not allow in names`, node.start);
  }
}

/** `class eval {}`: an early error in strict code that V8 raises and acorn 8 does not. */
export function checkClassName(context: RuleContext, id: ESTree.Identifier): void {
  // differential parsing: refuse here rather than fail to compile in the isolate
  if (id.name === 'eval' || id.name === 'arguments') {
    context.report('parse', `a class may not be named "${id.name}" in module (strict) code`, id.start);
  }
}
