import { Component } from 'isoclass';

/** Tries to reach the Function constructor to compile code at run time: the policy refuses it. */
export default class Escape extends Component {
  run(code: string): unknown {
    const make = (() => {}).constructor as (src: string) => () => unknown;
    return make(code)();
  }
}
