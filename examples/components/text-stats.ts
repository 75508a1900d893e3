import { Component, log } from 'isoclass';
import { tokenize } from './tokenize.ts';

/** Word statistics: collections, string processing and a helper module bundled with it. */
export default class TextStats extends Component {
  declare params: { stopWords: string[]; top: number };

  topWords(text: string): [string, number][] {
    const stop = new Set(this.params.stopWords);
    const counts = new Map<string, number>();
    for (const word of tokenize(text)) {
      if (!stop.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    log(`counted ${counts.size} distinct words`);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, this.params.top);
  }

  async summarize(text: string): Promise<{ words: number; sentences: number }> {
    await null;
    return { words: tokenize(text).length, sentences: text.split(/[.!?]+/).filter((s) => s.trim() !== '').length };
  }
}
