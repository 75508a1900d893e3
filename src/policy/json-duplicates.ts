/**
 * Finds a repeated key in a JSON object. JSON.parse keeps the last of two equal keys without a
 * word, so `{"computedMembers": "none", …, "computedMembers": "any"}` reads as "none" to a
 * reviewer and loads as "any": a policy file must mean what it visibly says.
 *
 * `text` must already be valid JSON (JSON.parse accepted it). Iterative, so no nesting depth
 * can overflow the stack. Returns the key path of the first duplicate, or undefined.
 */
export function findDuplicateKey(text: string, root: string): string | undefined {
  interface Frame {
    readonly path: string;
    /** Keys seen, for objects; undefined for arrays. */
    readonly keys: Set<string> | undefined;
    index: number;
  }
  const stack: Frame[] = [];
  let i = 0;
  let pendingPath = root;
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(text.slice(start, i)) as string;
  };
  for (;;) {
    skipSpace();
    const top = stack[stack.length - 1];
    // inside an object, before a key (or its end)
    if (top?.keys !== undefined && pendingPath === '') {
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        stack.pop();
        pendingPath = '';
        if (stack.length === 0) return undefined;
        continue;
      }
      const key = readString();
      if (top.keys.has(key)) return childPath(top.path, key);
      top.keys.add(key);
      skipSpace();
      i++; // ':'
      pendingPath = childPath(top.path, key);
      continue;
    }
    if (top !== undefined && top.keys === undefined && pendingPath === '') {
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        stack.pop();
        if (stack.length === 0) return undefined;
        continue;
      }
      pendingPath = `${top.path}[${top.index++}]`;
      continue;
    }
    // a value at pendingPath
    const c = text[i];
    if (c === '{') {
      i++;
      stack.push({ path: pendingPath, keys: new Set(), index: 0 });
    } else if (c === '[') {
      i++;
      stack.push({ path: pendingPath, keys: undefined, index: 0 });
    } else if (c === '"') {
      readString();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i] ?? '')) i++; // number, true, false, null
    }
    pendingPath = '';
    if (stack.length === 0) return undefined;
  }
}

function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
