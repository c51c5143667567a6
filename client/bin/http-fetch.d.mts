/** fetch on node:http for the CLI (see http-fetch.mjs). */
export function httpFetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
