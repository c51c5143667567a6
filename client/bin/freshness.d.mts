/** Whether client/dist holds a build at least as new as every source that went into it. */
export function distIsFresh(distDir: string): boolean;
