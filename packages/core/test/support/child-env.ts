/** The environment of the npm and node processes that the fresh-project tests start. */
import { delimiter, dirname } from 'node:path'

/**
 * The test's environment for a child process, minus the npm settings of a `npm test -w …` that
 * started vitest, with the Node that runs the tests first on PATH: `npm`, `npx` and the scripts
 * they start (`#!/usr/bin/env node`) run on it, as `node` does — CI runs the suites on the oldest
 * and the newest supported Node, and each must test itself, not the machine's default Node.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of Object.keys(env)) {
    if (/^npm_(config_workspaces?|config_include_workspace_root|package_|lifecycle_)/i.test(key)) delete env[key]
  }
  env.PATH = [dirname(process.execPath), env.PATH ?? ''].join(delimiter)
  return env
}
