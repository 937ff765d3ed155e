// Loads an npm package from tests/interop, where the lock file pins it, with a clear message
// when `npm ci --prefix tests/interop` has not been run.

import { createRequire } from 'node:module'

const require = createRequire(new URL('../../interop/package.json', import.meta.url))

export function interop(name) {
  try {
    return require(name)
  } catch (error) {
    if (error.code === 'MODULE_NOT_FOUND') {
      console.error(`${name} is not installed; install it with:  npm ci --prefix tests/interop`)
      process.exit(2)
    }
    throw error
  }
}

// Prints one JSON object as a line on stdout.
export function emit(object) {
  process.stdout.write(JSON.stringify(object) + '\n')
}

// Ends the process with status 1 after MS, printing {"timeout": MS, ...WHAT()}: every client
// is bounded in time. The timer also keeps a client alive while its sockets are paused.
export function deadline(ms, what) {
  setTimeout(() => {
    emit({ timeout: ms, ...what() })
    process.exit(1)
  }, ms)
}
