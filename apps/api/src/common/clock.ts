/**
 * The server's clock. Time rules (future events, late history, the undo window) run on it, never on a time a client
 * sends; it is injected so tests can stand at another moment.
 */
export type Clock = () => Date;

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = () => new Date();
