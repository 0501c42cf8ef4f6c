// Spawning anvil (Foundry's local EVM node) for the demo chain, the tests and the bench.
// It binds 127.0.0.1 only, on a port the OS picks (--port 0), and prints "Listening on 127.0.0.1:PORT" when ready.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface AnvilProcess {
  readonly rpcUrl: string
  readonly port: number
  readonly chainId: number
  readonly child: ChildProcess
  /** Ends this anvil (SIGTERM, then SIGKILL after 2 s). */
  stop(): Promise<void>
}

export interface AnvilOptions {
  /** 0 = any free port. */
  readonly port?: number
  /** Interval mining (--block-time); omitted = a block per transaction (automine). */
  readonly blockTimeSec?: number
  readonly stateFile?: string
  readonly extraArgs?: readonly string[]
}

/** The anvil binary shipped by @foundry-rs/anvil-<platform>-<arch>, or STABLETILL_ANVIL. */
export function anvilBinary(): string | null {
  const fromEnv = process.env['STABLETILL_ANVIL']
  if (fromEnv && existsSync(fromEnv)) return fromEnv
  const platform = process.platform === 'win32' ? 'win32' : process.platform
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const pkg = `@foundry-rs/anvil-${platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  // From this install (the built file's own node_modules), never the working folder: a till started from anywhere
  // finds its chain.
  try {
    const candidate = join(dirname(require.resolve(`${pkg}/package.json`, { paths: [__dirname] })), 'bin', exe)
    if (existsSync(candidate)) return candidate
  } catch {
    // not installed (optional dependency): fall through
  }
  const fromCwd = join(process.cwd(), 'node_modules', pkg, 'bin', exe)
  return existsSync(fromCwd) ? fromCwd : null
}

export function isAnvilAvailable(): boolean {
  return anvilBinary() !== null
}

export async function spawnAnvil(options: AnvilOptions = {}): Promise<AnvilProcess> {
  const binary = anvilBinary()
  if (!binary) throw new Error('anvil is not installed (optional dependency @foundry-rs/anvil-*); the demo chain needs it')
  const args = ['--host', '127.0.0.1', '--port', String(options.port ?? 0), '--chain-id', '31337']
  if (options.blockTimeSec !== undefined) args.push('--block-time', String(options.blockTimeSec))
  if (options.stateFile) args.push('--state', options.stateFile)
  args.push(...(options.extraArgs ?? []))
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const port = await new Promise<number>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`anvil did not start in 15 s: ${output.slice(-500)}`)), 15_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        // Keep draining stdout so anvil never blocks on a full pipe.
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(Number(m[1]))
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`anvil exited (${code}) before listening: ${output.slice(-500)}`))
    })
  })
  child.stderr?.resume()
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    port,
    chainId: 31337,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const kill = setTimeout(() => child.kill('SIGKILL'), 2000)
        child.once('exit', () => {
          clearTimeout(kill)
          resolve()
        })
        child.kill('SIGTERM')
      })
  }
}
