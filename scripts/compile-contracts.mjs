// Compiles resources/contracts/*.sol with solc (npm, offline) into resources/contracts/<Name>.json ({ abi, bytecode,
// compiler }). The JSON is committed: the app deploys the demo token without shipping a compiler.
// Usage: node scripts/compile-contracts.mjs
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const solc = require('solc')
const dir = join(process.cwd(), 'resources', 'contracts')
const files = readdirSync(dir).filter((f) => f.endsWith('.sol'))
const input = {
  language: 'Solidity',
  sources: Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(dir, f), 'utf8') }])),
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } }
}
const output = JSON.parse(solc.compile(JSON.stringify(input)))
const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
if (errors.length > 0) {
  console.error(errors.map((e) => e.formattedMessage).join('\n'))
  process.exit(1)
}
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    const out = { contractName: name, source: `resources/contracts/${file}`, compiler: `solc ${solc.version()}`, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(out, null, 2)}\n`)
    console.log(`wrote resources/contracts/${name}.json`)
  }
}
