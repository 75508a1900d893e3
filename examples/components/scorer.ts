import { Component } from 'isoclass';

interface ScorerParams {
  /** Weight per feature name; unknown features score 0. */
  weights: Record<string, number>;
  bias: number;
}

/** A linear scorer, the kind of small model a metadata store ships to every service. */
export default class Scorer extends Component {
  declare params: ScorerParams;

  score(features: Record<string, number>): number {
    let total = this.params.bias;
    for (const [name, value] of Object.entries(features)) {
      total += (this.params.weights[name] ?? 0) * value;
    }
    return Math.round(total * 1000) / 1000;
  }

  rank(items: { id: string; features: Record<string, number> }[]): string[] {
    return items
      .map((item) => ({ id: item.id, score: this.score(item.features) }))
      .sort((a, b) => b.score - a.score)
      .map((item) => item.id);
  }
}
