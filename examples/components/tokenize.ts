/** Lower-cased words of a text; a helper the component file imports by relative path. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z\u00c0-\u024f']+/g) ?? [];
}
