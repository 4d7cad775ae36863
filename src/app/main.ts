#!/usr/bin/env node
import { runCli } from './dispatch';

runCli(process.argv.slice(2));
