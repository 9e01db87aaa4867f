#!/usr/bin/env node
// The `nestjs-jetstream-streams` executable (package.json `bin`). Kept apart from run-cli.ts so
// that importing the command's code never runs it.
import 'reflect-metadata';
import { runCli } from './run-cli.js';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
}).then((code) => process.exit(code));
