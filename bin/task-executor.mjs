#!/usr/bin/env node
// The command-line client (see src/cli/main.ts). Runs the TypeScript source through tsx, which is a
// runtime dependency, so there is no build step between a checkout and a working command.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
