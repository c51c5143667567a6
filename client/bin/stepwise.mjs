#!/usr/bin/env node
// Launcher for the TypeScript CLI: registers tsx's ESM loader, then runs src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
