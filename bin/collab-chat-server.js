#!/usr/bin/env node
// The collab-chat-server command: registers tsx so Node runs the TypeScript server directly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli.ts');
await main();
