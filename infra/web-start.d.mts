/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean;
/** Splits the wrapper's arguments into host, port and the rest (passed on to `next start`). */
export function parseWebArgs(argv: string[], env?: Record<string, string | undefined>): { host: string; port: string; rest: string[] };
/** Why the server must not start, or null. */
export function bindRefusal(host: string, env?: Record<string, string | undefined>): string | null;
