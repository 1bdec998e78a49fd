#!/usr/bin/env node
// The `distnumpy` command: the compiled CLI lives in build/.
import { main } from '../build/lib/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
